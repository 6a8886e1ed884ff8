/**
 * Credit and settlement, exactly: the peer counts credit the AMQP way from
 * RabbitMQ 4's initial delivery-count (2^32 - 5) and sends whatever the
 * daemon's FLOW frames allow, so a daemon that over-grants shows up as more
 * unsettled deliveries than `qos.prefetch_count`. Each outcome is checked
 * against the outcome table (src/consumer/outcome.ts, README).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { OutcomeName, PeerQueue } from "../support/amqp-peer.js";
import { consumingOnPeer, messages } from "./_harness.js";

const PREFETCH = 3;

/** Callback behaviour (message body) → the outcomes the broker must see for that message. */
const EXPECTED: Readonly<Record<string, OutcomeName[]>> = {
  accept: ["accepted"],
  "nack-once": ["released", "accepted"],
  drop: ["rejected"],
  halt: ["accepted"],
};

function assertWithinPrefetch(queue: PeerQueue, connection?: number): void {
  const deliveries = queue.deliveries.filter((d) => connection === undefined || d.connection === connection);
  const flows = queue.flows.filter((f) => connection === undefined || f.connection === connection);
  assert.ok(deliveries.length > 0 && flows.length > 0);
  for (const delivery of deliveries) assert.ok(delivery.unsettledAfter <= PREFETCH, `${delivery.unsettledAfter} unsettled deliveries, prefetch ${PREFETCH}`);
  for (const flow of flows) {
    assert.ok(flow.credit + flow.unsettled <= PREFETCH, `FLOW granted ${flow.credit} with ${flow.unsettled} unsettled, prefetch ${PREFETCH}`);
  }
  // Not vacuous: the daemon did fill its prefetch.
  assert.equal(Math.max(...deliveries.map((d) => d.unsettledAfter)), PREFETCH);
}

describe("credit and settlement", () => {
  test("unsettled deliveries never exceed the prefetch; each message gets the outcome of the table", async () => {
    const { peer, setup, queue, run } = await consumingOnPeer({ prefetch: PREFETCH });
    const behaviours = Array.from({ length: 24 }, (_, i) => ["accept", "nack-once", "drop", "accept"][i % 4]!);
    const ids = peer.publish(setup.queue, messages(setup, behaviours.map((outcome, n) => ({ n, outcome, sleep_ms: 5 }))));
    const [invalid] = peer.publish(setup.queue, [{ topic: setup.routingKey, rawBody: Buffer.from("{not json") }]);
    const [halt] = peer.publish(setup.queue, messages(setup, [{ outcome: "halt" }]));

    assert.equal(await run.exited, 0, run.stdout() + run.stderr());
    assertWithinPrefetch(queue);
    behaviours.forEach((behaviour, i) => assert.deepEqual(queue.outcomesOf(ids[i]!), EXPECTED[behaviour], `message ${i} (${behaviour})`));
    assert.deepEqual(queue.outcomesOf(invalid!), ["rejected"], "a message that fails validation");
    assert.deepEqual(queue.outcomesOf(halt!), EXPECTED["halt"]);
    const dropped = [...ids.filter((_, i) => behaviours[i] === "drop"), invalid].sort();
    assert.deepEqual(queue.dead.map((m) => m.id).sort(), dropped, "only dropped and invalid messages are gone");
    assert.ok(!queue.settlements.some((s) => s.outcome === "modified"), "the daemon never sends modified");
    assert.equal(queue.ready.length, 0);
  });

  test("qos.prefetch_count = 0 (no limit in AMQP 0-9-1): a generous 1000 credit, never 0", async () => {
    const { peer, setup, queue, run } = await consumingOnPeer({ prefetch: 0 });
    const [halt] = peer.publish(setup.queue, messages(setup, [{ outcome: "halt" }]));

    assert.equal(await run.exited, 0, run.stdout() + run.stderr());
    assert.deepEqual(queue.outcomesOf(halt!), ["accepted"]);
    assert.deepEqual(new Set(queue.flows.map((f) => f.credit + f.unsettled)), new Set([1000]));
  });

  test("after a reconnect: credit starts over within the prefetch, lost deliveries come back, a late outcome settles nothing new", async () => {
    const { peer, setup, queue, run } = await consumingOnPeer({ prefetch: PREFETCH });
    const bodies = [{ n: 1, outcome: "drop", sleep_ms: 300 }, ...Array.from({ length: 6 }, (_, i) => ({ n: i + 2 })), { outcome: "halt" }];
    const ids = peer.publish(setup.queue, messages(setup, bodies));
    // The slow callback runs and the prefetch is full: then the connection drops.
    await peer.waitFor("the slow callback running with the prefetch full", () => setup.records().some((r) => r["id"] === ids[0]) && queue.unsettled >= PREFETCH);
    const lost = queue.deliveries.filter((d) => d.connection === 0 && ids.includes(d.messageId)).map((d) => d.messageId);
    peer.dropConnections();

    assert.equal(await run.exited, 0, run.stdout() + run.stderr());
    assert.equal(lost.length, PREFETCH);
    // Each message settled exactly once, on the new connection, with its own outcome:
    // the first callback's late "drop" did not reject another message.
    assert.deepEqual(queue.outcomesOf(ids[0]!), ["rejected"]);
    for (const id of ids.slice(1)) assert.deepEqual(queue.outcomesOf(id), ["accepted"]);
    assert.ok(queue.settlements.filter((s) => ids.includes(s.messageId)).every((s) => s.connection === 1));
    for (const id of lost) {
      const again = queue.deliveries.find((d) => d.connection === 1 && d.messageId === id);
      assert.equal(again?.firstAcquirer, false, "a lost delivery comes back as a redelivery");
    }
    assertWithinPrefetch(queue, 1);
    assert.match(run.stdout(), /while delivery \d+ was being processed; its outcome cannot be sent and the broker will deliver the message again/);
  });
});
