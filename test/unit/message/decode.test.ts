/**
 * decodeMessage against Python's get_message: each fixture case was fed to
 * fedora_messaging.message.get_message by make-fixtures.py; here the same
 * delivery is shaped as rhea hands it over from RabbitMQ 4 (routing key in
 * the x-routing-key annotation, headers as application properties with
 * booleans as 0/1, body as a data section).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, test } from "node:test";
import { createConsola } from "consola";
import rhea from "rhea";
import { ValidationError } from "../../../src/errors.js";
import { setSink } from "../../../src/log.js";
import { decodeAmqpBooleansAsBooleans, decodeMessage, dumps, Message, registerMessageClass, type AmqpMessageLike } from "../../../src/message/index.js";
import type { ReceiveCase } from "./_fixtures.js";

const fx = JSON.parse(readFileSync(new URL("../../fixtures/message/message-cases.json", import.meta.url), "utf8")) as { receive: ReceiveCase[] };

let lines: string[] = [];
beforeEach(() => {
  lines = [];
  setSink(createConsola({ level: 5, reporters: [{ log: (entry) => { lines.push(entry.args.join(" ")); } }] }));
});
afterEach(() => setSink(createConsola({ level: 5, reporters: [{ log: () => {} }] })));

/** What rhea gives for the pika message of a fixture case. */
function asDelivered(c: ReceiveCase): AmqpMessageLike {
  const headers = c.headers === null ? undefined : (JSON.parse(c.headers, (_k, v: unknown) => (typeof v === "boolean" ? Number(v) : v)) as Record<string, unknown>);
  return {
    message_annotations: { "x-routing-key": c.routingKey, "x-exchange": "amq.topic" },
    application_properties: headers,
    content_type: "application/json",
    content_encoding: c.contentEncoding ?? undefined,
    message_id: c.messageId ?? undefined,
    priority: c.priority ?? undefined,
    durable: 1,
    body: { typecode: 0x75, content: Buffer.from(c.bodyHex, "hex") },
  } as AmqpMessageLike;
}

describe("decodeMessage matches get_message", () => {
  for (const c of fx.receive) {
    test(c.name, () => {
      if (c.error !== undefined) {
        assert.throws(() => decodeMessage(asDelivered(c), "q1"), (e: unknown) => e instanceof ValidationError && e.summary === c.error);
      } else {
        const m = decodeMessage(asDelivered(c), "q1");
        assert.equal(m.constructor.name, c.class);
        assert.equal(m.severity, c.severity);
        assert.equal(m.queue, "q1");
        assert.equal(m.toString(), c.str);
        assert.equal(dumps(m), c.record);
        assert.equal(m.repr(), c.repr);
      }
      assert.deepEqual(lines, c.logs);
    });
  }
});

