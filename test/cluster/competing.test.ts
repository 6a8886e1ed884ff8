/**
 * Competing consumers on one quorum queue of the 3-node cluster: two, then
 * three daemons, each connected to its own node first, share a stream of
 * confirmed messages. Asserted: each daemon got a share and no confirmed id is
 * missing from the union (never "exactly N deliveries": a redelivery is allowed).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { publishMessages } from "../support/publish.js";
import { until } from "../support/wait.js";
import { allSeen, NODE_URLS, nodesOfApp, NODES, quorumQueue, startDaemon, stopDaemons, urlsFrom, waitForDaemons } from "./_cluster.js";

const COUNT = 2_000;

describe("competing consumers on a quorum queue", () => {
  for (const count of [2, 3]) {
    test(`${count} daemons, each starting on its own node, share ${COUNT} confirmed messages; the union is every message`, async () => {
      const queue = quorumQueue(`cluster-compete-${count}`);
      // Started at the same moment, all declaring the new queue (RabbitMQ may fail a declaration: it is retried).
      const daemons = Array.from({ length: count }, (_, i) => startDaemon(queue, urlsFrom(i)));
      await waitForDaemons(queue, daemons);
      // Each starts on its own node, but one whose first declaration lost the race
      // reconnects to the next node of its list (the pool's rule): placement is
      // reported, not asserted (it failed .ci/run once: daemon a on node b).
      const placement = await Promise.all(daemons.map(async (daemon) => (await nodesOfApp(daemon.app)).join(",")));
      console.log(`# daemons' nodes (node i first for daemon i): ${placement.join(" ")}`);
      if (placement.some((node, i) => node !== NODES[i])) console.log("# a daemon moved to another node (its first declaration was retried)");

      const ids = Array.from({ length: COUNT }, (_, i) => `${queue.name}-${i}`);
      // Published through the last node: the queue is the cluster's, whichever node takes the message.
      await publishMessages(NODE_URLS[2]!, ids.map((id, n) => ({ id, topic: queue.routingKey, body: { n } })));

      await until(() => allSeen(daemons, ids), { timeoutMs: 120_000, intervalMs: 200, what: "every confirmed id seen" });
      const shares = daemons.map((d) => new Set(d.records().map((r) => r.id)).size);
      console.log(`# shares of ${COUNT} messages among ${count} daemons: ${shares.join(" + ")}`);
      assert.ok(shares.every((share) => share > 0), `each daemon got a share: ${shares.join(", ")}`);
      assert.deepEqual(await stopDaemons(daemons), daemons.map(() => 0));
    });
  }
});
