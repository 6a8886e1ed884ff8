/**
 * `message.deliveryCount` and `message.redelivered` (ours): read from the
 * AMQP header RabbitMQ sends with each delivery, handed to the callback.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Message as AmqpMessage } from "rhea";
import { rawDelivery } from "../../../src/consumer/delivery.js";
import { SharedStats } from "../../../src/consumer/stats.js";
import { Message } from "../../../src/message/message.js";
import { LEVELS, setLevel } from "../../../src/log.js";
import { processDelivery } from "../../../src/runner/process.js";
import { raw } from "./_raw.js";

async function seenByCallback(delivery: ReturnType<typeof raw>): Promise<Message> {
  let seen: Message | undefined;
  setLevel("fedora_messaging", LEVELS.ERROR);
  await processDelivery({ queue: "q", handler: (m) => void (seen = m), consumerRepr: "c", stats: new SharedStats() }, delivery);
  assert.ok(seen);
  return seen;
}

describe("delivery count", () => {
  it("rawDelivery reads the header's delivery-count and first-acquirer, and RabbitMQ's x-delivery-count", () => {
    const header = (fields: Record<string, unknown>) => rawDelivery({ body: "x", ...fields } as unknown as AmqpMessage);
    assert.deepEqual([header({}).deliveryCount, header({}).firstAcquirer], [0, true]);
    assert.deepEqual([header({ delivery_count: 3, first_acquirer: false }).deliveryCount, header({ delivery_count: 3, first_acquirer: false }).firstAcquirer], [3, false]);
    // RabbitMQ 4.0 counts a released (Nacked) message in the x-delivery-count annotation only.
    const released = header({ delivery_count: 0, first_acquirer: false, message_annotations: { "x-delivery-count": 2 } });
    assert.deepEqual([released.deliveryCount, released.firstAcquirer], [2, false]);
    assert.equal(header({ delivery_count: 1, message_annotations: { "x-delivery-count": 3 } }).deliveryCount, 3);
  });
  it("a first delivery: 0 and not redelivered", async () => {
    const message = await seenByCallback({ ...raw({ a: 1 }), deliveryCount: 0, firstAcquirer: true });
    assert.deepEqual([message.deliveryCount, message.redelivered], [0, false]);
  });
  it("a message returned twice: 2 and redelivered", async () => {
    const message = await seenByCallback({ ...raw({ a: 1 }), deliveryCount: 2, firstAcquirer: false });
    assert.deepEqual([message.deliveryCount, message.redelivered], [2, true]);
  });
  it("acquired before by a consumer that died (count 0, not first acquirer): redelivered", async () => {
    const message = await seenByCallback({ ...raw({ a: 1 }), deliveryCount: 0, firstAcquirer: false });
    assert.deepEqual([message.deliveryCount, message.redelivered], [0, true]);
  });
  it("a message built here: 0 and not redelivered", () => {
    const message = new Message({ topic: "t" });
    assert.deepEqual([message.deliveryCount, message.redelivered], [0, false]);
  });
});
