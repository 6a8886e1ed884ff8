/**
 * The recommended production setup for a poison message: a quorum queue with
 * `x-delivery-limit` and a dead-letter queue. A callback that always throws
 * `Nack` for one message: after the limit the broker dead-letters it, and the
 * daemon goes on with the other messages.
 */
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { uniqueName } from "../support/broker.js";
import { publishMessages } from "../support/publish.js";
import { until } from "../support/wait.js";
import { allSeen, NODE_URLS, declareQuorumQueue, deleteQueue, messageCount, mgmt, quorumQueue, startDaemon, stopDaemons, urlsFrom, waitForDaemons } from "./_cluster.js";

describe("quorum queue arguments", () => {
  test("always Nacked: dead-lettered after x-delivery-limit, and the consumer goes on", async () => {
    const deadLetters = uniqueName("cluster-dlq");
    after(() => deleteQueue(deadLetters).catch(() => undefined));
    await declareQuorumQueue(deadLetters);
    const queue = quorumQueue("cluster-poison", { "x-delivery-limit": 3, "x-dead-letter-exchange": "", "x-dead-letter-routing-key": deadLetters });
    const daemon = startDaemon(queue, urlsFrom(0), { prefetch: 1 });
    await waitForDaemons(queue, [daemon]);

    const poison = `${queue.name}-poison`;
    const others = Array.from({ length: 20 }, (_, i) => `${queue.name}-${i}`);
    await publishMessages(NODE_URLS[0]!, [
      { id: poison, topic: queue.routingKey, body: { outcome: "nack" } },
      ...others.map((id, n) => ({ id, topic: queue.routingKey, body: { n } })),
    ]);

    await until(async () => (await messageCount(deadLetters)) === 1, { timeoutMs: 60_000, intervalMs: 100, what: "the poison message in the dead-letter queue" });
    await until(() => allSeen([daemon], others), { timeoutMs: 60_000, what: "every other message consumed" });
    const [dead] = (await mgmt(`/queues/%2F/${deadLetters}/get`, { method: "POST", body: { count: 1, ackmode: "ack_requeue_true", encoding: "auto" } })) as Array<{ properties: { message_id?: string } }>;
    assert.equal(dead?.properties.message_id, poison);
    const poisonCounts = daemon.records().filter((r) => r.id === poison).map((r) => r.deliveryCount);
    console.log(`# the poison message reached the callback ${poisonCounts.length} times before it was dead-lettered, message.deliveryCount ${poisonCounts.join(", ")}`);
    // The callback can see the attempts add up (to drop a poison message itself, without a broker-side limit).
    assert.equal(poisonCounts[0], 0);
    assert.ok(poisonCounts.every((count, i) => i === 0 || count > poisonCounts[i - 1]!), poisonCounts.join());
    assert.equal(await messageCount(queue.name), 0);
    assert.deepEqual(await stopDaemons([daemon]), [0]);
  });

  test("a quorum queue that exists with another delivery limit: exit 10 with Python's sentence and the broker's text", async () => {
    const queue = quorumQueue("cluster-mismatch", { "x-delivery-limit": 5 });
    await declareQuorumQueue(queue.name, { "x-delivery-limit": 3 });
    const daemon = startDaemon(queue, urlsFrom(1));
    assert.equal(await daemon.run.exited, 10, daemon.run.stdout());
    assert.match(daemon.run.stdout(), /\[fedora_messaging\.cli ERROR\] Unable to declare the queue object on the AMQP broker\. The broker responded with .*inequivalent arg 'x-delivery-limit'.*\. Check permissions for your user\./);
  });
});
