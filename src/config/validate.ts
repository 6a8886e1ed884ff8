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
 * Python's sharp edges, fixed: what Python would crash on later is an error
 * here, at start (an unknown key in a queue or a binding, a qos value pika
 * cannot send, ...); a partial `[qos]` or `[tls]` is completed from the
 * defaults instead of crashing at consume time; a binding may omit `queue`
 * (`""`) and `arguments` (`{}`); an empty TLS path means "not set"
 * (fedora-messaging issue #131); `client_properties` without `app` gets
 * `app = "Unknown"`. Unknown keys inside `[qos]`, `[tls]` and `[monitoring]`,
 * which Python ignores, are ignored with a WARNING (a misspelt `ca_cert` is
 * named, not silently "trust the system store").
 *
 * Drop-in rule: a configuration that Python runs, ours runs too, with one
 * WARNING naming the key, the file and what ours does with it (`tolerate`).
 * Only what Python crashes on (at start or when consuming) or silently misreads
 * in a way that loses messages is an error. Each case was decided by running
 * Python fedora-messaging with it (test/fixtures/config/dropin/); README's
 * Configuration section lists them.
 */
import { ConfigurationError } from "../errors.js";
import { getLogger } from "../log.js";
import { ConfigProblem, deepFreeze, describe, fail, isTable, keyPath, pyRepr, pyType, toJson } from "./_checks.js";
import { amqpUrlProblem, amqpUrls, tryParseAmqpUrl } from "./amqp-url.js";
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
  source = sourceName;
  try {
    return deepFreeze(build(raw));
  } catch (error) {
    if (error instanceof ConfigProblem) throw new ConfigurationError(`in ${sourceName}: ${error.message}`, { cause: error });
    throw error;
  }
}

// --- internal ---------------------------------------------------------------

/** The file being validated, for warnings (validation is synchronous). */
let source = "";

/**
 * A value Python runs with but that is not what the key documents: one WARNING
 * naming the file, the key, the problem and what ours does instead.
 */
function tolerate(path: Array<string | number>, problem: string, action: string): void {
  log.warning(`in ${source}: ${q(...path)} ${problem}; ${action}`);
}

/** Python's `bool(x)` of a TOML value. */
function pyTruthy(value: unknown): boolean {
  if (typeof value === "string") return value.length > 0;
  if (typeof value === "number") return value !== 0;
  if (Array.isArray(value)) return value.length > 0;
  if (isTable(value)) return Object.keys(value).length > 0;
  return Boolean(value);
}

/** A flag Python passes on as it is (pika sends its truth value): not a boolean is a WARNING and Python's truth value. */
function flag(value: unknown, ...path: Array<string | number>): boolean {
  if (typeof value === "boolean") return value;
  const truth = pyTruthy(value);
  tolerate(path, `should be true or false, got ${describe(value)}`, `like Python, ours takes it as ${truth}`);
  return truth;
}

/** A key only publishing reads: a bad value is a WARNING and the default (Python would fail only when publishing). */
function publishOnly<T>(key: "publish_exchange" | "topic_prefix" | "publish_priority", value: unknown, check: (v: unknown) => T, fallback: T): T {
  try {
    return check(value);
  } catch (error) {
    if (!(error instanceof ConfigProblem)) throw error;
    tolerate([key], `is not valid (${error.message.replace(/^'[^']*' /, "")})`, "the consumer never reads it, and publishing uses the default instead");
    return fallback;
  }
}

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
  set("publish_exchange", (v) => publishOnly("publish_exchange", v, (x) => string(x, "publish_exchange"), config.publish_exchange));
  set("topic_prefix", (v) => publishOnly("topic_prefix", v, (x) => string(x, "topic_prefix"), config.topic_prefix));
  set("publish_priority", (v) => publishOnly("publish_priority", v, checkPublishPriority, config.publish_priority));
  set("passive_declares", (v) => flag(v, "passive_declares"));
  set("exchanges", (v) => checkExchanges(v) ?? config.exchanges);
  set("qos", checkQos);
  // Python's CLI treats an empty callback like none at all.
  set("callback", (v) => string(v, "callback") || null);
  set("consumer_config", checkConsumerConfig);
  set("tls", (v) => checkTls(v, amqpUrls(config.amqp_url)));
  set("log_config", checkLogConfig);
  set("plugin_dir", (v) => string(v, "plugin_dir") || fail(`'plugin_dir' must be a directory path, got ""`));
  set("callback_mode", checkCallbackMode);
  set("callback_concurrency", (v) => integerFrom(v, 1, MAX_CALLBACK_CONCURRENCY, "callback_concurrency"));
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
/** As many as a prefetch count can hold: more could never be delivered at once. */
const MAX_CALLBACK_CONCURRENCY = MAX_PREFETCH_COUNT;

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

