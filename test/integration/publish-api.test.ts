/**
 * `publish()` against the real broker: what an AMQP 0-9-1 consumer (pika, as
 * Python fedora-messaging consumes) receives from ours is what it receives
 * from Python's own `api.publish` (fixture made with the real Python, and
 * compared live when Python fedora-messaging is installed); the config keys
 * topic_prefix / publish_priority / publish_exchange; RabbitMQ's answers
 * (unroutable, no such exchange, forbidden) and an unreachable or refusing
 * broker as Python's exceptions; one connection for many publishes.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, test } from "node:test";
import {
  closePublisher,
  loadConfig,
  loadMessage,
  Message,
  pre_publish_signal,
  publish,
  publish_failed_signal,
  publish_signal,
  type Config,
  type Receiver,
  type Signal,
} from "../../src/index.js";
import { brokerUrls, uniqueName } from "../support/broker.js";
import { closeConnectionsOfApp, listConnections, setTopicPermissions } from "../support/management.js";
import { usersWithoutWrite } from "../support/users.js";
import { normalised, pikaDeclare, pikaGet, pythonFedoraMessagingInstalled, pythonPublish } from "../support/pika.js";
import { eventually } from "../support/wait.js";
import { freePort, ROOT, runCli, testQueue, writeConfig } from "./_harness.js";

const FIXTURE = join(ROOT, "test/fixtures/python/publish-wire.json");
const dir = mkdtempSync(join(tmpdir(), "fm-publish-"));
const userWithoutWrite = usersWithoutWrite();

afterEach(() => closePublisher());

const BODY = {
  comment: { author: "jdoe", karma: 1, ratio: 0.25, text: 'Works for me \u2014 caf\u00e9 \u{1f600} "q" back\\slash\ttab', tags: ["a", null, true, false, [], {}] },
  agent: "jdoe",
};
const HEADERS = { "x-custom": "value", n: 5, big: 2 ** 40, flag: true };

function configFile(name: string, lines: readonly string[] = [], amqpUrl = brokerUrls().amqpUrl): string {
  const path = join(dir, `${name}.toml`);
  writeFileSync(path, [`amqp_url = ${JSON.stringify(amqpUrl)}`, ...lines, "[client_properties]", `app = ${JSON.stringify(name)}`, ""].join("\n"));
  return path;
}

function config(path: string): Config {
  return loadConfig({ path, env: {} } as Parameters<typeof loadConfig>[0]);
}

/** What pika receives from our publish() of the test message with config `conf`, normalised. */
async function oursReceived(conf: string, topic: string, bindingKey: string): Promise<ReturnType<typeof normalised>> {
  const queue = uniqueName("pub-ours");
  pikaDeclare(queue, "amq.topic", bindingKey);
  await publish(new Message({ topic, body: BODY, headers: HEADERS }), { config: config(conf) });
  const [dump] = pikaGet(queue, 1);
  return normalised(dump!);
}

function pythonReceived(conf: string, topic: string, bindingKey: string): ReturnType<typeof normalised> {
  const queue = uniqueName("pub-python");
  pikaDeclare(queue, "amq.topic", bindingKey);
  pythonPublish(conf, topic, BODY, HEADERS);
  const [dump] = pikaGet(queue, 1);
  return normalised(dump!);
}

const fixture = JSON.parse(readFileSync(FIXTURE, "utf8")) as Record<string, unknown>;

test("a pika consumer receives from publish() exactly what Python's api.publish sends", async () => {
  const conf = configFile(uniqueName("wire"));
  const topic = `test.${uniqueName("wire")}`;
  const ours = await oursReceived(conf, topic, topic);
  assert.deepEqual({ ...ours, routing_key: "<topic>" }, fixture["default"]);
  assert.equal(ours.routing_key, topic);
  if (pythonFedoraMessagingInstalled()) assert.deepEqual(ours, pythonReceived(conf, topic, topic));
});

