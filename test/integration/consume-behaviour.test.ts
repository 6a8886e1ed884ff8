/**
 * How the daemon behaves over time against the real broker: graceful SIGTERM,
 * the prefetch limit seen from the broker, and heartbeats while a callback
 * blocks its thread.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import rhea, { type EventContext } from "rhea";
import { brokerUrls } from "../support/broker.js";
import { getMessages, getQueue, waitForQueue } from "../support/management.js";
import { amqpConnectionOptions } from "../support/publish.js";
import { until } from "../support/wait.js";
import { BEHAVIOURS, runCli, testQueues, writeConfig } from "./_harness.js";

const freshQueue = testQueues();

/** The idle timeout the broker advertises in its OPEN frame (half its heartbeat), ms. */
async function brokerIdleTimeoutMs(): Promise<number> {
  return new Promise((resolve, reject) => {
    const connection = rhea.create_container().connect(amqpConnectionOptions(brokerUrls().amqpUrl, "fm-test-idle-timeout"));
    connection.on("connection_open", (context: EventContext) => {
      const open = (context.connection as unknown as { remote: { open: { idle_time_out?: number } } }).remote.open;
      resolve(open.idle_time_out ?? 30_000);
      connection.close();
    });
    connection.on("error", reject);
    connection.on("disconnected", () => undefined);
  });
}

