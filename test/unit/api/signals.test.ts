/**
 * Python's publish signals without a broker: the Signal itself (blinker's
 * connect/disconnect/send, receivers called with the sender and kwargs in
 * order, promises awaited), and publish() of an invalid message: pre_publish
 * first (its change is what gets validated), then publish_failed with the
 * ValidationError as `reason`, never publish_signal.
 */
import assert from "node:assert/strict";
import { afterEach, test } from "node:test";
import {
  Message,
  pre_publish_signal,
  prePublishSignal,
  publish,
  publish_failed_signal,
  publish_signal,
  Signal,
  ValidationError,
  type Receiver,
} from "../../../src/index.js";

const connected: Array<[Signal<never>, Receiver<never>]> = [];
function on<K>(signal: Signal<K>, receiver: Receiver<K>): void {
  signal.connect(receiver);
  connected.push([signal as unknown as Signal<never>, receiver as Receiver<never>]);
}
afterEach(() => {
  for (const [signal, receiver] of connected.splice(0)) signal.disconnect(receiver);
});

test("the signals have Python's names, and camelCase aliases", () => {
  assert.equal(pre_publish_signal.name, "pre_publish");
  assert.equal(publish_signal.name, "publish_success");
  assert.equal(publish_failed_signal.name, "publish_failed_signal");
  assert.equal(prePublishSignal, pre_publish_signal);
});

test("a Signal calls its receivers in order with (sender, kwargs), awaits them, and returns blinker's pairs", async () => {
  const signal = new Signal<{ n: number }>("test");
  const calls: string[] = [];
  const first = signal.connect((sender, { n }) => void calls.push(`first ${String(sender)} ${n}`));
  const second: Receiver<{ n: number }> = async (_sender, { n }) => {
    await new Promise((resolve) => setImmediate(resolve));
    calls.push(`second ${n}`);
    return n * 2;
  };
  signal.connect(second);
  signal.connect(second); // once only, as blinker
  assert.deepEqual(await signal.send("me", { n: 4 }), [
    [first, undefined],
    [second, 8],
  ]);
  assert.deepEqual(calls, ["first me 4", "second 4"]);
  signal.disconnect(first);
  assert.deepEqual(signal.receivers, [second]);
});

test("a receiver that throws stops the sending with its error", async () => {
  const signal = new Signal<object>("test");
  const later: string[] = [];
  signal.connect(() => {
    throw new Error("receiver failed");
  });
  signal.connect(() => void later.push("called"));
  await assert.rejects(signal.send(null, {}), /receiver failed/);
  assert.deepEqual(later, []);
});

test("publish() of a message a pre_publish receiver made invalid: publish_failed with the ValidationError, never publish_signal", async () => {
  const seen: string[] = [];
  const message = new Message({ topic: "t", body: { ok: true } });
  on(pre_publish_signal, (sender, { message: m }) => {
    assert.equal(sender, publish);
    seen.push("pre_publish");
    m.headers["fedora_messaging_severity"] = 99; // validated after the signal, as in Python
  });
  on(publish_signal, () => void seen.push("publish_success"));
  let reason: unknown;
  on(publish_failed_signal, (sender, kwargs) => {
    assert.equal(sender, publish);
    assert.equal(kwargs.message, message);
    reason = kwargs.reason;
    seen.push("publish_failed");
  });
  const rejected = await publish(message).then(
    () => undefined,
    (error: unknown) => error,
  );
  assert.ok(rejected instanceof ValidationError);
  assert.equal(reason, rejected);
  assert.deepEqual(seen, ["pre_publish", "publish_failed"]);
});

test("a pre_publish receiver that throws: publish() rejects with its error, no failure signal (Python's twisted_publish)", async () => {
  const failed: unknown[] = [];
  on(pre_publish_signal, () => {
    throw new Error("not now");
  });
  on(publish_failed_signal, (_sender, { reason }) => void failed.push(reason));
  await assert.rejects(publish(new Message({ topic: "t", body: {} })), /not now/);
  assert.deepEqual(failed, []);
});
