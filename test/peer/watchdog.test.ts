/**
 * The watchdog against a connection that goes silent: the broker holds ready
 * messages and the daemon's credit, but delivers nothing (fedora-messaging
 * #208, anitya#1993). After `watchdog_timeout` seconds the daemon restarts
 * the connection and consuming resumes on the new one.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { consumingOnPeer, messages } from "./_harness.js";

describe("the watchdog", () => {
  test("a silent connection with credit and ready messages is restarted; the messages arrive on the next one", async () => {
    const { peer, setup, queue, run } = await consumingOnPeer({ extra: "watchdog_timeout = 1" });

    queue.hold();
    const ids = peer.publish(setup.queue, messages(setup, [{ n: 1 }, { n: 2 }, { n: 3, outcome: "halt" }]));
    await peer.waitFor("a second connection", () => peer.connections.length === 2);

    assert.equal(await run.exited, 0, run.stdout() + run.stderr());
    for (const id of ids) assert.deepEqual(queue.outcomesOf(id), ["accepted"]);
    const deliveredOn = queue.deliveries.filter((d) => ids.includes(d.messageId)).map((d) => d.connection);
    assert.deepEqual(deliveredOn, [1, 1, 1], "nothing on the silent connection, everything once on the next");
    assert.match(
      run.stdout(),
      new RegExp(`\\[fedora_messaging\\.twisted\\.protocol WARNING\\] No message arrived on queue ${setup.queue} for 1 s although it holds 3 ready and we have credit; restarting the connection\\.`),
    );
    assert.equal(peer.connections[0]!.closed, true, "the silent connection was closed");
  });
});
