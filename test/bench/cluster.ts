/**
 * `npm run bench:cluster`: aggregate throughput of 1, 2 and 3 daemons
 * competing on one quorum queue of the 3-node test cluster, as ratios to one
 * daemon; and one daemon on a quorum queue against one on a classic queue of
 * the single test broker (plus a quorum queue there, which tells what the
 * queue type costs apart from replication). test/bench/cluster.sh runs it with
 * both brokers' variables exported.
 *
 * Each variant pre-fills the queue with N Fedora-shaped messages, starts its
 * daemons (daemon i tries node i first, as the README recommends), waits
 * until each holds its first message (the callback blocks on a gate file),
 * opens the gate and measures N / (gate -> last message of any daemon).
 * Nothing is asserted: on a shared 2-core machine running three RabbitMQ nodes
 * compare the ratios.
 *
 * Environment: FM_BENCH_COUNT (default 20000), FM_BENCH_PREFETCH (10),
 * FM_BENCH_ROUNDS (2; the best round of each variant is reported).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { brokerUrls, uniqueName } from "../support/broker.js";
import { deleteQueue } from "../support/management.js";
import { until } from "../support/wait.js";
import { MGMT_URLS, NODE_URLS, urlsFrom } from "../cluster/_nodes.js";
import { writeBenchConfig } from "./_config.js";
import { fillQueue } from "./_fill.js";

const root = resolve(import.meta.dirname, "../..");
const COUNT = Number(process.env["FM_BENCH_COUNT"] ?? 20_000);
const PREFETCH = Number(process.env["FM_BENCH_PREFETCH"] ?? 10);
const ROUNDS = Number(process.env["FM_BENCH_ROUNDS"] ?? 2);
const QUORUM = { "x-queue-type": "quorum" };

interface Broker {
  readonly amqpUrl: string;
  readonly mgmtUrl: string;
  /** The `amqp_url` of daemon i. */
  urlsOf(daemon: number): string | string[];
}

const { amqpUrl, mgmtUrl } = brokerUrls();
const single: Broker = { amqpUrl, mgmtUrl, urlsOf: () => amqpUrl };
const cluster: Broker = { amqpUrl: NODE_URLS[0]!, mgmtUrl: MGMT_URLS[0]!, urlsOf: urlsFrom };

interface Variant {
  readonly name: string;
  readonly broker: Broker;
  readonly queueArguments: Record<string, unknown>;
  readonly daemons: number;
}

const variants: Variant[] = [
  { name: "single broker, classic queue, 1 daemon", broker: single, queueArguments: {}, daemons: 1 },
  { name: "single broker, quorum queue, 1 daemon", broker: single, queueArguments: QUORUM, daemons: 1 },
  ...[1, 2, 3].map((n) => ({ name: `3-node cluster, quorum queue, ${n} daemon${n > 1 ? "s" : ""}`, broker: cluster, queueArguments: QUORUM, daemons: n })),
];

/** test/support/management.ts reads FM_TEST_MGMT_URL at each call: point it at the variant's broker. */
function useBroker(broker: Broker): void {
  process.env["FM_TEST_MGMT_URL"] = broker.mgmtUrl;
}

const dir = mkdtempSync(join(tmpdir(), "fm-bench-cluster-"));

function startDaemon(variant: Variant, queue: string, i: number, gate: string): { child: ChildProcess; out: string } {
  const name = `${queue}-${i}`;
  const config = writeBenchConfig(dir, {
    amqpUrl: variant.broker.urlsOf(i),
    queue,
    queueArguments: variant.queueArguments,
    mode: "worker",
    prefetch: PREFETCH,
    quiet: true, // three daemons' INFO lines would measure the terminal
    name,
  });
  const out = join(dir, `${name}.json`);
  const child = spawn(join(root, "dist/fedora-messaging.js"), ["--conf", config, "consume"], {
    env: { ...process.env, FM_BENCH_OUT: out, FM_BENCH_GATE: gate, FM_BENCH_COUNT: "" },
    stdio: ["ignore", "ignore", "inherit"],
  });
  return { child, out };
}

function progress(out: string): { last: number; seen: number } {
  if (!existsSync(out)) return { last: 0, seen: 0 };
  return JSON.parse(readFileSync(out, "utf8")) as { last: number; seen: number };
}

/** Messages per second of one round. */
async function measure(variant: Variant): Promise<number> {
  useBroker(variant.broker);
  const queue = uniqueName("bench-cluster");
  await fillQueue(variant.broker.amqpUrl, queue, COUNT, variant.queueArguments);
  const gate = join(dir, `${queue}.gate`);
  const daemons = Array.from({ length: variant.daemons }, (_, i) => startDaemon(variant, queue, i, gate));
  try {
    const exited = () => daemons.find((d) => d.child.exitCode !== null);
    const what = (text: string) => ({ timeoutMs: 120_000, intervalMs: 20, what: text });
    await until(() => {
      if (exited()) throw new Error(`${variant.name}: a daemon exited with ${exited()!.child.exitCode}`);
      return daemons.every((d) => existsSync(`${d.out}.ready`));
    }, what("every daemon holding its first message"));
    const started = Date.now();
    writeFileSync(gate, "");
    await until(() => daemons.reduce((sum, d) => sum + progress(d.out).seen, 0) >= COUNT, what(`${COUNT} messages consumed`));
    const last = Math.max(...daemons.map((d) => progress(d.out).last));
    const shares = daemons.map((d) => progress(d.out).seen);
    process.stderr.write(`  ${variant.name}: ${shares.join(" + ")} messages\n`);
    return (COUNT * 1000) / Math.max(1, last - started);
  } finally {
    for (const d of daemons) d.child.kill("SIGTERM");
    await Promise.all(daemons.map((d) => (d.child.exitCode === null ? new Promise((r) => d.child.on("exit", r)) : undefined)));
    await deleteQueue(queue).catch(() => undefined);
  }
}

process.stderr.write(`cluster benchmark: ${COUNT} messages, prefetch ${PREFETCH}, best of ${ROUNDS} rounds, daemons in worker mode logging warnings only\n`);
const rates = new Map<Variant, number>();
for (const variant of variants) {
  let best = 0;
  for (let round = 0; round < ROUNDS; round++) best = Math.max(best, await measure(variant));
  rates.set(variant, best);
}

const rateOf = (index: number): number => rates.get(variants[index]!)!;
const ratioTo = (index: number) => (variant: Variant) => (rates.get(variant)! / rateOf(index)).toFixed(2);
console.log(`\n${"variant".padEnd(44)}${"msgs/s".padStart(8)}  ${"vs classic".padStart(10)}  ${"vs 1 daemon".padStart(11)}`);
for (const variant of variants) {
  const vsOne = variant.broker === cluster ? ratioTo(2)(variant) : "";
  console.log(`${variant.name.padEnd(44)}${rates.get(variant)!.toFixed(0).padStart(8)}  ${ratioTo(0)(variant).padStart(10)}  ${vsOne.padStart(11)}`);
}
