/**
 * `callback_concurrency` against the real broker, in both callback modes:
 * several callbacks of one queue in flight, each message settled by its own
 * outcome as it completes, the credit rule, and how a halt, an unexpected
 * error, SIGTERM and a lost connection end with others in flight.
 *
 * The callback (`gatedEach`) waits for a file per message, so that the test
 * decides which of the messages in flight finishes when; every wait is for
 * a condition (records, the broker's counters, /ready), never a log line.
 */
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { closeConnectionsOfApp, getQueue, waitForQueue } from "../support/management.js";
import { until } from "../support/wait.js";
import { BEHAVIOURS, freePort, ROOT, runCli, testQueues, writeConfig, type CliRun, type TestQueue } from "./_harness.js";

const freshQueue = testQueues();

interface Started {
  readonly queue: TestQueue;
  readonly run: CliRun;
  /** Lets the callback of message `n` finish. */
  open(...ns: number[]): void;
  /** The `n` of each callback started (or ended), in order. */
  starts(): number[];
  ends(): number[];
  /** The monitoring port (/ready answers 503 once a stop is requested). */
  readonly port: number;
}

/** Publishes `bodies` and starts the daemon on them with the gated callback. */
async function start(
  mode: "worker" | "in-process",
  bodies: ReadonlyArray<Record<string, unknown>>,
  options: { concurrency: number; prefetch: number; haltCode?: number },
): Promise<Started> {
  const queue = await freshQueue(`conc-${mode}`);
  await queue.publish(bodies);
  const gates = join(queue.dir, "gates");
  mkdirSync(gates);
  const port = await freePort();
  const config = writeConfig(queue, {
    callback: `${BEHAVIOURS}:gatedEach`,
    callbackMode: mode,
    prefetch: options.prefetch,
    consumerConfig: { gate_dir: gates, ...(options.haltCode !== undefined ? { halt_code: options.haltCode } : {}) },
    extra: `callback_concurrency = ${options.concurrency}\n[monitoring]\naddress = "127.0.0.1"\nport = ${port}`,
  });
  const run = runCli(["--conf", config, "consume"], { timeoutMs: 90_000 });
  const phase = (name: string) => () => queue.records().filter((r) => r["phase"] === name).map((r) => (r["body"] as { n: number }).n);
  return {
    queue,
    run,
    port,
    open: (...ns) => ns.forEach((n) => writeFileSync(join(gates, String(n)), "")),
    starts: phase("start"),
    ends: phase("end"),
  };
}

const numbered = (count: number, then: Record<number, string> = {}) =>
  Array.from({ length: count }, (_, n) => (then[n] ? { n, then: then[n] } : { n }));

const sorted = (ns: number[]) => [...ns].sort((a, b) => a - b);

async function startsAre(s: Started, expected: number[]): Promise<void> {
  await until(() => sorted(s.starts()).join() === expected.join(), { what: `callbacks ${expected.join()} started`, timeoutMs: 30_000 });
}

async function readyStatus(port: number): Promise<number> {
  return (await fetch(`http://127.0.0.1:${port}/ready`)).status;
}

