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

/**
 * Kept on `globalThis` under a registry symbol, not in a module variable: a
 * plugin that imports its own copy of this library (the npm package, while the
 * daemon runs from its bundle) must see the configuration the daemon set.
 */
const CURRENT = Symbol.for("fedora-messaging.current-config");
const holder = globalThis as { [CURRENT]?: Config };

/** Makes `config` the value `currentConfig()` returns (in this thread, for every copy of the library). */
export function setCurrentConfig(config: Config): void {
  holder[CURRENT] = config;
}

/**
 * The configuration set with `setCurrentConfig`; if none was set, the one
 * `loadConfig()` finds (`$FEDORA_MESSAGING_CONF` or the default file), loaded
 * once, as Python's lazy `config.conf` does.
 *
 * @throws ConfigurationError when that lazy load fails.
 */
export function currentConfig(): Config {
  holder[CURRENT] ??= loadConfig();
  return holder[CURRENT];
}
