/**
 * The validated configuration: every key of Python fedora-messaging's
 * `config.toml`, same names (snake_case, as in the file), read-only.
 */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface QueueSettings {
  readonly durable: boolean;
  readonly auto_delete: boolean;
  readonly exclusive: boolean;
  readonly arguments: Readonly<Record<string, JsonValue>>;
  /** Overrides `passive_declares` for this queue when set. */
  readonly passive?: boolean;
}

export interface Binding {
  /** The queue to bind; `""` (the default) means the server-named queue. */
  readonly queue: string;
  readonly exchange: string;
  readonly routing_keys: readonly string[];
  readonly arguments: Readonly<Record<string, JsonValue>>;
}

export interface ExchangeSettings {
  readonly type: string;
  readonly durable: boolean;
  readonly auto_delete: boolean;
  readonly arguments: Readonly<Record<string, JsonValue>>;
}

export interface TlsSettings {
  readonly ca_cert: string | null;
  readonly certfile: string | null;
  readonly keyfile: string | null;
}

export interface MonitoringSettings {
  readonly address: string;
  readonly port: number;
}

export interface Config {
  /**
   * Python's one URL, or (ours) a list of URLs: the nodes of a cluster, tried
   * in turn, first to last, and the next one when a connection is lost.
   */
  readonly amqp_url: string | readonly string[];
  readonly client_properties: Readonly<Record<string, JsonValue>>;
  readonly publish_exchange: string;
  readonly topic_prefix: string;
  readonly publish_priority: number | null;
  readonly passive_declares: boolean;
  readonly exchanges: Readonly<Record<string, ExchangeSettings>>;
  readonly queues: Readonly<Record<string, QueueSettings>>;
  readonly bindings: readonly Binding[];
  readonly qos: { readonly prefetch_size: number; readonly prefetch_count: number };
  readonly callback: string | null;
  readonly consumer_config: Readonly<Record<string, JsonValue>>;
  readonly tls: TlsSettings;
  /** `null` when `[monitoring]` is absent or empty (the server is off). */
  readonly monitoring: MonitoringSettings | null;
  readonly log_config: Readonly<Record<string, JsonValue>>;
  /** Where plugins named without a path are looked up (ours; not in Python). */
  readonly plugin_dir: string;
  /** Run callbacks in a worker thread (default) or on the main thread (ours). */
  readonly callback_mode: "worker" | "in-process";
  /**
   * How many callbacks of one queue may be in flight at once (ours; Python
   * runs one at a time, which is the default, 1). Async callbacks interleave.
   */
  readonly callback_concurrency: number;
  /** Longest wait between reconnection attempts, seconds (ours; Python: one hour). */
  readonly reconnect_max_delay: number;
  /**
   * Seconds without a delivery, while the queue holds ready messages and we
   * have credit to spare, before the connection is deemed dead and restarted
   * (ours: a consumer must never stay connected but silent). 0 turns it off.
   */
  readonly watchdog_timeout: number;
}
