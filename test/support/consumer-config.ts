/**
 * The TOML of a daemon configuration consuming one queue, as the tests and
 * benchmarks write it: one durable queue (with its `arguments`), optionally bound
 * to amq.topic with one routing key, a callback, a prefetch, a client app name
 * and a `[consumer_config]` table. One writer for the integration harness, the
 * cluster tests and the benchmarks, so that their configurations differ only
 * where the test means them to.
 */
import { writeFileSync } from "node:fs";

export interface ConsumerConfigSpec {
  /** One URL (Python's string) or several (ours: a TOML list). */
  readonly amqpUrl: string | readonly string[];
  /** `path:Name` or `plugin:Name`. */
  readonly callback: string;
  readonly callbackMode?: "worker" | "in-process";
  /** Lines placed after the top-level keys, before `[queues.…]`: keys (`watchdog_timeout = 5`) or a table (`[monitoring]`). */
  readonly extra?: string;
  readonly queue: string;
  /** The queue's `arguments` (default none: a classic queue). */
  readonly queueArguments?: Readonly<Record<string, unknown>>;
  /** Binds the queue to amq.topic with this key; without it `bindings = []` (the test binds it). */
  readonly routingKey?: string;
  readonly prefetch?: number;
  /** `client_properties.app`: how tests find the daemon's connection in the management API. */
  readonly app?: string;
  readonly consumerConfig?: Readonly<Record<string, unknown>>;
  /** Log warnings and errors only (large benchmark runs). */
  readonly quiet?: boolean;
}

/** A TOML value: inline tables for objects, JSON (which TOML reads alike) for strings, numbers, booleans, arrays. */
export function tomlValue(value: unknown): string {
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    return `{ ${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)} = ${tomlValue(v)}`).join(", ")} }`;
  }
  return JSON.stringify(value);
}

/** The configuration's text. */
export function consumerConfigToml(spec: ConsumerConfigSpec): string {
  const lines = [
    `amqp_url = ${JSON.stringify(spec.amqpUrl)}`,
    `callback = ${JSON.stringify(spec.callback)}`,
    ...(spec.callbackMode ? [`callback_mode = "${spec.callbackMode}"`] : []),
    ...(spec.routingKey === undefined ? ["bindings = []"] : []),
    // Last before the tables: `extra` may be top-level keys or a table of its own (`[monitoring]`).
    ...(spec.extra ? [spec.extra] : []),
    `[queues.${JSON.stringify(spec.queue)}]`,
    "durable = true",
    "auto_delete = false",
    "exclusive = false",
    `arguments = ${tomlValue(spec.queueArguments ?? {})}`,
    ...(spec.routingKey === undefined
      ? []
      : ["[[bindings]]", `queue = ${JSON.stringify(spec.queue)}`, 'exchange = "amq.topic"', `routing_keys = [${JSON.stringify(spec.routingKey)}]`]),
    "[qos]",
    `prefetch_count = ${spec.prefetch ?? 10}`,
    ...(spec.app === undefined ? [] : ["[client_properties]", `app = ${JSON.stringify(spec.app)}`]),
    ...(spec.consumerConfig ? ["[consumer_config]", ...Object.entries(spec.consumerConfig).map(([k, v]) => `${k} = ${tomlValue(v)}`)] : []),
    ...(spec.quiet ? ['[log_config]\nversion = 1\n[log_config.loggers.fedora_messaging]\nlevel = "WARNING"'] : []),
  ];
  return `${lines.join("\n")}\n`;
}

/** Writes the configuration to `path` and returns `path`. */
export function writeConsumerConfig(path: string, spec: ConsumerConfigSpec): string {
  writeFileSync(path, consumerConfigToml(spec));
  return path;
}
