/**
 * `npm run bench`: how fast the daemon drains a queue, against the consumers a
 * Node user would write or pick instead, all measured in the same rounds:
 *   - a bare rhea consumer (AMQP 1.0, manual accept: our own stack's ceiling);
 *   - amqplib by hand and rascal (AMQP 0-9-1 on the same broker port): the peers;
 *   - the daemon, as installed (the bundle through its shebang), in worker and
 *     in-process modes, with Python's two INFO lines per message and with
 *     logging at WARNING; run as `node dist/fedora-messaging.js` (without the
 *     shebang's node flags); and the single binary (SEA) when it was built.
 * For each variant the queue is pre-filled with N Fedora-shaped messages, then
 * the consumer process is started and measured from outside:
 *   - msgs/s: N / (last message - first message), the drain rate;
 *   - CPU ms per message: user + system time of the whole process / N (its start
 *     and warm-up included: the JIT compiling the hot paths is a large share of a
 *     20,000-message drain);
 *   - the second half: msgs/s, its ratio and CPU ms per message from the halfway
 *     message to the last, as the consumer read its clock and CPU time there
 *     (_drain-clock.mjs): the steady rate and cost, what a long-running consumer
 *     sees once warm;
 *   - broker CPU ms per message: the broker's user + system time while the
 *     consumer ran / N (this repository's broker only: its pid comes from
 *     `rabbitmq.sh env`); the broker shares the machine's cores;
 *   - peak RSS: VmHWM of the process;
 *   - exec to first message: exec to the first delivery reaching the callback.
 * Each round runs every variant once, in order. Every figure printed is the
 * median over the rounds; the ratio is the median of each round's rate divided
 * by the bare rhea consumer's rate in that same round, and "spread" is
 * (max - min) / median of the rates. Nothing is asserted (timing on a shared
 * 2-core machine is noisy: compare ratios).
 *
 * Environment: FM_BENCH_COUNT (default 20000), FM_BENCH_PREFETCH (10),
 * FM_BENCH_ROUNDS (3), FM_BENCH_ONLY (a substring of the variants to run; the
 * bare consumer always runs), FM_BENCH_NODE_ARGS (extra node flags for the
 * measured process, e.g. "--cpu-prof"), FM_BENCH_WRAP (a command the measured
 * process runs under, e.g. "strace -f -c -o /tmp/s.txt").
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { brokerUrls, uniqueName } from "../support/broker.js";
import { deleteQueue } from "../support/management.js";
import { writeBenchConfig } from "./_config.js";
import { fillQueue } from "./_fill.js";

const root = resolve(import.meta.dirname, "../..");
const COUNT = Number(process.env["FM_BENCH_COUNT"] ?? 20_000);
const PREFETCH = Number(process.env["FM_BENCH_PREFETCH"] ?? 10);
const ROUNDS = Number(process.env["FM_BENCH_ROUNDS"] ?? 3);
const CLK_TCK = 100; // Linux USER_HZ, the unit of /proc/<pid>/stat times

interface Figures {
  readonly rate: number;
  readonly cpuMsPerMessage: number;
  /** From the halfway message to the last (NaN when the consumer did not report it). */
  readonly steadyRate: number;
  readonly steadyCpuMsPerMessage: number;
  /** The broker's CPU time from the consumer's exec to its exit, per message (NaN when its pid is unknown). */
  readonly brokerCpuMsPerMessage: number;
  readonly peakRssMiB: number;
  readonly startToFirstMs: number;
}

interface Variant {
  readonly name: string;
  /** A SEA binary takes no node flags (FM_BENCH_NODE_ARGS does not apply). */
  readonly sea?: boolean;
  /** Why the variant cannot run here (e.g. the SEA was not built); it is listed, not measured. */
  readonly missing?: string;
  /** `direct`: argv[0] is an executable file to run as is (its shebang sets node's flags); else node runs argv. */
  command(queue: string, out: string, dir: string): { argv: string[]; env: NodeJS.ProcessEnv; direct?: boolean };
}

const { amqpUrl } = brokerUrls();
const dir = mkdtempSync(join(tmpdir(), "fm-bench-"));

const ONLY = process.env["FM_BENCH_ONLY"];
const NODE_ARGS = (process.env["FM_BENCH_NODE_ARGS"] ?? "").split(" ").filter(Boolean);
const BUNDLE = "dist/fedora-messaging.js";
const SEA = "dist/fedora-messaging";

