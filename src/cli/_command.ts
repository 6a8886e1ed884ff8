/**
 * The contract between the root command and its subcommands: what a command
 * is handed when it runs. Generic on purpose: a command takes what it needs
 * from `services` by name, so a new command adds nothing here.
 */
import type { Config } from "../config/types.js";

/** What the root command hands to a subcommand (through citty's `data`). */
export interface CommandRunContext<V> {
  /** `--conf` or `$FEDORA_MESSAGING_CONF`, already checked to be a file. */
  readonly conf: string | undefined;
  /** The configuration loaded from `conf` (or the default file) before the command's options were parsed, as Python's group does. */
  readonly config: Config;
  /** This command's options, parsed strictly by `scanArgs`. */
  readonly values: V;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** What commands take from the outside world, by name (see `CliDeps.services`). */
  readonly services: Readonly<Record<string, unknown>>;
}
