/**
 * Several queues in one daemon: one consumer per queue, each serial; a
 * HaltConsumer on one stops every consumer, and what the others held goes
 * back to their queues (Python: any consumer's end stops the reactor).
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { brokerUrls } from "../support/broker.js";
import { waitForQueue } from "../support/management.js";
import { BEHAVIOURS, consumeToEnd, testQueues } from "./_harness.js";

const freshQueue = testQueues();

describe("several queues", () => {
  test("both queues are consumed; a halt on one stops both, the other's messages stay queued", async () => {
    const a = await freshQueue("multi-a");
    const b = await freshQueue("multi-b");
    const config = join(a.dir, "multi.toml");
    const queueTable = (name: string) => `[queues.${JSON.stringify(name)}]\ndurable = true\nauto_delete = false\nexclusive = false\narguments = {}\n`;
    const binding = (name: string, key: string) => `[[bindings]]\nqueue = ${JSON.stringify(name)}\nexchange = "amq.topic"\nrouting_keys = [${JSON.stringify(key)}]\n`;
    writeFileSync(
      config,
      [
        `amqp_url = ${JSON.stringify(brokerUrls().amqpUrl)}`,
        `callback = ${JSON.stringify(`${BEHAVIOURS}:haltOnMarker`)}`,
        queueTable(a.name),
        queueTable(b.name),
        binding(a.name, a.routingKey),
        binding(b.name, b.routingKey),
        "[qos]\nprefetch_count = 1",
        `[consumer_config]\nrecord_file = ${JSON.stringify(a.recordFile)}\nhalt_code = 7`,
      ].join("\n"),
    );
    await a.publish([{ n: 1 }, { n: 2 }, { n: 3 }]);
    await b.publish([{ n: 1 }, { halt: true }]);
    const { code, stdout } = await consumeToEnd(config);
    assert.equal(code, 7, stdout);
    const seen = a.records();
    assert.ok(seen.some((r) => r["queue"] === a.name), "queue A was consumed");
    assert.ok(seen.some((r) => r["queue"] === b.name), "queue B was consumed");
    // Each queue keeps exactly what was not processed (and nothing is unacknowledged).
    const processedA = seen.filter((r) => r["queue"] === a.name).length;
    await waitForQueue(a.name, (q) => q.messages_ready === 3 - processedA && q.messages_unacknowledged === 0, 10_000);
    await waitForQueue(b.name, (q) => q.messages === 0, 10_000);
    assert.match(stdout, /Consumer halted with non-zero exit code \(7\): marker seen/);
  });
});
