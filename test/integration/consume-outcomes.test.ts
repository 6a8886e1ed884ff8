/**
 * Every row of the outcome table through the real CLI against the real broker:
 * exit code, log lines, and the queue's counts on the broker afterwards
 * (nothing lost, nothing extra). Python's table: notes §1.5.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { getQueue, waitForQueue } from "../support/management.js";
import { BEHAVIOURS, consumeToEnd, runCli, testQueues, writeConfig, type TestQueue } from "./_harness.js";

const freshQueue = testQueues();


async function settled(queue: TestQueue, expect: { ready: number }): Promise<void> {
  await waitForQueue(queue.name, (q) => q.messages_ready === expect.ready && q.messages_unacknowledged === 0, 20_000);
}

describe("callback outcomes through the CLI", () => {
  test("return accepts; HaltConsumer(0) accepts its message and exits 0", async () => {
    const queue = await freshQueue("accept");
    await queue.publish([{ n: 1 }, { n: 2 }, { n: 3 }]);
    const config = writeConfig(queue, { consumerConfig: { halt_after: 3 } });
    const { code, stdout } = await consumeToEnd(config);
    assert.equal(code, 0, stdout);
    assert.deepEqual(queue.records().map((r) => (r["body"] as { n: number }).n), [1, 2, 3]);
    assert.match(stdout, /\[fedora_messaging\.twisted\.consumer INFO\] Consuming message from topic test\.\S+ \(message id [0-9a-f-]{36}\)/);
    assert.match(stdout, /Successfully consumed message from topic/);
    assert.match(stdout, /Consumer indicated it wishes consumption to halt, shutting down/);
    await settled(queue, { ready: 0 });
  });

  test("Nack requeues: the message comes back and is processed again", async () => {
    const queue = await freshQueue("nack");
    await queue.publish([{ n: 1 }]);
    const config = writeConfig(queue, { callback: `${BEHAVIOURS}:nackOnce`, consumerConfig: { halt_after: 2 } });
    const { code, stdout } = await consumeToEnd(config);
    assert.equal(code, 0, stdout);
    const records = queue.records();
    assert.equal(records.length, 2);
    assert.equal(records[0]!["id"], records[1]!["id"]);
    assert.deepEqual(records.map((r) => r["nacked"]), [true, false]);
    assert.match(stdout, /\[fedora_messaging\.twisted\.consumer WARNING\] Returning message id \S+ to the queue/);
    await settled(queue, { ready: 0 });
  });

  test("Drop rejects: the message is gone, not requeued", async () => {
    const queue = await freshQueue("drop");
    await queue.publish([{ n: 1 }, { n: 2 }]);
    const config = writeConfig(queue, { callback: `${BEHAVIOURS}:drop`, consumerConfig: { halt_after: 2 } });
    const { code, stdout } = await consumeToEnd(config);
    assert.equal(code, 0, stdout);
    assert.match(stdout, /Consumer requested message id \S+ be dropped/);
    await settled(queue, { ready: 0 });
  });

  test("HaltConsumer(42, reason) exits 42 with Python's log line; the message is accepted", async () => {
    const queue = await freshQueue("halt42");
    await queue.publish([{ n: 1 }, { n: 2 }]);
    const config = writeConfig(queue, {
      callback: `${BEHAVIOURS}:halt`,
      consumerConfig: { halt_code: 42, halt_reason: "Life, the universe, and everything" },
      prefetch: 1,
    });
    const { code, stdout } = await consumeToEnd(config);
    assert.equal(code, 42, stdout);
    assert.match(stdout, /\[fedora_messaging\.cli ERROR\] Consumer halted with non-zero exit code \(42\): Life, the universe, and everything/);
    assert.equal(queue.records().length, 1);
    await settled(queue, { ready: 1 });
  });

  test("HaltConsumer(256) is a callback error (exit 13) saying why, not a wrapped exit 0; every message goes back", async () => {
    const queue = await freshQueue("halt256");
    await queue.publish([{ n: 1 }, { n: 2 }]);
    const config = writeConfig(queue, { callback: `${BEHAVIOURS}:halt`, consumerConfig: { halt_code: 256 } });
    const { code, stdout } = await consumeToEnd(config);
    assert.equal(code, 13, stdout);
    assert.match(stdout, /HaltConsumer's exit code must be an integer from 0 to 255 \(a process exit status\), got 256/);
    await settled(queue, { ready: 2 });
  });

  test("HaltConsumer(requeue=true) releases its message and exits with its code", async () => {
    const queue = await freshQueue("haltrq");
    await queue.publish([{ n: 1 }]);
    const config = writeConfig(queue, { callback: `${BEHAVIOURS}:halt`, consumerConfig: { halt_code: 1, requeue: true } });
    const { code, stdout } = await consumeToEnd(config);
    assert.equal(code, 1, stdout);
    await settled(queue, { ready: 1 });
  });

  test("an unexpected error releases every unsettled message and exits 13", async () => {
    const queue = await freshQueue("fail");
    await queue.publish([{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }, { n: 5 }]);
    const config = writeConfig(queue, { callback: `${BEHAVIOURS}:fail`, prefetch: 5 });
    const { code, stdout } = await consumeToEnd(config);
    assert.equal(code, 13, stdout);
    assert.match(stdout, /\[fedora_messaging\.twisted\.consumer ERROR\] Received unexpected exception from consumer Consumer\(queue=/);
    assert.match(stdout, /TypeError: the callback failed on purpose/);
    assert.match(stdout, /\[fedora_messaging\.cli ERROR\] Unexpected error occurred in consumer/);
    assert.equal(queue.records().length, 1, "the callback ran once");
    await settled(queue, { ready: 5 });
  });

  test("invalid messages are rejected without calling the callback", async () => {
    const queue = await freshQueue("invalid");
    await queue.publishRaw(Buffer.from("this is not JSON"));
    await queue.publishRaw(Buffer.from([0xff, 0xfe, 0x00]));
    await queue.publishRaw(Buffer.from("[1, 2, 3]"));
    await queue.publishRaw(Buffer.from("1.0"), { id: null });
    await queue.publish([{ last: true }]);
    const config = writeConfig(queue, { consumerConfig: { halt_after: 1 } });
    const { code, stdout } = await consumeToEnd(config);
    assert.equal(code, 0, stdout);
    const warnings = stdout.match(/did not pass validation; ignoring message/g) ?? [];
    assert.equal(warnings.length, 4, stdout);
    // Python's lines, word for word, from the built CLI (its worker bundle): the class
    // keeps its name through esbuild, a missing id is None, a float body stays 1.0.
    assert.ok(stdout.includes(`[fedora_messaging.message ERROR] Message validation of Message(id=None, topic='${queue.routingKey}', body=1.0) failed: <ValidationError: "1.0 is not of type 'object'">`), stdout);
    assert.ok(stdout.includes("[fedora_messaging.twisted.consumer WARNING] Message id None did not pass validation; ignoring message"), stdout);
    assert.deepEqual(queue.records().map((r) => r["body"]), [{ last: true }]);
    await settled(queue, { ready: 0 });
  });

  test("a class callback is instantiated once and its call() used", async () => {
    const queue = await freshQueue("class");
    await queue.publish([{ n: 1 }, { n: 2 }, { n: 3 }]);
    const config = writeConfig(queue, { callback: `${BEHAVIOURS}:Counter`, consumerConfig: { halt_after: 3 } });
    const { code, stdout } = await consumeToEnd(config);
    assert.equal(code, 0, stdout);
    assert.deepEqual(queue.records().map((r) => r["seen"]), [1, 2, 3]);
    await settled(queue, { ready: 0 });
  });

  test("in-process mode gives the same outcomes", async () => {
    const queue = await freshQueue("inproc");
    await queue.publishRaw(Buffer.from("1.0"), { id: null });
    await queue.publish([{ n: 1 }, { n: 2 }]);
    const config = writeConfig(queue, { callback: `${BEHAVIOURS}:nackOnce`, consumerConfig: { halt_after: 4 }, callbackMode: "in-process" });
    const { code, stdout } = await consumeToEnd(config);
    assert.equal(code, 0, stdout);
    // The main bundle's decoder (not the worker's) keeps Python's shapes too.
    assert.ok(stdout.includes(`Message validation of Message(id=None, topic='${queue.routingKey}', body=1.0) failed`), stdout);
    assert.equal(queue.records().length, 4);
    await settled(queue, { ready: 0 });
    assert.ok(await getQueue(queue.name));
  });
  test("a message returned forever: Python's two lines for its first returns, then one summary line per 5 s", async () => {
    const queue = await freshQueue("nack-forever");
    await queue.publish([{ n: 1 }]);
    const config = writeConfig(queue, { callback: `${BEHAVIOURS}:nackAlways` });
    const run = runCli(["--conf", config, "consume"], { timeoutMs: 60_000 });
    // The summary line is the behaviour under test; it comes about 5 s after the first return.
    await run.waitFor(/Message id \S+ was returned to the queue \d+ more times in \d+ s \(not logged one by one\)/, 30_000);
    run.child.kill("SIGTERM");
    assert.equal(await run.exited, 0, run.stdout());
    const stdout = run.stdout();
    const calls = queue.records().length;
    assert.ok(calls > 20, `the message looped (${calls} calls)`);
    assert.equal(stdout.match(/Returning message id \S+ to the queue/g)?.length, 3, "the first three returns are logged like Python");
    assert.equal(stdout.match(/Consuming message from topic/g)?.length, 3);
    assert.match(stdout, /give the queue a delivery limit \(a quorum queue with x-delivery-limit\) and a dead-letter exchange/);
    // Nothing lost: it is back in the queue.
    await settled(queue, { ready: 1 });
  });
});
