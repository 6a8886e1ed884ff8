/**
 * `npm run bench`: how fast the daemon drains a queue, against a bare rhea
 * consumer measured in the same run (the ceiling). For each variant the queue
 * is pre-filled with N Fedora-shaped messages, then the consumer process is
 * started and measured from outside:
 *   - msgs/s: N / (last message - first message), the drain rate;
 *   - CPU ms per message: user + system time of the whole process / N;
 *   - peak RSS: VmHWM of the process;
 *   - start to first message: exec to the first delivery reaching the callback.
 * Figures are printed with their ratio to the bare consumer; nothing is
 * asserted (timing on a shared 2-core machine is noisy: compare ratios).
 *
 * Environment: FM_BENCH_COUNT (default 20000), FM_BENCH_PREFETCH (10),
 * FM_BENCH_ROUNDS (2; the best round of each variant is reported),
 * FM_BENCH_ONLY (a substring of the variants to run), FM_BENCH_QUIET=1 (log
 * warnings only, to see what logging costs), FM_BENCH_NODE_ARGS
 * (extra node flags for the measured process, e.g. "--cpu-prof"), FM_BENCH_WRAP
 * (a command the measured process runs under, e.g. "strace -f -c -o /tmp/s.txt").
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
const ROUNDS = Number(process.env["FM_BENCH_ROUNDS"] ?? 2);
const CLK_TCK = 100; // Linux USER_HZ, the unit of /proc/<pid>/stat times

interface Figures {
  readonly rate: number;
  readonly cpuMsPerMessage: number;
  readonly peakRssMiB: number;
  readonly startToFirstMs: number;
}

interface Variant {
  readonly name: string;
  /** A SEA binary takes no node flags (FM_BENCH_NODE_ARGS does not apply). */
  readonly sea?: boolean;
  /** `direct`: argv[0] is an executable file to run as is (its shebang sets node's flags). */
  command(queue: string, out: string, dir: string): { argv: string[]; env: NodeJS.ProcessEnv; direct?: boolean };
}

const { amqpUrl } = brokerUrls();
const dir = mkdtempSync(join(tmpdir(), "fm-bench-"));

const ONLY = process.env["FM_BENCH_ONLY"];
const NODE_ARGS = (process.env["FM_BENCH_NODE_ARGS"] ?? "").split(" ").filter(Boolean);

const allVariants: Variant[] = [
  {
    name: "bare rhea consumer (ceiling)",
    command: (queue, out) => ({
      argv: [join(root, "test/bench/bare-consumer.mjs"), amqpUrl, queue, String(COUNT), String(PREFETCH), out],
      env: {},
    }),
  },
  daemonVariant("fedora-messaging, worker thread (default)", "worker"),
  daemonVariant("fedora-messaging, in-process", "in-process"),
  // The single binary (npm run sea): its memory settings must match the bundle's shebang flags;
  // the control gets the bundle's flag by hand (NODE_OPTIONS, which a SEA honours): equal RSS = they hold.
  daemonVariant("fedora-messaging SEA binary, worker thread", "worker", "dist/fedora-messaging"),
  daemonVariant("  control: SEA + NODE_OPTIONS=--max-semi-space-size=1", "worker", "dist/fedora-messaging", { NODE_OPTIONS: "--max-semi-space-size=1" }),
];
const variants = allVariants.filter((v, i) => i === 0 || !ONLY || v.name.includes(ONLY));

/** The daemon, run as installed: the bundle through its shebang (with the node flags it sets), or the SEA binary. */
function daemonVariant(name: string, mode: "worker" | "in-process", executable = "dist/fedora-messaging.js", extraEnv: NodeJS.ProcessEnv = {}): Variant {
  return {
    name,
    sea: !executable.endsWith(".js"),
    command: (queue, out, workDir) => {
      // FM_BENCH_QUIET=1: only warnings are logged (measures what the two INFO lines per message cost).
      const config = writeBenchConfig(workDir, { amqpUrl, queue, mode, prefetch: PREFETCH, quiet: process.env["FM_BENCH_QUIET"] === "1" });
      return {
        argv: [join(root, executable), "--conf", config, "consume"],
        direct: true,
        env: { FM_BENCH_COUNT: String(COUNT), FM_BENCH_OUT: out, ...extraEnv },
      };
    },
  };
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
  if (code !== 0 || !existsSync(out)) throw new Error(`${variant.name} exited with ${code}`);
  const result = JSON.parse(readFileSync(out, "utf8")) as { first: number; last: number; seen: number };
  return {
    rate: (result.seen * 1000) / Math.max(1, result.last - result.first),
    cpuMsPerMessage: last.cpuMs / result.seen,
    peakRssMiB: last.hwmMiB,
    startToFirstMs: result.first - started,
  };
}

function best(rounds: Figures[]): Figures {
  return rounds.reduce((a, b) => (b.rate > a.rate ? b : a));
}

const queue = uniqueName("bench");
process.stderr.write(`benchmark: ${COUNT} messages, prefetch ${PREFETCH}, best of ${ROUNDS} rounds, broker ${amqpUrl.replace(/:[^:@/]+@/, ":****@")}\n`);
const results: Array<{ name: string; figures: Figures }> = [];
try {
  for (const variant of variants) {
    const rounds: Figures[] = [];
    for (let round = 0; round < ROUNDS; round++) rounds.push(await measure(variant, queue));
    results.push({ name: variant.name, figures: best(rounds) });
    process.stderr.write(`  measured ${variant.name}\n`);
  }
} finally {
  await deleteQueue(queue).catch(() => undefined);
}

const base = results[0]!.figures;
const pad = (text: string, width: number) => text.padEnd(width);
const num = (value: number, digits = 0) => value.toFixed(digits).padStart(8);
console.log(`\n${pad("variant", 54)}${"msgs/s".padStart(8)}  ratio  ${"CPU ms/msg".padStart(10)}  ${"peak RSS".padStart(9)}  ${"to 1st msg".padStart(10)}`);
for (const { name, figures } of results) {
  console.log(
    `${pad(name, 54)}${num(figures.rate)}  ${(figures.rate / base.rate).toFixed(2).padStart(5)}  ${num(figures.cpuMsPerMessage, 3).padStart(10)}  ${`${figures.peakRssMiB.toFixed(1)} MiB`.padStart(9)}  ${`${figures.startToFirstMs} ms`.padStart(10)}`,
  );
}
