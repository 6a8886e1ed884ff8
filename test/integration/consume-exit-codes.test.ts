/**
 * The exit codes a test can provoke against the real broker, with the
 * one-line error that names the culprit, and no message lost on the way.
 * (0, 13 and HaltConsumer's N are in consume-outcomes.test.ts.)
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { after, describe, test } from "node:test";
import { brokerUrls } from "../support/broker.js";
import { closeConnectionsOfApp, createUser, deleteUser, setPermissions, waitForQueue } from "../support/management.js";
import { until } from "../support/wait.js";
import { consumeToEnd, runCli, testQueues, writeConfig } from "./_harness.js";

const freshQueue = testQueues();
const users: string[] = [];
after(() => Promise.all(users.map((u) => deleteUser(u))));


/** The test broker's URL with other credentials or another vhost. */
function urlWith(options: { user?: string; password?: string; vhost?: string }): string {
  const url = new URL(brokerUrls().amqpUrl);
  if (options.user !== undefined) url.username = encodeURIComponent(options.user);
  if (options.password !== undefined) url.password = encodeURIComponent(options.password);
  if (options.vhost !== undefined) url.pathname = `/${encodeURIComponent(options.vhost)}`;
  return url.toString();
}

async function userWith(permissions: { configure: string; write: string; read: string }): Promise<{ user: string; password: string }> {
  const user = `fm-test-${Math.random().toString(36).slice(2, 10)}`;
  const password = "secret-password";
  await createUser(user, password, "");
  users.push(user);
  await setPermissions(user, permissions);
  return { user, password };
}

