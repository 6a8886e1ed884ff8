/**
 * The root command, `fedora-messaging [--conf PATH] COMMAND ...`: global
 * options, help and version, then the subcommand, loaded lazily so that
 * `--help` never pays for the daemon.
 *
 * Dispatch is ours rather than citty's `runMain`/root `runCommand`: `runMain`
 * exits 1 on any error, and citty's subcommand dispatch passes no `data`, so the
 * subcommand could not receive its strictly parsed options or its dependencies.
 * Each subcommand is still a citty command run with `runCommand`.
 */
import { statSync } from "node:fs";
import { runCommand, type CommandDef } from "citty";
import type { RunEnd } from "../ending.js";
import {
  CONSUME_DESCRIPTION,
  PROG,
  ROOT_DESCRIPTION,
  UsageError,
  renderHelp,
  rootArgs,
  scanArgs,
  type CliArgsDef,
} from "./_args.js";
import type { CommandRunContext } from "./_command.js";

/** What the CLI needs from the outside world; tests pass fakes. */
export interface CliDeps {
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** Writes help and version text. */
  readonly stdout: (text: string) => void;
  /**
   * What commands take from the outside world, by name (`runConsumer` for
   * `consume`, see its `ConsumeServices`). Passed through unread: each command
   * defaults what it is not given, and a new command adds nothing here.
   */
  readonly services?: Readonly<Record<string, unknown>>;
}

/** How a CLI run ended without throwing: text was printed (help, version), or a command ran. */
export type CliResult = { readonly kind: "printed" } | { readonly kind: "ran"; readonly end: RunEnd };

/**
 * Parses `argv` (without node and script) and runs the command.
 * @throws UsageError, ConfigurationError, CallbackLoadError, or whatever the command throws;
 * `cli/exit-codes.ts` maps all of them.
 */
export async function runCli(argv: readonly string[], deps: CliDeps): Promise<CliResult> {
  const { values, rest } = scanArgs(argv, rootArgs, PROG, true);
  const [name, ...commandArgv] = rest;
  if (values.help || (name === undefined && !values.version)) {
    // click 8.1 prints the help and exits 0 when no command is given.
    deps.stdout(renderHelp({ command: PROG, description: ROOT_DESCRIPTION, args: rootArgs, commands: commandList() }));
    return { kind: "printed" };
  }
  if (values.version) {
    deps.stdout(`${PROG}, version ${await version()}\n`);
    return { kind: "printed" };
  }
  const entry = name === undefined ? undefined : COMMANDS[name];
  if (name === undefined || entry === undefined) throw new UsageError(`No such command '${name}'.`, PROG);

  const conf = checkedConf(values.conf ?? deps.env.FEDORA_MESSAGING_CONF);
  // Python's group callback loads the configuration (and sets up logging) after
  // resolving the command but before click parses the command's own options, so
  // a bad configuration is reported before an unknown option or `--help`.
  const { loadConfig } = await import("../config/load.js");
  const config = loadConfig({ path: conf, env: deps.env });
  const { command, args } = await entry.load();
  const path = `${PROG} ${name}`;
  const scanned = scanArgs(commandArgv, args, path);
  if (scanned.values.help) {
    deps.stdout(renderHelp({ command: path, description: entry.description, args }));
    return { kind: "printed" };
  }
  const data: CommandRunContext<typeof scanned.values> = {
    conf,
    config,
    values: scanned.values,
    env: deps.env,
    cwd: deps.cwd,
    services: deps.services ?? {},
  };
  const { result } = await runCommand(command, { rawArgs: commandArgv, data });
  return { kind: "ran", end: result as RunEnd };
}

// --- internal ---

interface CommandEntry {
  readonly description: string;
  readonly load: () => Promise<{ readonly command: CommandDef; readonly args: CliArgsDef }>;
}

/** Subcommands by name (null prototype: "constructor" is not a command). */
const COMMANDS: Readonly<Record<string, CommandEntry>> = Object.assign(Object.create(null) as Record<string, CommandEntry>, {
  consume: { description: CONSUME_DESCRIPTION, load: () => import("./consume.js") },
});

function commandList(): Record<string, string> {
  return Object.fromEntries(Object.entries(COMMANDS).map(([name, entry]) => [name, entry.description]));
}

/**
 * click's `--conf` (also from `$FEDORA_MESSAGING_CONF`): empty means unset, and
 * anything but an existing file is "Invalid value: X is not a file" (exit 2).
 */
function checkedConf(conf: string | undefined): string | undefined {
  if (!conf) return undefined;
  let isFile = false;
  try {
    isFile = statSync(conf, { throwIfNoEntry: false })?.isFile() ?? false;
  } catch {
    // EACCES and the like: Python's os.path.isfile() says False too.
  }
  if (!isFile) throw new UsageError(`Invalid value: ${conf} is not a file`, PROG);
  return conf;
}

/** Injected by build/build.mjs into the bundle; read from package.json when running from source. */
declare const __FM_VERSION__: string | undefined;

async function version(): Promise<string> {
  if (typeof __FM_VERSION__ === "string") return __FM_VERSION__;
  const manifest = await import("../../package.json", { with: { type: "json" } });
  return manifest.default.version;
}
