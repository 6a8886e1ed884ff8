/**
 * Never silent, never lost: the daemon against a broker that drops it,
 * restarts, starts late, or deletes its queue. Every message is processed at
 * least once; duplicates are redeliveries of the unsettled window only.
 *
 * These tests stop and restart the run's broker (durable queues survive).
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { isLocalBroker, restartBroker, startBroker, stopBroker } from "../support/broker.js";
import { bindQueue, closeConnectionsOfApp, declareQueue, deleteQueue, waitForQueue } from "../support/management.js";
import { until } from "../support/wait.js";
import { BEHAVIOURS, runCli, testQueues, writeConfig, type TestQueue } from "./_harness.js";

const freshQueue = testQueues();

const local = isLocalBroker();
const PREFETCH = 10;


function bodies(n: number): Array<{ n: number }> {
  return Array.from({ length: n }, (_, i) => ({ n: i }));
}

/** Every published message was processed; duplicates stay within the unsettled window per disruption. */
function assertAtLeastOnce(queue: TestQueue, count: number, disruptions: number): void {
  const ids = queue.records().map((r) => String(r["id"]));
  const unique = new Set(ids);
  assert.equal(unique.size, count, "every message was processed at least once");
  assert.ok(ids.length - unique.size <= PREFETCH * disruptions, `${ids.length - unique.size} duplicates`);
}

describe("reconnection", { skip: local ? false : "needs the test broker of rabbitmq.sh" }, () => {
  test("the connection is closed by an administrator mid-stream: consumption resumes, nothing lost", async () => {
    const queue = await freshQueue("kill");
    await queue.publish(bodies(1000));
    const gate = join(queue.dir, "gate");
    const config = writeConfig(queue, {
      callback: `${BEHAVIOURS}:collect`,
      consumerConfig: { expect_unique: 1000, pause_at: 300, gate_file: gate },
      prefetch: PREFETCH,
    });
    const run = runCli(["--conf", config, "consume"], { timeoutMs: 120_000 });
    // The 300th callback waits for the gate: the connection is closed mid-stream, whatever the machine's speed.
    await until(() => queue.records().length >= 300, { timeoutMs: 60_000, what: "300 messages consumed" });
    assert.ok((await closeConnectionsOfApp(`fm-test-${queue.name}`)) >= 1);
    writeFileSync(gate, "");
    assert.equal(await run.exited, 0, run.stdout());
    assert.match(run.stdout(), /The connection to the broker was lost/);
    assertAtLeastOnce(queue, 1000, 1);
    await waitForQueue(queue.name, (q) => q.messages === 0, 10_000);
  });

  test("the broker restarts mid-stream (durable queue): consumption resumes, nothing lost", async () => {
    const queue = await freshQueue("restart");
    await queue.publish(bodies(1000));
    const gate = join(queue.dir, "gate");
    const config = writeConfig(queue, {
      callback: `${BEHAVIOURS}:collect`,
      consumerConfig: { expect_unique: 1000, pause_at: 300, gate_file: gate },
      prefetch: PREFETCH,
    });
    const run = runCli(["--conf", config, "consume"], { timeoutMs: 180_000 });
    // The 300th callback waits for the gate: the broker restarts mid-stream, whatever the machine's speed.
    await until(() => queue.records().length >= 300, { timeoutMs: 60_000, what: "300 messages consumed" });
    await restartBroker();
    writeFileSync(gate, "");
    assert.equal(await run.exited, 0, run.stdout());
    assert.match(run.stdout(), /cannot reach|connection to the broker was lost/);
    assertAtLeastOnce(queue, 1000, 1);
  });

  test("started before the broker: it waits, logs each attempt, then consumes", async () => {
    const queue = await freshQueue("late");
    await queue.publish(bodies(5));
    const config = writeConfig(queue, { callback: `${BEHAVIOURS}:collect`, consumerConfig: { expect_unique: 5 } });
    await stopBroker();
    let run: ReturnType<typeof runCli> | undefined;
    try {
      run = runCli(["--conf", config, "consume"], { timeoutMs: 120_000 });
      await run.waitFor(/cannot reach .*retrying in/, 20_000);
    } finally {
      await startBroker();
    }
    assert.equal(await run.exited, 0, run.stdout());
    assertAtLeastOnce(queue, 5, 0);
  });

  test("the queue is deleted under a running consumer: exit 12 with Python's message", async () => {
    const queue = await freshQueue("deleted");
    const config = writeConfig(queue);
    const run = runCli(["--conf", config, "consume"], { timeoutMs: 60_000 });
    await run.waitFor("Successfully registered AMQP consumer");
    await deleteQueue(queue.name);
    assert.equal(await run.exited, 12, run.stdout());
    assert.match(run.stdout(), /was canceled by the AMQP broker!/);
    assert.match(run.stdout(), /\[fedora_messaging\.cli ERROR\] The consumer was canceled server-side, check with system administrators\./);
  });

  test("passive declares: the queue is missing after a reconnect, then created: consumption resumes", async () => {
    const queue = await freshQueue("passive");
    const config = writeConfig(queue, { callback: `${BEHAVIOURS}:collect`, consumerConfig: { expect_unique: 1 }, extra: "passive_declares = true" });
    const run = runCli(["--conf", config, "consume"], { timeoutMs: 120_000 });
    await run.waitFor("Successfully registered AMQP consumer");
    // Drop the connection, and the queue before the daemon is back (its first retry waits ~1 s).
    await closeConnectionsOfApp(`fm-test-${queue.name}`);
    await deleteQueue(queue.name);
    await run.waitFor(/Failed to declare queue or binding while registering.*Unable to declare the queue object/, 30_000);
    await declareQueue(queue.name, { durable: true, auto_delete: false, arguments: {} });
    await bindQueue(queue.name, "amq.topic", queue.routingKey);
    await run.waitFor(/Successfully registered AMQP consumer[\s\S]*Successfully registered AMQP consumer/, 60_000);
    await queue.publish([{ n: 1 }]);
    assert.equal(await run.exited, 0, run.stdout());
    assert.equal(queue.records().length, 1);
  });
});
