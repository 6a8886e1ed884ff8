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
import { setSink } from "../../../src/log.js";
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