describe("signals, prefetch and heartbeats", () => {
  test("SIGTERM during a slow callback: it finishes and is accepted, prefetched messages go back, exit 0", async () => {
    const queue = await freshQueue("sigterm");
    await queue.publish([{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }, { n: 5 }]);
    const gate = join(queue.dir, "gate");
    const config = writeConfig(queue, { callback: `${BEHAVIOURS}:gated`, consumerConfig: { gate_file: gate }, prefetch: 5 });
    const run = runCli(["--conf", config, "consume"]);
    await until(() => queue.records().length === 1, { what: "the first callback started" });
    // Every message is now delivered: one in the callback, four prefetched.
    await waitForQueue(queue.name, (q) => q.messages_unacknowledged === 5, 10_000);
    run.child.kill("SIGTERM");
    // The signal is seen (draining has begun) while the callback still runs; then it may finish.
    await run.waitFor("Waiting for 1 consumer(s) to finish processing before halting");
    writeFileSync(gate, "");
    const code = await run.exited;
    assert.equal(code, 0, run.stdout());
    assert.deepEqual(queue.records().map((r) => r["phase"]), ["start", "end"], "the callback in progress finished, no other started");
    assert.match(run.stdout(), /Waiting for 1 consumer\(s\) to finish processing before halting/);
    assert.match(run.stdout(), /All consumers have stopped; shutting down\./);
    await waitForQueue(queue.name, (q) => q.messages_ready === 4 && q.messages_unacknowledged === 0, 10_000);
  });

  test("SIGTERM with credit to spare: a message published while the last callback finishes waits in the queue, it is not bounced back and forth", async () => {
    // A quorum queue counts every return of a message and drops it at its
    // delivery limit (20 by default on RabbitMQ 4): bouncing it between the
    // broker and a draining consumer once per credit left (it was returned 4
    // times here, and up to the prefetch, 1,000 with prefetch_count = 0) can lose it.
    const queue = await freshQueue("sigterm-credit", { "x-queue-type": "quorum" });
    await queue.publish([{ n: 1 }]);
    const gate = join(queue.dir, "gate");
    const config = writeConfig(queue, { callback: `${BEHAVIOURS}:gated`, consumerConfig: { gate_file: gate }, prefetch: 5 });
    const run = runCli(["--conf", config, "consume"]);
    await until(() => queue.records().length === 1, { what: "the callback started" });
    run.child.kill("SIGTERM");
    await run.waitFor("Waiting for 1 consumer(s) to finish processing before halting");
    // Four credits are left: the broker may deliver this one at once.
    await queue.publish([{ n: 2 }]);
    await waitForQueue(queue.name, (q) => q.messages_ready === 1, 10_000);
    // Long enough for every credit left to bounce it (a bounce takes about a millisecond).
    await sleep(1_000);
    writeFileSync(gate, "");
    assert.equal(await run.exited, 0, run.stdout());
    const [left] = await getMessages(queue.name, 1, "reject_requeue_true");
    assert.match(String(left?.payload), /"n": 2/);
    const headers = (left?.properties["headers"] ?? {}) as Record<string, unknown>;
    assert.ok(Number(headers["x-delivery-count"] ?? 0) <= 1, `returned ${String(headers["x-delivery-count"])} times while the consumer drained`);
  });

  test("a second SIGTERM while draining exits at once (143); nothing is lost", async () => {
    const queue = await freshQueue("sigterm2");
    await queue.publish([{ n: 1 }, { n: 2 }]);
    const config = writeConfig(queue, { callback: `${BEHAVIOURS}:slow`, consumerConfig: { sleep_ms: 20_000 } });
    const run = runCli(["--conf", config, "consume"]);
    await run.waitFor("Consuming message from topic");
    run.child.kill("SIGTERM");
    await run.waitFor("Waiting for 1 consumer(s)");
    run.child.kill("SIGTERM");
    assert.equal(await run.exited, 143);
    await waitForQueue(queue.name, (q) => q.messages_ready === 2 && q.messages_unacknowledged === 0, 15_000);
  });

  test("prefetch_count = 3: the broker never sees more than 3 unacknowledged", async () => {
    const queue = await freshQueue("prefetch");
    await queue.publish(Array.from({ length: 30 }, (_, n) => ({ n })));
    const config = writeConfig(queue, { callback: `${BEHAVIOURS}:slow`, consumerConfig: { sleep_ms: 100 }, prefetch: 3 });
    const run = runCli(["--conf", config, "consume"]);
    await run.waitFor("Consuming message from topic");
    let most = 0;
    for (let i = 0; i < 15; i++) {
      const q = await getQueue(queue.name);
      most = Math.max(most, q?.messages_unacknowledged ?? 0);
      await sleep(150);
    }
    run.child.kill("SIGTERM");
    assert.equal(await run.exited, 0, run.stdout());
    assert.ok(most <= 3, `saw ${most} unacknowledged messages`);
    assert.ok(most >= 1, "the sampling saw the consumer at work");
    const processed = queue.records().filter((r) => r["phase"] === "end").length;
    await waitForQueue(queue.name, (q) => q.messages_ready === 30 - processed && q.messages_unacknowledged === 0, 10_000);
  });

  test("a callback blocking its thread for 3x the broker's heartbeat timeout does not lose the connection", async () => {
    const queue = await freshQueue("heartbeat");
    await queue.publish([{ n: 1 }, { n: 2 }]);
    // 3x the time the broker waits for a frame (twice its advertised idle timeout), at most 15 s.
    const blockMs = Math.min(3 * (await brokerIdleTimeoutMs()) * 2, 15_000);
    const config = writeConfig(queue, { callback: `${BEHAVIOURS}:block`, consumerConfig: { block_ms: blockMs, halt_after: 2 } });
    const run = runCli(["--conf", config, "consume"], { timeoutMs: 4 * blockMs + 30_000 });
    const code = await run.exited;
    assert.equal(code, 0, run.stdout());
    assert.doesNotMatch(run.stdout(), /connection to the broker was lost/);
    assert.deepEqual(queue.records().map((r) => `${(r["body"] as { n: number }).n}:${r["phase"]}`), ["1:start", "1:end", "2:start", "2:end"]);
    await waitForQueue(queue.name, (q) => q.messages === 0, 10_000);
  });

  test("the same callback in-process does lose it (the test above has teeth); the message comes back", async (t) => {
    const idle = await brokerIdleTimeoutMs();
    if (idle > 5_000) {
      t.skip(`the broker's heartbeat is long (idle timeout ${idle} ms); run.sh starts it with a 4 s heartbeat`);
      return;
    }
    const queue = await freshQueue("heartbeat-inproc");
    await queue.publish([{ n: 1 }]);
    const config = writeConfig(queue, {
      callback: `${BEHAVIOURS}:block`,
      consumerConfig: { block_ms: 6 * idle, halt_after: 2 },
      callbackMode: "in-process",
    });
    const run = runCli(["--conf", config, "consume"], { timeoutMs: 60_000 });
    await run.waitFor("connection to the broker was lost", 40_000);
    // Processed twice: the first outcome could not be settled on the dead connection.
    await until(() => queue.records().filter((r) => r["phase"] === "start").length >= 2, { timeoutMs: 40_000, what: "the message delivered again" });
    run.child.kill("SIGTERM");
    await run.exited;
  });
});
