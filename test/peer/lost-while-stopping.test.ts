/**
 * A connection lost while the daemon is stopping: the callback in progress
 * finishes, the run ends as asked, and no new connection is opened just to be
 * closed again (the supervisor's `closeAfter`). Run in this process through
 * `consume()`, whose AbortSignal stops the daemon synchronously, so that the
 * connection can be dropped at a known point of the stop.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { consume, type Message } from "../../src/index.js";
import { loadConfig } from "../../src/config/load.js";
import { setLevel } from "../../src/log.js";
import { messages, peerConfig, startPeer } from "./_harness.js";

setLevel("fedora_messaging", 50); // the daemon's lines would mix with the test report

describe("a connection lost while stopping", () => {
  test("SIGTERM-like stop, then the connection drops: the callback finishes, the run ends stopped, no reconnection", async () => {
    const sockets = () => process.getActiveResourcesInfo().filter((kind) => kind === "TCPSocketWrap").length;
    const socketsBefore = sockets();
    const peer = await startPeer();
    const setup = peerConfig(peer);
    const queue = peer.queue(setup.queue);
    let release!: () => void;
    const callbackGate = new Promise<void>((resolve) => (release = resolve));
    let started = 0;
    let finished = 0;
    const controller = new AbortController();
    const result = consume(
      async (_message: Message) => {
        started++;
        await callbackGate;
        finished++;
      },
      { config: loadConfig({ path: setup.config }), mode: "in-process", signal: controller.signal },
    );

    peer.publish(setup.queue, messages(setup, [{ n: 1 }]));
    await peer.waitFor("the callback running", () => started === 1);
    controller.abort(); // the daemon starts stopping at once: no more credit, the callback is awaited
    await new Promise((resolve) => setImmediate(resolve));
    peer.dropConnections();
    // Both ends of the socket gone: the daemon has seen the drop (a reconnection would open a new socket at once).
    await peer.waitFor("the drop seen by the daemon", () => peer.connections.every((c) => c.closed) && sockets() === socketsBefore);
    release();

    assert.deepEqual(await result, { kind: "stopped" });
    assert.equal(finished, 1);
    assert.equal(peer.connections.length, 1, "no connection opened after the drop");
    assert.deepEqual(queue.settlements.length, 0, "the outcome could not reach the broker: it redelivers");
  });
});
