/**
 * The fast section reader gives exactly what rhea's decoder gives (through
 * rawDelivery), or steps aside: for hand-picked messages of every AMQP type,
 * for the demo's Fedora messages, and for thousands of randomly damaged ones.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import rhea from "rhea";
import { readDelivery } from "../../../src/consumer/section-reader.js";
import { rawDelivery, type RawDelivery } from "../../../src/consumer/delivery.js";
import { sampleMessages } from "../../demo/messages.js";

const t = rhea.types as unknown as Record<string, (value?: unknown) => unknown>;

function encode(message: Record<string, unknown>): Buffer {
  return rhea.message.encode(message as never);
}

function viaRhea(bytes: Buffer): RawDelivery {
  return rawDelivery(rhea.message.decode(bytes) as never);
}

/** The same delivery both ways; Buffers compared by content. */
function assertSame(bytes: Buffer, label: string): "read" | "aside" {
  const fast = readDelivery(bytes);
  if (fast === undefined) return "aside";
  assert.deepStrictEqual(normalise(fast), normalise(viaRhea(bytes)), label);
  return "read";
}

function normalise(value: unknown): unknown {
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return { bytes: Buffer.from(value).toString("hex") };
  if (value instanceof Date) return { date: value.getTime() };
  if (Array.isArray(value)) return value.map(normalise);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = Object.create(Object.getPrototypeOf(value) === null ? null : Object.prototype);
    for (const key of Object.keys(value)) out[key] = normalise((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

const fedoraLike = {
  message_annotations: { "x-routing-key": "org.fedoraproject.prod.bodhi.update.comment", "x-exchange": "amq.topic" },
  application_properties: {
    fedora_messaging_schema: "bodhi.update.comment.v1",
    fedora_messaging_severity: 20,
    fedora_messaging_user_bob: t["wrap_boolean"]!(true),
    sent_at: "2026-12-02T01:02:03+00:00",
    priority: 0,
  },
  message_id: "3f1c0b8e-1d2e-4f5a-9b6c-7d8e9f0a1b2c",
  content_type: "application/json",
  content_encoding: "utf-8",
  body: rhea.message.data_section(Buffer.from('{"comment": {"text": "LGTM"}}')),
};

describe("the fast section reader", () => {
  it("reads a Fedora message as rhea does", () => {
    assert.equal(assertSame(encode(fedoraLike), "fedora-like"), "read");
  });

  it("reads the demo's Fedora-shaped messages as rhea does", () => {
    for (const sample of sampleMessages()) {
      const bytes = encode({
        message_annotations: { "x-routing-key": "demo.topic" },
        application_properties: sample.headers,
        message_id: "id",
        content_encoding: "utf-8",
        body: rhea.message.data_section(Buffer.from(JSON.stringify(sample.body))),
      });
      assert.equal(assertSame(bytes, JSON.stringify(sample.headers)), "read");
    }
  });

  it("reads every primitive type in headers and annotations as rhea does", () => {
    const values: Record<string, unknown> = {
      null: null,
      yes: true,
      no: false,
      boolean: t["wrap_boolean"]!(false),
      ubyte: t["wrap_ubyte"]!(200),
      ushort: t["wrap_ushort"]!(60000),
      uint: t["wrap_uint"]!(4000000000),
      uint0: t["wrap_uint"]!(0),
      smalluint: t["wrap_uint"]!(7),
      ulong: t["wrap_ulong"]!(2 ** 40),
      ulong0: t["wrap_ulong"]!(0),
      smallulong: t["wrap_ulong"]!(9),
      byte: t["wrap_byte"]!(-100),
      short: t["wrap_short"]!(-30000),
      int: t["wrap_int"]!(-2000000000),
      smallint: t["wrap_int"]!(-5),
      long: t["wrap_long"]!(-(2 ** 45)),
      smalllong: t["wrap_long"]!(-3),
      float: t["wrap_float"]!(1.5),
      double: t["wrap_double"]!(-2.25e10),
      timestamp: t["wrap_timestamp"]!(Date.UTC(2026, 11, 2)),
      string: "héllo ✓",
      longString: "x".repeat(300),
      symbol: t["wrap_symbol"]!("a-symbol"),
      binary: Buffer.from([0, 1, 2, 255]),
      longBinary: Buffer.alloc(300, 9),
    };
    const bytes = encode({
      message_annotations: values,
      application_properties: values,
      message_id: "id",
      subject: "a subject",
      content_type: "application/json",
      content_encoding: "utf-8",
      priority: 7,
      delivery_count: 3,
      first_acquirer: false,
      durable: true,
      creation_time: new Date(Date.UTC(2020, 0, 1)),
      body: rhea.message.data_section(Buffer.from("{}")),
    });
    assert.equal(assertSame(bytes, "every type"), "read");
  });

  it("reads message ids of each kind and amqp-value bodies as rhea does", () => {
    for (const message_id of ["s", 42, t["wrap_ulong"]!(2 ** 33), t["wrap_binary"]!(Buffer.from("bin"))]) {
      assert.equal(assertSame(encode({ message_id, body: rhea.message.data_section(Buffer.from("{}")) }), String(message_id)), "read");
    }
    for (const body of ['{"a": 1}', Buffer.from('{"b": 2}'), 12, null]) {
      assert.equal(assertSame(encode({ body }), `amqp-value ${String(body)}`), "read");
    }
    assert.equal(assertSame(Buffer.alloc(0), "no sections at all"), "read");
  });

  it("steps aside for what it was not written for", () => {
    const aside = [
      encode({ application_properties: { list: [1, 2] }, body: "x" }),
      encode({ application_properties: { map: { a: 1 } }, body: "x" }),
      encode({ application_properties: { uuid: t["wrap_uuid"]!(Buffer.alloc(16, 1)) }, body: "x" }),
      encode({ application_properties: { big: t["wrap_ulong"]!(Buffer.from([0xff, 0, 0, 0, 0, 0, 0, 1])) }, body: "x" }),
      encode({ body: rhea.message.data_sections([Buffer.from("a"), Buffer.from("b")]) }),
      encode({ body: rhea.message.sequence_section([1, 2]) }),
      encode({ body: { a: 1 } }),
    ];
    for (const bytes of aside) assert.equal(readDelivery(bytes), undefined);
  });

  it("on randomly damaged messages, gives what rhea gives or steps aside (never a different answer)", () => {
    const originals = [encode(fedoraLike), ...sampleMessages().slice(0, 5).map((s) => encode({ application_properties: s.headers, body: rhea.message.data_section(Buffer.from(JSON.stringify(s.body))) }))];
    let read = 0;
    for (let round = 0; round < 3000; round++) {
      const bytes = Buffer.from(originals[round % originals.length]!);
      const flips = 1 + (round % 3);
      for (let i = 0; i < flips; i++) bytes[randomBytes(4).readUInt32BE() % bytes.length] = randomBytes(1)[0]!;
      const cut = round % 7 === 0 ? bytes.subarray(0, bytes.length - (round % 13)) : bytes;
      let expected: unknown;
      let rheaFailed = false;
      try {
        expected = normalise(viaRhea(cut));
      } catch {
        rheaFailed = true;
      }
      let fast: RawDelivery | undefined;
      try {
        fast = readDelivery(cut);
      } catch (error) {
        assert.fail(`the reader threw instead of stepping aside: ${String(error)}`);
      }
      if (fast === undefined) continue;
      read++;
      assert.ok(!rheaFailed, `rhea refuses ${cut.toString("hex")} but the reader read it`);
      assert.deepStrictEqual(normalise(fast), expected, cut.toString("hex"));
    }
    assert.ok(read > 100, `only ${read} damaged messages were read at all`);
  });
});
