/**
 * A single-active-consumer quorum queue (`x-single-active-consumer`): of two
 * daemons on two nodes only one consumes (strict order); when it is
 * SIGKILLed the standby takes over and no confirmed message is lost. The
 * takeover time is printed.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { publishMessages } from "../support/publish.js";
import { until } from "../support/wait.js";
import { allSeen, NODE_URLS, quorumQueue, seenIds, startDaemons } from "./_cluster.js";

const COUNT = 3_000;

describe("a single-active-consumer queue", () => {
  test("the standby daemon takes over when the active one is SIGKILLed; nothing lost", async () => {
    const queue = quorumQueue("cluster-sac", { "x-single-active-consumer": true });
    const daemons = await startDaemons(queue, 2);

    const ids = Array.from({ length: COUNT }, (_, i) => `${queue.name}-${i}`);
    await publishMessages(NODE_URLS[2]!, ids.map((id, n) => ({ id, topic: queue.routingKey, body: { n } })));
    await until(() => seenIds(daemons).size >= COUNT / 10, { timeoutMs: 60_000, intervalMs: 20, what: "a tenth of the messages consumed" });
    const counts = daemons.map((d) => d.records().length);
    const active = counts.findIndex((n) => n > 0);
    const standby = daemons[1 - active]!;
    assert.equal(standby.records().length, 0, `only the active daemon consumes: ${counts.join(", ")}`);

    const killedAt = Date.now();
    daemons[active]!.run.child.kill("SIGKILL");
    await until(() => standby.records().length > 0, { timeoutMs: 30_000, intervalMs: 10, what: "the standby consuming" });
    console.log(`# the standby took over ${Date.now() - killedAt} ms after the active daemon was SIGKILLed, after ${counts[active]} messages`);
    await until(() => allSeen(daemons, ids), { timeoutMs: 60_000, intervalMs: 200, what: "every confirmed id seen" });
    const duplicates = [...seenIds(daemons).values()].filter((n) => n > 1).length;
    console.log(`# ${COUNT} confirmed, all seen, ${duplicates} seen twice`);

    standby.run.child.kill("SIGTERM");
    assert.equal(await standby.run.exited, 0);
  });
});
