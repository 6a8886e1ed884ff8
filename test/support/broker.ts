/**
 * Where the integration tests' RabbitMQ is, and control over it.
 *
 * The broker is started by `test/broker/rabbitmq.sh` (or `npm run test:integration`, which
 * starts it, exports its variables and stops it afterwards). The tests only read the
 * variables that `rabbitmq.sh env` prints.
 */
import { execFile, execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { resolve } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** The broker script, found from this file so that tests may run from any directory. */
export const BROKER_SCRIPT = resolve(import.meta.dirname, "../broker/rabbitmq.sh");

/** A stop and a start take about 10 s; the first build of the broker's root about 2 min. */
const SCRIPT_TIMEOUT_MS = 300_000;

export interface BrokerUrls {
  /** `amqp://guest:guest@127.0.0.1:5682/` for the script's own broker. */
  readonly amqpUrl: string;
  /** `http://guest:guest@127.0.0.1:15682`: the management HTTP API, credentials included. */
  readonly mgmtUrl: string;
  /** RabbitMQ's version, e.g. `4.0.5`; empty when an external broker did not say. */
  readonly version: string;
}

/**
 * The test broker's URLs from `FM_TEST_AMQP_URL`, `FM_TEST_MGMT_URL` and
 * `FM_TEST_BROKER_VERSION`. When they are not set (a bench or a single test
 * file run by hand after `rabbitmq.sh start`), they are taken from what
 * `rabbitmq.sh env` prints for the same FM_TEST_* settings, and exported to
 * this process's environment so that child processes see the same broker.
 */
export function brokerUrls(): BrokerUrls {
  if (!process.env["FM_TEST_AMQP_URL"] || !process.env["FM_TEST_MGMT_URL"]) adoptScriptEnv();
  const amqpUrl = process.env["FM_TEST_AMQP_URL"]!;
  const mgmtUrl = process.env["FM_TEST_MGMT_URL"]!;
  return { amqpUrl, mgmtUrl, version: process.env["FM_TEST_BROKER_VERSION"] ?? "" };
}

function adoptScriptEnv(): void {
  const printed = execFileSync("bash", [BROKER_SCRIPT, "env"], { encoding: "utf8" });
  for (const line of printed.split("\n")) {
    const match = /^(FM_TEST_[A-Z_]+)=(.*)$/.exec(line);
    if (match) process.env[match[1]!] = match[2]!;
  }
}

/**
 * A name no other test uses, e.g. `consume-3f9a1c0e2b7d`: per-test queues never see
 * another test's messages, even when an earlier run left its queue behind.
 */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(6).toString("hex")}`;
}

/**
 * True when the tests run against the broker of `rabbitmq.sh` (its `env` sets
 * `FM_TEST_BROKER_LOCAL=1`), which the functions below can stop and start; false for a
 * broker named by hand in `FM_TEST_AMQP_URL`. Tests that restart the broker skip otherwise.
 */
export function isLocalBroker(): boolean {
  return process.env["FM_TEST_BROKER_LOCAL"] === "1";
}

/** Settings a test may start the broker with; the next plain `start` goes back to defaults. */
export interface BrokerSettings {
  /** RabbitMQ's `heartbeat` in seconds (its AMQP 1.0 idle timeout is half of it). */
  readonly heartbeatSeconds?: number;
  /** A file of extra rabbitmq.conf lines, e.g. a TLS listener on port 5681. */
  readonly extraConfFile?: string;
}

/** Stops the broker and starts it again, keeping durable queues and their messages. */
export async function restartBroker(settings: BrokerSettings = {}): Promise<void> {
  await brokerScript("restart", settingsEnv(settings));
}

/** Stops the broker (for tests of what the consumer does while it is down). */
export async function stopBroker(): Promise<void> {
  await brokerScript("stop");
}

/** Starts the broker again after `stopBroker()`, keeping its data. */
export async function startBroker(settings: BrokerSettings = {}): Promise<void> {
  await brokerScript("start", { ...settingsEnv(settings), FM_TEST_KEEP_DATA: "1" });
}

// --- internal ---

/**
 * Unset settings keep what the run started the broker with (run.sh exports
 * them), so a test that restarts the broker does not take away, say, the TLS
 * listener or the short heartbeat that later tests rely on.
 */
function settingsEnv(settings: BrokerSettings): Record<string, string> {
  return {
    FM_TEST_BROKER_HEARTBEAT:
      settings.heartbeatSeconds === undefined ? (process.env["FM_TEST_BROKER_HEARTBEAT"] ?? "") : String(settings.heartbeatSeconds),
    FM_TEST_BROKER_EXTRA_CONF: settings.extraConfFile ?? process.env["FM_TEST_BROKER_EXTRA_CONF"] ?? "",
  };
}

async function brokerScript(command: string, env: Record<string, string> = {}): Promise<void> {
  if (!isLocalBroker()) throw new Error(`cannot ${command} the broker: FM_TEST_AMQP_URL names an external one`);
  try {
    await run("bash", [BROKER_SCRIPT, command], { env: { ...process.env, ...env }, timeout: SCRIPT_TIMEOUT_MS });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim() ?? "";
    throw new Error(`rabbitmq.sh ${command} failed: ${stderr.split("\n").pop() ?? String(error)}`, { cause: error });
  }
}