test("topic_prefix and publish_priority take effect as in Python", async () => {
  const conf = configFile(uniqueName("prefixed"), ['topic_prefix = "org.fedoraproject.test."', "publish_priority = 3"]);
  const topic = uniqueName("wire");
  const key = `org.fedoraproject.test.${topic}`;
  const ours = await oursReceived(conf, topic, key);
  assert.equal(ours.routing_key, key);
  assert.equal(ours.properties.priority, 3);
  assert.deepEqual(ours.properties.headers?.["priority"], ["int", "3"]);
  assert.deepEqual({ ...ours, routing_key: "<topic>" }, fixture["prefixed"]);
  if (pythonFedoraMessagingInstalled()) assert.deepEqual(ours, pythonReceived(conf, topic, key));
});

test("a loaded record keeps its own priority under publish_priority, 0 included (Python's load_message sets it after the constructor)", async () => {
  const conf = configFile(uniqueName("record-priority"), ["publish_priority = 3"]);
  const topic = uniqueName("record-priority");
  const queue = uniqueName("pub-record-priority");
  pikaDeclare(queue, "amq.topic", topic);
  for (const priority of [0, 5, null]) {
    await publish(loadMessage({ topic, body: { priority }, headers: {}, priority }), { config: config(conf) });
  }
  await publish(new Message({ topic, body: { built: true } }), { config: config(conf) });
  const received = pikaGet(queue, 4).map((m) => normalised(m));
  // null in a record is 0 (Python's priority setter); a message built here takes publish_priority.
  assert.deepEqual(received.map((m) => [m.properties.priority, m.properties.headers?.["priority"]]), [
    [0, ["int", "0"]],
    [5, ["int", "5"]],
    [0, ["int", "0"]],
    [3, ["int", "3"]],
  ]);
});

test("publish_exchange and the exchange option choose the exchange", async () => {
  const conf = configFile(uniqueName("exchange"), ['publish_exchange = "amq.direct"']);
  const topic = uniqueName("direct");
  const queue = uniqueName("pub-direct");
  pikaDeclare(queue, "amq.direct", topic);
  await publish(new Message({ topic, body: { n: 1 } }), { config: config(conf) });
  await publish(new Message({ topic, body: { n: 2 } }), { config: config(conf), exchange: "amq.topic" });
  await publish(new Message({ topic, body: { n: 3 } }), { config: config(conf), exchange: "amq.direct" });
  const received = pikaGet(queue, 2);
  assert.deepEqual(received.map((m) => [m.exchange, m.body]), [["amq.direct", '{"n": 1}'], ["amq.direct", '{"n": 3}']]);
});

test("a message no queue is bound for is not an error (Python publishes without mandatory)", async () => {
  const conf = configFile(uniqueName("unroutable"));
  await publish(new Message({ topic: `nobody.listens.${uniqueName("x")}`, body: {} }), { config: config(conf), timeout: 5 });
});

test("an exchange that does not exist: retried until the timeout, then Python's PublishTimeout, the broker's answer as its cause", async () => {
  const conf = configFile(uniqueName("missing"));
  const exchange = uniqueName("no-such-exchange");
  await assert.rejects(publish(new Message({ topic: "t", body: {} }), { config: config(conf), exchange, timeout: 2 }), (error: Error) => {
    assert.equal(error.name, "PublishTimeout");
    assert.equal(error.message, "Publishing timed out after waiting 2 seconds.");
    assert.match(String((error.cause as Error | undefined)?.message), /amqp:not-found.*no exchange/);
    return true;
  });
});

