/**
 * Finds, reads and parses the configuration file, then validates it.
 *
 * Which file: `--conf` > `$FEDORA_MESSAGING_CONF` > /etc/fedora-messaging/config.toml,
 * like Python. A missing default file means "use the defaults" (Python logs
 * it at INFO); a file named explicitly must exist, like the Python CLI's
 * "{path} is not a file" (exit 2).
 */
import { readFileSync, statSync } from "node:fs";
import { parseTOML } from "confbox";
import { ConfigurationError } from "../errors.js";
import { getLogger } from "../log.js";
import { DEFAULT_CONFIG_PATH } from "./defaults.js";
import type { Config } from "./types.js";
import { validateConfig } from "./validate.js";

const log = getLogger("fedora_messaging.config");

export interface LoadConfigOptions {
  /** The CLI's `--conf`; wins over everything. */
  readonly path?: string | undefined;
  /** Where `FEDORA_MESSAGING_CONF` is read from; `process.env` by default. */
  readonly env?: NodeJS.ProcessEnv;
  /** The file read when neither of the above is set; /etc/fedora-messaging/config.toml by default (tests change it). */
  readonly defaultPath?: string;
}

/**
 * Loads the configuration the way Python fedora-messaging does (see the top
 * of this file for which file is read).
 *
 * @returns a validated, deeply frozen Config; the defaults when the default
 * file does not exist.
 * @throws ConfigurationError when an explicitly named file is not a file
 * ("{path} is not a file"), cannot be read, is not valid TOML ("Failed to
 * parse {path}: {reason} (at line L, column C)"), or does not validate.
 */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  // An empty variable counts as unset, as click does for the CLI's envvar.
  const explicit = options.path ?? (env.FEDORA_MESSAGING_CONF || undefined);
  const path = explicit ?? options.defaultPath ?? DEFAULT_CONFIG_PATH;
  if (!isFile(path)) {
    if (explicit !== undefined) throw new ConfigurationError(`${path} is not a file`);
    // DEBUG, not Python's INFO, for the reason given below: Python's CLI never shows it.
    log.debug(`The configuration file, ${path}, does not exist.`);
    return validateConfig({}, "the built-in defaults");
  }
  // DEBUG, not Python's INFO: Python's CLI logs it before logging is set up, so users never see it.
  log.debug(`Loading configuration from ${path}`);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new ConfigurationError(`Failed to read ${path}: ${(error as Error).message}`, { cause: error });
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch (error) {
    throw new ConfigurationError(`Failed to parse ${path}: the file is not valid UTF-8`, { cause: error });
  }
  return parseConfig(text, path);
}

/**
 * Parses TOML text and validates it; `sourceName` is named in every error.
 *
 * @throws ConfigurationError "Failed to parse {sourceName}: {reason} (at line
 * L, column C)" for a TOML syntax error, or the validation error.
 */
export function parseConfig(text: string, sourceName: string): Config {
  let raw: unknown;
  try {
    raw = parseTOML<unknown>(text);
  } catch (error) {
    throw new ConfigurationError(`Failed to parse ${sourceName}: ${tomlErrorSummary(error)}`, { cause: error });
  }
  return validateConfig(raw, sourceName);
}

// --- internal ---------------------------------------------------------------

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * confbox's TOML errors (smol-toml's) carry `line` and `column` (1-based) and
 * a message of several lines: "Invalid TOML document: {reason}" and a code
 * excerpt. We keep one line in the shape of Python's tomllib errors:
 * "Invalid value (at line 2, column 5)".
 */
function tomlErrorSummary(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  let reason = (message.split("\n")[0] ?? "").replace(/^Invalid TOML document:\s*/, "").trim() || "invalid TOML";
  reason = reason.charAt(0).toUpperCase() + reason.slice(1);
  const { line, column } = (error ?? {}) as { line?: unknown; column?: unknown };
  return typeof line === "number" && typeof column === "number" ? `${reason} (at line ${line}, column ${column})` : reason;
}
