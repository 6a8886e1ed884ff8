/**
 * Turns parsed TOML (`unknown`) into a checked, deeply frozen `Config`.
 *
 * Python's rules, kept: top-level keys are lower-cased; an unknown key is an
 * error listing the valid ones; each top-level key present in the file
 * replaces the default wholesale (so `[queues.x]` removes the default `""`
 * queue); `client_properties` may not change `product`, `information` or
 * `version`; an empty `[monitoring]` turns monitoring off. Python's sentences
 * are reused word for word where Python has one.
 *
 * Python's sharp edges, fixed: every key is type-checked here rather than
 * failing later (or never); a partial `[qos]` or `[tls]` is completed from the
 * defaults instead of crashing at consume time; a binding may omit `queue`
 * (`""`) and `arguments` (`{}`); unknown keys inside `[qos]`, `[tls]`,
 * `[monitoring]`, a queue or a binding are errors (Python ignores the first
 * three, so a misspelt `ca_cert` silently meant "trust the system store", and
 * crashes on the last two); an empty TLS path means "not set" (fedora-messaging
 * issue #131); `client_properties` without `app` gets `app = "Unknown"`.
 */
import { ConfigurationError } from "../errors.js";
import { getLogger } from "../log.js";
import { ConfigProblem, deepFreeze, describe, fail, isTable, keyPath, pyRepr, pyType, toJson } from "./_checks.js";
import { amqpUrlProblem, tryParseAmqpUrl } from "./amqp-url.js";
import { CLIENT_IDENTITY, CONFIG_KEYS, defaultConfig } from "./defaults.js";
import { planLogConfig } from "./logging.js";
import type { Binding, Config, ExchangeSettings, JsonValue, MonitoringSettings, QueueSettings, TlsSettings } from "./types.js";

const log = getLogger("fedora_messaging.config");

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Checks a parsed configuration file and completes it with the defaults.
 *
 * @param raw what the TOML parser returned (a table of top-level keys).
 * @param sourceName the file it came from, named in every error.
 * @returns a deeply frozen Config.
 * @throws ConfigurationError with one sentence naming the file and the key:
 *   `Configuration error: in /etc/fedora-messaging/x.toml: 'qos.prefetch_count' must be a non-negative integer, got "ten"`.
 */
export function validateConfig(raw: unknown, sourceName: string): Config {
  try {
    return deepFreeze(build(raw));
  } catch (error) {
    if (error instanceof ConfigProblem) throw new ConfigurationError(`in ${sourceName}: ${error.message}`, { cause: error });
    throw error;
  }
}

// --- internal ---------------------------------------------------------------

function build(raw: unknown): Config {
  if (!isTable(raw)) fail(`the configuration must be a table of settings, got ${describe(raw)}`);
  // Python lower-cases each top-level key; when two keys collide the later one wins.
  const file = new Map<string, unknown>();
  for (const [key, value] of Object.entries(raw)) file.set(key.toLowerCase(), value);
  for (const key of file.keys()) {
    if (!(CONFIG_KEYS as readonly string[]).includes(key)) {
      fail(`Unknown configuration key ${pyRepr(key)}! Valid configuration keys are ${pyRepr(CONFIG_KEYS)}`);
    }
  }

  const config: Mutable<Config> = defaultConfig();
  const set = <K extends keyof Config>(key: K, check: (value: unknown) => Config[K]): void => {
    if (file.has(key)) config[key] = check(file.get(key));
  };
  // Python checks these four in this order; the rest follow in DEFAULTS order.
  set("queues", checkQueues);
  set("bindings", checkBindings);
  set("client_properties", checkClientProperties);
  set("monitoring", checkMonitoring);
  set("amqp_url", checkAmqpUrl);
  set("publish_exchange", (v) => string(v, "publish_exchange"));
  set("topic_prefix", (v) => string(v, "topic_prefix"));
  set("publish_priority", checkPublishPriority);
  set("passive_declares", (v) => boolean(v, "passive_declares"));
  set("exchanges", checkExchanges);
  set("qos", checkQos);
  // Python's CLI treats an empty callback like none at all.
  set("callback", (v) => string(v, "callback") || null);
  set("consumer_config", (v) => jsonTable(v, "consumer_config"));
  set("tls", checkTls);
  set("log_config", checkLogConfig);
  set("plugin_dir", (v) => string(v, "plugin_dir") || fail(`'plugin_dir' must be a directory path, got ""`));
  set("callback_mode", checkCallbackMode);
  set("reconnect_max_delay", (v) => positiveSeconds(v, "reconnect_max_delay"));
  set("watchdog_timeout", (v) => integerFrom(v, 0, MAX_SECONDS, "watchdog_timeout"));
  return config;
}

const q = (...parts: Array<string | number>): string => `'${keyPath(...parts)}'`;

function string(value: unknown, ...path: Array<string | number>): string {
  if (typeof value !== "string") fail(`${q(...path)} must be a string, got ${describe(value)}`);
  return value;
}

