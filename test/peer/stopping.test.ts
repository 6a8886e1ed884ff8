/**
 * How the daemon settles what it holds when a run ends with the prefetch
 * full. Every prefetched delivery must come back to the queue (released),
 * never acknowledged with the message that ended the run: rhea 3.0.5 unpatched
 * merged `accept(a); release(b)` of one turn into one accepted DISPOSITION
 * (build/patch-rhea.mjs), and the peer records each delivery's own outcome.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { OutcomeName } from "../support/amqp-peer.js";
import { consumingOnPeer, messages, type Consuming } from "./_harness.js";

const PREFETCH = 5;

/** The first message ends the run after a while; the rest of the prefetch arrives meanwhile. */
async function endWithPrefetchFull(first: Record<string, unknown>, end?: (consuming: Consuming, firstId: string) => Promise<void>) {
  const consuming = await consumingOnPeer({ prefetch: PREFETCH });
  const { peer, setup, queue, run } = consuming;
  const ids = peer.publish(setup.queue, messages(setup, [first, ...Array.from({ length: PREFETCH }, (_, n) => ({ n }))]));
  await peer.waitFor("the prefetch full", () => queue.unsettled >= PREFETCH);
  assert.equal(queue.unsettled, PREFETCH, "no more unsettled deliveries than the prefetch");
  await end?.(consuming, ids[0]!);
  const code = await run.exited;
  const outcomes: OutcomeName[][] = ids.map((id) => queue.outcomesOf(id));
  return { ...consuming, ids, code, outcomes };
}

describe("ending a run with the prefetch full", () => {
  test("HaltConsumer: its message accepted, every other prefetched delivery released in the same turn", async () => {
    const { queue, code, outcomes, run } = await endWithPrefetchFull({ outcome: "halt", sleep_ms: 200 });

    assert.equal(code, 0, run.stdout() + run.stderr());
    assert.deepEqual(outcomes, [["accepted"], ["released"], ["released"], ["released"], ["released"], []]);
    assert.equal(queue.ready.length, PREFETCH, "nothing lost: the released four and the one never delivered");
  });

  test("HaltConsumer(requeue=True): its message released too", async () => {
    const { code, outcomes, run } = await endWithPrefetchFull({ outcome: "halt-requeue", sleep_ms: 200 });

    assert.equal(code, 0, run.stdout() + run.stderr());
    assert.deepEqual(outcomes, [["released"], ["released"], ["released"], ["released"], ["released"], []]);
  });

  test("a callback error: every unsettled delivery released, exit 13", async () => {
    const { code, outcomes, run } = await endWithPrefetchFull({ outcome: "fail", sleep_ms: 200 });

    assert.equal(code, 13, run.stdout() + run.stderr());
    assert.deepEqual(outcomes, [["released"], ["released"], ["released"], ["released"], ["released"], []]);
  });

  test("SIGTERM: the message in progress finishes and is accepted, the rest released, exit 0", async () => {
    const { code, outcomes, run } = await endWithPrefetchFull({ outcome: "accept", sleep_ms: 300 }, async ({ peer, setup, run: running }, firstId) => {
      await peer.waitFor("the first callback running", () => setup.records().some((r) => r["id"] === firstId));
      running.child.kill("SIGTERM");
    });

    assert.equal(code, 0, run.stdout() + run.stderr());
    assert.deepEqual(outcomes, [["accepted"], ["released"], ["released"], ["released"], ["released"], []]);
  });
});
