/**
 * What the daemon accepts at the handshake: SASL PLAIN or ANONYMOUS, and
 * only a broker that says it is RabbitMQ >= 4.0 in its OPEN properties
 * (RabbitMQ 3.x drops fedora-messaging headers over AMQP 1.0). A real broker
 * cannot pretend to be another one; the peer can.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { consumeWith, messages, peerConfig, startPeer } from "./_harness.js";

const HANDSHAKE_FAILED = /The TCP connection appears to have started, but the TLS or AMQP handshake with the broker failed/;

describe("the handshake", () => {
  for (const [product, version] of [
    ["RabbitMQ", "3.13.7"],
    ["apache-activemq-artemis", "2.31.2"],
  ] as const) {
    test(`${product} ${version} is refused with exit 14, before anything is declared`, async () => {
      const peer = await startPeer({ product, version });
      const run = consumeWith(peerConfig(peer));

      assert.equal(await run.exited, 14, run.stdout() + run.stderr());
      assert.match(run.stdout() + run.stderr(), new RegExp(`The broker is ${product} ${version.replaceAll(".", "\\.")}, but fedora-messaging headers need RabbitMQ >= 4\\.0`));
      assert.equal(peer.attaches.length, 0);
    });
  }

  test("the first connection reset during the handshake (as RabbitMQ does for an unknown vhost): exit 14", async () => {
    const peer = await startPeer();
    peer.resetHandshakes = true;
    const run = consumeWith(peerConfig(peer));

    assert.equal(await run.exited, 14, run.stdout() + run.stderr());
    assert.match(run.stdout() + run.stderr(), HANDSHAKE_FAILED);
    assert.equal(peer.resetSockets.length, 1, "no retry");
  });

  test("a wrong password: exit 14 with Python's sentence", async () => {
    const peer = await startPeer({ users: { guest: "not-guest" } });
    const run = consumeWith(peerConfig(peer));

    assert.equal(await run.exited, 14, run.stdout() + run.stderr());
    assert.match(run.stdout() + run.stderr(), HANDSHAKE_FAILED);
    assert.equal(peer.connections.filter((c) => c.opened).length, 0);
  });

  test("no user in the URL: SASL ANONYMOUS, and consuming works", async () => {
    const peer = await startPeer({ users: {} });
    const setup = peerConfig(peer, { amqpUrl: peer.url({ user: "" }) });
    const run = consumeWith(setup);
    const [id] = peer.publish(setup.queue, messages(setup, [{ outcome: "halt" }]));

    assert.equal(await run.exited, 0, run.stdout() + run.stderr());
    assert.deepEqual(peer.queue(setup.queue).outcomesOf(id!), ["accepted"]);
  });

  test("no user in the URL and ANONYMOUS not offered: exit 14", async () => {
    const peer = await startPeer({ anonymous: false });
    const run = consumeWith(peerConfig(peer, { amqpUrl: peer.url({ user: "" }) }));

    assert.equal(await run.exited, 14, run.stdout() + run.stderr());
    assert.match(run.stdout() + run.stderr(), HANDSHAKE_FAILED);
  });
});
