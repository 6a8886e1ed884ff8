/**
 * The consumer's per-message log lines for a delivery without a message id:
 * Python formats the id with `%s`, so a missing one reads "None" (never JS's
 * "null" or "undefined"), in every line of the outcome table.
 */
import assert from "node:assert/strict";
import { beforeEach, describe, test } from "node:test";
import { createConsola } from "consola";
import { processDelivery, type MessageHandler } from "../../../src/runner/process.js";
import { SharedStats } from "../../../src/consumer/stats.js";
import { Drop, Nack } from "../../../src/errors.js";
import { LEVELS, resetLogging, setLevel, setSink } from "../../../src/log.js";
import { raw } from "../consumer/_raw.js";

let lines: string[] = [];
beforeEach(() => {
  lines = [];
  setSink(createConsola({ level: 5, reporters: [{ log: (entry) => { lines.push(entry.args.join(" ")); } }] }));
});

async function linesFor(handler: MessageHandler, body: unknown = {}): Promise<string[]> {
  const delivery = { ...raw(body), messageId: undefined };
  await processDelivery({ queue: "q", handler, consumerRepr: "Consumer(queue=q, callback=<function f>)", stats: new SharedStats() }, delivery);
  return lines.filter((line) => line.startsWith("[fedora_messaging.twisted.consumer"));
}

describe("a delivery without a message id is logged with Python's None", () => {
  test("success", async () => {
    assert.deepEqual(await linesFor(() => undefined), [
      "[fedora_messaging.twisted.consumer INFO] Consuming message from topic t.topic (message id None)",
      "[fedora_messaging.twisted.consumer INFO] Successfully consumed message from topic t.topic (message id None)",
    ]);
  });
  test("Nack", async () => {
    assert.equal((await linesFor(() => { throw new Nack(); }))[1], "[fedora_messaging.twisted.consumer WARNING] Returning message id None to the queue");
  });
  test("Drop", async () => {
    assert.equal((await linesFor(() => { throw new Drop(); }))[1], "[fedora_messaging.twisted.consumer WARNING] Consumer requested message id None be dropped");
  });
  test("invalid message", async () => {
    assert.deepEqual(await linesFor(() => undefined, [1]), ["[fedora_messaging.twisted.consumer WARNING] Message id None did not pass validation; ignoring message"]);
  });
});

/**
 * A message whose AMQP encoding cannot be decoded: damaged, or a decompression
 * bomb (an array of 2^32 - 1 nulls in 13 bytes, which rhea 3.0.5 decoded until
 * the heap ran out: build/patch-rhea.mjs). It can never become a Message:
 * rejected like an invalid one, never thrown (which would end the run with
 * exit 13 and send it back to crash the next consumer).
 */
describe("a message whose AMQP encoding cannot be decoded", () => {
  const bomb = Buffer.from([0x00, 0x53, 0x77, 0xf0, 0x00, 0x00, 0x00, 0x05, 0xff, 0xff, 0xff, 0xff, 0x40]); // amqp-value: array32 of 2^32-1 nulls
  const decimals = Buffer.from([0x00, 0x53, 0x77, 0xf0, 0x00, 0x00, 0x00, 0x05, 0xff, 0xff, 0xff, 0xff, 0x74]); // array32 of 2^32-1 decimal32s in no bytes
  const truncated = Buffer.from([0x00, 0x53, 0x75, 0xb0, 0x00, 0x00, 0x01, 0x00, 0x7b]); // data section of 256 bytes holding 1
  const cases = [["a zero-width array bomb", bomb], ["an array bomb of unchecked fixed-width elements", decimals], ["a truncated section", truncated]] as const;
  for (const [label, bytes] of cases) {
    test(`${label}: rejected as invalid, with Python's WARNING, the reason at DEBUG`, async (t) => {
      let called = false;
      const stats = new SharedStats();
      setLevel("fedora_messaging", LEVELS.DEBUG);
      t.after(() => resetLogging());
      const outcome = await processDelivery({ queue: "q", handler: () => { called = true; }, consumerRepr: "Consumer(queue=q, callback=<function f>)", stats }, bytes);
      assert.equal(outcome.settle, "reject");
      assert.equal(outcome.counter, undefined);
      assert.equal(outcome.stop, undefined);
      assert.equal(called, false);
      const ours = lines.filter((line) => line.startsWith("[fedora_messaging.twisted.consumer"));
      assert.equal(ours[0], "[fedora_messaging.twisted.consumer WARNING] Message id None did not pass validation; ignoring message");
      assert.match(ours[1] ?? "", /^\[fedora_messaging\.twisted\.consumer DEBUG\] Validation failure: the message's AMQP encoding cannot be decoded \(.+\)$/);
    });
  }
});