function boolean(value: unknown, ...path: Array<string | number>): boolean {
  if (typeof value !== "boolean") fail(`${q(...path)} must be true or false, got ${describe(value)}`);
  return value;
}

/**
 * Every number has the range the protocol or the timers accept: a value past
 * it does not fail at start but later, in a loop (a prefetch of 2^32 made
 * every connection die right after registering, forever).
 */
function integerFrom(value: unknown, min: number, max: number, ...path: Array<string | number>): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    fail(`${q(...path)} must be an integer from ${min} to ${max}, got ${describe(value)}`);
  }
  return value;
}

/** A day: delays and timeouts beyond it are mistakes (and Node's timers overflow at 24.8 days). */
const MAX_SECONDS = 86_400;
/** AMQP 0-9-1's `basic.qos` fields, which Python sends: prefetch-count is a short, prefetch-size a long. */
const MAX_PREFETCH_COUNT = 65_535;
const MAX_PREFETCH_SIZE = 4_294_967_295;

function positiveSeconds(value: unknown, ...path: Array<string | number>): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0 || value > MAX_SECONDS) {
    fail(`${q(...path)} must be a positive number of seconds, at most ${MAX_SECONDS}, got ${describe(value)}`);
  }
  return value;
}

function table(value: unknown, ...path: Array<string | number>): Record<string, unknown> {
  if (!isTable(value)) fail(`${q(...path)} must be a table, got ${describe(value)}`);
  return value;
}

function jsonTable(value: unknown, ...path: Array<string | number>): Record<string, JsonValue> {
  return toJson(table(value, ...path)) as Record<string, JsonValue>;
}

/** Our sentence for a key that a fixed-shape table does not have. */
function noUnknownKeys(settings: Record<string, unknown>, valid: readonly string[], ...path: Array<string | number>): void {
  for (const key of Object.keys(settings)) {
    if (!valid.includes(key)) fail(`${q(...path)} has an unknown key ${pyRepr(key)}; valid keys are ${pyRepr(valid)}`);
  }
}

/** Python's one URL, or (ours) a non-empty list of them, each checked and named by its place. */
function checkAmqpUrl(value: unknown): Config["amqp_url"] {
  if (!Array.isArray(value)) return checkOneAmqpUrl(value, "amqp_url");
  if (value.length === 0) fail("'amqp_url' must be a URL or a non-empty list of URLs, got []");
  return value.map((url: unknown, i) => checkOneAmqpUrl(url, "amqp_url", i));
}

function checkOneAmqpUrl(value: unknown, ...path: Array<string | number>): string {
  const url = string(value, ...path);
  const parsed = tryParseAmqpUrl(url);
  if (typeof parsed === "string") fail(amqpUrlProblem(url, parsed, keyPath(...path)));
  return url;
}

function checkClientProperties(value: unknown): Config["client_properties"] {
  const props = jsonTable(value, "client_properties");
  // Python checks (and fills) these three in this order.
  for (const key of ["version", "information", "product"] as const) {
    if (!Object.hasOwn(props, key)) props[key] = CLIENT_IDENTITY[key];
    if (props[key] !== CLIENT_IDENTITY[key]) fail(`"${key}" is a reserved keyword in client_properties`);
  }
  if (!Object.hasOwn(props, "app")) props.app = "Unknown";
  string(props.app, "client_properties", "app");
  return props;
}

function checkPublishPriority(value: unknown): number {
  return integerFrom(value, 0, 255, "publish_priority");
}

const EXCHANGE_KEYS = ["type", "durable", "auto_delete", "arguments"] as const;

/** Python never reads `exchanges`; we check the types it documents and ignore the rest, saying so. */
function checkExchanges(value: unknown): Config["exchanges"] {
  const exchanges = table(value, "exchanges");
  const out: Record<string, ExchangeSettings> = {};
  for (const [name, raw] of Object.entries(exchanges)) {
    const settings = table(raw, "exchanges", name);
    for (const key of Object.keys(settings)) {
      if (!(EXCHANGE_KEYS as readonly string[]).includes(key)) log.warning(`Ignoring the unknown key ${q("exchanges", name, key)} in the configuration`);
    }
    // Missing fields take AMQP's exchange.declare defaults.
    out[name] = {
      type: settings.type === undefined ? "direct" : string(settings.type, "exchanges", name, "type"),
      durable: settings.durable === undefined ? false : boolean(settings.durable, "exchanges", name, "durable"),
      auto_delete: settings.auto_delete === undefined ? false : boolean(settings.auto_delete, "exchanges", name, "auto_delete"),
      arguments: settings.arguments === undefined ? {} : jsonTable(settings.arguments, "exchanges", name, "arguments"),
    };
  }
  return out;
}

const QUEUE_KEYS = ["durable", "auto_delete", "exclusive", "arguments"] as const;

