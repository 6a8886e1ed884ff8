/**
 * Counters are counted where Python counts them: `received` before "Consuming
 * message", each outcome's counter before its line. Whoever reads a line and
 * then `/ready` sees it counted (Python does both in one reactor step).
 */
import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { Worker } from "node:worker_threads";
import { processDelivery } from "../../../src/runner/process.js";
import { SharedStats, sumStats, type ConsumerStats } from "../../../src/consumer/stats.js";
import { Drop, HaltConsumer, Nack } from "../../../src/errors.js";
import { captureLines, resetLogging } from "../config/_capture.js";
import { raw } from "./_raw.js";

afterEach(() => resetLogging());

/** Runs one delivery; returns each log line with the counters as they were when it was written. */
async function linesWithCounters(handler: () => unknown, body: unknown = {}): Promise<Array<[string, ConsumerStats]>> {
  const stats = new SharedStats();
  const seen: Array<[string, ConsumerStats]> = [];
  const lines = captureLines();
  const push = lines.push.bind(lines);
  lines.push = (...items: string[]) => {
    for (const line of items) seen.push([line, stats.snapshot()]);
    return push(...items);
  };
  await processDelivery({ queue: "q", handler, consumerRepr: "Consumer(queue=q)", stats }, raw(body));
  return seen.filter(([line]) => !line.includes("DEBUG"));
}

const counts = (partial: Partial<ConsumerStats>): ConsumerStats => ({ received: 0, processed: 0, dropped: 0, rejected: 0, failed: 0, ...partial });

describe("consumer counters", () => {
  it("received before the Consuming line, processed before the Successfully line", async () => {
    const seen = await linesWithCounters(() => undefined);
    assert.match(seen[0]![0], /Consuming message from topic t\.topic/);
    assert.deepEqual(seen[0]![1], counts({ received: 1 }));
    assert.match(seen[1]![0], /Successfully consumed message/);
    assert.deepEqual(seen[1]![1], counts({ received: 1, processed: 1 }));
  });

  it("Nack, Drop, HaltConsumer and an error each counted before their line", async () => {
    const cases: Array<[() => never, RegExp, Partial<ConsumerStats>]> = [
      [() => { throw new Nack(); }, /Returning message id/, { rejected: 1 }],
      [() => { throw new Drop(); }, /be dropped/, { dropped: 1 }],
      [() => { throw new HaltConsumer(0); }, /wishes consumption to halt/, { processed: 1 }],
      [() => { throw new HaltConsumer(1, "r", true); }, /wishes consumption to halt/, { rejected: 1 }],
      [() => { throw new Error("boom"); }, /Received unexpected exception/, { failed: 1 }],
    ];
    for (const [handler, line, counter] of cases) {
      const seen = await linesWithCounters(handler);
      const last = seen.at(-1)!;
      assert.match(last[0], line);
      assert.deepEqual(last[1], counts({ received: 1, ...counter }), String(line));
    }
  });

  it("an invalid message counts nowhere, not even as received (Python)", async () => {
    const seen = await linesWithCounters(() => undefined, "not json");
    assert.match(seen.at(-1)![0], /did not pass validation/);
    for (const [, counters] of seen) assert.deepEqual(counters, counts({}));
  });

  it("another thread's counts are seen at once through the shared buffer", async () => {
    const stats = new SharedStats();
    const worker = new Worker(
      `const cells = new BigUint64Array(require("node:worker_threads").workerData);
       for (let i = 0; i < 1000; i++) { Atomics.add(cells, 0, 1n); Atomics.add(cells, 1, 1n); }`,
      { eval: true, workerData: stats.buffer },
    );
    await new Promise((resolve) => worker.once("exit", resolve));
    assert.deepEqual(stats.snapshot(), counts({ received: 1000, processed: 1000 }));
    assert.deepEqual(sumStats([stats.snapshot(), stats.snapshot()]), counts({ received: 2000, processed: 2000 }));
  });
});
