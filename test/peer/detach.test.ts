/**
 * A consumer link the broker detaches while consuming. RabbitMQ 4 detaches
 * the consumers of a deleted queue; whatever the condition says, a cancel
 * ends the run with exit 12 (Python's ConsumerCanceled), while a link merely
 * forced off is consumed again on a new connection.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { consumingOnPeer, messages } from "./_harness.js";

describe("a live consumer link detached by the broker", () => {
  for (const condition of ["amqp:not-found", "amqp:resource-deleted"]) {
    test(`${condition}: exit 12 with Python's log lines, no reconnection`, async () => {
      const { peer, setup, queue, run } = await consumingOnPeer();

      assert.equal(peer.detachConsumers(setup.queue, { condition, description: `queue '${setup.queue}' in vhost '/' was deleted` }), 1);
      const code = await run.exited;

      assert.equal(code, 12, run.stdout() + run.stderr());
      assert.match(run.stdout(), new RegExp(`\\[fedora_messaging\\.twisted\\.consumer ERROR\\] Consumer\\(queue=${setup.queue}\\) was canceled by the AMQP broker!`));
      assert.match(run.stdout() + run.stderr(), /The consumer was canceled server-side, check with system administrators\./);
      assert.deepEqual(queue.outcomesOf(queue.settlements[0]!.messageId), ["accepted"]);
      assert.equal(peer.connections.length, 1, "no reconnection after a cancel");
    });
  }

  test("amqp:link:detach-forced: a new connection, and consuming resumes", async () => {
    const { peer, setup, queue, run } = await consumingOnPeer();

    peer.detachConsumers(setup.queue, { condition: "amqp:link:detach-forced", description: "forced off" });
    await peer.waitFor("a second consumer link", () => queue.consumers.size === 1 && peer.connections.length === 2);
    const [second] = peer.publish(setup.queue, messages(setup, [{ n: 2, outcome: "halt" }]));

    assert.equal(await run.exited, 0, run.stdout() + run.stderr());
    assert.deepEqual(queue.outcomesOf(second!), ["accepted"]);
    assert.match(run.stdout(), /Consumer of queue \S+ halted \(amqp:link:detach-forced: forced off\) unexpectedly; the connection will restart\./);
  });
});
