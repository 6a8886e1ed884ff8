/**
 * `fedora-messaging publish [--exchange E] FILE`: Python's `publish` command.
 * FILE (`-` = stdin) holds JSON lines as `record` writes them; each line is
 * read, validated and its messages published before the next line is read,
 * as Python does, with "Publishing message with topic X" before each. Records
 * keep their id, `sent-at` and priority. Exit codes (cli/exit-codes.ts):
 * 0; 2 for an unreadable FILE or an invalid line (naming its number: the
 * lines before it are published); 121 returned or forbidden; 111 timeout;
 * 1 the broker refused the connection (Python's ConnectionException escapes:
 * the last line of its traceback on stderr), or stdin is closed for FILE "-".
 * The lines on stdout are Python's.
 */
import { createReadStream } from "node:fs";
import { access, constants, stat } from "node:fs/promises";
import { createInterface } from "node:readline";
import { defineCommand, type ArgsDef, type CommandDef } from "citty";
import type { RunEnd } from "../ending.js";
import { CommandFailure, EscapedException, PROG, PUBLISH_DESCRIPTION, publishArgs, UsageError, type ScannedValues } from "./_args.js";
import { atExit } from "./_at-exit.js";
import type { CommandRunContext } from "./_command.js";

export type PublishValues = ScannedValues<typeof publishArgs>;

/** What this command takes from the outside world, through the root's `services` (tests pass fakes). */
export interface PublishServices {
  /** Where "Publishing message with topic X" goes; default stdout. */
  readonly echo: (line: string) => void;
  /** FILE "-"; default process.stdin. */
  readonly stdin: NodeJS.ReadableStream;
  /**
   * Seconds each message may take; default 30, as Python's CLI (which has no
   * option or configuration key for it). Only tests set it, to reach exit 111 quickly.
   */
  readonly publishTimeoutS: number;
}

export const args = publishArgs;
export const positionals = ["FILE"] as const;

export const command: CommandDef = defineCommand<ArgsDef>({
  meta: { name: "publish", description: PUBLISH_DESCRIPTION },
  args: publishArgs,
  run: ({ data }) => runPublishCommand(data as CommandRunContext<PublishValues>),
});

const COMMAND = `${PROG} publish`;

/**
 * @throws UsageError (exit 2: no FILE, FILE unreadable, an invalid line), ConfigurationError (2),
 *   PublishReturned / PublishForbidden (121), PublishTimeout (111), PublishException (1).
 */
export async function runPublishCommand(context: CommandRunContext<PublishValues>): Promise<RunEnd> {
  const [file] = context.positionals ?? [];
  if (file === undefined) throw new UsageError("Missing argument 'FILE'.", COMMAND, positionals);
  const services = context.services as Partial<PublishServices>;
  const echo = services.echo ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const [{ setCurrentConfig }, { loads }, api, { ConnectionError, ValidationError }] = await Promise.all([
    import("../config/current.js"),
    import("../message/serialize.js"),
    import("../api/publish.js"),
    import("../errors.js"),
  ]);
  const config = context.config;
  setCurrentConfig(config);
  const input = file === "-" ? (services.stdin ?? (await openStdin())) : await openFile(file);
  const lines = createInterface({ input, crlfDelay: Infinity });
  let number = 0;
  try {
    for await (const line of lines) {
      number++;
      let messages;
      try {
        messages = loads(`${line}\n`);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        throw new UsageError(`Unable to validate message on line ${number}: ${error.message}`, COMMAND, positionals);
      }
      for (const message of messages) {
        echo(`Publishing message with topic ${message.topic}`);
        await api.publish(message, { config, exchange: context.values.exchange ?? null, timeout: services.publishTimeoutS });
      }
    }
  } catch (error) {
    // Python lets ConnectionException escape (exit 1, a traceback on stderr): its last line, with our reason.
    if (error instanceof ConnectionError) throw new EscapedException("fedora_messaging.exceptions.ConnectionException", error.message, { cause: error });
    throw error;
  } finally {
    lines.close();
    atExit(api.closePublisher);
  }
  return { kind: "stopped" };
}

// --- internal ---

/**
 * Python fails on a closed stdin before reading (click's File gets None: a
 * traceback, exit 1); ours says why in one line, with the same exit code.
 */
async function openStdin(): Promise<NodeJS.ReadableStream> {
  const { stdinWasClosed } = await import("./_stdin.js");
  if (stdinWasClosed()) throw new CommandFailure("Could not read FILE '-': stdin is closed");
  return process.stdin;
}

/** click.File("r"): the file must be readable before anything happens. */
async function openFile(path: string): Promise<NodeJS.ReadableStream> {
  try {
    await access(path, constants.R_OK);
    if ((await stat(path)).isDirectory()) throw Object.assign(new Error("Is a directory"), { code: "EISDIR" });
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "No such file or directory" : (error as Error).message;
    throw new UsageError(`Invalid value for 'FILE': '${path}': ${reason}`, COMMAND, positionals);
  }
  return createReadStream(path, { encoding: "utf8" });
}