/**
 * Python's own values for the reserved keys (its defaults, which a config may
 * spell out): they mean "this library's identity", so ours sends its own.
 */
const PYTHON_IDENTITY: Record<keyof typeof CLIENT_IDENTITY, (v: unknown) => boolean> = {
  version: (v) => typeof v === "string" && /^fedora_messaging-\S+ with pika-\S+$/.test(v),
  information: (v) => v === "https://fedora-messaging.readthedocs.io/en/stable/",
  product: (v) => v === "Fedora Messaging with Pika",
};

function checkClientProperties(value: unknown): Config["client_properties"] {
  const props = jsonTable(value, "client_properties");
  // Python checks (and fills) these three in this order.
  for (const key of ["version", "information", "product"] as const) {
    if (!Object.hasOwn(props, key) || PYTHON_IDENTITY[key](props[key])) props[key] = CLIENT_IDENTITY[key];
    if (props[key] !== CLIENT_IDENTITY[key]) fail(`"${key}" is a reserved keyword in client_properties`);
  }
  if (!Object.hasOwn(props, "app")) props.app = "Unknown";
  if (typeof props.app !== "string") {
    // pika sends any value; the broker shows it as text.
    tolerate(["client_properties", "app"], `should be a string, got ${describe(props.app)}`, `ours sends it as the string ${JSON.stringify(String(props.app))}`);
    props.app = String(props.app);
  }
  return props;
}

function checkPublishPriority(value: unknown): number {
  return integerFrom(value, 0, 255, "publish_priority");
}

const EXCHANGE_KEYS = ["type", "durable", "auto_delete", "arguments"] as const;

/**
 * Python never reads `exchanges` (nor does our consumer): a value of the wrong
 * shape is a WARNING, and `undefined` (the defaults) is returned for it.
 */
function checkExchanges(value: unknown): Config["exchanges"] | undefined {
  try {
    return exchangesOf(value);
  } catch (error) {
    if (!(error instanceof ConfigProblem)) throw error;
    log.warning(`in ${source}: ${error.message}; Python never reads 'exchanges' and neither does the consumer, so ours ignores it`);
    return undefined;
  }
}

function exchangesOf(value: unknown): Config["exchanges"] {
  const exchanges = table(value, "exchanges");
  const out: Record<string, ExchangeSettings> = {};
  for (const [name, raw] of Object.entries(exchanges)) {
    const settings = table(raw, "exchanges", name);
    for (const key of Object.keys(settings)) {
      if (!(EXCHANGE_KEYS as readonly string[]).includes(key)) tolerate(["exchanges", name, key], "is not a setting", "Python never reads 'exchanges' and neither does the consumer, so ours ignores it");
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
      durable: flag(settings.durable, "queues", name, "durable"),
      auto_delete: flag(settings.auto_delete, "queues", name, "auto_delete"),
      exclusive: flag(settings.exclusive, "queues", name, "exclusive"),
      arguments: jsonTable(settings.arguments, "queues", name, "arguments"),
    };
    if (settings.passive !== undefined) queue.passive = flag(settings.passive, "queues", name, "passive");
    out.push([name, queue]);
  }
  return Object.fromEntries(out);
}

function checkBindings(value: unknown): Config["bindings"] {
  if (!Array.isArray(value)) fail(`bindings must be a list or tuple of dictionaries, but was a ${pyType(value)}`);
  const bindings = value.map((binding: unknown, i): Binding | undefined => {
    if (!isTable(binding)) fail(`bindings must be a list or tuple of dictionaries, but ${q("bindings", i)} is a ${pyType(binding)}`);
    const missing = ["exchange", "routing_keys"].filter((key) => !Object.hasOwn(binding, key));
    if (missing.length > 0) fail(`a binding is missing the following keys from its settings value: ${pyRepr(missing)}`);
    if (!Array.isArray(binding.routing_keys)) fail(`routing_keys must be a list or tuple, but was a ${pyType(binding.routing_keys)}`);
    noUnknownKeys(binding, ["queue", "exchange", "routing_keys", "arguments"], "bindings", i);
    if (binding.queue !== undefined && typeof binding.queue !== "string") {
      // Python applies a binding only to the queue named by it: a number names none.
      tolerate(["bindings", i, "queue"], `should be a queue name, got ${describe(binding.queue)}`, "like Python, ours applies this binding to no queue");
      return undefined;
    }
    return {
      queue: binding.queue === undefined ? "" : binding.queue,
      exchange: string(binding.exchange, "bindings", i, "exchange"),
      routing_keys: binding.routing_keys.map((key: unknown, k) => string(key, "bindings", i, "routing_keys", k)),
      arguments: binding.arguments === undefined ? {} : jsonTable(binding.arguments, "bindings", i, "arguments"),
    };
  });
  return bindings.filter((binding): binding is Binding => binding !== undefined);
}

