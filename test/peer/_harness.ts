/**
 * Helpers for the peer ring: an in-process AMQP peer per test (stopped by the
 * file's `after` hook), a config file pointing the daemon at it, and the
 * built CLI run exactly as the integration tests run it (dist/, so `npm run
 * build` first; `npm test` does).
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after } from "node:test";
import type { ConnectionSettings } from "../../src/amqp/connection.js";
import { AmqpPeer, type AmqpPeerOptions, type PeerQueue } from "../support/amqp-peer.js";
import { BEHAVIOURS, CLI, runCli, type CliRun } from "../integration/_harness.js";

export { BEHAVIOURS, runCli, type CliRun };

if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` before \`npm run test:peer\``);

const peers: AmqpPeer[] = [];
const runs: CliRun[] = [];
after(async () => {
  for (const run of runs) if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill("SIGKILL");
  await Promise.all(peers.map((peer) => peer.stop()));
});

/** A peer that the file's `after` hook stops. */
export async function startPeer(options: AmqpPeerOptions = {}): Promise<AmqpPeer> {
  const peer = await AmqpPeer.start(options);
  peers.push(peer);
  return peer;
}

export interface PeerSetup {
  readonly queue: string;
  readonly routingKey: string;
  readonly config: string;
  /** What the `behaviours.mjs` callback recorded, one object per call. */
  records(): Array<Record<string, unknown>>;
}

export interface PeerConfigOptions {
  readonly callback?: string;
  readonly prefetch?: number;
  /** Extra top-level TOML lines (e.g. `watchdog_timeout = 1`). */
  readonly extra?: string;
  readonly consumerConfig?: Record<string, unknown>;
  /** Defaults to the peer's URL with guest/guest; a list is written as a TOML array. */
  readonly amqpUrl?: string | readonly string[];
  /** `?heartbeat=` in the peer's URL, seconds. */
  readonly heartbeat?: number;
}

/** Writes a config consuming one durable queue on `peer`, bound to amq.topic like the integration tests'. */
export function peerConfig(peer: AmqpPeer, options: PeerConfigOptions = {}): PeerSetup {
  const dir = mkdtempSync(join(tmpdir(), "fm-peer-"));
  const queue = `peer-${dir.slice(-6)}`;
  const routingKey = `test.${queue}`;
  const recordFile = join(dir, "records.jsonl");
  const consumerConfig = { record_file: recordFile, ...options.consumerConfig };
  const lines = [
    `amqp_url = ${JSON.stringify(options.amqpUrl ?? peer.url(options.heartbeat === undefined ? {} : { heartbeat: options.heartbeat }))}`,
    `callback = ${JSON.stringify(options.callback ?? `${BEHAVIOURS}:byBody`)}`,
    options.extra ?? "",
    `[queues.${JSON.stringify(queue)}]`,
    "durable = true",
    "auto_delete = false",
    "exclusive = false",
    "arguments = {}",
    "[[bindings]]",
    `queue = ${JSON.stringify(queue)}`,
    'exchange = "amq.topic"',
    `routing_keys = [${JSON.stringify(routingKey)}]`,
    "[qos]",
    `prefetch_count = ${options.prefetch ?? 10}`,
    "[consumer_config]",
    ...Object.entries(consumerConfig).map(([key, value]) => `${key} = ${JSON.stringify(value)}`),
  ];
  const config = join(dir, "config.toml");
  writeFileSync(config, `${lines.join("\n")}\n`);
  return {
    queue,
    routingKey,
    config,
    records: () =>
      existsSync(recordFile)
        ? readFileSync(recordFile, "utf8").trim().split("\n").filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>)
        : [],
  };
}

/** `fedora-messaging --conf CONFIG consume`, killed by the file's `after` hook if still running. */
export function consumeWith(setup: PeerSetup, timeoutMs = 30_000): CliRun {
  const run = runCli(["--conf", setup.config, "consume"], { timeoutMs });
  runs.push(run);
  return run;
}

/** Fedora-messaging-shaped test messages on the setup's routing key, one per body. */
export function messages(setup: PeerSetup, bodies: ReadonlyArray<Record<string, unknown>>): Array<{ topic: string; body: Record<string, unknown> }> {
  return bodies.map((body) => ({ topic: setup.routingKey, body }));
}

export interface Consuming {
  readonly peer: AmqpPeer;
  readonly setup: PeerSetup;
  readonly queue: PeerQueue;
  readonly run: CliRun;
}

/** A peer, the CLI consuming from it, and one message already accepted: consuming for sure. */
export async function consumingOnPeer(options: PeerConfigOptions = {}, peerOptions: AmqpPeerOptions = {}): Promise<Consuming> {
  const peer = await startPeer(peerOptions);
  const setup = peerConfig(peer, options);
  const queue = peer.queue(setup.queue);
  const run = consumeWith(setup);
  peer.publish(setup.queue, messages(setup, [{ n: 0 }]));
  await peer.waitFor("the first message accepted", () => queue.settlements.length === 1);
  return { peer, setup, queue, run };
}

/** What the daemon's own `openConnection` needs to reach `peer` as guest (for in-process tests). */
export function peerSettings(peer: AmqpPeer): ConnectionSettings {
  return {
    host: "127.0.0.1",
    port: peer.port,
    vhost: "/",
    username: "guest",
    password: "guest",
    properties: { connection_name: "fm-peer-ring" },
    idleTimeoutMs: 30_000,
    connectTimeoutMs: 5_000,
    displayUrl: peer.url({ password: "****" }),
  };
}
