import assert from "node:assert/strict";
import { describe, it } from "node:test";
import rhea from "rhea";
import { batchTransfers, packDeliveries, unpackDeliveries } from "../../../src/runner/delivery-batch.js";
import { rawDeliveryOf } from "../../../src/consumer/delivery.js";
import { raw } from "../consumer/_raw.js";

/** An AMQP message encoded as RabbitMQ sends it to a consumer (sections only). */
function encoded(body: string, topic: string): Buffer {
  return rhea.message.encode({
    message_annotations: { "x-routing-key": topic, "x-exchange": "amq.topic" },
    application_properties: { fedora_messaging_severity: 20, sent_at: "2026-12-02T00:00:00+00:00" },
    message_id: `id-${topic}`,
    content_type: "application/json",
    content_encoding: "utf-8",
    body: rhea.message.data_section(Buffer.from(body)),
  } as never);
}

describe("delivery batches for the worker thread", () => {
  it("carries each encoded message across unchanged, in order, in a buffer of its own", () => {
    // Views into one larger buffer, as rhea hands them out from a socket read.
    const socketRead = Buffer.concat([Buffer.from("junk"), encoded('{"a": 1}', "t.one"), encoded('{"b": 2}', "t.two"), Buffer.from("tail")]);
    const first = encoded('{"a": 1}', "t.one").byteLength;
    const second = encoded('{"b": 2}', "t.two").byteLength;
    const items = [socketRead.subarray(4, 4 + first), socketRead.subarray(4 + first, 4 + first + second)];
    const batch = packDeliveries(items);
    assert.equal(batch.bytes.byteLength, first + second, "only the messages' bytes, not the socket read behind them");
    assert.equal(batch.bytes.byteOffset, 0);
    assert.equal(batch.bytes.buffer.byteLength, first + second, "its own buffer: transferable without taking anything else along");
    const back = unpackDeliveries(batch);
    assert.equal(back.length, 2);
    assert.deepEqual(Buffer.from(back[0] as Uint8Array), items[0]);
    assert.deepEqual(Buffer.from(back[1] as Uint8Array), items[1]);
    const decoded = rawDeliveryOf(back[1]!);
    assert.equal(decoded.messageId, "id-t.two");
    assert.equal(decoded.annotations?.["x-routing-key"], "t.two");
    assert.equal(Buffer.from(decoded.data!).toString(), '{"b": 2}');
  });

  it("keeps messages handed over already taken apart in their place", () => {
    const taken = raw({ x: 1 }, "id-raw");
    const bytes = encoded("{}", "t.enc");
    const back = unpackDeliveries(packDeliveries([taken, bytes, taken]));
    assert.equal(back[0], taken);
    assert.deepEqual(Buffer.from(back[1] as Uint8Array), bytes);
    assert.equal(back[2], taken);
  });
});

describe("large messages in a batch", () => {
  it("travel in their own buffer, uncopied, beside the small ones", () => {
    const small = encoded("{}", "t.small");
    const large = Buffer.alloc(256 * 1024, 7); // owns its whole buffer, as rhea's reassembly makes it
    const batch = packDeliveries([small, large, small]);
    assert.equal(batch.bytes.byteLength, 2 * small.byteLength, "the large one is not copied into the batch");
    const transfers = batchTransfers(batch);
    assert.equal(transfers.length, 2);
    assert.ok(transfers.includes(large.buffer as ArrayBuffer));
    const back = unpackDeliveries(batch);
    assert.equal(back[1], large);
    assert.deepEqual(Buffer.from(back[2] as Uint8Array), small);
  });

  it("a large view into a bigger buffer is copied like a small one (moving it would take the rest along)", () => {
    const big = Buffer.alloc(512 * 1024, 1);
    const view = big.subarray(1024, 1024 + 256 * 1024);
    const batch = packDeliveries([view]);
    assert.equal(batch.whole, undefined);
    assert.equal(batch.bytes.byteLength, view.byteLength);
    assert.equal(batchTransfers(batch).length, 1);
  });
});
