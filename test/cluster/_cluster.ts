/**
 * Helpers for the tests on the 3-node cluster of test/broker/cluster.sh
 * (test/cluster/run.sh starts it and exports what `cluster.sh env` prints):
 * the nodes' URLs, the management API of whichever node answers, killing and
 * restarting a node, and daemons consuming one quorum queue, each recording
 * what its callback saw.
 */
import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { after } from "node:test";
import { percentEncode } from "../../src/amqp/address.js";
import { ROOT, runCli, type CliRun } from "../integration/_harness.js";
import { uniqueName } from "../support/broker.js";
import { writeConsumerConfig } from "../support/consumer-config.js";
import { until } from "../support/wait.js";
import { MGMT_URLS, urlsFrom } from "./_nodes.js";
import { completeJsonLines } from "../support/json-lines.js";

const CLUSTER_SCRIPT = resolve(import.meta.dirname, "../broker/cluster.sh");
const CALLBACK = `${join(ROOT, "test/fixtures/consumer/cluster.mjs")}:recordDeliveries`;

export { LETTERS, NODE_URLS, NODES, urlsFrom } from "./_nodes.js";

/** One management API call, to the first node that answers (a node may be down). */
export async function mgmt(path: string, init: { method?: string; body?: unknown } = {}): Promise<unknown> {
  let lastError: unknown;
  for (const base of MGMT_URLS) {
    const url = new URL(base);
    const auth = Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString("base64");
    try {
      const response = await fetch(`${url.origin}/api${path}`, {
        method: init.method ?? "GET",
        headers: { authorization: `Basic ${auth}`, "content-type": "application/json" },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
        signal: AbortSignal.timeout(5_000),
      });
      if (response.status === 404) return null;
      if (!response.ok) throw new Error(`${init.method ?? "GET"} ${path}: HTTP ${response.status} ${await response.text()}`);
      const text = await response.text();
      return text ? JSON.parse(text) : undefined;
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

const queuePath = (name: string): string => `/queues/%2F/${percentEncode(name)}`;

/** The node holding the quorum queue's leader, or undefined while it has none. */
export async function leaderOf(queue: string): Promise<string | undefined> {
  const info = (await mgmt(queuePath(queue))) as { leader?: string; node?: string } | null;
  return info?.leader ?? info?.node;
}

/** Messages in a queue right now (ready + unacknowledged), without waiting for statistics. */
export async function messageCount(queue: string): Promise<number> {
  const info = (await mgmt(`${queuePath(queue)}?disable_stats=true&enable_queue_totals=true`)) as { messages?: number } | null;
  return info?.messages ?? 0;
}

/** Declares a durable quorum queue through the management API (e.g. a dead-letter queue). */
export async function declareQuorumQueue(name: string, args: Record<string, unknown> = {}): Promise<void> {
  await mgmt(queuePath(name), { method: "PUT", body: { durable: true, auto_delete: false, arguments: { "x-queue-type": "quorum", ...args } } });
}

export async function deleteQueue(name: string): Promise<void> {
  await mgmt(queuePath(name), { method: "DELETE" });
}

/** Which nodes the connections of a daemon (by its client_properties.app) are on now. */
export async function nodesOfApp(app: string): Promise<string[]> {
  const connections = (await mgmt("/connections")) as Array<{ node: string; client_properties?: { app?: string } }>;
  return connections.filter((c) => c.client_properties?.app === app).map((c) => c.node);
}

const run = promisify(execFile);

/** SIGKILLs every process of one node (test/broker/cluster.sh kill-node). */
export async function killNode(node: string): Promise<void> {
  await run("bash", [CLUSTER_SCRIPT, "kill-node", node]);
}

/** Boots a killed node again; resolves once it runs and is clustered with the other two. */
export async function startNode(node: string): Promise<void> {
  await run("bash", [CLUSTER_SCRIPT, "start-node", node], { timeout: 150_000 });
}

export interface ClusterQueue {
  readonly name: string;
  readonly routingKey: string;
  readonly dir: string;
  readonly arguments: Record<string, unknown>;
}

/** A fresh quorum queue name (declared by the daemons themselves) and its routing key; deleted after the file. */
export function quorumQueue(prefix: string, args: Record<string, unknown> = {}): ClusterQueue {
  const name = uniqueName(prefix);
  queues.push(name);
  return { name, routingKey: `test.${name}`, dir: mkdtempSync(join(tmpdir(), "fm-cluster-")), arguments: { "x-queue-type": "quorum", ...args } };
}
const queues: string[] = [];

/** One call of the callback: the message id and body, and what the broker said of earlier deliveries. */
export interface DeliveryRecord {
  readonly id: string;
  readonly body: Record<string, unknown>;
  readonly deliveryCount: number;
  readonly redelivered: boolean;
}

export interface ClusterDaemon {
  readonly app: string;
  readonly run: CliRun;
  /** What its callback recorded, one object per call. */
  records(): DeliveryRecord[];
}

const daemons: ClusterDaemon[] = [];
after(async () => {
  for (const daemon of daemons) if (daemon.run.child.exitCode === null && daemon.run.child.signalCode === null) daemon.run.child.kill("SIGKILL");
  for (const name of queues) await deleteQueue(name).catch(() => undefined);
});

export interface DaemonOptions {
  readonly prefetch?: number;
  readonly timeoutMs?: number;
}

/** `fedora-messaging consume` on `queue` with `amqp_url` = `urls` (a TOML list) and the recording callback (test/fixtures/consumer/cluster.mjs). */
export function startDaemon(queue: ClusterQueue, urls: readonly string[], options: DaemonOptions = {}): ClusterDaemon {
  const app = `fm-cluster-${queue.name}-${daemons.length}`;
  const recordFile = join(queue.dir, `records-${daemons.length}.jsonl`);
  const config = writeConsumerConfig(join(queue.dir, `config-${daemons.length}.toml`), {
    amqpUrl: urls,
    callback: CALLBACK,
    queue: queue.name,
    queueArguments: queue.arguments,
    routingKey: queue.routingKey,
    prefetch: options.prefetch ?? 10,
    app,
    consumerConfig: { record_file: recordFile },
  });
  const daemon: ClusterDaemon = {
    app,
    run: runCli(["--conf", config, "consume"], { timeoutMs: options.timeoutMs ?? 240_000 }),
    records: () => completeJsonLines<DeliveryRecord>(recordFile),
  };
  daemons.push(daemon);
  return daemon;
}

/**
 * Waits until every daemon is connected (one connection each) and the queue
 * and its binding exist: published messages then reach the queue, and each
 * daemon consumes them once its link is attached. (The management API's
 * consumer list is not waited for: in a few runs it missed one of three
 * consumers for a minute.) On a time-out, says what each daemon printed.
 */
export async function waitForDaemons(queue: ClusterQueue, list: readonly ClusterDaemon[]): Promise<void> {
  try {
    await until(async () => {
      const connected = await Promise.all(list.map(async (d) => (await nodesOfApp(d.app)).length === 1));
      if (!connected.every(Boolean)) return false;
      const bindings = (await mgmt(`${queuePath(queue.name)}/bindings`)) as Array<{ source: string; routing_key: string }> | null;
      return bindings?.some((b) => b.source === "amq.topic" && b.routing_key === queue.routingKey) ?? false;
    }, { timeoutMs: 60_000, intervalMs: 200, what: `${list.length} daemons connected and ${queue.name} bound` });
  } catch (error) {
    const outputs = list.map((d) => `--- ${d.app} (exit ${d.run.child.exitCode}):\n${d.run.stdout().slice(0, 4000)}\n${d.run.stderr().slice(0, 4000)}`);
    throw new Error(`${(error as Error).message}\n${outputs.join("\n")}`);
  }
}

/**
 * Daemons on `queue`, daemon i trying node i first: the first one alone until
 * it has declared and bound the queue, then the others, so that a test sees
 * what it is about from a known start. (Simultaneous first declarations are
 * what competing.test.ts does: RabbitMQ 4.0.5 may fail one of them, and the
 * daemon declares again; test/peer/declare-race.test.ts.)
 */
export async function startDaemons(queue: ClusterQueue, count: number, options: DaemonOptions = {}): Promise<ClusterDaemon[]> {
  const first = startDaemon(queue, urlsFrom(0), options);
  await waitForDaemons(queue, [first]);
  const list = [first, ...Array.from({ length: count - 1 }, (_, i) => startDaemon(queue, urlsFrom(i + 1), options))];
  await waitForDaemons(queue, list);
  return list;
}

/** Every message id the daemons' callbacks saw, with how often. */
export function seenIds(daemons: readonly ClusterDaemon[]): Map<string, number> {
  const seen = new Map<string, number>();
  for (const daemon of daemons) for (const record of daemon.records()) seen.set(record.id, (seen.get(record.id) ?? 0) + 1);
  return seen;
}

/** True when every id of `ids` was seen by one of the daemons (the record files read once). */
export function allSeen(daemons: readonly ClusterDaemon[], ids: readonly string[]): boolean {
  const seen = seenIds(daemons);
  return ids.every((id) => seen.has(id));
}

/** Stops the daemons with SIGTERM and returns their exit codes. */
export async function stopDaemons(list: readonly ClusterDaemon[]): Promise<number[]> {
  for (const daemon of list) daemon.run.child.kill("SIGTERM");
  return Promise.all(list.map((d) => d.run.exited));
}
