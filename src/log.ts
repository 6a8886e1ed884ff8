/**
 * Python-logging-shaped loggers over consola.
 *
 * Operators grep for Python fedora-messaging's lines, so the default line is
 * Python's default format: `[fedora_messaging.consumer INFO] message`, on
 * stdout. Loggers are named like Python's (dotted, hierarchical); levels are
 * Python's numbers so that `log_config` can be mapped onto them.
 */
import { createConsola, type ConsolaInstance } from "consola";

export const LEVELS = { DEBUG: 10, INFO: 20, WARNING: 30, ERROR: 40, CRITICAL: 50 } as const;
export type LevelName = keyof typeof LEVELS;

export interface Logger {
  readonly name: string;
  debug(message: string): void;
  info(message: string): void;
  warning(message: string): void;
  error(message: string): void;
  /** ERROR line followed by the error's stack (Python's `log.exception`). */
  exception(message: string, error: unknown): void;
  isEnabledFor(level: number): boolean;
}

/** Per-logger-name levels; the longest dotted prefix wins, "" is the root. */
const levels = new Map<string, number>([["", LEVELS.WARNING], ["fedora_messaging", LEVELS.INFO]]);
let format = "[%(name)s %(levelname)s] %(message)s";

/**
 * consola carries the lines; our reporter writes each one as it is, because
 * its own reporters add badges, dates or colours that Python's lines don't have
 * (journald adds timestamps itself). Everything goes to stdout, like Python's
 * default `log_config`.
 */
function plainLineSink(): ConsolaInstance {
  return createConsola({
    level: 5,
    reporters: [{ log: (entry) => { process.stdout.write(`${entry.args.join(" ")}\n`); } }],
  });
}
let sink: ConsolaInstance = plainLineSink();

export function setLevel(name: string, level: number): void {
  levels.set(name, level);
}
export function setFormat(pythonFormat: string): void {
  format = pythonFormat;
}
/** Replace where lines go (tests capture them). */
export function setSink(instance: ConsolaInstance): void {
  sink = instance;
}

export function effectiveLevel(name: string): number {
  for (let n = name; ; n = n.slice(0, Math.max(0, n.lastIndexOf(".")))) {
    const level = levels.get(n);
    if (level !== undefined) return level;
    if (n === "") return LEVELS.WARNING;
  }
}

function levelName(level: number): string {
  for (const [name, value] of Object.entries(LEVELS)) if (value === level) return name;
  return `Level ${level}`;
}

function render(name: string, level: number, message: string): string {
  return format.replace(/%\((\w+)\)[-\d.]*[sd]/g, (whole, key: string) => {
    switch (key) {
      case "name": return name;
      case "levelname": return levelName(level);
      case "message": return message;
      case "levelno": return String(level);
      case "asctime": return new Date().toISOString().replace("T", " ").replace("Z", "");
      case "process": return String(process.pid);
      default: return whole;
    }
  });
}

function emit(name: string, level: number, message: string): void {
  if (level < effectiveLevel(name)) return;
  const line = render(name, level, message);
  if (level >= LEVELS.ERROR) sink.error(line);
  else if (level >= LEVELS.WARNING) sink.warn(line);
  else if (level >= LEVELS.INFO) sink.info(line);
  else sink.debug(line);
}

const loggers = new Map<string, Logger>();

export function getLogger(name: string): Logger {
  let logger = loggers.get(name);
  if (!logger) {
    logger = {
      name,
      debug: (m) => emit(name, LEVELS.DEBUG, m),
      info: (m) => emit(name, LEVELS.INFO, m),
      warning: (m) => emit(name, LEVELS.WARNING, m),
      error: (m) => emit(name, LEVELS.ERROR, m),
      exception: (m, e) => emit(name, LEVELS.ERROR, `${m}\n${e instanceof Error ? (e.stack ?? String(e)) : String(e)}`),
      isEnabledFor: (level) => level >= effectiveLevel(name),
    };
    loggers.set(name, logger);
  }
  return logger;
}
