/**
 * A broker that freezes: TCP stays up, but not a byte comes back, not even a
 * heartbeat (a hung or partitioned node, facts note §8). Only the daemon's
 * heartbeat check can tell; it must give up on the connection and consume
 * again on a new one.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { consumingOnPeer, messages } from "./_harness.js";

describe("heartbeats", () => {
  test("a frozen connection is given up once heartbeats stop, and consuming resumes on a new one", async () => {
    // heartbeat = 1 s: the daemon announces 0.5 s and gives up after 1 s of silence.
    const { peer, setup, queue, run } = await consumingOnPeer({ heartbeat: 1 });

    peer.freezeConnections();
    await peer.waitFor("a second connection", () => peer.connections.length === 2 && queue.consumers.size === 1);
    const [id] = peer.publish(setup.queue, messages(setup, [{ outcome: "halt" }]));

    assert.equal(await run.exited, 0, run.stdout() + run.stderr());
    assert.deepEqual(queue.outcomesOf(id!), ["accepted"]);
    assert.match(run.stdout(), /The connection to the broker was lost \(.*\), consumer halted; the connection should restart/);
  });
});
