/**
 * Several queues in one daemon: one consumer per queue, each serial; a
 * HaltConsumer on one stops every consumer, and what the others held goes
 * back to their queues (Python: any consumer's end stops the reactor).
 * In-process, a class callback is instantiated once for all queues, as Python
 * instantiates it once per process.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { brokerUrls } from "../support/broker.js";
import { waitForQueue } from "../support/management.js";
import { until } from "../support/wait.js";
import { BEHAVIOURS, runCli, testQueues, type TestQueue } from "./_harness.js";

const freshQueue = testQueues();
/** Enough for queue A to still hold some when B halts (20 ms each). */
const A_MESSAGES = 100;

describe("several queues", () => {
  test("both queues are consumed; a halt on one stops both, the other's messages stay queued", async () => {
    const a = await freshQueue("multi-a");
    const b = await freshQueue("multi-b");
    const config = twoQueueConfig(a, b, "haltOnMarker", [
      "[qos]\nprefetch_count = 1",
      `[consumer_config]\nrecord_file = ${JSON.stringify(a.recordFile)}\nhalt_code = 7\nsleep_ms = 20`,
    ]);
    await a.publish(Array.from({ length: A_MESSAGES }, (_, n) => ({ n })));
    await b.publish([{ n: 1 }]);
    const run = runCli(["--conf", config, "consume"]);
    const consumedFrom = (queue: string) => a.records().some((r) => r["queue"] === queue);
    await until(() => consumedFrom(a.name) && consumedFrom(b.name), { what: "both queues consumed" });
    // Only now the marker: a halt on B while A (slowed down) still has messages.
    await b.publish([{ halt: true }]);
    const code = await run.exited;
    const stdout = run.stdout();
    assert.equal(code, 7, stdout);
    // Each queue keeps exactly what was not processed (and nothing is unacknowledged).
    const processedA = a.records().filter((r) => r["queue"] === a.name).length;
    await waitForQueue(a.name, (q) => q.messages_ready === A_MESSAGES - processedA && q.messages_unacknowledged === 0, 10_000);
    await waitForQueue(b.name, (q) => q.messages === 0, 10_000);
    assert.match(stdout, /Consumer halted with non-zero exit code \(7\): marker seen/);
  });

  test("in-process, one instance of a class callback serves every queue (Python: one per process)", async () => {
    const a = await freshQueue("shared-a");
    const b = await freshQueue("shared-b");
    // The shared counter reaches 4 only if both queues' messages went through one instance.
    const config = twoQueueConfig(a, b, "Counter", ['callback_mode = "in-process"', `[consumer_config]\nrecord_file = ${JSON.stringify(a.recordFile)}\nhalt_after = 4`]);
    await a.publish([{ n: 1 }, { n: 2 }]);
    await b.publish([{ n: 3 }, { n: 4 }]);
    const run = runCli(["--conf", config, "consume"]);
    await until(() => a.records().length === 4, { what: "four messages consumed" });
    const seen = a.records().map((r) => r["seen"] as number).sort();
    if (seen.join() !== "1,2,3,4") run.child.kill("SIGKILL"); // two instances never reach halt_after
    assert.deepEqual(seen, [1, 2, 3, 4]);
    assert.equal(await run.exited, 0, run.stdout());
    assert.equal(run.stdout().match(/Starting consumer with .*Counter callback/g)?.length, 1, "the callback is loaded once");
  });
});

/** A configuration consuming queues `a` and `b` with a callback of behaviours.mjs; `lines` are added (top-level keys first). */
function twoQueueConfig(a: TestQueue, b: TestQueue, callback: string, lines: readonly string[]): string {
  const config = join(a.dir, "two-queues.toml");
  const [topLevel, tables] = [lines.filter((l) => !l.startsWith("[")), lines.filter((l) => l.startsWith("["))];
  writeFileSync(
    config,
    [
      `amqp_url = ${JSON.stringify(brokerUrls().amqpUrl)}`,
      `callback = ${JSON.stringify(`${BEHAVIOURS}:${callback}`)}`,
      ...topLevel,
      queueTable(a.name),
      queueTable(b.name),
      binding(a.name, a.routingKey),
      binding(b.name, b.routingKey),
      ...tables,
    ].join("\n"),
  );
  return config;
}

function queueTable(name: string): string {
  return `[queues.${JSON.stringify(name)}]\ndurable = true\nauto_delete = false\nexclusive = false\narguments = {}\n`;
}

function binding(name: string, key: string): string {
  return `[[bindings]]\nqueue = ${JSON.stringify(name)}\nexchange = "amq.topic"\nrouting_keys = [${JSON.stringify(key)}]\n`;
}
