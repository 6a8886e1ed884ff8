/**
 * Python-logging-shaped loggers over consola.
 *
 * Operators grep for Python fedora-messaging's lines, so the default line is
 * Python's default format: `[fedora_messaging.consumer INFO] message`, on
 * stdout. Loggers are named like Python's (dotted, hierarchical); levels are
 * Python's numbers so that `log_config` can be mapped onto them
 * (`config/logging.ts` does that mapping).
 *
 * This state is per thread: a worker thread that logs must be configured
 * again there (`applyLogConfig` with the same `log_config`).
 */
// consola/core: the logger without its fancy reporters and prompts (87 KB less in
// each bundle, which the worker thread parses at every start).
import { createConsola, type ConsolaInstance } from "consola/core";
import { isJournalStream, withPriority } from "./journal.js";
import { writeOut } from "./output.js";

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

/** Python's `log_config` defaults: `fedora_messaging` at INFO, the root at WARNING. */
const DEFAULT_LEVELS: ReadonlyArray<readonly [string, number]> = [["", LEVELS.WARNING], ["fedora_messaging", LEVELS.INFO]];
/** Python's default `log_config` formatter. */
export const DEFAULT_FORMAT = "[%(name)s %(levelname)s] %(message)s";

/** Per-logger-name levels; the longest dotted prefix wins, "" is the root. */
const levels = new Map<string, number>(DEFAULT_LEVELS);
let format = DEFAULT_FORMAT;
/** strftime-style `datefmt` for `%(asctime)s`; null is Python's `2024-01-31 12:00:00,123`. */
let dateFormat: string | null = null;
/** Lines below this are dropped whatever the logger says (a Python handler's own level). */
let handlerLevel = 0;
let output: "stdout" | "stderr" = "stdout";
/** For `%(relativeCreated)d`, like Python's module load time. */
const startTime = Date.now();

/**
 * consola carries the lines; our reporter writes each one as it is, because
 * its own reporters add badges, dates or colours that Python's lines don't have
 * (journald adds timestamps itself). Everything goes to stdout by default, like
 * Python's default `log_config`; `setOutput("stderr")` follows a config whose
 * handler writes to `ext://sys.stderr`.
 */
function plainLineSink(): ConsolaInstance {
  return createConsola({
    level: 5,
    // consola collapses a line repeated 5 times within a second into "(repeated N
    // times)", and JSON-serialises every line to find out: neither is Python's.
    throttle: 0,
    // stdout goes through the batched writer shared with the printer (see output.ts).
    reporters: [
      {
        log: (entry) => {
          // One argument (every line of ours): no join, which copies the whole line once more.
          let line = `${entry.args.length === 1 ? String(entry.args[0]) : entry.args.join(" ")}\n`;
          if (toJournal(output)) line = withPriority(line, CONSOLA_TO_LEVEL[entry.level] ?? LEVELS.INFO);
          if (output === "stdout") writeOut(line);
          else process.stderr.write(line);
        },
      },
    ],
  });
}
let sink: ConsolaInstance = plainLineSink();

/** emit() below maps Python levels onto consola's error (0), warn (1), info (3) and debug (4). */
const CONSOLA_TO_LEVEL: Readonly<Record<number, number>> = { 0: LEVELS.ERROR, 1: LEVELS.WARNING, 3: LEVELS.INFO, 4: LEVELS.DEBUG };
/** Whether stdout / stderr are the journal (checked once per thread, see journal.ts). */
const journalStreams: { stdout?: boolean; stderr?: boolean } = {};
function toJournal(stream: "stdout" | "stderr"): boolean {
  return (journalStreams[stream] ??= isJournalStream(stream === "stdout" ? 1 : 2));
}

/** Sets the level of logger `name` ("" is the root) and, by inheritance, of its children. */
export function setLevel(name: string, level: number): void {
  levels.set(name, level);
  effectiveCache.clear();
}
/**
 * Forgets every per-logger level: the root goes back to WARNING and every
 * logger inherits it (Python's state before any `log_config` is applied).
 * `config/logging.ts` calls this before applying a `log_config`.
 */
export function clearLevels(): void {
  effectiveCache.clear();
  levels.clear();
  levels.set("", LEVELS.WARNING);
}
/** Restores the defaults of this module: levels, format, date format, handler level, stdout. */
export function resetLogging(): void {
  effectiveCache.clear();
  levels.clear();
  for (const [name, level] of DEFAULT_LEVELS) levels.set(name, level);
  format = DEFAULT_FORMAT;
  dateFormat = null;
  handlerLevel = 0;
  output = "stdout";
}
/** Sets the line format, in Python's `%(name)s` style. */
export function setFormat(pythonFormat: string): void {
  format = pythonFormat;
}
/** Sets the strftime-style format of `%(asctime)s` (Python's `datefmt`); null restores Python's default. */
export function setDateFormat(datefmt: string | null): void {
  dateFormat = datefmt;
}
/** Drops every line below `level`, whatever its logger's level (a Python handler's `level`). */
export function setHandlerLevel(level: number): void {
  handlerLevel = level;
}
/** Chooses the stream the default sink writes to. */
export function setOutput(stream: "stdout" | "stderr"): void {
  output = stream;
}
/** Replace where lines go (tests capture them). */
export function setSink(instance: ConsolaInstance): void {
  sink = instance;
}

