/**
 * A broker that goes away and comes back on the same port, as a restart does:
 * the daemon sees the connection reset, retries with backoff while the port
 * refuses, and consumes again from the new broker (which knows nothing of the
 * old queue: the daemon declares it again).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { consumingOnPeer, messages, startPeer } from "./_harness.js";

describe("a broker restart", () => {
  test("connection reset, refused while down, then consuming resumes on the restarted broker", async () => {
    const { peer, setup, run } = await consumingOnPeer();
    const port = peer.port;

    await peer.stop();
    await peer.waitFor("a refused reconnection attempt", () => /retrying in \d+\.\d s/.test(run.stdout()));
    const restarted = await startPeer({ port });
    await restarted.waitFor("the queue declared again and consumed", () => restarted.queues.get(setup.queue)?.consumers.size === 1);
    const [id] = restarted.publish(setup.queue, messages(setup, [{ outcome: "halt" }]));

    assert.equal(await run.exited, 0, run.stdout() + run.stderr());
    assert.deepEqual(restarted.queue(setup.queue).outcomesOf(id!), ["accepted"]);
    assert.deepEqual(restarted.bindings.map((b) => [b.source, b.destination_queue, b.binding_key]), [["amq.topic", setup.queue, setup.routingKey]]);
    assert.match(run.stdout(), /The connection to the broker was lost \(.*\), consumer halted; the connection should restart and consuming will resume\./);
  });

  test(
    "a reconnection reset during the handshake (the broker still booting) is retried",
    {},
    async () => {
      const { peer, setup, run } = await consumingOnPeer();

      peer.resetHandshakes = true;
      peer.dropConnections();
      await peer.waitFor("a reconnection reset during its handshake, or the run's end", () => peer.resetSockets.length > 0 || run.child.exitCode !== null);
      peer.resetHandshakes = false;
      await peer.waitFor("consuming again, or the run's end", () => (peer.queues.get(setup.queue)?.consumers.size ?? 0) > 0 || run.child.exitCode !== null);
      const [id] = peer.publish(setup.queue, messages(setup, [{ outcome: "halt" }]));

      assert.equal(await run.exited, 0, run.stdout() + run.stderr());
      assert.deepEqual(peer.queue(setup.queue).outcomesOf(id!), ["accepted"]);
    },
  );
});
