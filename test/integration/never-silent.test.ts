/**
 * Never silent: whatever kills the code that runs callbacks, the daemon says
 * so at once, puts every unsettled message back and ends like a callback
 * error (exit 13), instead of taking messages it will never process while
 * /ready answers 200.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { brokerUrls } from "../support/broker.js";
import { getMessages, waitForQueue } from "../support/management.js";
import { eventually, until } from "../support/wait.js";
import { freePort, ROOT, runCli, testQueues, writeConfig } from "./_harness.js";

const freshQueue = testQueues();
const DYING = join(ROOT, "test/fixtures/consumer/dying-plugin.mjs");

const CASES = [
  { mode: "worker", how: "throw", says: /a plugin timer failed outside the callback/ },
  { mode: "worker", how: "reject", says: /a plugin promise failed outside the callback/ },
  { mode: "worker", how: "exit", says: /the callback worker thread exited/ },
  { mode: "in-process", how: "throw", says: /a plugin timer failed outside the callback/ },
  { mode: "in-process", how: "reject", says: /a plugin promise failed outside the callback/ },
] as const;

describe("the code running callbacks dies between messages", () => {
  for (const { mode, how, says } of CASES) {
    test(`${mode}, plugin ${how === "exit" ? "calls process.exit" : `${how}s`} outside its callback: ERROR with the cause, messages back, exit 13`, async () => {
      const queue = await freshQueue(`dies-${mode}-${how}`);
      const dieFile = join(queue.dir, "die");
      const config = writeConfig(queue, {
        callback: `${DYING}:accept`,
        callbackMode: mode,
        consumerConfig: { die_file: dieFile, die_how: how },
      });
      const run = runCli(["--conf", config, "consume"], { timeoutMs: 60_000 });
      await queue.publish([{ n: 1 }, { n: 2 }]);
      await until(() => queue.records().length === 2, { what: "two messages consumed before the plugin dies" });
      writeFileSync(dieFile, "");
      // Messages that arrive now must not be taken and forgotten.
      await queue.publish([{ n: 3 }, { n: 4 }, { n: 5 }]);
      const code = await run.exited;
      const stdout = run.stdout();
      assert.equal(code, 13, `${stdout}\n${run.stderr()}`);
      assert.match(stdout, /ERROR\] The code running the callbacks of queue \S+ died outside a callback/);
      assert.match(stdout, says);
      assert.doesNotMatch(run.stderr(), /node:internal|Node\.js v/, "no raw Node crash");
      assert.equal(queue.records().length, 2, "nothing processed after the death");
      // 3, 4 and 5 are back. Message 2 may be back too: its callback ran, but when the
      // thread dies right after, the main thread can hear of the death before it hears
      // of that outcome (seen under load), and then the broker redelivers it: at least
      // once, never lost.
      await waitForQueue(queue.name, (q) => (q.messages_ready === 3 || q.messages_ready === 4) && q.messages_unacknowledged === 0, 15_000);
    });
  }
});

describe("a message RabbitMQ cannot convert for AMQP 1.0 (a decimal header)", () => {
  test("one clear ERROR naming the queue, /ready 503, the reconnect loop slows down; once removed, consuming resumes", async () => {
    const queue = await freshQueue("unconvertible");
    execFileSync("/usr/bin/python3", [join(ROOT, "test/fixtures/python/pika_publish_decimal.py"), brokerUrls().amqpUrl, "amq.topic", queue.routingKey]);
    const port = await freePort();
    const config = writeConfig(queue, { extra: `[monitoring]\naddress = "127.0.0.1"\nport = ${port}` });
    const run = runCli(["--conf", config, "consume"], { timeoutMs: 90_000 });
    try {
      // The line is the behaviour under test.
      await run.waitFor(new RegExp(`ERROR\\] RabbitMQ cannot convert the next message of queue ${queue.name} for AMQP 1\\.0`), 30_000);
      const ready = await eventually(() => fetch(`http://127.0.0.1:${port}/ready`), (r) => r.status === 503, { what: "/ready 503" });
      assert.match(await ready.text(), /"consuming": false/);
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      assert.match(metrics, /^fedora_messaging_unconvertible_message_session_ends_total [1-9]\d*$/m);
      // Each early end waits for the growing backoff (1 s, 2.7 s, ...): a handful of
      // connections in 8 s, not the hundreds a reconnect at once made.
      const connectedAt = run.stdout().split("Connected to").length - 1;
      await new Promise((resolve) => setTimeout(resolve, 8_000));
      const connections = run.stdout().split("Connected to").length - 1 - connectedAt;
      assert.ok(connections <= 5, `${connections} connections in 8 s`);
      assert.match(run.stdout(), /ended \d+\.\d s after it was set up; reconnecting in \d+\.\d s/);
      // The operator removes it (the management API reads over AMQP 0-9-1, no conversion).
      const [removed] = await getMessages(queue.name, 1, "reject_requeue_false");
      assert.match(String(removed?.payload), /"n": 0/);
      await until(() => queue.records().length === 1, { timeoutMs: 60_000, what: "the message behind it consumed" });
    } finally {
      run.child.kill("SIGTERM");
    }
    assert.equal(await run.exited, 0, run.stdout());
    await waitForQueue(queue.name, (q) => q.messages === 0, 10_000);
  });
});