describe("exit codes through the CLI", () => {
  test("1: the callback module cannot be found", async () => {
    const queue = await freshQueue("exit1");
    const config = writeConfig(queue, { callback: "/nonexistent/plugin.js:callback" });
    const { code, stderr } = await consumeToEnd(config);
    assert.equal(code, 1);
    assert.match(stderr, /Failed to import the callback module .* provided in the configuration file/);
  });

  test("2: a configuration file with an unknown key", async () => {
    const queue = await freshQueue("exit2");
    const config = writeConfig(queue, { extra: "not_a_key = 1" });
    const { code, stderr } = await consumeToEnd(config);
    assert.equal(code, 2);
    assert.match(stderr, /Unknown configuration key 'not_a_key'! Valid configuration keys are \[/);
  });

  test("2: --conf that is not a file", async () => {
    const { code, stderr } = await consumeToEnd("/nonexistent/config.toml");
    assert.equal(code, 2);
    assert.match(stderr, /Error: Invalid value: \/nonexistent\/config.toml is not a file/);
  });

  test("10: the queue exists with other settings; the broker's text is shown; its messages stay", async () => {
    const queue = await freshQueue("exit10");
    await queue.publish([{ n: 1 }]);
    const path = writeConfig(queue);
    // The queue exists as durable; ask for a non-durable one.
    const text = readFileSync(path, "utf8").replace("durable = true", "durable = false");
    writeFileSync(path, text);
    const { code, stdout } = await consumeToEnd(path);
    assert.equal(code, 10, stdout);
    assert.match(stdout, /\[fedora_messaging\.cli ERROR\] Unable to declare the queue object on the AMQP broker\. The broker responded with .*inequivalent arg 'durable'.*\. Check permissions for your user\./);
    await waitForQueue(queue.name, (q) => q.messages_ready === 1, 10_000);
  });

  test("10: passive declare of a missing queue", async () => {
    const queue = await freshQueue("exit10p");
    const path = writeConfig(queue, { extra: "passive_declares = true" });
    writeFileSync(path, readFileSync(path, "utf8").replaceAll(queue.name, `${queue.name}-missing`));
    const { code, stdout } = await consumeToEnd(path);
    assert.equal(code, 10, stdout);
    assert.match(stdout, /Unable to declare the queue object on the AMQP broker\. The broker responded with 404: queue '.*-missing' in vhost '\/' not found/);
  });

  test("14: wrong password (no retry loop)", async () => {
    const queue = await freshQueue("exit14");
    const config = writeConfig(queue, { amqpUrl: urlWith({ user: "guest", password: "wrong" }) });
    const { code, stdout } = await consumeToEnd(config, [], 20_000);
    assert.equal(code, 14, stdout);
    assert.match(stdout, /The TCP connection appears to have started, but the TLS or AMQP handshake with the broker failed/);
    assert.doesNotMatch(stdout, /wrong/, "the password is never printed");
  });

  test("14: a vhost that does not exist", async () => {
    const queue = await freshQueue("exit14v");
    const config = writeConfig(queue, { amqpUrl: urlWith({ vhost: "no-such-vhost" }) });
    const { code, stdout } = await consumeToEnd(config, [], 20_000);
    assert.equal(code, 14, stdout);
    assert.match(stdout, /handshake with the broker failed/);
  });

  test("15: the user may bind but not read the queue; the message stays", async () => {
    const queue = await freshQueue("exit15");
    await queue.publish([{ n: 1 }]);
    // read on amq.topic (to bind) but not on the queue (to consume).
    const { user, password } = await userWith({ configure: ".*", write: ".*", read: "^amq\\.topic$" });
    const config = writeConfig(queue, { amqpUrl: urlWith({ user, password }) });
    const { code, stdout } = await consumeToEnd(config, [], 20_000);
    assert.equal(code, 15, stdout);
    assert.match(stdout, /\[fedora_messaging\.cli ERROR\] The consumer could not proceed because of a permissions problem: /);
    await waitForQueue(queue.name, (q) => q.messages_ready === 1, 10_000);
  });

  for (const { code, read, says } of [
    { code: 15, read: "^amq\\.topic$", says: /\[fedora_messaging\.cli ERROR\] The consumer could not proceed because of a permissions problem: / },
    { code: 10, read: "^$", says: /Unable to declare the binding object on the AMQP broker\. The broker responded with 403/ },
  ]) {
    test(`${code} after a reconnection: read permission (${read}) revoked while consuming, then the connection drops: exit ${code} as at start, no retry loop`, async () => {
      const queue = await freshQueue(`exit${code}-later`);
      const { user, password } = await userWith({ configure: ".*", write: ".*", read: ".*" });
      const config = writeConfig(queue, { amqpUrl: urlWith({ user, password }) });
      const run = runCli(["--conf", config, "consume"], { timeoutMs: 60_000 });
      await queue.publish([{ n: 1 }]);
      await until(() => queue.records().length === 1, { what: "the first message consumed" });
      await setPermissions(user, { configure: ".*", write: ".*", read });
      assert.ok((await closeConnectionsOfApp(`fm-test-${queue.name}`)) >= 1);
      assert.equal(await run.exited, code, run.stdout());
      assert.match(run.stdout(), says);
      assert.doesNotMatch(run.stdout(), /restarting connection/);
      await queue.publish([{ n: 2 }]);
      await waitForQueue(queue.name, (q) => q.messages_ready === 1, 10_000);
    });
  }

  test("10: the user may not declare the queue (no configure permission)", async () => {
    const queue = await freshQueue("exit10c");
    const { user, password } = await userWith({ configure: "^$", write: ".*", read: ".*" });
    const config = writeConfig(queue, { amqpUrl: urlWith({ user, password }) });
    const { code, stdout } = await consumeToEnd(config, [], 20_000);
    assert.equal(code, 10, stdout);
    assert.match(stdout, /Unable to declare the queue object on the AMQP broker\. The broker responded with 403/);
  });

  test("10: the user may not bind (no read on the exchange)", async () => {
    const queue = await freshQueue("exit10b");
    const { user, password } = await userWith({ configure: ".*", write: ".*", read: "^$" });
    const config = writeConfig(queue, { amqpUrl: urlWith({ user, password }) });
    const { code, stdout } = await consumeToEnd(config, [], 20_000);
    assert.equal(code, 10, stdout);
    assert.match(stdout, /Unable to declare the binding object on the AMQP broker\. The broker responded with 403/);
  });
});
