/**
 * `fedora-messaging record FILE [--limit N] [--app-name] [--routing-key ...]
 * [--queue-name] [--exchange]`: Python's `record` command. Consumes like
 * `consume` (the same overrides, `--app-name` defaulting to "recorder") with
 * a recorder callback in-process that writes Python's JSON-lines format
 * (`_recorder.ts`). FILE is created (truncated) before connecting, as click's
 * `File("w")` does; exit codes are `consume`'s, 0 once `--limit` is reached.
 */
import { closeSync, openSync } from "node:fs";
import { defineCommand, type ArgsDef, type CommandDef } from "citty";
import type { RunConsumerOptions } from "../daemon/run.js";
import type { RunEnd } from "../ending.js";
import { PROG, RECORD_DESCRIPTION, recordArgs, UsageError, type ScannedValues } from "./_args.js";
import type { CommandRunContext } from "./_command.js";
import { Recorder } from "./_recorder.js";

export type RecordValues = ScannedValues<typeof recordArgs>;

export const args = recordArgs;
export const positionals = ["FILE"] as const;

export const command: CommandDef = defineCommand<ArgsDef>({
  meta: { name: "record", description: RECORD_DESCRIPTION },
  args: recordArgs,
  run: ({ data }) => runRecordCommand(data as CommandRunContext<RecordValues>),
});

const COMMAND = `${PROG} record`;

/** @throws UsageError (2: no FILE, a FILE that cannot be written, a bad --limit), and what `runConsumer` throws. */
export async function runRecordCommand(context: CommandRunContext<RecordValues>): Promise<RunEnd> {
  const { values } = context;
  const [file] = context.positionals ?? [];
  if (file === undefined) throw new UsageError("Missing argument 'FILE'.", COMMAND, positionals);
  const limit = values.limit === undefined ? undefined : checkedLimit(values.limit);
  const { applyCliOverrides } = await import("../config/overrides.js");
  const loaded = context.config;
  const config = applyCliOverrides(loaded, {
    queueName: values["queue-name"],
    exchange: values.exchange,
    routingKeys: values["routing-key"],
    appName: values["app-name"] ?? "recorder",
  });
  const fd = openForWriting(file);
  const recorder = new Recorder({ fd, limit });
  try {
    const runConsumer = (context.services as { runConsumer?: (o: RunConsumerOptions) => Promise<RunEnd> }).runConsumer ?? defaultRunConsumer;
    return await runConsumer({ config, callbackSpec: "record", callbackSource: "--callback", callback: recorder.collect });
  } finally {
    recorder.finish();
    if (fd !== 1) closeSync(fd);
  }
}

// --- internal ---

/** click's IntRange(1). */
function checkedLimit(text: string): number {
  const value = Number(text.trim());
  if (!/^\s*[+-]?\d+\s*$/.test(text)) throw new UsageError(`Invalid value for '--limit': '${text}' is not a valid integer.`, COMMAND, positionals);
  if (value < 1) throw new UsageError(`Invalid value for '--limit': ${value} is not in the range x>=1.`, COMMAND, positionals);
  return value;
}

/** click.File("w"): "-" is stdout; anything else is created or truncated now. */
function openForWriting(path: string): number {
  if (path === "-") return 1;
  try {
    return openSync(path, "w");
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    const reason = code === "ENOENT" ? "No such file or directory" : code === "EISDIR" ? "Is a directory" : code === "EACCES" ? "Permission denied" : message;
    throw new UsageError(`Invalid value for 'FILE': '${path}': ${reason}`, COMMAND, positionals);
  }
}

async function defaultRunConsumer(options: RunConsumerOptions): Promise<RunEnd> {
  const { runConsumer } = await import("../daemon/run.js");
  return runConsumer(options);
}
