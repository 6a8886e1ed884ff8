/**
 * `consume()` for JavaScript and TypeScript programs: Python's
 * `fedora_messaging.api.consume(callback, bindings=None, queues=None)`, but
 * returning a promise instead of blocking, and never exiting the process.
 *
 * Where the callback runs:
 * - a function or class instance: on the main thread (a function cannot be
 *   handed to another thread). Keep it from blocking for long, or the
 *   connection's heartbeats stop;
 * - a `"path/to/plugin.js:Name"` string: in a worker thread, like the daemon
 *   (`mode: "in-process"` to run it on the main thread instead).
 */
import { defaultQueueSettings } from "../config/defaults.js";
import { loadConfig } from "../config/load.js";
import { validateConfig } from "../config/validate.js";
import type { Binding, Config, QueueSettings } from "../config/types.js";
import { setCurrentConfig } from "../config/current.js";
import { Daemon } from "../daemon/daemon.js";
import type { RunEnd } from "../ending.js";
import type { Message } from "../message/message.js";
import type { MessageHandler } from "../runner/process.js";

/** A callback: a function of the message, possibly async; its throws are the outcome table. */
export type ConsumeCallback = (message: Message) => unknown;

/** A binding as written in the configuration; `queue` and `arguments` are optional. */
export interface BindingInput {
  readonly queue?: string;
  readonly exchange: string;
  readonly routing_keys: readonly string[];
  readonly arguments?: Readonly<Record<string, unknown>>;
}

export interface ConsumeOptions {
  /** Defaults to the configuration's `bindings`. */
  readonly bindings?: BindingInput | readonly BindingInput[];
  /** Defaults to the configuration's `queues`. */
  readonly queues?: Readonly<Record<string, Partial<QueueSettings>>>;
  /** Defaults to the configuration file (`$FEDORA_MESSAGING_CONF` or /etc/fedora-messaging/config.toml). */
  readonly config?: Config;
  /** For a `path:Name` callback: where it runs. Default: the config's `callback_mode` ("worker"). */
  readonly mode?: "worker" | "in-process";
  /** Aborting stops consuming gracefully; the promise then resolves `{ kind: "stopped" }`. */
  readonly signal?: AbortSignal;
}

/** What `consume()` resolves with: how the run ended (the library's one `RunEnd`). */
export type ConsumeResult = RunEnd;

/**
 * Consumes until stopped. Resolves `{ kind: "stopped" }` when `signal` aborts,
 * or `{ kind: "halted", exitCode, reason }` when a callback throws
 * `HaltConsumer`. Rejects with ConfigurationError (bad bindings or queues),
 * CallbackLoadError, ConnectionError, BadDeclarationError, PermissionError,
 * ConsumerCanceledError, or CallbackError (the callback threw something else;
 * its messages went back to the queue).
 */
export async function consume(callback: ConsumeCallback | { call(message: Message): unknown } | string, options: ConsumeOptions = {}): Promise<ConsumeResult> {
  const config = withOverrides(options.config ?? loadConfig(), options);
  setCurrentConfig(config);
  const handler =
    typeof callback === "string"
      ? { spec: callback, source: "api" as const, pluginDir: config.plugin_dir, cwd: process.cwd() }
      : typeof callback === "function"
        ? (callback as MessageHandler)
        : (message: Message) => callback.call(message);
  const daemon = new Daemon({ config, callback: handler, mode: options.mode ?? config.callback_mode });
  const abort = () => daemon.stop();
  if (options.signal?.aborted) return { kind: "stopped" };
  options.signal?.addEventListener("abort", abort, { once: true });
  try {
    return await daemon.run();
  } finally {
    options.signal?.removeEventListener("abort", abort);
  }
}

/** Validates `bindings`/`queues` like the configuration file's keys (Python raises ValueError). */
function withOverrides(config: Config, options: ConsumeOptions): Config {
  if (options.bindings === undefined && options.queues === undefined) return config;
  const raw: Record<string, unknown> = {};
  if (options.bindings !== undefined) raw["bindings"] = Array.isArray(options.bindings) ? options.bindings : [options.bindings];
  if (options.queues !== undefined) {
    raw["queues"] = Object.fromEntries(
      Object.entries(options.queues).map(([name, settings]) => [name, { ...defaultQueueSettings(), ...settings }]),
    );
  }
  const checked = validateConfig(raw, "the arguments of consume()");
  return Object.freeze({
    ...config,
    ...(options.bindings !== undefined ? { bindings: checked.bindings as readonly Binding[] } : {}),
    ...(options.queues !== undefined ? { queues: checked.queues } : {}),
  });
}
