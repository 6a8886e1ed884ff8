/**
 * The CLI's options, defined once, with Python fedora-messaging's names and
 * help texts (`cli.py` `_*_help`; "Python path"/".py" adapted to JS plugins),
 * plus the two things citty 0.2.2 does not do the way click does:
 * - parsing: citty parses with `util.parseArgs({ strict: false })`, so an
 *   unknown option passes silently and a repeated option keeps only its last
 *   value; `scanArgs` is strict and collects `multiple` options;
 * - help: click's layout (`Usage:`, wrapped `Options:` columns, `Commands:`).
 */
import type { BooleanArgDef, StringArgDef } from "citty";

/** A citty ArgDef, plus `multiple` for options that may be repeated (click's `multiple=True`). */
export type CliArgDef = (StringArgDef & { readonly multiple?: boolean }) | BooleanArgDef;
export type CliArgsDef = Readonly<Record<string, CliArgDef>>;

export const PROG = "fedora-messaging";
export const ROOT_DESCRIPTION = "The fedora-messaging command line interface.";
export const CONSUME_DESCRIPTION = "Consume messages from an AMQP queue using a JavaScript callback.";
export const PUBLISH_DESCRIPTION = "Publish messages to an AMQP exchange from a file.";
export const RECORD_DESCRIPTION = "Record messages from an AMQP queue to provided file.";
export const REPLAY_DESCRIPTION = "Replay a message from Datagrepper by its message ID";
export const RECONSUME_DESCRIPTION = "Re-consume a message from Datagrepper.";

const helpArg = {
  help: { type: "boolean", description: "Show this message and exit." },
} as const satisfies CliArgsDef;

/** Options of `fedora-messaging` itself. */
export const rootArgs = {
  conf: {
    type: "string",
    valueHint: "PATH",
    description:
      "Path to a valid configuration file to use in place of the configuration in /etc/fedora-messaging/config.toml.",
  },
  version: { type: "boolean", description: "Show the version and exit." },
  ...helpArg,
} as const satisfies CliArgsDef;

/** Options of `fedora-messaging consume`, in Python's order. */
export const consumeArgs = {
  "app-name": {
    type: "string",
    valueHint: "TEXT",
    description:
      "The name of the application, used by the AMQP client to identify itself to the broker. This is purely for " +
      "administrator convenience to determine what applications are connected and own particular resources.",
  },
  "callback-file": {
    type: "string",
    valueHint: "TEXT",
    description:
      "The path of a JavaScript file that contains the callable object to execute when the message arrives. This " +
      'should be in the format "my/script.js:object_in_file". Providing this overrides the callback set by the ' +
      '"--callback" argument or configuration file. It executes the entire JavaScript file to load the callable object.',
  },
  callback: {
    type: "string",
    valueHint: "TEXT",
    description:
      "The path to the callable object to execute when a message arrives. The path should be in the format " +
      "``path/to/plugin.js:object_in_module`` or ``plugin_name:object_in_module`` (a plugin in the plugin " +
      "directory) and should point to either a function or a class. Consult the API documentation for the " +
      "interface required for these objects.",
  },
  "routing-key": {
    type: "string",
    valueHint: "TEXT",
    multiple: true,
    description:
      "The AMQP routing key to use with the queue. This controls what messages are delivered to the consumer. Can " +
      "be specified multiple times; any message that matches at least one will be placed in the message queue.",
  },
  "queue-name": {
    type: "string",
    valueHint: "TEXT",
    description:
      "The name of the message queue in AMQP. Can contain ASCII letters, digits, hyphen, underscore, period, or " +
      "colon. If one is not specified, a unique name will be created for you.",
  },
  exchange: {
    type: "string",
    valueHint: "TEXT",
    description:
      "The name of the exchange to bind the queue to. Can contain ASCII letters, digits, hyphen, underscore, " +
      "period, or colon.",
  },
  ...helpArg,
} as const satisfies CliArgsDef;

