/**
 * The configuration used when a key is absent from the file: Python
 * fedora-messaging's `config.DEFAULTS`, key for key, plus our two keys.
 */
import pkg from "../../package.json" with { type: "json" };
import type { Config } from "./types.js";

/** Where `loadConfig()` looks when neither `--conf` nor `FEDORA_MESSAGING_CONF` says otherwise. */
export const DEFAULT_CONFIG_PATH = "/etc/fedora-messaging/config.toml";

/**
 * The identity we report to the broker. Python reports "Fedora Messaging with
 * Pika" and its own versions; ours must say what we are so that broker
 * administrators can tell the two apart. rhea is pinned to an exact version in
 * package.json (we patch it), so that string is its version.
 */
export const CLIENT_IDENTITY = {
  product: "Fedora Messaging for Node",
  information: "https://fedora-messaging.readthedocs.io/en/stable/",
  version: `fedora-messaging-node-${pkg.version} with rhea-${pkg.dependencies.rhea}`,
} as const;

/**
 * Python's top-level keys in the order of its `DEFAULTS` dict, then ours.
 * The order matters: the unknown-key error lists them exactly like Python's
 * `list(DEFAULTS.keys())`.
 */
export const CONFIG_KEYS = [
  "amqp_url",
  "client_properties",
  "publish_exchange",
  "topic_prefix",
  "publish_priority",
  "passive_declares",
  "exchanges",
  "queues",
  "bindings",
  "qos",
  "callback",
  "monitoring",
  "consumer_config",
  "tls",
  "log_config",
  "plugin_dir",
  "callback_mode",
  "callback_concurrency",
  "reconnect_max_delay",
  "watchdog_timeout",
] as const satisfies ReadonlyArray<keyof Config>;

/** The settings of the server-named queue (`""`), used by `--queue-name` too. */
export function defaultQueueSettings(): { durable: boolean; auto_delete: boolean; exclusive: boolean; arguments: Record<string, never> } {
  return { durable: false, auto_delete: true, exclusive: true, arguments: {} };
}

/** Python's default `log_config` (a `logging.config.dictConfig` dictionary), as plain data. */
export function defaultLogConfig(): Config["log_config"] {
  return {
    version: 1,
    disable_existing_loggers: false,
    formatters: { simple: { format: "[%(name)s %(levelname)s] %(message)s" } },
    handlers: {
      console: { class: "logging.StreamHandler", formatter: "simple", stream: "ext://sys.stdout" },
    },
    loggers: {
      fedora_messaging: { level: "INFO", propagate: false, handlers: ["console"] },
    },
    root: { level: "WARNING", handlers: ["console"] },
  };
}

/**
 * The full default configuration, as a new, unfrozen object on every call (so
 * that callers may build on it). Matches Python's `DEFAULTS` except for the
 * client identity (see `CLIENT_IDENTITY`), `monitoring` (null rather than `{}`:
 * both mean "off") and a binding's `arguments` (always present here).
 */
export function defaultConfig(): Config {
  return {
    amqp_url: "amqp://?connection_attempts=3&retry_delay=5",
    client_properties: { app: "Unknown", ...CLIENT_IDENTITY },
    publish_exchange: "amq.topic",
    topic_prefix: "",
    publish_priority: null,
    passive_declares: false,
    exchanges: {
      "amq.topic": { type: "topic", durable: true, auto_delete: false, arguments: {} },
    },
    queues: { "": defaultQueueSettings() },
    bindings: [{ queue: "", exchange: "amq.topic", routing_keys: ["#"], arguments: {} }],
    qos: { prefetch_size: 0, prefetch_count: 10 },
    callback: null,
    monitoring: null,
    consumer_config: {},
    tls: { ca_cert: null, certfile: null, keyfile: null },
    log_config: defaultLogConfig(),
    plugin_dir: "/usr/lib/fedora-messaging/plugins",
    callback_mode: "worker",
    callback_concurrency: 1,
    reconnect_max_delay: 60,
    watchdog_timeout: 300,
  };
}
