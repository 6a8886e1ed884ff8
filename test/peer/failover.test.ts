/**
 * Failover across a pool of two brokers, with real AMQP connections to two
 * in-process peers: the connection supervisor (src/amqp/supervisor.ts) takes
 * the next address when one is down or drops us, and runs its on-connect work
 * (here: declaring the queue and binding, as the daemon does) on each new
 * connection. The CLI takes one `amqp_url` today, so the supervisor is driven
 * directly; the daemon's use of it is covered by the other peer tests.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { BrokerPool } from "../../src/amqp/brokers.js";
import type { BrokerConnection, ConnectionSettings } from "../../src/amqp/connection.js";
import { ManagementClient } from "../../src/amqp/management.js";
import { ConnectionSupervisor, type ConnectionStatus } from "../../src/amqp/supervisor.js";
import { declareTopology } from "../../src/amqp/topology.js";
import { defaultQueueSettings } from "../../src/config/defaults.js";
import type { AmqpPeer } from "../support/amqp-peer.js";
import { until } from "../support/wait.js";
import { startPeer } from "./_harness.js";

const QUEUE = "failover-queue";
const TOPOLOGY = {
  queues: { [QUEUE]: defaultQueueSettings() },
  bindings: [{ queue: QUEUE, exchange: "amq.topic", routing_keys: ["failover.#"], arguments: {} }],
  passive_declares: false,
};

function address(port: number): ConnectionSettings {
  return {
    host: "127.0.0.1",
    port,
    vhost: "/",
    username: "guest",
    password: "guest",
    properties: {},
    idleTimeoutMs: 0,
    connectTimeoutMs: 5_000,
    displayUrl: `amqp://guest:****@127.0.0.1:${port}/`,
  };
}

/** A supervisor over `ports` whose on-connect work declares the topology; records statuses and each connection's first flag. */
function supervise(ports: number[]) {
  const supervisor = new ConnectionSupervisor({ pool: new BrokerPool(ports.map(address)), maxDelayMs: 1_000 });
  const statuses: ConnectionStatus[] = [];
  const registrations: boolean[] = [];
  supervisor.onStatus((status) => statuses.push(status));
  supervisor.onConnect(async (connection: BrokerConnection, { first }) => {
    const management = await ManagementClient.open(connection.raw);
    try {
      await declareTopology(management, TOPOLOGY);
    } finally {
      management.close();
    }
    registrations.push(first);
  });
  supervisor.start();
  return { supervisor, statuses, registrations };
}

function declaredOn(peer: AmqpPeer): boolean {
  return peer.queues.has(QUEUE) && peer.bindings.some((b) => b.destination_queue === QUEUE && b.binding_key === "failover.#");
}

describe("failover between two peers", () => {
  test("the first address refuses: the supervisor connects to the second and declares there", async () => {
    const down = await startPeer();
    const downPort = down.port;
    await down.stop();
    const up = await startPeer();
    const { supervisor, statuses, registrations } = supervise([downPort, up.port]);

    await up.waitFor("the topology declared on the second peer", () => registrations.length === 1 && declaredOn(up));
    assert.deepEqual(
      statuses.map((s) => `${s.kind} ${"address" in s ? s.address : ""}`),
      [`connecting ${address(downPort).displayUrl}`, `connecting ${address(up.port).displayUrl}`, `connected ${address(up.port).displayUrl}`],
    );
    assert.equal(await supervisor.close(), undefined);
    await up.waitFor("our connection closed", () => up.openConnections.length === 0);
  });

  test("a dropped connection fails over to the other peer, and the on-connect work runs again there", async () => {
    const a = await startPeer();
    const b = await startPeer();
    const { supervisor, statuses, registrations } = supervise([a.port, b.port]);
    await a.waitFor("registered on the first peer", () => registrations.length === 1 && declaredOn(a));

    const aPort = a.port;
    await a.stop(); // a broker killed: TCP reset, then its port refuses
    await b.waitFor("registered again on the second peer", () => registrations.length === 2 && declaredOn(b));
    assert.deepEqual(registrations, [true, false]);
    const kinds = statuses.map((s) => s.kind);
    assert.deepEqual(kinds.slice(0, 2), ["connecting", "connected"]);
    assert.ok(kinds.includes("disconnected"), kinds.join());
    assert.equal(statuses.at(-1)?.kind, "connected");
    assert.equal((statuses.at(-1) as { address: string }).address, address(b.port).displayUrl);

    // And back: with the second peer closing us too, the first (up again on its port) takes over.
    const again = await startPeer({ port: aPort });
    b.closeConnections();
    await again.waitFor("registered again on the restarted first peer", () => registrations.length === 3 && declaredOn(again));

    const closed = supervisor.close();
    assert.equal(await closed, undefined);
    assert.equal(statuses.at(-1)?.kind, "closed");
  });

  test("both peers down: the attempts go round the pool, a then b, until one comes back", async () => {
    const [a, b] = [await startPeer(), await startPeer()];
    const [portA, portB] = [a.port, b.port];
    await Promise.all([a.stop(), b.stop()]);
    const { supervisor, statuses } = supervise([portA, portB]);
    await until(() => statuses.filter((s) => s.kind === "connecting").length >= 4, { what: "two rounds of attempts" });

    const back = await startPeer({ port: portB });
    await back.waitFor("the topology declared on b", () => declaredOn(back));
    await supervisor.close();

    const attempts = statuses.filter((s) => s.kind === "connecting").map((s) => ("address" in s ? s.address : ""));
    assert.deepEqual(attempts.slice(0, 4), [address(portA).displayUrl, address(portB).displayUrl, address(portA).displayUrl, address(portB).displayUrl]);
    assert.equal(statuses.filter((s) => s.kind === "connected").length, 1);
  });
});