/** Options of `fedora-messaging publish` (its FILE argument is a positional). */
export const publishArgs = {
  exchange: {
    type: "string",
    valueHint: "TEXT",
    description: "The name of the exchange to publish to. Can contain ASCII letters, digits, hyphen, underscore, period, or colon.",
  },
  ...helpArg,
} as const satisfies CliArgsDef;

/** Options of `fedora-messaging record` (its FILE argument is a positional), in Python's order. */
export const recordArgs = {
  limit: { type: "string", valueHint: "INTEGER RANGE", description: "The maximum number of messages to record.  [x>=1]" },
  "app-name": { ...consumeArgs["app-name"], description: `${consumeArgs["app-name"].description}  [default: recorder]` },
  "routing-key": consumeArgs["routing-key"],
  "queue-name": consumeArgs["queue-name"],
  exchange: consumeArgs.exchange,
  ...helpArg,
} as const satisfies CliArgsDef;

/** Options of `fedora-messaging replay MESSAGE_ID`. */
export const replayArgs = {
  "datagrepper-url": {
    type: "string",
    valueHint: "TEXT",
    description:
      "The URL of the datagreeper instance to use, defaults to the production environment  " +
      "[default: https://apps.fedoraproject.org/datagrepper]",
  },
  ...helpArg,
} as const satisfies CliArgsDef;

/** Options of `fedora-messaging reconsume MESSAGE_ID`, in Python's order. */
export const reconsumeArgs = {
  "callback-file": consumeArgs["callback-file"],
  callback: consumeArgs.callback,
  "datagrepper-url": replayArgs["datagrepper-url"],
  ...helpArg,
} as const satisfies CliArgsDef;

/** Parsed values by option name: `multiple` → string[], string → string, boolean → true. */
export type ScannedValues<T extends CliArgsDef> = {
  -readonly [K in keyof T]?: T[K] extends { multiple: true } ? string[] : T[K] extends { type: "boolean" } ? boolean : string;
};

/**
 * A command-line usage error (click's UsageError): exit code 2, printed on
 * stderr as `Error: <message>`, after the command's usage lines when `command`
 * is set (click omits them for "requires an argument").
 */
export class UsageError extends Error {
  override name = "UsageError";
  constructor(
    message: string,
    /** Command path whose usage is shown, e.g. "fedora-messaging consume". */
    readonly command?: string,
    /** The command's positional arguments, for its usage line (["FILE"]). */
    readonly positionals: readonly string[] = [],
  ) {
    super(message);
  }
}

/**
 * Parses `argv` against `defs` the way click does: `--name value`,
 * `--name=value`, repeated `multiple` options collected in order, a repeated
 * single option keeps its last value, `--` ends options.
 *
 * With `stopAtCommand`, scanning stops at the first positional (the subcommand
 * name) and `rest` holds it and what follows; otherwise up to `positionals`
 * arguments (`-` is one) are collected in `rest`, anywhere among the options
 * as click allows, and more are errors.
 * @throws UsageError for an unknown option, a missing value, a value given to a flag, or an extra argument.
 */
export function scanArgs<T extends CliArgsDef>(
  argv: readonly string[],
  defs: T,
  command: string,
  stopAtCommand = false,
  positionals = 0,
): { values: ScannedValues<T>; rest: string[] } {
  const values: Record<string, string | string[] | boolean> = {};
  const collected: string[] = [];
  const take = (tokens: readonly string[]) => {
    collected.push(...tokens);
    if (collected.length > positionals) throw extraArguments(collected.slice(positionals), command);
  };
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === "--" || !token.startsWith("-") || token === "-") {
      if (stopAtCommand) return { values: values as ScannedValues<T>, rest: argv.slice(token === "--" ? i + 1 : i) };
      if (token === "--") {
        take(argv.slice(i + 1));
        break;
      }
      take([token]);
      continue;
    }
    const equals = token.indexOf("=");
    const option = equals > 0 && token.startsWith("--") ? token.slice(0, equals) : token;
    const name = option.slice(2);
    const def = option.startsWith("--") && Object.hasOwn(defs, name) ? defs[name] : undefined;
    if (def === undefined) throw new UsageError(`No such option: ${option}`, command);
    if (def.type === "boolean") {
      if (equals > 0) throw new UsageError(`Option '${option}' does not take a value.`, command);
      values[name] = true;
      continue;
    }
    let value: string;
    if (equals > 0) value = token.slice(equals + 1);
    else if (i + 1 < argv.length) value = argv[++i]!;
    else throw new UsageError(`Option '${option}' requires an argument.`);
    if ("multiple" in def && def.multiple) values[name] = [...((values[name] as string[] | undefined) ?? []), value];
    else values[name] = value;
  }
  return { values: values as ScannedValues<T>, rest: collected };
}

