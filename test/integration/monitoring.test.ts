/**
 * `[monitoring]`: Python's /live and /ready bodies from the running daemon,
 * /ready's 503 while not consuming (ours), and /metrics.
 */
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { after, describe, test } from "node:test";
import { eventually } from "../support/wait.js";
import { BEHAVIOURS, freePort, runCli, testQueue, writeConfig, type TestQueue } from "./_harness.js";

const queues: TestQueue[] = [];
after(() => Promise.all(queues.map((q) => q.cleanup())));


async function get(port: number, path: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: response.status, body: await response.text() };
}

describe("monitoring server", () => {
  test("/live, /ready and /metrics before and after messages", async () => {
    const queue = await testQueue("monitor");
    queues.push(queue);
    const port = await freePort();
    const config = writeConfig(queue, {
      callback: `${BEHAVIOURS}:nackOnce`,
      extra: `[monitoring]\naddress = "127.0.0.1"\nport = ${port}`,
    });
    const run = runCli(["--conf", config, "consume"]);
    await run.waitFor("Successfully registered AMQP consumer");
    assert.deepEqual(await get(port, "/live"), { status: 200, body: '{"status": "OK"}\n' });
    assert.deepEqual(await get(port, "/ready"), {
      status: 200,
      body: '{"consuming": true, "published": 0, "consumed": {"received": 0, "processed": 0, "dropped": 0, "rejected": 0, "failed": 0}}\n',
    });
    await queue.publish([{ n: 1 }]);
    // nackOnce: the message is returned once, then accepted. Poll: the
    // counters are read over HTTP while the daemon works.
    const afterTwo = '{"consuming": true, "published": 0, "consumed": {"received": 2, "processed": 1, "dropped": 0, "rejected": 1, "failed": 0}}\n';
    await eventually(() => get(port, "/ready"), (ready) => ready.body === afterTwo, { what: "/ready after a Nack and an accept" });
    assert.deepEqual(await get(port, "/ready"), { status: 200, body: afterTwo });
    // The duration histogram is fed when the main thread settles, a moment after the counters.
    const metrics = await eventually(
      () => get(port, "/metrics"),
      (m) => /^fedora_messaging_callback_duration_seconds_count 2$/m.test(m.body),
      { what: "two callback durations in /metrics" },
    );
    assert.equal(metrics.status, 200);
    assert.match(metrics.body, /^fedora_messaging_messages_total\{outcome="processed"\} 1$/m);
    assert.match(metrics.body, /^fedora_messaging_messages_total\{outcome="rejected"\} 1$/m);
    assert.match(metrics.body, /^fedora_messaging_consuming 1$/m);
    run.child.kill("SIGTERM");
    assert.equal(await run.exited, 0);
  });

  test("a message's log line is never ahead of /ready: the counters move first (worker thread)", async () => {
    const queue = await testQueue("monitor-order");
    queues.push(queue);
    const port = await freePort();
    const config = writeConfig(queue, { extra: `[monitoring]\naddress = "127.0.0.1"\nport = ${port}` });
    const run = runCli(["--conf", config, "consume"]);
    await run.waitFor("Successfully registered AMQP consumer");
    await queue.publish([{ n: 1 }]);
    // This is the promise under test: whoever sees the line and then asks /ready sees the
    // message counted (Python counts in the same reactor step as it logs).
    await run.waitFor("Successfully consumed message");
    assert.match((await get(port, "/ready")).body, /"consumed": \{"received": 1, "processed": 1, /);
    run.child.kill("SIGTERM");
    assert.equal(await run.exited, 0);
  });

  test("a monitoring port in use: one line naming [monitoring] and the address, exit 1, nothing consumed", async () => {
    const queue = await testQueue("monitor-busy");
    queues.push(queue);
    await queue.publish([{ n: 1 }]);
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const { port } = taken.address() as { port: number };
    try {
      const config = writeConfig(queue, { extra: `[monitoring]\naddress = "127.0.0.1"\nport = ${port}` });
      const run = runCli(["--conf", config, "consume"]);
      assert.equal(await run.exited, 1, run.stdout());
      assert.equal(run.stderr(), `Error: [monitoring] cannot listen on 127.0.0.1:${port}: the address is already in use\n`);
      assert.doesNotMatch(run.stdout(), /Successfully registered|Consuming message/);
      assert.equal(queue.records().length, 0);
    } finally {
      taken.close();
    }
  });

  test("/ready answers 503 while the daemon cannot reach the broker; /live stays 200", async () => {
    const queue = await testQueue("monitor-down");
    queues.push(queue);
    const port = await freePort();
    const deadBroker = `amqp://guest:guest@127.0.0.1:${await freePort()}/`;
    const config = writeConfig(queue, { amqpUrl: deadBroker, extra: `[monitoring]\naddress = "127.0.0.1"\nport = ${port}` });
    const run = runCli(["--conf", config, "consume"]);
    await run.waitFor("Monitoring server listening");
    await run.waitFor(/cannot reach/);
    assert.equal((await get(port, "/live")).status, 200);
    const ready = await get(port, "/ready");
    assert.equal(ready.status, 503);
    assert.match(ready.body, /^\{"consuming": false, /);
    run.child.kill("SIGTERM");
    assert.equal(await run.exited, 0);
  });
});
