/**
 * `fedora-messaging consume`: configuration → callback spec → overrides →
 * `runConsumer`. Loaded lazily by `cli/index.ts`; everything heavy (config
 * parsing, the callback loader, the daemon) is imported only when it runs, so
 * `consume --help` stays fast.
 */
import { defineCommand, type ArgsDef, type CommandDef } from "citty";
import type { RunConsumerOptions } from "../daemon/run.js";
import type { RunEnd } from "../ending.js";
import { CONSUME_DESCRIPTION, consumeArgs, type ScannedValues } from "./_args.js";
import type { CommandRunContext } from "./_command.js";

/** What this command takes from the outside world, through the root's `services` (tests pass a fake). */
export interface ConsumeServices {
  /** Runs the daemon; by default the real one, imported only when a command runs it (never for --help). */
  readonly runConsumer: (options: RunConsumerOptions) => Promise<RunEnd>;
}

export type ConsumeValues = ScannedValues<typeof consumeArgs>;

/** This command's options, for the root's parser and help. */
export const args = consumeArgs;

/** The citty command; `run` returns the `RunEnd` that `main` maps to an exit code. */
export const command: CommandDef = defineCommand<ArgsDef>({
  meta: { name: "consume", description: CONSUME_DESCRIPTION },
  args: consumeArgs,
  run: ({ data }) => runConsumeCommand(data as CommandRunContext<ConsumeValues>),
});

/**
 * Python's order: (the configuration was loaded by the root command) resolve the callback (failing before
 * any connection when it cannot be found), apply the overrides, consume.
 * @throws ConfigurationError (exit 2), CallbackLoadError (exit 1 or 2), or what `runConsumer` throws.
 */
export async function runConsumeCommand(context: CommandRunContext<ConsumeValues>): Promise<RunEnd> {
  const { values } = context;
  const [{ applyCliOverrides }, { resolveCallbackSpec }, { locateCallback }] = await Promise.all([
    import("../config/overrides.js"),
    import("../callback/spec.js"),
    import("../callback/load.js"),
  ]);
  const loaded = context.config;
  const { spec, source } = resolveCallbackSpec({
    callbackFile: values["callback-file"],
    callback: values.callback,
    configCallback: loaded.callback,
  });
  locateCallback(spec, { pluginDir: loaded.plugin_dir, source, cwd: context.cwd });
  // Empty values change nothing there, as in Python (click's `if queue_name:`).
  const config = applyCliOverrides(loaded, {
    queueName: values["queue-name"],
    exchange: values.exchange,
    routingKeys: values["routing-key"],
    appName: values["app-name"],
  });
  const runConsumer = (context.services as Partial<ConsumeServices>).runConsumer ?? defaultRunConsumer;
  return runConsumer({ config, callbackSpec: spec, callbackSource: source });
}

// --- internal ---

async function defaultRunConsumer(options: RunConsumerOptions): Promise<RunEnd> {
  const { runConsumer } = await import("../daemon/run.js");
  return runConsumer(options);
}