/** click's ClickException: "Error: <message>" on stderr, exit 1, no usage lines. */
export class CommandFailure extends Error {
  override name = "CommandFailure";
}

/**
 * An exception Python's CLI lets escape (exit 1, a traceback on stderr whose
 * last line names the exception): ours writes that last line only,
 * `<python name>: <message>`.
 */
export class EscapedException extends Error {
  override name = "EscapedException";
  constructor(
    /** Python's qualified class name, e.g. `fedora_messaging.exceptions.ConnectionException`. */
    readonly pythonName: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

function extraArguments(rest: readonly string[], command: string): UsageError {
  const plural = rest.length === 1 ? "argument" : "arguments";
  return new UsageError(`Got unexpected extra ${plural} (${rest.join(" ")})`, command);
}

/** click's usage synopsis for a command path. */
export function synopsis(command: string, hasSubcommands: boolean, positionals: readonly string[] = []): string {
  return `${command} [OPTIONS]${hasSubcommands ? " COMMAND [ARGS]..." : ""}${positionals.map((name) => ` ${name}`).join("")}`;
}

export interface HelpPage {
  readonly command: string;
  readonly description: string;
  readonly args: CliArgsDef;
  /** Subcommand name → one-line description. */
  readonly commands?: Readonly<Record<string, string>>;
  /** Positional arguments, shown in the usage line. */
  readonly positionals?: readonly string[];
}

/**
 * Renders help in click's layout: wrapped to the terminal width (at most 78
 * columns, `COLUMNS` wins like Python's `shutil.get_terminal_size`), option
 * column at most 30 wide.
 */
export function renderHelp(page: HelpPage, columns = terminalColumns()): string {
  const width = Math.max(Math.min(columns, 80) - 2, 50);
  const lines = [`Usage: ${synopsis(page.command, page.commands !== undefined, page.positionals)}`, ""];
  lines.push(...wrap(page.description, width - 2).map((line) => `  ${line}`), "");
  const options = Object.entries(page.args).map(([name, def]): [string, string] => [
    `--${name}${def.type === "boolean" ? "" : ` ${def.valueHint ?? "TEXT"}`}`,
    def.description ?? "",
  ]);
  lines.push("Options:", ...definitionList(options, width));
  if (page.commands) lines.push("", "Commands:", ...definitionList(Object.entries(page.commands), width));
  return `${lines.join("\n")}\n`;
}

function terminalColumns(): number {
  const fromEnv = Number.parseInt(process.env.COLUMNS ?? "", 10);
  if (fromEnv > 0) return fromEnv;
  return process.stdout.isTTY ? process.stdout.columns : 80;
}

/** click's `HelpFormatter.write_dl` with its defaults (indent 2, column max 30, spacing 2). */
function definitionList(rows: readonly (readonly [string, string])[], width: number): string[] {
  const firstColumn = Math.min(Math.max(...rows.map(([term]) => term.length)), 30) + 2;
  const textWidth = Math.max(width - firstColumn - 2, 10);
  const out: string[] = [];
  for (const [term, text] of rows) {
    const wrapped = wrap(text, textWidth);
    const pad = " ".repeat(firstColumn + 2);
    if (term.length <= firstColumn - 2) {
      out.push(`  ${term.padEnd(firstColumn)}${wrapped[0] ?? ""}`.trimEnd());
      out.push(...wrapped.slice(1).map((line) => pad + line));
    } else {
      out.push(`  ${term}`, ...wrapped.map((line) => pad + line));
    }
  }
  return out;
}

/** Greedy word wrap; a word longer than `width` gets a line of its own. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}
