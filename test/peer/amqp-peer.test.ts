/**
 * The peer itself, seen through the daemon's own AMQP modules: it must keep
 * answering like RabbitMQ 4.0.5 (facts note §1, §2), or the ring would test
 * the daemon against a broker that does not exist.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { openConnection, type BrokerConnection } from "../../src/amqp/connection.js";
import { ManagementClient, ManagementSessionEnded } from "../../src/amqp/management.js";
import { clearHeartbeats, type AmqpPeer } from "../support/amqp-peer.js";
import { peerSettings, startPeer } from "./_harness.js";

async function managed(peer: AmqpPeer): Promise<{ connection: BrokerConnection; management: ManagementClient }> {
  const connection = await openConnection(peerSettings(peer));
  return { connection, management: await ManagementClient.open(connection.raw) };
}

const DURABLE = { durable: true, exclusive: false, auto_delete: false, arguments: {} };

describe("the AMQP peer", () => {
  test("OPEN like RabbitMQ 4.0.5", async () => {
    const peer = await startPeer();
    const connection = await openConnection(peerSettings(peer));
    try {
      assert.deepEqual(connection.broker, { product: "RabbitMQ", version: "4.0.5" });
      const open = (connection.raw as unknown as { remote: { open: Record<string, unknown> } }).remote.open;
      assert.equal(open["idle_time_out"], 30_000);
      assert.equal(open["channel_max"], 63);
      assert.deepEqual(open["offered_capabilities"], ["LINK_PAIR_V1_0", "ANONYMOUS-RELAY"]);
    } finally {
      await connection.close();
    }
  });

  test("the /management node answers with RabbitMQ's status codes", async () => {
    const peer = await startPeer();
    const { connection, management } = await managed(peer);
    try {
      assert.equal((await management.request("PUT", "/queues/q%201", DURABLE)).status, 201);
      assert.equal((await management.request("PUT", "/queues/q%201", DURABLE)).status, 200);
      assert.equal((await management.request("PUT", "/queues/q%201", { ...DURABLE, durable: false })).status, 409);
      const info = await management.checkQueue("q 1");
      assert.deepEqual([info.name, info.durable, info.type, info.message_count], ["q 1", true, "classic", 0]);
      assert.equal((await management.request("GET", "/queues/missing")).status, 404);
      assert.equal((await management.request("POST", "/bindings", { source: "amq.topic", destination_queue: "q 1" })).status, 400);
      await management.bindQueue("q 1", "amq.topic", "a.b");
      assert.deepEqual(peer.bindings, [{ source: "amq.topic", destination_queue: "q 1", binding_key: "a.b", arguments: {} }]);
      assert.equal((await management.request("DELETE", "/queues/missing")).status, 200);
    } finally {
      management.close();
      await connection.close();
    }
  });

  test("an unsupported management request ends the session, as RabbitMQ does", async () => {
    const peer = await startPeer();
    const { connection, management } = await managed(peer);
    try {
      await assert.rejects(management.request("PATCH", "/queues/q"), (error: unknown) => error instanceof ManagementSessionEnded && error.condition === "amqp:internal-error");
      await assert.rejects(management.request("GET", "/queues/q"), ManagementSessionEnded);
    } finally {
      await connection.close();
    }
  });

  test("two peers side by side; a graceful stop closes with connection:forced and frees the port", async () => {
    const [first, second] = [await startPeer(), await startPeer()];
    assert.notEqual(first.port, second.port);
    const a = await openConnection(peerSettings(first));
    const b = await openConnection(peerSettings(second));

    await first.stop({ graceful: true });

    const end = await a.ended;
    assert.match(String(end.error?.message), /amqp:connection:forced/);
    assert.equal(b.raw.is_open(), true, "the other peer is untouched");
    const again = await startPeer({ port: first.port });
    const c = await openConnection(peerSettings(again));
    await Promise.all([b.close(), c.close()]);
    for (const connection of [a, b, c]) clearHeartbeats(connection.raw); // see the next test
  });

  test(
    "a closed BrokerConnection leaves no rhea timer armed",
    {},
    async () => {
      const peer = await startPeer();
      const connection = await openConnection(peerSettings(peer));
      await connection.close();
      const timer = (connection.raw as unknown as { heartbeat_in?: { _destroyed?: boolean } }).heartbeat_in;
      const armed = timer !== undefined && !timer._destroyed;
      clearHeartbeats(connection.raw);
      assert.equal(armed, false, "heartbeat_in is still armed: it keeps the process alive for 60 s");
    },
  );
});
