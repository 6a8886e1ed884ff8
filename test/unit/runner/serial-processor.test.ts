import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { Outcome } from "../../../src/consumer/outcome.js";
import { SerialProcessor } from "../../../src/runner/serial-processor.js";
import { SharedStats } from "../../../src/consumer/stats.js";
import { HaltConsumer, Nack } from "../../../src/errors.js";
import type { Message } from "../../../src/message/message.js";
import { setLevel } from "../../../src/log.js";
import { raw } from "../consumer/_raw.js";

setLevel("fedora_messaging", 50); // keep the test output quiet

function run(handler: (m: Message) => unknown, bodies: unknown[]): Promise<Array<[number, Outcome]>> {
  return new Promise((resolve) => {
    const seen: Array<[number, Outcome]> = [];
    const processor = new SerialProcessor({ queue: "q", handler, consumerRepr: "Consumer(queue=q)", stats: new SharedStats() }, (id, outcome) => {
      seen.push([id, outcome]);
      if (seen.length === bodies.length || outcome.stop) setImmediate(() => resolve(seen));
    });
    bodies.forEach((body, i) => processor.submit(i, raw(body, `id-${i}`)));
  });
}

describe("serial processing", () => {
  it("processes in order, one at a time, even with an async callback", async () => {
    let running = 0;
    const order: number[] = [];
    const outcomes = await run(async (m) => {
      assert.equal(++running, 1);
      await new Promise((r) => setTimeout(r, 5));
      order.push((m.body as { n: number }).n);
      running--;
    }, [{ n: 0 }, { n: 1 }, { n: 2 }]);
    assert.deepEqual(order, [0, 1, 2]);
    assert.deepEqual(outcomes.map(([id, o]) => [id, o.settle]), [[0, "accept"], [1, "accept"], [2, "accept"]]);
  });

  it("an invalid message is rejected without calling the callback", async () => {
    let calls = 0;
    const outcomes = await run(() => calls++, ["not json", { ok: 1 }]);
    assert.deepEqual(outcomes.map(([, o]) => o.settle), ["reject", "accept"]);
    assert.equal(calls, 1);
  });

  it("the message the callback sees is decoded, with topic, id and queue", async () => {
    let seen: Message | undefined;
    await run((m) => (seen = m), [{ x: 1.0 }]);
    assert.equal(seen?.topic, "t.topic");
    assert.equal(seen?.id, "id-0");
    assert.equal(seen?.queue, "q");
  });

  it("stops after a halt: the rest is left for the owner to release", async () => {
    const processor = new SerialProcessor(
      { queue: "q", handler: () => { throw new HaltConsumer(5); }, consumerRepr: "c", stats: new SharedStats() },
      () => undefined,
    );
    processor.submit(0, raw({}));
    processor.submit(1, raw({}));
    processor.submit(2, raw({}));
    assert.deepEqual(await processor.drain(), [1, 2]);
  });

  it("drain waits for the message in progress and returns the queued ones", async () => {
    const outcomes: number[] = [];
    const processor = new SerialProcessor(
      { queue: "q", handler: () => new Promise((r) => setTimeout(r, 20)), consumerRepr: "c", stats: new SharedStats() },
      (id) => outcomes.push(id),
    );
    processor.submit(0, raw({}));
    processor.submit(1, raw({}));
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(await processor.drain(), [1]);
    assert.deepEqual(outcomes, [0]);
  });

  it("Nack is a release that keeps going", async () => {
    let first = true;
    const outcomes = await run(() => {
      if (first) {
        first = false;
        throw new Nack();
      }
    }, [{}, {}]);
    assert.deepEqual(outcomes.map(([, o]) => o.settle), ["release", "accept"]);
  });
});

describe("memory", () => {
  it("a processed delivery is not kept: its body can be collected at once (a 1 MB message must not outlive its turn)", async () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const refs: Array<WeakRef<object>> = [];
    let done = 0;
    const processor = new SerialProcessor(
      { queue: "q", handler: () => undefined, consumerRepr: "c", stats: new SharedStats() },
      () => void done++,
    );
    // Made in a function of its own: the test's suspended frame must not hold the last one.
    const submit = (i: number): void => {
      const delivery = raw({ n: i, text: "x".repeat(64 * 1024) }, `id-${i}`);
      refs.push(new WeakRef(delivery));
      processor.submit(i, delivery);
    };
    for (let i = 0; i < 20; i++) submit(i);
    while (done < 20) await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    const kept = refs.map((ref, i) => (ref.deref() === undefined ? -1 : i)).filter((i) => i >= 0);
    assert.deepEqual(kept, [], "processed deliveries are still referenced");
  });
});
