/**
 * A cluster node killed in the middle of a stream: three daemons, one first
 * connected to each node, consume one quorum queue while 5,000 confirmed
 * messages arrive; the node holding the queue's leader gets SIGKILL. Asserted:
 * no confirmed id missing; duplicates only as redeliveries (the broker says
 * so: `message.redelivered`) and only within what was in flight (at most
 * prefetch_count per daemon: deliveries a dead connection could not settle);
 * the daemon on the killed node connects to another node and consumes on; the
 * killed node restarts and rejoins. How long the failover took is printed.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { publishMessages } from "../support/publish.js";
import { eventually, until } from "../support/wait.js";
import { allSeen, NODE_URLS, NODES, killNode, leaderOf, nodesOfApp, quorumQueue, seenIds, startDaemons, startNode, stopDaemons } from "./_cluster.js";

const COUNT = 5_000;
const PREFETCH = 10;

describe("a node killed mid-stream", () => {
  test(`SIGKILL of the queue leader's node during ${COUNT} confirmed messages: none lost, the daemon there fails over`, async () => {
    const queue = quorumQueue("cluster-kill");
    const daemons = await startDaemons(queue, NODES.length, { prefetch: PREFETCH });
    const leader = await eventually(() => leaderOf(queue.name), (node) => node !== undefined, { what: "a queue leader" });
    const victimIndex = NODES.indexOf(leader!);
    assert.ok(victimIndex >= 0, `leader ${leader} is one of ${NODES.join(", ")}`);
    const victim = daemons[victimIndex]!;
    assert.deepEqual(await nodesOfApp(victim.app), [leader]);
    // When the daemon's own output says it connected again: measured, never waited for.
    let killedAt = 0;
    let reconnectedAt = 0;
    victim.run.child.stdout!.on("data", (chunk: Buffer) => {
      if (reconnectedAt === 0 && killedAt > 0 && chunk.toString().includes("Connected to ")) reconnectedAt = Date.now();
    });

    const ids = Array.from({ length: COUNT }, (_, i) => `${queue.name}-${i}`);
    // Through a node that survives: every message the broker confirms must reach a callback.
    const publisherUrl = NODE_URLS[(victimIndex + 1) % NODES.length]!;
    const publishing = publishMessages(publisherUrl, ids.map((id, n) => ({ id, topic: queue.routingKey, body: { n } })), { timeoutMs: 180_000 });
    await until(() => seenIds(daemons).size >= COUNT / 5, { timeoutMs: 120_000, intervalMs: 20, what: "a fifth of the stream consumed" });

    const seenAtKill = seenIds(daemons).size;
    killedAt = Date.now();
    await killNode(leader!);
    const victimRecordsAtKill = victim.records().length;
    const [movedTo] = await eventually(() => nodesOfApp(victim.app), (nodes) => nodes.length === 1 && nodes[0] !== leader, {
      timeoutMs: 30_000,
      intervalMs: 25,
      what: "the daemon of the killed node connected to another node",
    });
    const seenByManagementMs = Date.now() - killedAt;
    console.log(
      `# SIGKILL of ${leader} (queue leader) after ${seenAtKill} of ${COUNT} ids seen: its daemon connected to ${movedTo} ` +
        `${reconnectedAt ? `${reconnectedAt - killedAt} ms after the kill (its own log)` : "(log line not seen)"}, ` +
        `shown by the management API after ${seenByManagementMs} ms; new leader ${await leaderOf(queue.name)}`,
    );

    await publishing; // every message confirmed
    await until(() => allSeen(daemons, ids), { timeoutMs: 180_000, intervalMs: 200, what: "every confirmed id seen" });
    const seen = seenIds(daemons);
    const duplicates = [...seen].filter(([, n]) => n > 1).map(([id]) => id);
    console.log(`# ${COUNT} confirmed, ${seen.size} distinct ids seen, ${duplicates.length} seen more than once`);
    assert.ok(duplicates.length <= PREFETCH * daemons.length, `${duplicates.length} duplicates: more than the ${PREFETCH * daemons.length} deliveries that can be in flight`);
    // Duplicates only as redeliveries: every delivery of an id after its first says the broker delivered it before.
    const records = daemons.flatMap((d) => d.records());
    for (const id of duplicates) {
      const deliveries = records.filter((r) => r.id === id);
      assert.ok(deliveries.filter((r) => r.redelivered).length >= deliveries.length - 1, `${id}: ${JSON.stringify(deliveries)}`);
    }
    assert.ok(victim.records().length > victimRecordsAtKill, "the daemon of the killed node consumed again after failing over");

    const restartedAt = Date.now();
    await startNode(leader!); // returns once it runs and is clustered with the other two
    console.log(`# ${leader} restarted and rejoined in ${Date.now() - restartedAt} ms`);
    assert.deepEqual(await stopDaemons(daemons), [0, 0, 0]);
  });
});
