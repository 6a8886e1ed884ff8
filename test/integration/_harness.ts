/**
 * Helpers for the consumer's integration tests: a per-test queue bound to
 * amq.topic with its own routing key, a config file for it, and the real CLI
 * (dist/fedora-messaging.js, built by `npm test` before the tests) run as a
 * child process.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after } from "node:test";
import { brokerUrls, uniqueName } from "../support/broker.js";
import { writeConsumerConfig } from "../support/consumer-config.js";
import { bindQueue, declareQueue, deleteQueue } from "../support/management.js";
import { publishMessages } from "../support/publish.js";
import { completeJsonLines } from "../support/json-lines.js";

export const ROOT = resolve(import.meta.dirname, "../..");
export const CLI = join(ROOT, "dist/fedora-messaging.js");
export const BEHAVIOURS = join(ROOT, "test/fixtures/consumer/behaviours.mjs");

export interface TestQueue {
  readonly name: string;
  readonly routingKey: string;
  readonly dir: string;
  readonly recordFile: string;
  /** The arguments it was declared with (a classic queue's `{}` by default). */
  readonly arguments: Readonly<Record<string, unknown>>;
  /** Publishes fedora-messaging-shaped messages with this queue's routing key. */
  publish(bodies: ReadonlyArray<Record<string, unknown>>, extra?: { headers?: Record<string, unknown> }): Promise<void>;
  /** Publishes exact body bytes; `id: null` sends no message id. */
  publishRaw(raw: Buffer, options?: { id?: string | null }): Promise<void>;
  /** What the callback recorded, one object per call. */
  records(): Array<Record<string, unknown>>;
  cleanup(): Promise<void>;
}

export async function testQueue(prefix: string, queueArguments: Record<string, unknown> = {}): Promise<TestQueue> {
  const name = uniqueName(prefix);
  const routingKey = `test.${name}`;
  const dir = mkdtempSync(join(tmpdir(), "fm-test-"));
  const recordFile = join(dir, "records.jsonl");
  await declareQueue(name, { durable: true, auto_delete: false, arguments: queueArguments });
  await bindQueue(name, "amq.topic", routingKey);
  const { amqpUrl } = brokerUrls();
  return {
    name,
    routingKey,
    dir,
    recordFile,
    arguments: queueArguments,
    publish: (bodies, extra = {}) =>
      publishMessages(amqpUrl, bodies.map((body) => ({ topic: routingKey, body, ...(extra.headers ? { headers: extra.headers } : {}) }))),
    publishRaw: (raw, options = {}) => publishMessages(amqpUrl, [{ topic: routingKey, rawBody: raw, ...options }]),
    records: () => completeJsonLines(recordFile),
    cleanup: () => deleteQueue(name),
  };
}

/**
 * Per-file queue bookkeeping: `freshQueue(prefix)` makes a test queue and the
 * file's `after` hook deletes every one it made.
 */
export function testQueues(): (prefix: string, queueArguments?: Record<string, unknown>) => Promise<TestQueue> {
  const made: TestQueue[] = [];
  after(() => Promise.all(made.map((q) => q.cleanup().catch(() => undefined))));
  return async (prefix, queueArguments) => {
    const queue = await testQueue(prefix, queueArguments);
    made.push(queue);
    return queue;
  };
}

export interface ConfigOptions {
  readonly callback?: string;
  readonly consumerConfig?: Record<string, unknown>;
  readonly prefetch?: number;
  readonly amqpUrl?: string;
  readonly extra?: string;
  readonly callbackMode?: "worker" | "in-process";
  /** The file's name in the queue's directory (default `config.toml`): two daemons of a test need two. */
  readonly file?: string;
}

/** Writes a config file consuming `queue` (durable, as declared by testQueue) and returns its path. */
export function writeConfig(queue: TestQueue, options: ConfigOptions = {}): string {
  return writeConsumerConfig(join(queue.dir, options.file ?? "config.toml"), {
    amqpUrl: options.amqpUrl ?? brokerUrls().amqpUrl,
    callback: options.callback ?? `${BEHAVIOURS}:accept`,
    ...(options.callbackMode ? { callbackMode: options.callbackMode } : {}),
    ...(options.extra ? { extra: options.extra } : {}),
    queue: queue.name,
    queueArguments: queue.arguments,
    routingKey: queue.routingKey,
    prefetch: options.prefetch ?? 10,
    app: `fm-test-${queue.name}`,
    consumerConfig: { record_file: queue.recordFile, ...options.consumerConfig },
  });
}

export interface CliRun {
  readonly child: ChildProcess;
  /** Everything printed so far on stdout. */
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or 128+signal) when the process ends. */
  readonly exited: Promise<number>;
  /** Resolves when stdout contains `text`. */
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<void>;
}

export interface RunOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** The process is killed after this long. */
  readonly timeoutMs?: number;
  /** Another `fedora-messaging` to run (an installed package's bin, the SEA): run as an executable. */
  readonly executable?: string;
  /** Working directory of the process (default: the test's). */
  readonly cwd?: string;
}

/** Runs `fedora-messaging ARGS`, by default from the built bundle. */
export function runCli(args: readonly string[], options: RunOptions = {}): CliRun {
  const [command, commandArgs] = options.executable ? [options.executable, args] : [process.execPath, [CLI, ...args]];
  const child = spawn(command, commandArgs, {
    env: { ...process.env, ...options.env },
    ...(options.cwd ? { cwd: options.cwd } : {}),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  const waiters: Array<() => void> = [];
  child.stdout!.on("data", (chunk: Buffer) => {
    out += chunk.toString();
    for (const wake of waiters.splice(0)) wake();
  });
  child.stderr!.on("data", (chunk: Buffer) => (err += chunk.toString()));
  const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
  const exited = new Promise<number>((resolveExit) => {
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      for (const wake of waiters.splice(0)) wake();
      resolveExit(code ?? 128 + (signal === "SIGKILL" ? 9 : signal === "SIGTERM" ? 15 : 2));
    });
  });
  const matches = (text: string | RegExp) => (typeof text === "string" ? out.includes(text) : text.test(out));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor: (text, timeoutMs = 30_000) =>
      new Promise<void>((resolveWait, reject) => {
        const deadline = setTimeout(() => reject(new Error(`timed out waiting for ${String(text)} in:\n${out}\n--- stderr ---\n${err}`)), timeoutMs);
        const check = () => {
          if (matches(text)) {
            clearTimeout(deadline);
            resolveWait();
          } else if (child.exitCode !== null || child.signalCode !== null) {
            clearTimeout(deadline);
            reject(new Error(`the CLI exited before printing ${String(text)}:\n${out}\n--- stderr ---\n${err}`));
          } else {
            waiters.push(check);
          }
        };
        check();
      }),
  };
}

/** `fedora-messaging --conf CONFIG consume ARGS` to completion. */
export async function consumeToEnd(config: string, args: readonly string[] = [], timeoutMs = 60_000): Promise<{ code: number; stdout: string; stderr: string }> {
  const run = runCli(["--conf", config, "consume", ...args], { timeoutMs });
  const code = await run.exited;
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

/** A TCP port nobody listens on right now (for the monitoring server, or a broker that is not there). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