/** Effective levels by logger name, computed once per configuration (two lines per message ask). */
const effectiveCache = new Map<string, number>();

export function effectiveLevel(name: string): number {
  const cached = effectiveCache.get(name);
  if (cached !== undefined) return cached;
  for (let n = name; ; n = n.slice(0, Math.max(0, n.lastIndexOf(".")))) {
    const level = levels.get(n) ?? (n === "" ? LEVELS.WARNING : undefined);
    if (level !== undefined) {
      effectiveCache.set(name, level);
      return level;
    }
  }
}

/** Python's `logging.getLevelName` for a number: the name, or `Level N`. */
export function levelName(level: number): string {
  switch (level) {
    case LEVELS.DEBUG: return "DEBUG";
    case LEVELS.INFO: return "INFO";
    case LEVELS.WARNING: return "WARNING";
    case LEVELS.ERROR: return "ERROR";
    case LEVELS.CRITICAL: return "CRITICAL";
    default: return level === 0 ? "NOTSET" : `Level ${level}`;
  }
}

// --- internal ---------------------------------------------------------------

const pad2 = (n: number): string => String(n).padStart(2, "0");
const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** The subset of strftime a `datefmt` usually needs, in local time like Python's `time.localtime`. */
function strftime(pattern: string, d: Date): string {
  return pattern.replace(/%([a-zA-Z%])/g, (whole, c: string) => {
    switch (c) {
      case "Y": return String(d.getFullYear());
      case "y": return pad2(d.getFullYear() % 100);
      case "m": return pad2(d.getMonth() + 1);
      case "d": return pad2(d.getDate());
      case "H": return pad2(d.getHours());
      case "I": return pad2(((d.getHours() + 11) % 12) + 1);
      case "p": return d.getHours() < 12 ? "AM" : "PM";
      case "M": return pad2(d.getMinutes());
      case "S": return pad2(d.getSeconds());
      case "a": return DAYS[d.getDay()] ?? "";
      case "b": return MONTHS[d.getMonth()] ?? "";
      case "z": {
        const off = -d.getTimezoneOffset();
        const abs = Math.abs(off);
        return `${off < 0 ? "-" : "+"}${pad2(Math.floor(abs / 60))}${pad2(abs % 60)}`;
      }
      case "%": return "%";
      default: return whole;
    }
  });
}

function asctime(d: Date): string {
  if (dateFormat !== null) return strftime(dateFormat, d);
  return `${strftime("%Y-%m-%d %H:%M:%S", d)},${String(d.getMilliseconds()).padStart(3, "0")}`;
}

/** One `%(key)[flags][width][.precision]conversion` or `%%`, as Python's %-style understands them. */
const FIELD = /%%|%\((\w+)\)([-#0 +]*)(\d*)(?:\.(\d+))?([diouxXeEfFgGcrsa])/g;

function render(name: string, level: number, message: string): string {
  // Python's default format, by far the most common: no regex, no Date.
  if (format === DEFAULT_FORMAT) return `[${name} ${levelName(level)}] ${message}`;
  const now = new Date();
  return format.replace(FIELD, (whole, key: string | undefined, flags: string, width: string, precision: string | undefined, conv: string) => {
    if (key === undefined) return "%";
    let value: string | number;
    switch (key) {
      case "name": value = name; break;
      case "levelname": value = levelName(level); break;
      case "levelno": value = level; break;
      case "message": value = message; break;
      case "asctime": value = asctime(now); break;
      case "created": value = now.getTime() / 1000; break;
      case "msecs": value = now.getMilliseconds(); break;
      case "relativeCreated": value = now.getTime() - startTime; break;
      case "process": value = process.pid; break;
      case "processName": value = "MainProcess"; break;
      default: return whole; // Python would fail at emit time; showing the field is kinder.
    }
    let text: string;
    if ("diu".includes(conv)) text = String(Math.trunc(Number(value)));
    else if ("eEfFgG".includes(conv)) text = Number(value).toFixed(precision === undefined ? 6 : Number(precision));
    else if (conv === "r") text = typeof value === "string" ? `'${value}'` : String(value);
    else text = String(value);
    if (precision !== undefined && (conv === "s" || conv === "r" || conv === "a")) text = text.slice(0, Number(precision));
    const w = width === "" ? 0 : Number(width);
    if (flags.includes("-")) return text.padEnd(w);
    if (flags.includes("0") && typeof value === "number") return text.padStart(w, "0");
    return text.padStart(w);
  });
}

function emit(name: string, level: number, message: string): void {
  if (level < effectiveLevel(name) || level < handlerLevel) return;
  const line = render(name, level, message);
  if (level >= LEVELS.ERROR) sink.error(line);
  else if (level >= LEVELS.WARNING) sink.warn(line);
  else if (level >= LEVELS.INFO) sink.info(line);
  else sink.debug(line);
}

const loggers = new Map<string, Logger>();

/** The logger called `name` (dotted, like Python's `logging.getLogger`); one object per name. */
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
      isEnabledFor: (level) => level >= effectiveLevel(name) && level >= handlerLevel,
    };
    loggers.set(name, logger);
  }
  return logger;
}
