/**
 * A real systemd for tests: a Debian root (test/systemd/nspawn-root.sh) booted
 * with `systemd-nspawn -b` (test/systemd/nspawn-boot.sh), commands run inside
 * with `nsenter` (machinectl needs a systemd host, which this is not). The
 * container shares the host's network, so it reaches the test broker on
 * 127.0.0.1. Everything waits for conditions, with deadlines.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "../..");
const ROOT_SCRIPT = join(ROOT, "test/systemd/nspawn-root.sh");
const BOOT_SCRIPT = join(ROOT, "test/systemd/nspawn-boot.sh");

export interface ExecResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Why systemd-nspawn cannot run here (not root, no apt to install it), or
 * undefined when it can. The tests skip with this sentence.
 */
export function nspawnUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return "booting systemd in a container (systemd-nspawn) needs root";
  const hasNspawn = spawnSync("sh", ["-c", "command -v systemd-nspawn"]).status === 0;
  const hasApt = spawnSync("sh", ["-c", "command -v apt-get"]).status === 0;
  if (!hasNspawn && !hasApt) return "systemd-nspawn is not installed and there is no apt-get to install it (package systemd-container)";
  return undefined;
}

/** Host tools and the cached root tarball (slow only the first time on a machine). */
export function prepareRoot(): void {
  run("bash", [ROOT_SCRIPT, "prepare"], { timeoutMs: 900_000 });
}

/** A fresh copy of the cached root in `dir`. */
export function unpackRoot(dir: string): void {
  run("bash", [ROOT_SCRIPT, "unpack", dir], { timeoutMs: 300_000 });
}

export class Container {
  private constructor(
    readonly name: string,
    readonly root: string,
    private readonly launcher: ChildProcess,
    /** PID 1 of the container, as a host pid. */
    readonly initPid: number,
    readonly consoleLog: string,
  ) {}

  /** Boots `root` and resolves once systemd reports the system running (or degraded). */
  static async boot(root: string, name: string, consoleLog: string, timeoutMs = 60_000): Promise<Container> {
    const log = openSync(consoleLog, "w");
    const launcher = spawn("bash", [BOOT_SCRIPT, root, name], { stdio: ["ignore", log, log], detached: true });
    closeSync(log);
    const deadline = Date.now() + timeoutMs;
    let initPid: number | undefined;
    while (initPid === undefined) {
      if (launcher.exitCode !== null) throw new Error(`systemd-nspawn exited with ${launcher.exitCode}:\n${readFileSync(consoleLog, "utf8")}`);
      if (Date.now() > deadline) throw new Error(`the container's systemd did not start:\n${readFileSync(consoleLog, "utf8")}`);
      initPid = containerInit(launcher.pid!);
      if (initPid === undefined) await sleep(50);
    }
    const container = new Container(name, root, launcher, initPid, consoleLog);
    let state = "";
    while (!["running", "degraded"].includes(state)) {
      if (Date.now() > deadline) {
        const jobs = container.exec(["systemctl", "list-jobs", "--no-pager"]).stdout;
        await container.shutdown();
        throw new Error(`the container's systemd is "${state}" after ${timeoutMs} ms; jobs:\n${jobs}`);
      }
      await sleep(100);
      state = container.exec(["systemctl", "is-system-running"]).stdout.trim();
    }
    return container;
  }

  /** Runs a command inside the container (all its namespaces, its root). */
  exec(args: readonly string[], timeoutMs = 120_000): ExecResult {
    const child = spawnSync("nsenter", ["--target", String(this.initPid), "--all", "--root", "--wd", "--", ...args], {
      encoding: "utf8",
      timeout: timeoutMs,
    });
    return { status: child.status ?? -1, stdout: child.stdout ?? "", stderr: child.stderr ?? "" };
  }

  /** `systemctl ARGS`; throws with its output unless it exits 0. */
  systemctl(...args: string[]): string {
    const result = this.exec(["systemctl", "--no-pager", ...args]);
    if (result.status !== 0) throw new Error(`systemctl ${args.join(" ")} exited ${result.status}: ${result.stdout}${result.stderr}`);
    return result.stdout;
  }

  /** `systemctl show UNIT -p ...` as an object. */
  show(unit: string, ...properties: string[]): Record<string, string> {
    const out = this.systemctl("show", unit, ...properties.map((p) => `--property=${p}`));
    return Object.fromEntries(out.trim().split("\n").map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]));
  }

  /** `journalctl ARGS -o cat` (messages only). */
  journal(...args: string[]): string {
    return this.exec(["journalctl", "--no-pager", "-o", "cat", ...args]).stdout;
  }

  /** Halts the container (SIGTERM to nspawn: an orderly shutdown) and removes its cgroups. */
  async shutdown(timeoutMs = 30_000): Promise<void> {
    if (this.launcher.exitCode === null && this.launcher.signalCode === null) {
      const exited = new Promise<void>((done) => this.launcher.once("exit", () => done()));
      this.launcher.kill("SIGTERM");
      const timer = setTimeout(() => this.launcher.kill("SIGKILL"), timeoutMs);
      await exited;
      clearTimeout(timer);
    }
    spawnSync("bash", [BOOT_SCRIPT, "cleanup", this.name]);
  }
}

/** Polls `condition` until it returns a value other than undefined/false, or throws after `timeoutMs`. */
export async function waitUntil<T>(what: string, condition: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

// --- internal ---

/** The child of the nspawn process that is PID 1 in its own pid namespace. */
function containerInit(nspawnPid: number): number | undefined {
  const childrenFile = `/proc/${nspawnPid}/task/${nspawnPid}/children`;
  const candidates = existsSync(childrenFile)
    ? readFileSync(childrenFile, "utf8").trim().split(/\s+/).filter(Boolean).map(Number)
    : readdirSync("/proc").filter((e) => /^\d+$/.test(e)).map(Number).filter((pid) => parentOf(pid) === nspawnPid);
  return candidates.find((pid) => {
    try {
      return /^NSpid:\s+\d+\s+1$/m.test(readFileSync(`/proc/${pid}/status`, "utf8"));
    } catch {
      return false;
    }
  });
}

function parentOf(pid: number): number | undefined {
  try {
    return Number(/^PPid:\s+(\d+)$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]);
  } catch {
    return undefined;
  }
}

function run(command: string, args: readonly string[], options: { timeoutMs: number }): void {
  const child = spawnSync(command, args, { encoding: "utf8", timeout: options.timeoutMs });
  if (child.status !== 0) throw new Error(`${command} ${args.join(" ")} failed (${child.status ?? child.signal}):\n${child.stderr}`);
}

const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));
