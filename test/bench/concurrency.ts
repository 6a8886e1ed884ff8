/**
 * `callback_concurrency`: a callback that awaits 10 ms per message (a remote
 * service's answer), drained with N = 1, 10 and 50 callbacks in flight, in
 * both callback modes. Prints msgs/s and the ratio to N = 1 of the same mode
 * (ideally N: the callbacks only wait). Part of `npm run bench`; nothing is
 * asserted.
 *
 * Each run drains N x FM_BENCH_CONCURRENCY_PER_SLOT messages (default 150:
 * about 1.5 s of waiting whatever N), so that every N is measured over about
 * the same time. Also: FM_BENCH_CONCURRENCY (the Ns, comma-separated; default
 * "1,10,50"), FM_BENCH_WAIT_MS (10), FM_BENCH_PREFETCH (10: credit is
 * max(prefetch, N)), FM_BENCH_ROUNDS (2, the best is kept), FM_BENCH_ONLY
 * (worker or in-process).
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { brokerUrls, uniqueName } from "../support/broker.js";
import { bindQueue, declareQueue, deleteQueue, waitForQueue } from "../support/management.js";
import { publishMessages } from "../support/publish.js";
import { writeBenchConfig } from "./_config.js";

const root = resolve(import.meta.dirname, "../..");
const CONCURRENCIES = (process.env["FM_BENCH_CONCURRENCY"] ?? "1,10,50").split(",").map(Number);
const PER_SLOT = Number(process.env["FM_BENCH_CONCURRENCY_PER_SLOT"] ?? 150);
const WAIT_MS = Number(process.env["FM_BENCH_WAIT_MS"] ?? 10);
const PREFETCH = Number(process.env["FM_BENCH_PREFETCH"] ?? 10);
const ROUNDS = Number(process.env["FM_BENCH_ROUNDS"] ?? 2);
const MODES = (["worker", "in-process"] as const).filter((mode) => !process.env["FM_BENCH_ONLY"] || mode.includes(process.env["FM_BENCH_ONLY"]));

const { amqpUrl } = brokerUrls();
const dir = mkdtempSync(join(tmpdir(), "fm-bench-concurrency-"));
const queue = uniqueName("bench-concurrency");

async function fillWith(count: number): Promise<void> {
  await deleteQueue(queue).catch(() => undefined);
  await declareQueue(queue, { durable: true, auto_delete: false, arguments: {} });
  await bindQueue(queue, "amq.topic", `bench.${queue}`);
  for (let sent = 0; sent < count; sent += 2_000) {
    const n = Math.min(2_000, count - sent);
    await publishMessages(amqpUrl, Array.from({ length: n }, (_, i) => ({ topic: `bench.${queue}`, body: { n: sent + i } })));
  }
  await waitForQueue(queue, (q) => q.messages_ready === count, 60_000);
}

/** Drains `count` messages with `concurrency` callbacks in flight; msgs/s from the first start to the last end. */
async function drainRate(mode: "worker" | "in-process", concurrency: number, count: number): Promise<number> {
  await fillWith(count);
  const out = join(dir, `${mode}-${concurrency}.json`);
  const config = writeBenchConfig(dir, {
    amqpUrl,
    queue,
    mode,
    prefetch: PREFETCH,
    quiet: false, // Python's two INFO lines per message, as in production
    callback: `${join(root, "test/bench/wait-callback.mjs")}:wait`,
    concurrency,
  });
  const env = { ...process.env, FM_BENCH_COUNT: String(count), FM_BENCH_OUT: out, FM_BENCH_WAIT_MS: String(WAIT_MS) };
  const child = spawn(join(root, "dist/fedora-messaging.js"), ["--conf", config, "consume"], { env, stdio: ["ignore", "ignore", "inherit"] });
  const code = await new Promise<number | null>((r) => child.on("exit", r));
  if (code !== 0 || !existsSync(out)) throw new Error(`${mode}, callback_concurrency ${concurrency}: exited with ${code}`);
  const { first, last, seen } = JSON.parse(readFileSync(out, "utf8")) as { first: number; last: number; seen: number };
  return (seen * 1000) / Math.max(1, last - first);
}

console.log(`\ncallback_concurrency: a callback awaiting ${WAIT_MS} ms per message, ${PER_SLOT} x N messages, prefetch ${PREFETCH}, best of ${ROUNDS}`);
console.log(`${"mode".padEnd(12)}${"N".padStart(4)}${"msgs/s".padStart(10)}${"ratio to N=1".padStart(14)}`);
try {
  for (const mode of MODES) {
    let base = 0;
    for (const concurrency of CONCURRENCIES) {
      let rate = 0;
      for (let round = 0; round < ROUNDS; round++) rate = Math.max(rate, await drainRate(mode, concurrency, PER_SLOT * concurrency));
      if (concurrency === CONCURRENCIES[0]) base = rate;
      console.log(`${mode.padEnd(12)}${String(concurrency).padStart(4)}${rate.toFixed(0).padStart(10)}${`${(rate / base).toFixed(1)}x`.padStart(14)}`);
    }
  }
} finally {
  await deleteQueue(queue).catch(() => undefined);
}
