/**
 * The test harness itself: the broker is RabbitMQ 4, the management helpers see fresh
 * counts, and what publish.ts sends reaches an AMQP 1.0 consumer shaped like a
 * fedora-messaging message.
 */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import rhea from "rhea";
import type { EventContext, Message } from "rhea";
import { brokerUrls, uniqueName } from "../support/broker.js";
import { bindQueue, declareQueue, deleteQueue, encodePathSegment, getOverview, waitForQueue } from "../support/management.js";
import { amqpConnectionOptions, publishMessages, type TestMessage } from "../support/publish.js";

const DATA_SECTION = 0x75;
const CONSUME_TIMEOUT_MS = 10_000;

const queue = uniqueName("harness");
after(() => deleteQueue(queue));

test("the broker is RabbitMQ 4.0 or later", async () => {
  const { rabbitmq_version: version } = await getOverview();
  const major = Number(version.split(".")[0]);
  assert.ok(major >= 4, `RabbitMQ ${version} is too old: fedora-messaging headers need 4.0 over AMQP 1.0`);
  const announced = brokerUrls().version;
  if (announced) assert.equal(version, announced);
});

test("published messages are counted at once and consumed as fedora-messaging messages", async () => {
  const prefix = `harness.${queue}`;
  await declareQueue(queue, { durable: true, auto_delete: false, arguments: {} });
  await bindQueue(queue, "amq.topic", `${prefix}.#`);
  // Characters that must be percent-encoded in the target address, besides plain ones.
  const messages: TestMessage[] = [
    { topic: `${prefix}.plain`, body: { n: 1 } },
    { topic: `${prefix}.with/slash and space`, body: { n: 2, text: "héllo" } },
    { topic: `${prefix}.odd!'()*%`, body: { n: 3 }, id: "3c1e0d52-0a4f-4a53-9a43-6a3b9b2b1a99" },
  ];
  await publishMessages(brokerUrls().amqpUrl, messages);

  await waitForQueue(queue, (q) => q.messages_ready === 3, 3_000);

  const received = await consume(queue, messages.length);
  assert.equal(received.length, 3);
  for (const [index, message] of received.entries()) {
    const sent = messages[index];
    assert.ok(sent);
    assert.equal(message.message_annotations?.["x-routing-key"], sent.topic);
    assert.equal(message.message_annotations?.["x-exchange"], "amq.topic");
    assert.equal(message.application_properties?.["fedora_messaging_schema"], "base.message");
    assert.equal(message.application_properties?.["fedora_messaging_severity"], 20);
    assert.match(String(message.application_properties?.["sent-at"]), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
    assert.equal(message.content_type, "application/json");
    assert.equal(message.content_encoding, "utf-8");
    assert.equal(message.durable, true);
    if (sent.id) assert.equal(message.message_id, sent.id);
    else assert.match(String(message.message_id), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const body = message.body as { typecode?: number; content?: Buffer };
    assert.equal(body.typecode, DATA_SECTION, "the body must be a data section, not amqp-value");
    assert.ok(Buffer.isBuffer(body.content));
    assert.deepEqual(JSON.parse(body.content.toString("utf8")), sent.body);
  }
  // Python's json.dumps: ", " and ": " separators, non-ASCII escaped.
  const second = received[1]?.body as { content: Buffer };
  assert.equal(second.content.toString("utf8"), '{"n": 2, "text": "h\\u00e9llo"}');

  await waitForQueue(queue, (q) => q.messages === 0, 5_000);
});

test("an unroutable message is reported, not lost silently", async () => {
  await assert.rejects(
    publishMessages(brokerUrls().amqpUrl, [{ topic: `nobody.binds.${queue}` }]),
    /released by the broker \(unroutable/,
  );
});

/** Receives `count` messages from `queueName` with a bare rhea receiver and accepts them. */
async function consume(queueName: string, count: number): Promise<Message[]> {
  const container = rhea.create_container();
  const connection = container.connect(amqpConnectionOptions(brokerUrls().amqpUrl, "fm-test-harness-consumer"));
  const received: Message[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`received ${received.length} of ${count} messages`)), CONSUME_TIMEOUT_MS);
      const fail = (context: EventContext) => {
        clearTimeout(timer);
        reject(new Error(`consumer: ${JSON.stringify(context.error ?? context.receiver?.error ?? "disconnected")}`));
      };
      container.on("error", fail);
      connection.on("connection_error", fail);
      connection.on("session_error", fail);
      connection.on("receiver_error", fail);
      connection.on("disconnected", fail);
      const receiver = connection.open_receiver({
        source: { address: `/queues/${encodePathSegment(queueName)}` },
        credit_window: 0,
        autoaccept: false,
      });
      receiver.once("receiver_open", () => receiver.add_credit(count));
      receiver.on("message", (context: EventContext) => {
        if (context.message) received.push(context.message);
        context.delivery?.accept();
        if (received.length === count) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  } finally {
    await new Promise<void>((resolve) => {
      const done = setTimeout(resolve, 2_000);
      connection.once("connection_close", () => {
        clearTimeout(done);
        resolve();
      });
      connection.close();
    });
  }
  return received;
}
