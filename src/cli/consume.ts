/**
 * `fedora-messaging consume`: configuration → callback spec → overrides →
 * `runConsumer`. Loaded lazily by `cli/index.ts`; everything heavy (config
 * parsing, the callback loader, the daemon) is imported only when it runs, so
 * `consume --help` stays fast.
 */
import { defineCommand, type ArgsDef, type CommandDef } from "citty";
import type { Config } from "../config/types.js";
import type { RunConsumerOptions, RunOutcome } from "../daemon/run.js";
import { CONSUME_DESCRIPTION, consumeArgs, type ScannedValues } from "./_args.js";

/** What the root command hands to a subcommand (through citty's `data`). */
export interface CommandRunContext<V> {
  /** `--conf` or `$FEDORA_MESSAGING_CONF`, already checked to be a file. */
  readonly conf: string | undefined;
  /** The configuration loaded from `conf` (or the default file) before the command's options were parsed. */
  readonly config: Config;
  /** This command's options, parsed strictly by `scanArgs`. */
  readonly values: V;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly runConsumer: (options: RunConsumerOptions) => Promise<RunOutcome>;
}

export type ConsumeValues = ScannedValues<typeof consumeArgs>;

/** This command's options, for the root's parser and help. */
export const args = consumeArgs;

/** The citty command; `run` returns the `RunOutcome` that `main` maps to an exit code. */
export const command: CommandDef = defineCommand<ArgsDef>({
  meta: { name: "consume", description: CONSUME_DESCRIPTION },
  args: consumeArgs,
  run: ({ data }) => consume(data as CommandRunContext<ConsumeValues>),
});

/**
 * Python's order: (the configuration was loaded by the root command) resolve the callback (failing before
 * any connection when it cannot be found), apply the overrides, consume.
 * @throws ConfigurationError (exit 2), CallbackLoadError (exit 1 or 2), or what `runConsumer` throws.
 */
export async function consume(context: CommandRunContext<ConsumeValues>): Promise<RunOutcome> {
  const { values } = context;
  const [{ applyCliOverrides }, { resolveCallbackSpec, locateCallback }] = await Promise.all([
    import("../config/overrides.js"),
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
  return context.runConsumer({ config, callbackSpec: spec, callbackSource: source });
}
