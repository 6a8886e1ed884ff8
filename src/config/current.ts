/**
 * The configuration callbacks read, like Python's `config.conf`:
 * `currentConfig().consumer_config.example_key`.
 *
 * A plain module-level value, set once by whoever loaded the configuration
 * (the CLI on the main thread, the consumer in each callback worker thread).
 * Unlike Python's `conf`, the value is frozen: callbacks cannot change what
 * other code sees.
 */
import { loadConfig } from "./load.js";
import type { Config } from "./types.js";

let current: Config | undefined;

/** Makes `config` the value `currentConfig()` returns (in this thread). */
export function setCurrentConfig(config: Config): void {
  current = config;
}

/**
 * The configuration set with `setCurrentConfig`; if none was set, the one
 * `loadConfig()` finds (`$FEDORA_MESSAGING_CONF` or the default file), loaded
 * once, as Python's lazy `config.conf` does.
 *
 * @throws ConfigurationError when that lazy load fails.
 */
export function currentConfig(): Config {
  current ??= loadConfig();
  return current;
}