function checkQos(value: unknown): Config["qos"] {
  const settings = table(value, "qos");
  ignoreUnknownKeys(settings, ["prefetch_size", "prefetch_count"], "qos");
  const qos = { ...defaultConfig().qos };
  if (settings.prefetch_size !== undefined) qos.prefetch_size = integerFrom(pyInt(settings.prefetch_size, "qos", "prefetch_size"), 0, MAX_PREFETCH_SIZE, "qos", "prefetch_size");
  if (settings.prefetch_count !== undefined) qos.prefetch_count = integerFrom(pyInt(settings.prefetch_count, "qos", "prefetch_count"), 0, MAX_PREFETCH_COUNT, "qos", "prefetch_count");
  return qos;
}

/** Python's bool is an int (`true` is 1), and pika sends it as one. */
function pyInt(value: unknown, ...path: Array<string | number>): unknown {
  if (typeof value !== "boolean") return value;
  tolerate(path, `should be a number, got ${value}`, `like Python, ours takes it as ${Number(value)}`);
  return Number(value);
}

/** For tables Python reads key by key (`[qos]`, `[tls]`, `[monitoring]`): another key is a WARNING, and ignored as Python does. */
function ignoreUnknownKeys(settings: Record<string, unknown>, valid: readonly string[], ...path: Array<string | number>): void {
  for (const key of Object.keys(settings)) {
    if (!valid.includes(key)) tolerate([...path, key], `is not a setting (valid keys are ${pyRepr(valid)})`, "Python ignores it and so does ours");
  }
}

function checkMonitoring(value: unknown): MonitoringSettings | null {
  const settings = table(value, "monitoring");
  if (Object.keys(settings).length === 0) return null; // empty: monitoring is off, as in Python
  if (!Object.hasOwn(settings, "port")) fail("The port must be defined in [monitoring] to activate it");
  ignoreUnknownKeys(settings, ["address", "port"], "monitoring");
  let port = settings.port;
  if (typeof port === "string" && /^\d{1,5}$/.test(port) && Number(port) <= 65535) {
    // Python starts consuming but its monitoring server fails on a string; the number is what was meant.
    tolerate(["monitoring", "port"], `should be a number, got ${describe(port)}`, `ours listens on port ${Number(port)}`);
    port = Number(port);
  }
  const address = settings.address === undefined ? "" : settings.address;
  if (typeof port !== "number" || !Number.isInteger(port) || port < 0 || port > 65535 || typeof address !== "string") {
    // Python consumes all the same, without its monitoring server (it logs a Twisted "Unhandled Error").
    const [key, value, wanted] = typeof address !== "string" ? ["address", address, "a string"] : ["port", port, "an integer from 0 to 65535"];
    tolerate(["monitoring", key], `must be ${wanted}, got ${describe(value)}`, "like Python, ours consumes without the monitoring server");
    return null;
  }
  // Port 0: the system picks a free port (the log line names it), as in Python.
  return { address, port };
}

function checkTls(value: unknown, urls: readonly string[]): TlsSettings {
  // Python reads [tls] only for an amqps:// URL (ours: any amqps:// entry of a list).
  const usesTls = urls.some((url) => /^amqps:/i.test(url));
  if (!usesTls && !isTable(value)) {
    tolerate(["tls"], `must be a table, got ${describe(value)}`, "the amqp_url does not use TLS, so Python never reads it and ours ignores it");
    return defaultConfig().tls;
  }
  const settings = table(value, "tls");
  const keys = ["ca_cert", "certfile", "keyfile"] as const;
  ignoreUnknownKeys(settings, keys, "tls");
  const tls: Mutable<TlsSettings> = { ...defaultConfig().tls };
  // Whether the files can be read is checked when connecting, not here.
  for (const key of keys) {
    if (settings[key] === undefined) continue;
    if (typeof settings[key] !== "string" && !usesTls) {
      tolerate(["tls", key], `must be a file path, got ${describe(settings[key])}`, "the amqp_url does not use TLS, so Python never reads it and ours ignores it");
      continue;
    }
    tls[key] = string(settings[key], "tls", key) || null;
  }
  if ((tls.certfile === null) !== (tls.keyfile === null)) {
    log.warning("Only one of 'tls.certfile' and 'tls.keyfile' is set: no client certificate will be used (set both for SASL EXTERNAL)");
  }
  return tls;
}

/** Python hands `consumer_config` to the callback as it is, table or not. */
function checkConsumerConfig(value: unknown): Config["consumer_config"] {
  if (isTable(value)) return jsonTable(value, "consumer_config");
  tolerate(["consumer_config"], `should be a table, got ${describe(value)}`, "like Python, ours hands the value to the callback as it is");
  return toJson(value) as unknown as Config["consumer_config"];
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