for (const mode of ["worker", "in-process"] as const) {
  describe(`callback_concurrency (${mode})`, () => {
    test("N callbacks in flight at once, each settled as it completes; credit + unsettled <= max(prefetch_count, N)", async () => {
      const s = await start(mode, numbered(6), { concurrency: 4, prefetch: 2 });
      // prefetch_count 2 alone would allow two; four run at once, and no fifth is delivered.
      await startsAre(s, [0, 1, 2, 3]);
      await waitForQueue(s.queue.name, (q) => q.messages_unacknowledged === 4 && q.messages_ready === 2);
      // The third finishes first: it alone is acknowledged, and the freed slot takes the next message.
      s.open(2);
      await startsAre(s, [0, 1, 2, 3, 4]);
      assert.deepEqual(s.ends(), [2]);
      const q = await waitForQueue(s.queue.name, (info) => info.messages_ready === 1);
      assert.equal(q.messages_unacknowledged, 4, "never more than max(prefetch, N) unsettled");
      s.open(0, 1, 3, 4, 5);
      await waitForQueue(s.queue.name, (info) => info.messages === 0);
      s.run.child.kill("SIGTERM");
      assert.equal(await s.run.exited, 0, s.run.stdout());
      assert.deepEqual(sorted(s.ends()), [0, 1, 2, 3, 4, 5]);
    });

    test("HaltConsumer: nothing new starts, the others in flight finish and are settled, then exit with its code", async () => {
      const s = await start(mode, numbered(6, { 1: "halt" }), { concurrency: 3, prefetch: 10, haltCode: 7 });
      await startsAre(s, [0, 1, 2]);
      await waitForQueue(s.queue.name, (q) => q.messages_unacknowledged === 6);
      s.open(1);
      // The halting message is acknowledged; 0 and 2 still run, 3-5 stay held.
      await waitForQueue(s.queue.name, (q) => q.messages_unacknowledged === 5 && q.messages_ready === 0);
      s.open(0);
      await waitForQueue(s.queue.name, (q) => q.messages_unacknowledged === 4);
      assert.equal(s.run.child.exitCode, null, "still waiting for the last callback in flight");
      assert.deepEqual(sorted(s.starts()), [0, 1, 2], "no callback starts after the halt");
      s.open(2);
      assert.equal(await s.run.exited, 7, s.run.stdout());
      assert.deepEqual(s.ends(), [1, 0, 2]);
      // The three never started go back to the queue.
      await waitForQueue(s.queue.name, (q) => q.messages_ready === 3 && q.messages_unacknowledged === 0);
    });

    test("an unexpected error: the failed message goes back at once, the others in flight finish and are settled, then exit 13", async () => {
      const s = await start(mode, numbered(6, { 1: "fail" }), { concurrency: 3, prefetch: 10 });
      await startsAre(s, [0, 1, 2]);
      await waitForQueue(s.queue.name, (q) => q.messages_unacknowledged === 6);
      s.open(1);
      await waitForQueue(s.queue.name, (q) => q.messages_ready === 1 && q.messages_unacknowledged === 5);
      s.open(0);
      await waitForQueue(s.queue.name, (q) => q.messages_ready === 1 && q.messages_unacknowledged === 4);
      assert.equal(s.run.child.exitCode, null, "still waiting for the last callback in flight");
      s.open(2);
      assert.equal(await s.run.exited, 13, s.run.stdout());
      assert.deepEqual(sorted(s.starts()), [0, 1, 2], "no callback starts after the error");
      assert.match(s.run.stdout(), /Received unexpected exception from consumer/);
      // The failed one and the three never started are back; 0 and 2 were acknowledged.
      await waitForQueue(s.queue.name, (q) => q.messages_ready === 4 && q.messages_unacknowledged === 0);
    });

    test("SIGTERM: nothing new starts, the callbacks in flight finish and are settled, exit 0", async () => {
      const s = await start(mode, numbered(6), { concurrency: 3, prefetch: 10 });
      await startsAre(s, [0, 1, 2]);
      await until(async () => (await readyStatus(s.port)) === 200, { what: "/ready 200" });
      s.run.child.kill("SIGTERM");
      await until(async () => (await readyStatus(s.port)) === 503, { what: "the stop seen (/ready 503)" });
      s.open(1);
      await waitForQueue(s.queue.name, (q) => q.messages_unacknowledged === 5);
      assert.deepEqual(sorted(s.starts()), [0, 1, 2], "no callback starts after the signal");
      s.open(0, 2);
      assert.equal(await s.run.exited, 0, s.run.stdout());
      assert.deepEqual(sorted(s.ends()), [0, 1, 2]);
      await waitForQueue(s.queue.name, (q) => q.messages_ready === 3 && q.messages_unacknowledged === 0);
    });

    test("the code running the callbacks dies with several in flight: every unsettled message goes back, exit 13", async () => {
      const queue = await freshQueue(`conc-dies-${mode}`);
      await queue.publish(numbered(5));
      const dieFile = join(queue.dir, "die");
      const config = writeConfig(queue, {
        callback: `${join(ROOT, "test/fixtures/consumer/dying-plugin.mjs")}:hang`,
        callbackMode: mode,
        consumerConfig: { die_file: dieFile, die_how: mode === "worker" ? "exit" : "throw" },
        extra: "callback_concurrency = 3",
      });
      const run = runCli(["--conf", config, "consume"], { timeoutMs: 60_000 });
      await until(() => queue.records().length === 3, { what: "three callbacks in flight" });
      await waitForQueue(queue.name, (q) => q.messages_unacknowledged === 5);
      writeFileSync(dieFile, "");
      assert.equal(await run.exited, 13, run.stdout());
      assert.match(run.stdout(), /died outside a callback/);
      await waitForQueue(queue.name, (q) => q.messages_ready === 5 && q.messages_unacknowledged === 0);
    });

    test("a lost connection: the results in flight cannot be settled, those messages are delivered again", async () => {
      const s = await start(mode, numbered(4), { concurrency: 3, prefetch: 10 });
      await startsAre(s, [0, 1, 2]);
      assert.ok((await closeConnectionsOfApp(`fm-test-${s.queue.name}`)) >= 1);
      // Back on a new connection, every message held again while the old callbacks are still in flight.
      await until(async () => {
        const metrics = await (await fetch(`http://127.0.0.1:${s.port}/metrics`)).text();
        return /^fedora_messaging_reconnects_total 1$/m.test(metrics) && /^fedora_messaging_in_flight 4$/m.test(metrics);
      }, { what: "reconnected, 4 messages held", timeoutMs: 30_000 });
      assert.deepEqual(s.ends(), []);
      s.open(0, 1, 2, 3);
      await waitForQueue(s.queue.name, (q) => q.messages === 0, 30_000);
      const ended = sorted(s.ends());
      // 0-2 ran twice (their first results were lost with the connection), 3 at least once.
      for (const n of [0, 1, 2]) assert.equal(ended.filter((e) => e === n).length, 2, `message ${n}: ${ended.join()}`);
      assert.ok(ended.includes(3));
      assert.equal((s.run.stdout().match(/its outcome cannot be sent and the broker will deliver the message again/g) ?? []).length, 3, s.run.stdout());
      s.run.child.kill("SIGTERM");
      assert.equal(await s.run.exited, 0, s.run.stdout());
      assert.equal((await getQueue(s.queue.name))?.messages, 0);
    });
  });
}