const allVariants: Variant[] = [
  peerVariant("bare rhea, manual accept (ceiling)", "bare-consumer.mjs"),
  peerVariant("amqplib by hand (prefetch, JSON.parse, ack)", "amqplib-consumer.mjs"),
  peerVariant("rascal (subscription, prefetch)", "rascal-consumer.mjs"),
  daemonVariant("ours, worker (default), INFO logs", { mode: "worker" }),
  daemonVariant("ours, worker, WARNING logs", { mode: "worker", quiet: true }),
  daemonVariant("ours, in-process, INFO logs", { mode: "in-process" }),
  // The bundle run by node without its shebang's flags (`node dist/fedora-messaging.js`):
  // its memory settings must hold anyway (src/young-generation.ts), so its peak RSS
  // should match the worker INFO row's within noise.
  daemonVariant("ours, worker, INFO, node dist/fedora-messaging.js", { mode: "worker", viaNode: true }),
  // The single binary (npm run sea): its memory settings must match the bundle's shebang flags;
  // the control gets the bundle's flag by hand (NODE_OPTIONS, which a SEA honours): equal RSS = they hold.
  daemonVariant("ours, SEA binary, worker, INFO", { mode: "worker", executable: SEA }),
  // As systemd starts it: the unit sets glibc's mmap threshold, which the bundle's shebang sets too (build/build.mjs).
  daemonVariant("ours, SEA binary, worker, INFO, the unit's environment", { mode: "worker", executable: SEA, env: { MALLOC_MMAP_THRESHOLD_: "131072" } }),
  daemonVariant("  control: SEA + NODE_OPTIONS=--max-semi-space-size=1", { mode: "worker", executable: SEA, env: { NODE_OPTIONS: "--max-semi-space-size=1" } }),
];
const variants = allVariants.filter((v, i) => i === 0 || !ONLY || v.name.includes(ONLY));

/** A consumer of test/bench/ taking `url queue count prefetch out` and writing the output of bare-consumer.mjs. */
function peerVariant(name: string, script: string): Variant {
  return {
    name,
    command: (queue, out) => ({ argv: [join(root, "test/bench", script), amqpUrl, queue, String(COUNT), String(PREFETCH), out], env: {} }),
  };
}

interface DaemonOptions {
  readonly mode: "worker" | "in-process";
  /** Log warnings only: what Python's two INFO lines per message cost. */
  readonly quiet?: boolean;
  /** The bundle (run through its shebang, as installed) or the SEA binary. */
  readonly executable?: string;
  /** Run the bundle as `node dist/fedora-messaging.js`: node's own defaults, not the shebang's flags. */
  readonly viaNode?: boolean;
  readonly env?: NodeJS.ProcessEnv;
}

/** The daemon with the no-op callback (test/bench/noop-callback.mjs), which halts after the last message. */
function daemonVariant(name: string, o: DaemonOptions): Variant {
  const executable = o.executable ?? BUNDLE;
  const sea = executable === SEA;
  return {
    name,
    sea,
    missing: existsSync(join(root, executable)) ? undefined : `${executable} is missing (npm run ${sea ? "sea" : "build"})`,
    command: (queue, out, workDir) => {
      const config = writeBenchConfig(workDir, { amqpUrl, queue, mode: o.mode, prefetch: PREFETCH, quiet: o.quiet ?? false });
      return {
        argv: [join(root, executable), "--conf", config, "consume"],
        direct: !o.viaNode,
        env: { FM_BENCH_COUNT: String(COUNT), FM_BENCH_OUT: out, ...o.env },
      };
    },
  };
}

/**
 * The broker's CPU time so far, ms (NaN when the broker is not this repository's
 * own: `rabbitmq.sh env` gives its pid). On one machine the broker competes for the
 * same cores as the consumer: what it spends per message is part of the picture.
 */
function brokerCpuMs(): number {
  const pid = Number(process.env["FM_TEST_BROKER_PID"]);
  return pid > 0 ? (sample(pid)?.cpuMs ?? Number.NaN) : Number.NaN;
}

/** Reads utime+stime (ms) and VmHWM (MiB) of a live process. */
function sample(pid: number): { cpuMs: number; hwmMiB: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const cpuMs = ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
    const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return { cpuMs, hwmMiB: hwm ? Number(hwm[1]) / 1024 : 0 };
  } catch {
    return undefined;
  }
}

