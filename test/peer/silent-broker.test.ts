/**
 * A broker that answers the OPEN and then nothing: no ATTACH comes back, or no
 * answer to a management request. The daemon gives each 30 s
 * (src/amqp/management.ts MANAGEMENT_TIMEOUT_MS for the management link pair
 * and its requests, src/consumer/queue-consumer.ts ATTACH_TIMEOUT_MS for a
 * consumer); none is configurable, so these tests
 * run the daemon in this process through the library's `consume()` and fake
 * `setTimeout` (node:test mock timers) to jump over the 30 s. Sockets, rhea's
 * frame processing (nextTick) and the peer's own waits stay real.
 */
import assert from "node:assert/strict";
import { afterEach, describe, mock, test } from "node:test";
import { consume, HaltConsumer, type Message } from "../../src/index.js";
import { loadConfig } from "../../src/config/load.js";
import { setLevel } from "../../src/log.js";
import { exitCodeForError } from "../../src/cli/exit-codes.js";
import type { AmqpPeer } from "../support/amqp-peer.js";
import { messages, peerConfig, startPeer, type PeerSetup } from "./_harness.js";

setLevel("fedora_messaging", 50); // the daemon's lines would mix with the test report

const ATTACH_TIMEOUT_MS = 30_000;

afterEach(() => mock.timers.reset());

const realClearTimeout = globalThis.clearTimeout;

/**
 * Fakes setTimeout, and hands the fake clearTimeout only the timers it made.
 * Given another timer (a real one armed before the fake, or a fake one of the
 * previous test, both met when a connection of the previous test ends now),
 * node:test's fake removes whatever timer sits at that position of its queue
 * (Node 20), such as the daemon's reconnection delay.
 */
function fakeTimers(): void {
  mock.timers.enable({ apis: ["setTimeout"] });
  const fakeSetTimeout = globalThis.setTimeout;
  const fakeClearTimeout = globalThis.clearTimeout;
  const made = new WeakSet<object>();
  globalThis.setTimeout = ((...args: Parameters<typeof setTimeout>) => {
    const timer = fakeSetTimeout(...args);
    made.add(timer);
    return timer;
  }) as typeof setTimeout;
  globalThis.clearTimeout = ((timer?: NodeJS.Timeout | string | number) => {
    if (typeof timer === "object" && made.has(timer)) fakeClearTimeout(timer);
    else if (typeof (timer as { priorityQueuePosition?: unknown } | undefined)?.priorityQueuePosition !== "number") realClearTimeout(timer);
    // else: a fake timer of an earlier test, already gone with its queue
  }) as typeof clearTimeout;
}

/** Starts `consume()` on `peer` with fake timers; the callback halts on a body `{ halt: true }`. */
function consumeInProcess(peer: AmqpPeer): { setup: PeerSetup; result: Promise<unknown> } {
  const setup = peerConfig(peer);
  const config = loadConfig({ path: setup.config });
  fakeTimers();
  const result = consume(
    (message: Message) => {
      if ((message.body as { halt?: boolean }).halt) throw new HaltConsumer(0);
    },
    { config },
  ).then(
    (outcome) => outcome,
    (error: unknown) => error,
  );
  return { setup, result };
}

describe("a broker that stops answering after the OPEN", () => {
  test("the management link pair: registration fails after 30 s with exit 11, nothing hangs", async () => {
    const peer = await startPeer();
    peer.answerAttach = () => false;
    const { result } = consumeInProcess(peer);
    await peer.waitFor("both management links attached by the daemon", () => peer.attaches.length === 2);
    assert.ok(peer.attaches.every((a) => a.address === "/management"));

    mock.timers.tick(ATTACH_TIMEOUT_MS);
    const error = await result;

    const report = exitCodeForError(error);
    assert.equal(report.code, 11, String(error));
    assert.match(String(report.message), /An unexpected error \(.*the management link pair did not attach in time.*\) occurred while registering the consumer/);
    await peer.waitFor("the connection closed", () => peer.connections.every((c) => c.closed));
  });

  test("a consumer link: registration fails after 30 s with exit 11 naming the queue", async () => {
    const peer = await startPeer();
    peer.answerAttach = (attach) => !attach.address?.startsWith("/queues/");
    const { setup, result } = consumeInProcess(peer);
    await peer.waitFor("the consumer attach", () => peer.attaches.some((a) => a.address?.startsWith("/queues/")));
    assert.equal(peer.bindings.length, 1, "the topology was declared first");

    mock.timers.tick(ATTACH_TIMEOUT_MS);
    const error = await result;

    const report = exitCodeForError(error);
    assert.equal(report.code, 11, String(error));
    assert.match(String(report.message), new RegExp(`the broker did not answer the attach of queue ${setup.queue} within 30000 ms`));
    await peer.waitFor("the connection closed", () => peer.connections.every((c) => c.closed));
  });

  test("a management request never answered: registration fails after 30 s with exit 11", async () => {
    const peer = await startPeer();
    peer.managementOverride = (request) => (request.method === "PUT" ? "no-answer" : undefined);
    const { setup, result } = consumeInProcess(peer);
    await peer.waitFor("the queue declaration sent", () => peer.managementRequests.length === 1);

    mock.timers.tick(ATTACH_TIMEOUT_MS);
    const error = await result;

    const report = exitCodeForError(error);
    assert.equal(report.code, 11, String(error));
    assert.match(String(report.message), new RegExp(`PUT /queues/${setup.queue}: no answer from the management node in 30000 ms`));
    await peer.waitFor("the connection closed", () => peer.connections.every((c) => c.closed));
  });

  test(
    "after a reconnection: the attach times out, the daemon retries on a new connection and consumes again",
    {},
    async () => {
      const peer = await startPeer();
      const { setup, result } = consumeInProcess(peer);
      const queue = peer.queue(setup.queue);
      peer.publish(setup.queue, messages(setup, [{ n: 1 }]));
      await peer.waitFor("the first message accepted", () => queue.settlements.length === 1);

      peer.answerAttach = () => false;
      peer.dropConnections();
      await peer.waitFor("the second connection's attaches", () => peer.attaches.some((a) => a.connection === 1));
      mock.timers.tick(ATTACH_TIMEOUT_MS);
      peer.answerAttach = () => true;
      // The retry waits for the backoff (fake timers too): move time on until a third connection comes.
      let outcome: unknown;
      void result.then((value) => (outcome = value));
      await peer.waitFor("a third connection, or the run's end", () => {
        mock.timers.tick(1_000);
        return peer.connections.length === 3 || outcome !== undefined;
      });
      assert.equal(outcome, undefined, `the run ended instead of retrying: ${String(outcome)}`);
      peer.publish(setup.queue, messages(setup, [{ halt: true }]));
      assert.deepEqual(await result, { kind: "halted", exitCode: 0, reason: undefined });
    },
  );
});
