/**
 * Regression tests for the two rhea 3.0.5 bugs that build/patch-rhea.mjs
 * fixes, against the real broker (with `node build/patch-rhea.mjs --revert`
 * both fail):
 * 1. settlements made in one event-loop turn were merged into one DISPOSITION
 *    carrying the first outcome, so a released message right after an accepted
 *    one was acknowledged and lost;
 * 2. a receiver ignored RabbitMQ's initial delivery-count, so each FLOW granted
 *    5 more messages than asked for.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import rhea, { type Delivery, type EventContext } from "rhea";
import { brokerUrls, uniqueName } from "../support/broker.js";
import { declareQueue, deleteQueue, waitForQueue } from "../support/management.js";
import { amqpConnectionOptions, publishMessages } from "../support/publish.js";

const queue = uniqueName("rhea-dispositions");
const creditQueue = uniqueName("rhea-credit");
after(() => Promise.all([deleteQueue(queue), deleteQueue(creditQueue)]));

const OUTCOMES = ["accept", "release", "reject", "accept", "release", "release", "accept", "reject"] as const;

test("settlements of different outcomes in one turn are all sent", async () => {
  const { amqpUrl } = brokerUrls();
  await declareQueue(queue, { durable: true, auto_delete: false, arguments: {} });
  await publishMessages(amqpUrl, OUTCOMES.map((_, index) => ({ topic: queue, body: { index } })), { exchange: "" });
  await waitForQueue(queue, (q) => q.messages_ready === OUTCOMES.length, 20_000);

  const first = await receive(amqpUrl, queue, OUTCOMES.length, (deliveries) => {
    // All in one synchronous block: one event-loop turn, one batch of dispositions.
    deliveries.forEach(({ delivery }, index) => {
      const outcome = OUTCOMES[index]!;
      if (outcome === "accept") delivery.accept();
      else if (outcome === "release") delivery.release();
      else delivery.reject();
    });
  });
  assert.deepEqual(first.map((d) => d.index), OUTCOMES.map((_, i) => i));

  const released = OUTCOMES.flatMap((outcome, index) => (outcome === "release" ? [index] : []));
  await waitForQueue(queue, (q) => q.messages_ready === released.length && q.messages_unacknowledged === 0, 20_000);
  const again = await receive(amqpUrl, queue, released.length, (deliveries) => deliveries.forEach(({ delivery }) => delivery.accept()));
  assert.deepEqual(again.map((d) => d.index).sort(), released);
  await waitForQueue(queue, (q) => q.messages === 0, 20_000);
});

test("a receiver gets exactly the credit it grants", async () => {
  const { amqpUrl } = brokerUrls();
  await declareQueue(creditQueue, { durable: true, auto_delete: false, arguments: {} });
  await publishMessages(amqpUrl, [0, 1, 2, 3, 4, 5, 6, 7].map((index) => ({ topic: creditQueue, body: { index } })), { exchange: "" });
  await waitForQueue(creditQueue, (q) => q.messages_ready === 8, 20_000);
  // Grant 2; accept nothing; wait: the broker must send 2, not 7.
  const got = await receive(amqpUrl, creditQueue, 2, () => undefined, 500);
  assert.equal(got.length, 2);
  await waitForQueue(creditQueue, (q) => q.messages_ready === 8 && q.messages_unacknowledged === 0, 20_000);
});

/**
 * Grants `count` credit, hands the first `count` deliveries to `settle`
 * together, waits `lingerMs` (counting anything the broker sends beyond the
 * credit), then closes. Returns every delivery received.
 */
function receive(
  amqpUrl: string,
  address: string,
  count: number,
  settle: (deliveries: Array<{ delivery: Delivery; index: number }>) => void,
  lingerMs = 200,
): Promise<Array<{ index: number }>> {
  return new Promise((resolve, reject) => {
    const connection = rhea.create_container().connect(amqpConnectionOptions(amqpUrl, "fm-test-rhea-fixes"));
    const got: Array<{ delivery: Delivery; index: number }> = [];
    const receiver = connection.open_receiver({ source: { address: `/queues/${encodeURIComponent(address)}` }, credit_window: 0, autoaccept: false });
    receiver.on("receiver_open", () => receiver.add_credit(count));
    receiver.on("message", (context: EventContext) => {
      const content = (context.message!.body as { content: Buffer }).content;
      got.push({ delivery: context.delivery!, index: (JSON.parse(content.toString()) as { index: number }).index });
      if (got.length === count) {
        settle(got);
        // Let rhea write the dispositions, then close cleanly.
        setTimeout(() => connection.close(), lingerMs);
      }
    });
    connection.on("connection_close", () => resolve(got.map(({ index }) => ({ index }))));
    connection.on("error", reject);
    connection.on("disconnected", (context: EventContext) => {
      if (got.length < count) reject(context.error ?? new Error("disconnected"));
    });
  });
}
