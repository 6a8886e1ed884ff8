/**
 * Runs the consumer daemon for the CLI: the process-level parts (current
 * config for callbacks, logging, signals) around a `Daemon`. Never exits the
 * process itself; the CLI maps the outcome to an exit code.
 */
import { applyLogConfig } from "../config/logging.js";
import { setCurrentConfig } from "../config/current.js";
import type { Config } from "../config/types.js";
import { amqpUrls, parseAmqpUrl } from "../config/amqp-url.js";
import type { CallbackOrigin } from "../callback/spec.js";
import type { RunEnd } from "../ending.js";
import type { MessageHandler } from "../runner/process.js";
import { Daemon } from "./daemon.js";
import { warnIfDebugShowsPassword } from "./debug-warning.js";
import { handleStopSignals } from "./signals.js";

export interface RunConsumerOptions {
  readonly config: Config;
  /** `path:Name` as given by --callback-file, --callback or the config's `callback`. */
  readonly callbackSpec: string;
  /** Which of those it came from, for error sentences ("--callback argument" / "configuration file"). */
  readonly callbackSource: Exclude<CallbackOrigin, "api">;
  /** A function to call instead of loading `callbackSpec` (`record`'s recorder); runs in-process. */
  readonly callback?: MessageHandler;
}

/**
 * Runs the daemon until it ends; the CLI maps the end, or the error it rejects
 * with, to an exit code in `cli/exit-codes.ts`.
 */
export async function runConsumer(options: RunConsumerOptions): Promise<RunEnd> {
  const { config } = options;
  setCurrentConfig(config);
  applyLogConfig(config.log_config);
  const x509 = Boolean(config.tls.certfile && config.tls.keyfile);
  const sendsPassword = amqpUrls(config.amqp_url).some((text) => {
    const url = parseAmqpUrl(text);
    return url.hasCredentials && !(url.scheme === "amqps" && x509);
  });
  warnIfDebugShowsPassword(process.env["DEBUG"], sendsPassword);
  const daemon = new Daemon({
    config,
    callback: options.callback ?? { spec: options.callbackSpec, source: options.callbackSource, pluginDir: config.plugin_dir, cwd: process.cwd() },
    mode: config.callback_mode,
  });
  const removeHandlers = handleStopSignals(() => daemon.stop());
  try {
    return await daemon.run();
  } finally {
    removeHandlers();
  }
}
