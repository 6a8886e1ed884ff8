/**
 * Failover across a pool of two brokers, through the connection supervisor
 * (src/amqp/supervisor.ts) with the daemon's own connection and management
 * modules: when the broker in use dies, the next one in the pool is tried at
 * once (no backoff while another address is left), and the on-connect work
 * (here: declaring a queue, as the daemon's topology does) runs again there.
 * The config's `amqp_url` is one address today, so the CLI cannot be pointed
 * at two peers yet; this is the supervisor on its own.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { BrokerPool } from "../../src/amqp/brokers.js";
import type { BrokerConnection } from "../../src/amqp/connection.js";
import { ManagementClient } from "../../src/amqp/management.js";
import { ConnectionSupervisor, type ConnectionStatus } from "../../src/amqp/supervisor.js";
import { setLevel } from "../../src/log.js";
import { peerSettings, startPeer } from "./_harness.js";

setLevel("fedora_messaging", 50); // the supervisor's lines would mix with the test report

const QUEUE = "failover";

/** Declares the queue on every new connection, as the daemon's registration does. */
async function declare(connection: BrokerConnection): Promise<void> {
  const management = await ManagementClient.open(connection.raw);
  try {
    await management.declareQueue(QUEUE, { durable: true, exclusive: false, auto_delete: false, arguments: {} });
  } finally {
    management.close();
  }
}

describe("failover", () => {
  test("a pool of two peers: the next one at once when the first dies, and back when the second dies", async () => {
    const [a, b] = [await startPeer(), await startPeer()];
    const supervisor = new ConnectionSupervisor({ pool: new BrokerPool([peerSettings(a), peerSettings(b)]), maxDelayMs: 1_000 });
    const statuses: ConnectionStatus[] = [];
    supervisor.onStatus((status) => statuses.push(status));
    supervisor.onConnect(declare);
    supervisor.start();
    await a.waitFor("the queue declared on a", () => a.queues.has(QUEUE));

    a.kill();
    await b.waitFor("the queue declared on b", () => b.queues.has(QUEUE));
    const restartedA = await startPeer({ port: a.port });
    b.kill();
    await restartedA.waitFor("the queue declared on a again", () => restartedA.queues.has(QUEUE));
    await supervisor.close();

    const [urlA, urlB] = [peerSettings(a).displayUrl, peerSettings(b).displayUrl];
    assert.deepEqual(
      statuses.map((s) => `${s.kind} ${"address" in s ? s.address : ""}`.trim()),
      [`connecting ${urlA}`, `connected ${urlA}`, `disconnected ${urlA}`, `connecting ${urlB}`, `connected ${urlB}`, `disconnected ${urlB}`, `connecting ${urlA}`, `connected ${urlA}`, "closed"],
    );
    assert.equal(await supervisor.closed(), undefined);
  });

  test("both peers down: the attempts go round the pool, a then b, until one comes back", async () => {
    const [a, b] = [await startPeer(), await startPeer()];
    const portB = b.port;
    await Promise.all([a.stop(), b.stop()]);
    const supervisor = new ConnectionSupervisor({ pool: new BrokerPool([peerSettings(a), peerSettings(b)]), maxDelayMs: 1_000 });
    const statuses: ConnectionStatus[] = [];
    supervisor.onStatus((status) => statuses.push(status));
    supervisor.onConnect(declare);
    supervisor.start();
    await a.waitFor("two rounds of attempts", () => statuses.filter((s) => s.kind === "connecting").length >= 4);

    const back = await startPeer({ port: portB });
    await back.waitFor("the queue declared on b", () => back.queues.has(QUEUE));
    await supervisor.close();

    const attempts = statuses.filter((s) => s.kind === "connecting").map((s) => ("address" in s ? s.address : ""));
    const [urlA, urlB] = [peerSettings(a).displayUrl, peerSettings(back).displayUrl];
    assert.deepEqual(attempts.slice(0, 4), [urlA, urlB, urlA, urlB]);
    assert.equal(statuses.filter((s) => s.kind === "connected").length, 1);
  });
});