test("no write permission on the exchange: PublishForbidden at once, and the connection still publishes where it may", async () => {
  // RabbitMQ 4.0.5 ends the whole AMQP session for a forbidden publish: the next send needs a new one.
  const url = await userWithoutWrite("nowrite", "^amq\\.direct$");
  const conf = configFile(uniqueName("forbidden"), [], url);
  for (let attempt = 0; attempt < 2; attempt++) {
    await assert.rejects(publish(new Message({ topic: "t", body: {} }), { config: config(conf), timeout: 20 }), (error: Error) => {
      assert.equal(error.name, "PublishForbidden");
      // Python's str(): pika's ChannelClosedByBroker, RabbitMQ's text being the same over AMQP 1.0.
      assert.match(error.message, /^\(403, "ACCESS_REFUSED - write access to exchange 'amq\.topic' in vhost '\/' refused for user '.*'"\)$/);
      return true;
    });
  }
  const topic = uniqueName("allowed");
  const queue = uniqueName("pub-allowed");
  pikaDeclare(queue, "amq.direct", topic);
  await publish(new Message({ topic, body: { ok: true } }), { config: config(conf), exchange: "amq.direct", timeout: 20 });
  assert.equal(pikaGet(queue, 1)[0]?.body, '{"ok": true}');
});

test("a topic permission that refuses the routing key: PublishForbidden (Python: a 403)", async () => {
  const url = await userWithoutWrite("topicperm", ".*");
  await setTopicPermissions(new URL(url).username, { write: "^allowed\\.", read: ".*" });
  const conf = configFile(uniqueName("topicperm"), [], url);
  await assert.rejects(publish(new Message({ topic: "denied.x", body: {} }), { config: config(conf), timeout: 20 }), { name: "PublishForbidden" });
  const topic = `allowed.${uniqueName("t")}`;
  const queue = uniqueName("pub-topicperm");
  pikaDeclare(queue, "amq.topic", topic);
  await publish(new Message({ topic, body: { ok: 1 } }), { config: config(conf), timeout: 20 });
  assert.equal(pikaGet(queue, 1)[0]?.body, '{"ok": 1}');
});

test("a broker that is not there: PublishTimeout after the timeout", async () => {
  const conf = configFile(uniqueName("down"), [], `amqp://guest:guest@127.0.0.1:${await freePort()}/`);
  await assert.rejects(publish(new Message({ topic: "t", body: {} }), { config: config(conf), timeout: 1 }), { name: "PublishTimeout" });
});

test("a broker that refuses the credentials: ConnectionException", async () => {
  const url = new URL(brokerUrls().amqpUrl);
  url.password = "wrong";
  const conf = configFile(uniqueName("badpass"), [], url.toString());
  await assert.rejects(publish(new Message({ topic: "t", body: {} }), { config: config(conf), timeout: 20 }), { name: "ConnectionError" });
});

test("an invalid message is refused before anything is sent", async () => {
  const conf = configFile(uniqueName("invalid"));
  const message = new Message({ topic: "t", body: {} });
  message.headers["fedora_messaging_severity"] = 99;
  await assert.rejects(publish(message, { config: config(conf) }), { name: "ValidationError" });
});

test("many publishes, concurrent too, share one connection", async () => {
  const app = uniqueName("reuse");
  const conf = configFile(app);
  const topic = uniqueName("reuse");
  const queue = uniqueName("pub-reuse");
  pikaDeclare(queue, "amq.topic", topic);
  for (let i = 0; i < 20; i++) await publish(new Message({ topic, body: { i } }), { config: config(conf) });
  await Promise.all(Array.from({ length: 30 }, (_, i) => publish(new Message({ topic, body: { i: 20 + i } }), { config: config(conf) })));
  assert.equal(pikaGet(queue, 50).length, 50);
  const ours = async () => (await listConnections()).filter((c) => c.client_properties["app"] === app).length;
  await eventually(ours, (count) => count === 1, { what: "one connection of ours listed" });
});

test("a connection closed by the broker is replaced: the next publish() goes out on a new one", async () => {
  const app = uniqueName("replaced");
  const conf = configFile(app);
  const topic = uniqueName("replaced");
  const queue = uniqueName("pub-replaced");
  pikaDeclare(queue, "amq.topic", topic);
  await publish(new Message({ topic, body: { n: 1 } }), { config: config(conf) });
  assert.equal(await closeConnectionsOfApp(app), 1);
  await publish(new Message({ topic, body: { n: 2 } }), { config: config(conf), timeout: 20 });
  assert.deepEqual(pikaGet(queue, 2).map((m) => m.body), ['{"n": 1}', '{"n": 2}']);
});

