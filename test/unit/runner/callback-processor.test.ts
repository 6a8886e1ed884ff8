import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { Outcome } from "../../../src/consumer/outcome.js";
import { CallbackProcessor } from "../../../src/runner/callback-processor.js";
import { SharedStats } from "../../../src/consumer/stats.js";
import { HaltConsumer, Nack } from "../../../src/errors.js";
import type { Message } from "../../../src/message/message.js";
import { setLevel } from "../../../src/log.js";
import { raw } from "../consumer/_raw.js";

setLevel("fedora_messaging", 50); // keep the test output quiet

function run(handler: (m: Message) => unknown, bodies: unknown[]): Promise<Array<[number, Outcome]>> {
  return new Promise((resolve) => {
    const seen: Array<[number, Outcome]> = [];
    const processor = new CallbackProcessor({ queue: "q", handler, consumerRepr: "Consumer(queue=q)", stats: new SharedStats() }, (id, outcome) => {
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
    const processor = new CallbackProcessor(
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
    const processor = new CallbackProcessor(
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

/** A promise with its resolve, for callbacks the test lets finish one by one. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe("concurrent processing (callback_concurrency > 1)", () => {
  function processorOf(handler: (m: Message) => unknown, concurrency: number, report: (id: number, o: Outcome) => void): CallbackProcessor {
    return new CallbackProcessor({ queue: "q", handler, consumerRepr: "c", stats: new SharedStats() }, report, concurrency);
  }
  const n = (m: Message): number => (m.body as { n: number }).n;

  it("runs up to N at once, starts them in arrival order, reports each as it completes", async () => {
    const gates = Array.from({ length: 5 }, gate);
    const started: number[] = [];
    const reported: number[] = [];
    const processor = processorOf(async (m) => {
      started.push(n(m));
      await gates[n(m)]!.promise;
    }, 3, (id) => reported.push(id));
    for (let i = 0; i < 5; i++) processor.submit(i, raw({ n: i }));
    await tick();
    assert.deepEqual(started, [0, 1, 2]);
    assert.equal(processor.running, 3);
    assert.equal(processor.busy, true);
    assert.equal(processor.queued, 2);
    gates[2]!.open();
    await tick();
    assert.deepEqual(reported, [2]);
    assert.deepEqual(started, [0, 1, 2, 3]);
    gates[0]!.open();
    gates[3]!.open();
    await tick();
    assert.deepEqual(reported, [2, 0, 3]);
    assert.deepEqual(started, [0, 1, 2, 3, 4]);
    gates[1]!.open();
    gates[4]!.open();
    await tick();
    assert.deepEqual(reported, [2, 0, 3, 1, 4]);
    assert.equal(processor.running, 0);
    assert.equal(processor.busy, false);
  });

  it("a sync callback still runs one at a time, start to finish", async () => {
    let running = 0;
    let most = 0;
    const seen: Array<[number, Outcome]> = [];
    await new Promise<void>((resolve) => {
      const processor = processorOf((m) => {
        most = Math.max(most, ++running);
        try {
          if (n(m) === 1) throw new Nack();
        } finally {
          running--;
        }
      }, 10, (id, outcome) => {
        seen.push([id, outcome]);
        if (seen.length === 4) resolve();
      });
      for (let i = 0; i < 4; i++) processor.submit(i, raw({ n: i }));
    });
    assert.equal(most, 1);
    assert.deepEqual(seen.map(([id, o]) => [id, o.settle]), [[0, "accept"], [1, "release"], [2, "accept"], [3, "accept"]]);
  });

  it("after a halt, the ones in flight finish and are reported; the queued ones are not started", async () => {
    const gates = Array.from({ length: 5 }, gate);
    const started: number[] = [];
    const reported: Array<[number, string]> = [];
    const processor = processorOf(async (m) => {
      started.push(n(m));
      await gates[n(m)]!.promise;
      if (n(m) === 1) throw new HaltConsumer(3);
    }, 3, (id, o) => reported.push([id, o.stop?.kind ?? o.settle]));
    for (let i = 0; i < 5; i++) processor.submit(i, raw({ n: i }));
    await tick();
    gates[1]!.open();
    await tick();
    assert.deepEqual(reported, [[1, "halted"]]);
    assert.deepEqual(started, [0, 1, 2], "nothing starts after the halt");
    const drained = processor.drain();
    gates[0]!.open();
    await tick();
    assert.deepEqual(reported, [[1, "halted"], [0, "accept"]]);
    gates[2]!.open();
    assert.deepEqual(await drained, [3, 4]);
    assert.deepEqual(reported, [[1, "halted"], [0, "accept"], [2, "accept"]]);
  });

  it("drain waits for every callback in flight", async () => {
    const gates = Array.from({ length: 3 }, gate);
    const reported: number[] = [];
    const processor = processorOf((m) => gates[n(m)]!.promise, 2, (id) => reported.push(id));
    for (let i = 0; i < 3; i++) processor.submit(i, raw({ n: i }));
    await tick();
    let done = false;
    const drained = processor.drain().then((ids) => {
      done = true;
      return ids;
    });
    gates[1]!.open();
    await tick();
    assert.equal(done, false);
    gates[0]!.open();
    assert.deepEqual(await drained, [2]);
    assert.deepEqual(reported, [1, 0]);
  });
});

describe("memory", () => {
  it("a processed delivery is not kept: its body can be collected at once (a 1 MB message must not outlive its turn)", async () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const refs: Array<WeakRef<object>> = [];
    let done = 0;
    const processor = new CallbackProcessor(
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
