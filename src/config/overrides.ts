/**
 * The `consume`/`record` command-line options that change the configuration,
 * with Python's semantics (cli.py `_consume`), applied to a copy.
 */
import { deepFreeze } from "./_checks.js";
import { defaultQueueSettings } from "./defaults.js";
import type { Binding, Config } from "./types.js";

export interface CliOverrides {
  /** `--queue-name`: consume from this queue only, with the server-named queue's settings. */
  readonly queueName?: string | undefined;
  /** `--exchange`: every binding binds to this exchange. */
  readonly exchange?: string | undefined;
  /** `--routing-key` (repeatable): every binding uses exactly these keys. */
  readonly routingKeys?: readonly string[] | undefined;
  /** `--app-name`: `client_properties.app`. */
  readonly appName?: string | undefined;
}

/**
 * Applies the CLI overrides and returns a new frozen Config; `config` is not
 * changed. Empty values change nothing (Python tests them for truth).
 *
 * - queueName: `queues` becomes `{ [queueName]: settings of the "" queue }`
 *   and every binding's `queue` becomes queueName. When the config defines no
 *   `""` queue (Python raises KeyError there), the default `""` settings are
 *   used: durable false, auto_delete true, exclusive true, arguments {}.
 * - exchange: every binding's `exchange`.
 * - routingKeys: every binding's `routing_keys`.
 * - appName: `client_properties.app`.
 */
export function applyCliOverrides(config: Config, overrides: CliOverrides): Config {
  const { queueName, exchange, routingKeys, appName } = overrides;
  let queues = config.queues;
  let bindings: readonly Binding[] = config.bindings;
  let clientProperties = config.client_properties;
  if (queueName) {
    queues = { [queueName]: config.queues[""] ?? defaultQueueSettings() };
    bindings = bindings.map((b) => ({ ...b, queue: queueName }));
  }
  if (exchange) bindings = bindings.map((b) => ({ ...b, exchange }));
  if (routingKeys && routingKeys.length > 0) bindings = bindings.map((b) => ({ ...b, routing_keys: [...routingKeys] }));
  if (appName) clientProperties = { ...clientProperties, app: appName };
  return deepFreeze({ ...config, queues, bindings, client_properties: clientProperties });
}
