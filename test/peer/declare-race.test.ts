/**
 * A first registration the broker fails internally: RabbitMQ 4.0.5 ends the
 * management session with amqp:internal-error when another daemon created the
 * same quorum queue an instant before. The daemon connects again and declares
 * again (the queue is there now) instead of ending its run; a failure that
 * keeps coming back still ends the run after a few tries.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { consumeWith, messages, peerConfig, startPeer } from "./_harness.js";

describe("a declaration the broker fails internally at start", () => {
  test("is tried again on a new connection, and consuming starts", async () => {
    const peer = await startPeer();
    let failures = 1;
    peer.managementOverride = (request) => (request.method === "PUT" && request.path.startsWith("/queues/") && failures-- > 0 ? "end-session" : undefined);
    const setup = peerConfig(peer);
    const run = consumeWith(setup);
    await peer.waitFor("the queue declared on a second connection and consumed", () => (peer.queues.get(setup.queue)?.consumers.size ?? 0) === 1, 20_000);
    const [halt] = peer.publish(setup.queue, messages(setup, [{ outcome: "halt" }]));
    assert.equal(await run.exited, 0, run.stdout() + run.stderr());
    assert.deepEqual(peer.queue(setup.queue).outcomesOf(halt!), ["accepted"]);
    assert.ok(peer.connections.length >= 2);
    assert.match(run.stdout(), /Registering the consumers on the new connection failed \(the management session ended: amqp:internal-error .*\); restarting connection\./);
  });

  test("that keeps failing ends the run after a few tries", async () => {
    const peer = await startPeer();
    peer.managementOverride = (request) => (request.method === "PUT" && request.path.startsWith("/queues/") ? "end-session" : undefined);
    const setup = peerConfig(peer, { extra: "reconnect_max_delay = 1" });
    const run = consumeWith(setup);
    const code = await run.exited;
    assert.equal(code, 1, run.stdout());
    assert.match(run.stdout() + run.stderr(), /the management session ended: amqp:internal-error/);
    assert.equal(peer.connections.length, 4, "the first connection and three more");
  });
});