describe("AMQP 1.0 shapes", () => {
  const headers = { fedora_messaging_schema: "base.message", fedora_messaging_severity: 20 };

  test("3.x brokers: routing key from subject; several data sections are joined", () => {
    const m = decodeMessage({ subject: "a.b", content_encoding: "utf-8", application_properties: headers,
      body: { typecode: 0x75, multiple: true, content: [Buffer.from('{"a": '), Buffer.from("1.0}")] } }, null);
    assert.equal(m.topic, "a.b");
    assert.equal(dumps(m), '{"body": {"a": 1.0}, "headers": {"fedora_messaging_schema": "base.message", "fedora_messaging_severity": 20}, "id": null, "priority": 0, "queue": null, "topic": "a.b"}\n');
  });

  test("amqp-value string and binary bodies are accepted", () => {
    const fromString = decodeMessage({ content_encoding: "utf-8", application_properties: headers, body: '{"s": "\u00e9"}' }, null);
    assert.deepEqual(fromString.body, { s: "\u00e9" });
    const fromBinary = decodeMessage({ content_encoding: "utf-8", application_properties: headers, body: Buffer.from('{"b": true}') }, null);
    assert.deepEqual(fromBinary.body, { b: true });
  });

  test("an amqp-value map, a sequence or no body is refused", () => {
    for (const body of [{ a: 1 }, [1], { typecode: 0x76, content: [[1]] }, undefined, 5]) {
      assert.throws(() => decodeMessage({ content_encoding: "utf-8", application_properties: headers, body }, null), ValidationError);
    }
    assert.match(lines[0] ?? "", /^\[fedora_messaging\.message ERROR\] Failed to load message body: The message body is an AMQP map/);
  });

  test("header values: filter booleans, timestamps, binary strings, x- annotations", () => {
    const m = decodeMessage({
      content_encoding: "utf-8",
      application_properties: { ...headers, fedora_messaging_user_jdoe: 1, flag: 1, when: new Date(Date.UTC(2019, 6, 30, 19, 12, 22)), long: Buffer.from("a\u0000b") },
      message_annotations: { "x-routing-key": "t", "x-exchange": "amq.topic", "x-delivery-count": 2, "x-opt-deaths": [], "x-cc": ["k"] },
      body: { typecode: 0x75, content: Buffer.from("{}") },
    }, null);
    assert.deepEqual(m.headers, {
      ...headers, fedora_messaging_user_jdoe: true, flag: 1, when: "2019-07-30T19:12:22+00:00", long: "a\u0000b",
      "x-delivery-count": 2, CC: ["k"],
    });
  });

  test("message ids: uuid bytes, numbers, absent", () => {
    const base = { content_encoding: "utf-8", application_properties: headers, body: "{}" };
    const uuid = Buffer.from("0123456789abcdef0123456789abcdef", "hex");
    assert.equal(decodeMessage({ ...base, message_id: uuid }, null).id, "01234567-89ab-cdef-0123-456789abcdef");
    assert.equal(decodeMessage({ ...base, message_id: 42 }, null).id, "42");
    assert.equal(decodeMessage(base, null).toString().split("\n")[0], "Id: None");
  });

  test("unknown content encoding is refused like a decode error", () => {
    assert.throws(() => decodeMessage({ content_encoding: "klingon", application_properties: headers, body: Buffer.from("{}") }, null),
      { summary: "unknown encoding: klingon" });
  });

  test("a registered subclass is chosen; a deprecated one logs a warning", () => {
    class Old extends Message {
      static override deprecated = true;
      override get summary(): string {
        return `old: ${String(this.body["what"])}`;
      }
    }
    registerMessageClass("test.old", Old, { package: "old-messages" });
    const m = decodeMessage({ content_encoding: "utf-8", message_annotations: { "x-routing-key": "t.old" },
      application_properties: { fedora_messaging_schema: "test.old", fedora_messaging_severity: 20 }, body: '{"what": "x"}' }, "q");
    assert.ok(m instanceof Old);
    assert.equal(m.summary, "old: x");
    assert.deepEqual(lines, ["[fedora_messaging.message WARNING] A message with a deprecated schema (old_messages.Old) has been received on topic 't.old'. You should check the emitting application's documentation to upgrade to the newer schema version."]);
  });

  test("a subclass validate() throwing a plain Error rejects the message", () => {
    class Picky extends Message {
      override validate(): void {
        throw new Error("no thanks");
      }
    }
    registerMessageClass("test.picky", Picky);
    assert.throws(() => decodeMessage({ content_encoding: "utf-8", application_properties: { fedora_messaging_schema: "test.picky", fedora_messaging_severity: 20 }, body: "{}" }, null),
      (e: unknown) => e instanceof ValidationError && e.summary === "no thanks");
  });

  test("a frame encoded and decoded by rhea itself; then with the boolean patch", () => {
    // RabbitMQ writes pika's True as AMQP boolean 0x56 0x01 (amqp10_binary_generator), which rhea reads as 1.
    const r = rhea as unknown as {
      message: { encode(m: object): Buffer; decode(b: Buffer): AmqpMessageLike; data_section(b: Buffer): object };
      types: { Boolean(v: number): unknown; by_code: Record<number, { read?: unknown }> };
    };
    const frame = r.message.encode({
      message_id: "abc", content_encoding: "utf-8",
      message_annotations: { "x-routing-key": "a.b", "x-exchange": "amq.topic" },
      application_properties: { ...headers, fedora_messaging_rpm_kernel: r.types.Boolean(1), other: r.types.Boolean(1) },
      body: r.message.data_section(Buffer.from('{"a": 1.0}')),
    });
    const before = decodeMessage(r.message.decode(frame), "q");
    assert.equal(before.headers["fedora_messaging_rpm_kernel"], true);
    assert.equal(before.headers["other"], 1);
    assert.match(before.toString(), /"a": 1\.0/);
    decodeAmqpBooleansAsBooleans(r.types);
    const after = decodeMessage(r.message.decode(frame), "q");
    assert.equal(after.headers["other"], true);
  });
});