async function measure(variant: Variant, queue: string): Promise<Figures> {
  await fillQueue(amqpUrl, queue, COUNT);
  const out = join(dir, `${queue}.json`);
  const { argv, env, direct } = variant.command(queue, out, dir);
  const [file, args] = direct && (NODE_ARGS.length === 0 || variant.sea) ? [argv[0]!, argv.slice(1)] : [process.execPath, [...NODE_ARGS, ...argv]];
  const brokerBefore = brokerCpuMs();
  const started = Date.now();
  const wrap = (process.env["FM_BENCH_WRAP"] ?? "").split(" ").filter(Boolean);
  const child = wrap.length ? spawn(wrap[0]!, [...wrap.slice(1), file, ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "inherit"] }) : spawn(file, args, { env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "inherit"] });
  let last: { cpuMs: number; hwmMiB: number } = { cpuMs: 0, hwmMiB: 0 };
  const poll = setInterval(() => {
    // Keep the largest readings: a zombie (exited, not yet reaped) still has a
    // stat line but no VmHWM.
    const now = sample(child.pid!);
    if (now) last = { cpuMs: Math.max(last.cpuMs, now.cpuMs), hwmMiB: Math.max(last.hwmMiB, now.hwmMiB) };
  }, 20);
  const code = await new Promise<number | null>((r) => child.on("exit", (c) => r(c)));
  clearInterval(poll);
  const brokerAfter = brokerCpuMs();
  if (code !== 0 || !existsSync(out)) throw new Error(`${variant.name} exited with ${code}`);
  const result = JSON.parse(readFileSync(out, "utf8")) as { first: number; last: number; seen: number; halfway?: number; halfwayAt?: number | null; cpuHalfwayMs?: number | null; cpuLastMs?: number | null };
  const secondHalf = result.seen - (result.halfway ?? Number.NaN);
  return {
    rate: (result.seen * 1000) / Math.max(1, result.last - result.first),
    cpuMsPerMessage: last.cpuMs / result.seen,
    steadyRate: (secondHalf * 1000) / Math.max(1, result.last - (result.halfwayAt ?? Number.NaN)),
    steadyCpuMsPerMessage: ((result.cpuLastMs ?? Number.NaN) - (result.cpuHalfwayMs ?? Number.NaN)) / secondHalf,
    brokerCpuMsPerMessage: (brokerAfter - brokerBefore) / result.seen,
    peakRssMiB: last.hwmMiB,
    startToFirstMs: result.first - started,
  };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const queue = uniqueName("bench");
process.stderr.write(`benchmark: ${COUNT} messages, prefetch ${PREFETCH}, medians of ${ROUNDS} rounds, broker ${amqpUrl.replace(/:[^:@/]+@/, ":****@")}\n`);
const runnable = variants.filter((v) => !v.missing);
for (const v of variants) if (v.missing) process.stderr.write(`  skipped ${v.name.trim()}: ${v.missing}\n`);
/** rounds[r][v]: the figures of runnable[v] in round r. */
const rounds: Figures[][] = [];
try {
  for (let round = 0; round < ROUNDS; round++) {
    const figures: Figures[] = [];
    for (const variant of runnable) {
      figures.push(await measure(variant, queue));
      process.stderr.write(`  round ${round + 1}/${ROUNDS}: ${variant.name.trim()}: ${Math.round(figures.at(-1)!.rate)} msgs/s\n`);
    }
    rounds.push(figures);
  }
} finally {
  await deleteQueue(queue).catch(() => undefined);
}

const grouping = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
/** A figure, or "n/a" when a consumer did not report what it needs. */
const orNa = (value: number, format: (value: number) => string): string => (Number.isNaN(value) ? "n/a" : format(value));
const rows = runnable.map((variant, v) => {
  const of = (pick: (f: Figures) => number) => rounds.map((round) => pick(round[v]!));
  const rates = of((f) => f.rate);
  const rate = median(rates);
  return [
    variant.name,
    grouping.format(rate),
    median(rounds.map((round) => round[v]!.rate / round[0]!.rate)).toFixed(2),
    `${Math.round(((Math.max(...rates) - Math.min(...rates)) / rate) * 100)} %`,
    `${median(of((f) => f.cpuMsPerMessage)).toFixed(3)} ms`,
    orNa(median(of((f) => f.steadyRate)), (rate) => grouping.format(rate)),
    orNa(median(rounds.map((round) => round[v]!.steadyRate / round[0]!.steadyRate)), (ratio) => ratio.toFixed(2)),
    orNa(median(of((f) => f.steadyCpuMsPerMessage)), (ms) => `${ms.toFixed(3)} ms`),
    orNa(median(of((f) => f.brokerCpuMsPerMessage)), (ms) => `${ms.toFixed(3)} ms`),
    `${median(of((f) => f.peakRssMiB)).toFixed(1)} MiB`,
    `${(median(of((f) => f.startToFirstMs)) / 1000).toFixed(2)} s`,
  ];
});
const header = ["consumer", "msgs/s", "ratio to bare rhea", "spread", "CPU/msg", "2nd half: msgs/s", "2nd half: ratio", "2nd half: CPU/msg", "broker CPU/msg", "peak RSS", "exec to 1st msg"];
const widths = header.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c]!.length)));
const line = (cells: readonly string[]) => `| ${cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join(" | ")} |`;
console.log(`\n${COUNT} messages, prefetch ${PREFETCH}; medians of ${ROUNDS} rounds (ratio: to the bare rhea consumer of the same round; 2nd half: from the halfway message on, once warm)`);
console.log(line(header));
console.log(`|${widths.map((w, c) => (c === 0 ? "-".repeat(w + 2) : `${"-".repeat(w + 1)}:`)).join("|")}|`);
for (const row of rows) console.log(line(row));
