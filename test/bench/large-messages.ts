/**
 * Memory under large messages: the daemon drains a queue of big messages
 * (1 MB and 4 MB bodies by default) and the peak RSS of the process is
 * printed against the bound the project holds itself to: 64 MiB plus four
 * times the bytes in flight (prefetch x message size). A bare rhea consumer
 * drains the same queue as a reference. Part of `npm run bench`; nothing is
 * asserted.
 *
 * Environment: FM_BENCH_LARGE_SIZES (MB, comma-separated; default "1,4"),
 * FM_BENCH_LARGE_COUNT (messages per size; default 200), FM_BENCH_PREFETCH
 * (default 10), FM_BENCH_ONLY (a substring of the variants to run),
 * FM_BENCH_NODE_ARGS (extra node flags for the daemon, e.g. "--heapsnapshot-near-heap-limit=1").
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
const SIZES_MB = (process.env["FM_BENCH_LARGE_SIZES"] ?? "1,4").split(",").map(Number);
const COUNT = Number(process.env["FM_BENCH_LARGE_COUNT"] ?? 200);
const PREFETCH = Number(process.env["FM_BENCH_PREFETCH"] ?? 10);
const ONLY = process.env["FM_BENCH_ONLY"];
const NODE_ARGS = (process.env["FM_BENCH_NODE_ARGS"] ?? "").split(" ").filter(Boolean);
const MiB = 1024 * 1024;

const { amqpUrl } = brokerUrls();
const dir = mkdtempSync(join(tmpdir(), "fm-bench-large-"));

interface Variant {
  readonly name: string;
  argv(queue: string, out: string): { file: string; args: string[]; env: NodeJS.ProcessEnv };
}

const variants: Variant[] = [
  {
    name: "bare rhea consumer",
    argv: (queue: string, out: string) => ({ file: process.execPath, args: [join(root, "test/bench/bare-consumer.mjs"), amqpUrl, queue, String(COUNT), String(PREFETCH), out], env: {} }),
  },
  daemon("fedora-messaging, worker thread", "worker"),
  daemon("fedora-messaging, in-process", "in-process"),
].filter((v, i) => i === 0 || !ONLY || v.name.includes(ONLY));

function daemon(name: string, mode: "worker" | "in-process"): Variant {
  return {
    name,
    argv: (queue, out) => {
      const config = writeBenchConfig(dir, { amqpUrl, queue, mode, prefetch: PREFETCH, quiet: true, schemas: false });
      const cli = join(root, "dist/fedora-messaging.js");
      const env = { FM_BENCH_COUNT: String(COUNT), FM_BENCH_OUT: out };
      // Through the bundle's shebang (its node flags), unless extra flags are asked for.
      return NODE_ARGS.length === 0
        ? { file: cli, args: ["--conf", config, "consume"], env }
        : { file: process.execPath, args: ["--max-semi-space-size=1", ...NODE_ARGS, cli, "--conf", config, "consume"], env };
    },
  };
}

async function fill(queue: string, sizeMb: number): Promise<void> {
  await deleteQueue(queue).catch(() => undefined);
  await declareQueue(queue, { durable: true, auto_delete: false, arguments: {} });
  await bindQueue(queue, "amq.topic", `bench.${queue}`);
  const text = "x".repeat(sizeMb * MiB - 64);
  for (let sent = 0; sent < COUNT; sent += 20) {
    const n = Math.min(20, COUNT - sent);
    await publishMessages(amqpUrl, Array.from({ length: n }, (_, i) => ({ topic: `bench.${queue}`, body: { n: sent + i, text } })), { timeoutMs: 300_000 });
  }
  await waitForQueue(queue, (q) => q.messages_ready === COUNT, 120_000);
}

function peakRssMiB(pid: number): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

async function measure(variant: Variant, queue: string): Promise<{ peak: number; seconds: number }> {
  const out = join(dir, `${queue}.json`);
  const { file, args, env } = variant.argv(queue, out);
  const started = Date.now();
  const child = spawn(file, args, { env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "inherit"] });
  let peak = 0;
  const poll = setInterval(() => (peak = Math.max(peak, peakRssMiB(child.pid!))), 20);
  const code = await new Promise<number | null>((r) => child.on("exit", r));
  clearInterval(poll);
  if (code !== 0 || !existsSync(out)) throw new Error(`${variant.name} exited with ${code}`);
  return { peak, seconds: (Date.now() - started) / 1000 };
}

const queue = uniqueName("bench-large");
console.log(`\nlarge messages: ${COUNT} per size, prefetch ${PREFETCH}; bound = 64 MiB + 4 x bytes in flight`);
console.log(`${"variant".padEnd(36)}${"size".padStart(6)}${"peak RSS".padStart(12)}${"bound".padStart(10)}  ${"within".padEnd(6)}${"drain".padStart(8)}`);
try {
  for (const sizeMb of SIZES_MB) {
    const bound = 64 + 4 * PREFETCH * sizeMb;
    for (const variant of variants) {
      await fill(queue, sizeMb);
      const { peak, seconds } = await measure(variant, queue);
      console.log(
        `${variant.name.padEnd(36)}${`${sizeMb} MB`.padStart(6)}${`${peak.toFixed(0)} MiB`.padStart(12)}${`${bound} MiB`.padStart(10)}  ${(peak <= bound ? "yes" : "NO").padEnd(6)}${`${seconds.toFixed(1)} s`.padStart(8)}`,
      );
    }
  }
} finally {
  await deleteQueue(queue).catch(() => undefined);
}
