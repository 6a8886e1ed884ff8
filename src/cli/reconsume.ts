/**
 * `fedora-messaging reconsume MESSAGE_ID [--callback-file F | --callback C]
 * [--datagrepper-url URL]`: Python's `reconsume`. Loads the callback like
 * `consume` (same precedence and errors), fetches the message from Datagrepper
 * (`_datagrepper.ts`), loads it like a recorded line with `topic_prefix` off,
 * and calls the callback once, in this process: no broker, nothing to
 * acknowledge. Exit 0 when it returns; when it throws (anything, `Nack`,
 * `Drop` and `HaltConsumer` whatever its exit code included, as in Python
 * where they escape uncaught) exit 1 with the callback's frames on stderr,
 * ending with the line Python's traceback ends with.
 */
import { defineCommand, type ArgsDef, type CommandDef } from "citty";
import type { RunEnd } from "../ending.js";
import { PROG, RECONSUME_DESCRIPTION, reconsumeArgs, UsageError, type ScannedValues } from "./_args.js";
import type { CommandRunContext } from "./_command.js";
import { DEFAULT_DATAGREPPER_URL, fetchMessage, loadFetchedMessage } from "./_datagrepper.js";

export type ReconsumeValues = ScannedValues<typeof reconsumeArgs>;

export const args = reconsumeArgs;
export const positionals = ["MESSAGE_ID"] as const;

export const command: CommandDef = defineCommand<ArgsDef>({
  meta: { name: "reconsume", description: RECONSUME_DESCRIPTION },
  args: reconsumeArgs,
  run: ({ data }) => runReconsumeCommand(data as CommandRunContext<ReconsumeValues>),
});

/** @throws UsageError (2), CallbackLoadError (1 or 2), CommandFailure (1, from Datagrepper or its message), or an Error wrapping what the callback threw (1). */
export async function runReconsumeCommand(context: CommandRunContext<ReconsumeValues>): Promise<RunEnd> {
  const { values } = context;
  const [messageId] = context.positionals ?? [];
  if (messageId === undefined) throw new UsageError("Missing argument 'MESSAGE_ID'.", `${PROG} reconsume`, positionals);
  const [{ setCurrentConfig }, { resolveCallbackSpec }, { loadCallback }, { controlKindOf }] = await Promise.all([
    import("../config/current.js"),
    import("../callback/spec.js"),
    import("../callback/load.js"),
    import("../errors.js"),
  ]);
  const config = Object.freeze({ ...context.config, topic_prefix: "" });
  setCurrentConfig(config);
  const { spec, source } = resolveCallbackSpec({ callbackFile: values["callback-file"], callback: values.callback, configCallback: config.callback });
  const callback = await loadCallback(spec, { pluginDir: config.plugin_dir, source, cwd: context.cwd });
  const fetched = await fetchMessage(messageId, values["datagrepper-url"] ?? DEFAULT_DATAGREPPER_URL);
  const message = await loadFetchedMessage(fetched);
  try {
    await callback(message);
  } catch (error) {
    // Python lets whatever the callback raised escape, Nack, Drop and HaltConsumer included: a traceback and exit 1.
    const wrapped = new Error(`The callback raised an exception on message ${message.id}`, { cause: error });
    wrapped.stack = tracebackOf(wrapped.message, error, controlKindOf(error) !== undefined);
    throw wrapped;
  }
  return { kind: "stopped" };
}

// --- internal ---

/**
 * What gets printed: our line, the callback's frames, and last the exception
 * as the last line of Python's traceback names it (`fedora_messaging.exceptions.Nack`
 * for a Nack, Drop or HaltConsumer, whose Python str() is empty; `Error: boom` otherwise).
 */
function tracebackOf(line: string, error: unknown, isControl: boolean): string {
  if (!(error instanceof Error)) return `${line}:\n${String(error)}`;
  const frames = (error.stack ?? "").split("\n").filter((frame) => /^\s+at /.test(frame));
  const last = isControl ? `fedora_messaging.exceptions.${error.name}` : error.message ? `${error.name}: ${error.message}` : error.name;
  return [`${line}:`, ...frames, last].join("\n");
}