function checkQueues(value: unknown): Config["queues"] {
  if (!isTable(value)) fail("'queues' must be a dictionary mapping queue names to settings.");
  const out: Array<[string, QueueSettings]> = [];
  for (const [name, settings] of Object.entries(value)) {
    if (!isTable(settings)) {
      fail(`the ${name} queue in the 'queues' setting has a value of type ${pyType(settings)}, but it should be a dictionary of settings.`);
    }
    const missing = QUEUE_KEYS.filter((key) => !Object.hasOwn(settings, key));
    if (missing.length > 0) fail(`the ${name} queue is missing the following keys from its settings value: ${pyRepr(missing)}`);
    noUnknownKeys(settings, [...QUEUE_KEYS, "passive"], "queues", name);
    const queue: Mutable<QueueSettings> = {
      durable: boolean(settings.durable, "queues", name, "durable"),
      auto_delete: boolean(settings.auto_delete, "queues", name, "auto_delete"),
      exclusive: boolean(settings.exclusive, "queues", name, "exclusive"),
      arguments: jsonTable(settings.arguments, "queues", name, "arguments"),
    };
    if (settings.passive !== undefined) queue.passive = boolean(settings.passive, "queues", name, "passive");
    out.push([name, queue]);
  }
  return Object.fromEntries(out);
}

function checkBindings(value: unknown): Config["bindings"] {
  if (!Array.isArray(value)) fail(`bindings must be a list or tuple of dictionaries, but was a ${pyType(value)}`);
  return value.map((binding: unknown, i): Binding => {
    if (!isTable(binding)) fail(`bindings must be a list or tuple of dictionaries, but ${q("bindings", i)} is a ${pyType(binding)}`);
    const missing = ["exchange", "routing_keys"].filter((key) => !Object.hasOwn(binding, key));
    if (missing.length > 0) fail(`a binding is missing the following keys from its settings value: ${pyRepr(missing)}`);
    if (!Array.isArray(binding.routing_keys)) fail(`routing_keys must be a list or tuple, but was a ${pyType(binding.routing_keys)}`);
    noUnknownKeys(binding, ["queue", "exchange", "routing_keys", "arguments"], "bindings", i);
    return {
      queue: binding.queue === undefined ? "" : string(binding.queue, "bindings", i, "queue"),
      exchange: string(binding.exchange, "bindings", i, "exchange"),
      routing_keys: binding.routing_keys.map((key: unknown, k) => string(key, "bindings", i, "routing_keys", k)),
      arguments: binding.arguments === undefined ? {} : jsonTable(binding.arguments, "bindings", i, "arguments"),
    };
  });
}

function checkQos(value: unknown): Config["qos"] {
  const settings = table(value, "qos");
  noUnknownKeys(settings, ["prefetch_size", "prefetch_count"], "qos");
  const qos = { ...defaultConfig().qos };
  if (settings.prefetch_size !== undefined) qos.prefetch_size = integerFrom(settings.prefetch_size, 0, MAX_PREFETCH_SIZE, "qos", "prefetch_size");
  if (settings.prefetch_count !== undefined) qos.prefetch_count = integerFrom(settings.prefetch_count, 0, MAX_PREFETCH_COUNT, "qos", "prefetch_count");
  return qos;
}

function checkMonitoring(value: unknown): MonitoringSettings | null {
  const settings = table(value, "monitoring");
  if (Object.keys(settings).length === 0) return null; // empty: monitoring is off, as in Python
  if (!Object.hasOwn(settings, "port")) fail("The port must be defined in [monitoring] to activate it");
  noUnknownKeys(settings, ["address", "port"], "monitoring");
  const port = integerFrom(settings.port, 1, 65535, "monitoring", "port");
  return { address: settings.address === undefined ? "" : string(settings.address, "monitoring", "address"), port };
}

function checkTls(value: unknown): TlsSettings {
  const settings = table(value, "tls");
  const keys = ["ca_cert", "certfile", "keyfile"] as const;
  noUnknownKeys(settings, keys, "tls");
  const tls: Mutable<TlsSettings> = { ...defaultConfig().tls };
  // Whether the files can be read is checked when connecting, not here.
  for (const key of keys) if (settings[key] !== undefined) tls[key] = string(settings[key], "tls", key) || null;
  if ((tls.certfile === null) !== (tls.keyfile === null)) {
    log.warning("Only one of 'tls.certfile' and 'tls.keyfile' is set: no client certificate will be used (set both for SASL EXTERNAL)");
  }
  return tls;
}

function checkLogConfig(value: unknown): Config["log_config"] {
  const logConfig = jsonTable(value, "log_config");
  planLogConfig(logConfig); // throws a ConfigProblem naming the key
  return logConfig;
}

function checkCallbackMode(value: unknown): Config["callback_mode"] {
  if (value !== "worker" && value !== "in-process") fail(`'callback_mode' must be "worker" or "in-process", got ${describe(value)}`);
  return value;
}