for (const mode of ["worker", "in-process"] as const) {
  test(`a callback may publish (${mode}): it uses the publishing connection of its thread`, async () => {
    const queue = await testQueue("republish");
    try {
      const out = uniqueName("pub-republished");
      pikaDeclare(out, "amq.topic", `${queue.routingKey}.republished`);
      const conf = writeConfig(queue, { callback: `${join(ROOT, "test/fixtures/consumer/republish.mjs")}:republish`, callbackMode: mode });
      const run = runCli(["--conf", conf, "consume"]);
      await queue.publish([{ n: 1 }, { n: 2 }]);
      const received = pikaGet(out, 2, 30);
      run.child.kill("SIGTERM");
      assert.equal(await run.exited, 0, run.stdout() + run.stderr());
      assert.deepEqual(received.map((m) => [m.routing_key, m.body]), [
        [`${queue.routingKey}.republished`, '{"n": 1}'],
        [`${queue.routingKey}.republished`, '{"n": 2}'],
      ]);
    } finally {
      await queue.cleanup();
    }
  });
}

test("exchange \"\" is the default exchange (Python: only None means publish_exchange); no such queue is not an error", async () => {
  const conf = configFile(uniqueName("default-exchange"));
  const queue = uniqueName("pub-default");
  pikaDeclare(queue, "amq.topic", queue);
  await publish(new Message({ topic: queue, body: { n: 1 } }), { config: config(conf), exchange: "" });
  await publish(new Message({ topic: uniqueName("no-such-queue"), body: {} }), { config: config(conf), exchange: "", timeout: 5 });
  const [received] = pikaGet(queue, 1);
  assert.equal(received?.exchange, "");
  assert.equal(received?.body, '{"n": 1}');
});

test("the publish signals: pre_publish may change what is sent, publish_success once accepted, publish_failed with the PublishTimeout", async () => {
  const seen: string[] = [];
  const receivers: Array<[Signal<never>, Receiver<never>]> = [];
  const on = <K>(signal: Signal<K>, receiver: Receiver<K>) => {
    signal.connect(receiver);
    receivers.push([signal as unknown as Signal<never>, receiver as Receiver<never>]);
  };
  on(pre_publish_signal, (_sender, { message }) => {
    seen.push(`pre_publish ${message.topic}`);
    message.body = { ...message.body, stamped: true };
  });
  on(publish_signal, (_sender, { message }) => void seen.push(`publish_success ${message.topic}`));
  on(publish_failed_signal, (_sender, { message, reason }) => void seen.push(`publish_failed ${message.topic} ${(reason as Error).name}`));
  try {
    const topic = uniqueName("signals");
    const queue = uniqueName("pub-signals");
    pikaDeclare(queue, "amq.topic", topic);
    await publish(new Message({ topic, body: { n: 1 } }), { config: config(configFile(uniqueName("signals"))) });
    assert.equal(pikaGet(queue, 1)[0]?.body, '{"n": 1, "stamped": true}');
    assert.deepEqual(seen.splice(0), [`pre_publish ${topic}`, `publish_success ${topic}`]);
    await closePublisher();
    const down = configFile(uniqueName("signals-down"), [], `amqp://guest:guest@127.0.0.1:${await freePort()}/`);
    await assert.rejects(publish(new Message({ topic: "t", body: {} }), { config: config(down), timeout: 1 }), { name: "PublishTimeout" });
    assert.deepEqual(seen, ["pre_publish t", "publish_failed t PublishTimeout"]);
  } finally {
    for (const [signal, receiver] of receivers) signal.disconnect(receiver);
  }
});
