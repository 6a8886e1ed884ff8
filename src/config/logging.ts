/**
 * `log_config` (a Python `logging.config.dictConfig` dictionary) mapped onto
 * our logger (`src/log.ts`). Python's dictConfig cannot run here, so this
 * takes what decides which lines appear and how they look, and nothing else.
 *
 * Applied:
 * - `root.level` and `loggers.<name>.level` (a level name, any case, or a
 *   number). Loggers without a `level` inherit from their parent, as in
 *   Python; every level from before is forgotten first (root back to WARNING)
 *   unless `incremental = true`, which only sets levels.
 * - One handler decides the format and the stream of every line: the first
 *   supported handler of `loggers.fedora_messaging`, else of `root`. Supported
 *   means `class = "logging.StreamHandler"` with `stream` `ext://sys.stdout` or
 *   `ext://sys.stderr` (or no `stream`: stderr, Python's default). From it:
 *   its `level` (a floor for every line), its stream, and its formatter's
 *   `format` and `datefmt` (a handler without a formatter, or a formatter
 *   without `format`, prints `%(message)s`, like Python).
 * - Format fields: name, levelname, levelno, message, asctime, created, msecs,
 *   relativeCreated, process, processName, with `%%`, widths and `-`
 *   alignment (`%(levelname)-8s`). Others (module, lineno, funcName...) have
 *   no meaning here and are printed as written. `datefmt` knows %Y %y %m %d %H
 *   %I %p %M %S %a %b %z %%.
 *
 * Ignored (one WARNING line each, when set, for the handler kinds):
 * - Handlers of any other class (files, syslog, journald, HTTP, ...) or
 *   stream: lines still go to stdout or the chosen stream. journald captures
 *   stdout under systemd anyway.
 * - Formatter `style` other than `%`, and custom factories (`()`): the
 *   default format is used for a `{`/`$` style.
 * Ignored silently (no visible effect for us):
 * - Handlers other than the chosen one (a second handler's format or
 *   stream), `filters`, `propagate` (each line is printed once),
 *   `disable_existing_loggers`, formatter `validate`/`defaults`/`class`.
 *
 * Problems Python would only find when the CLI starts (an unknown level, a
 * handler or formatter that is not defined, `version` other than 1) are
 * reported while loading the configuration, naming the key.
 */
import {
  clearLevels, DEFAULT_FORMAT, getLogger, LEVELS, setDateFormat, setFormat, setHandlerLevel, setLevel, setOutput,
} from "../log.js";
import { describe, fail, isTable, keyPath } from "./_checks.js";
import type { Config } from "./types.js";

/** What `applyLogConfig` will do, worked out without side effects (and checked). */
export interface LogPlan {
  /** When false (the usual case), every level set before is forgotten first. */
  readonly replaceLevels: boolean;
  /** Levels to set, root as `""`. */
  readonly levels: ReadonlyArray<readonly [string, number]>;
  /** Undefined: leave format, stream and handler level as they are (incremental). */
  readonly output?: {
    readonly format: string;
    readonly dateFormat: string | null;
    readonly handlerLevel: number;
    readonly stream: "stdout" | "stderr";
  };
  /** Warnings about parts of the config we cannot honour. */
  readonly warnings: readonly string[];
}

/**
 * Applies `log_config` to our loggers: levels, format, date format, stream and
 * handler level, as the comment at the top of this file describes. Logs one
 * WARNING per ignored handler or style, unless `quiet` (for a worker thread
 * applying the same config again).
 *
 * @throws ConfigProblem (a plain Error with a sentence naming the key) when
 * `log_config` is malformed; `loadConfig` has normally reported that already.
 */
export function applyLogConfig(logConfig: Config["log_config"], options: { readonly quiet?: boolean } = {}): void {
  const plan = planLogConfig(logConfig);
  if (plan.replaceLevels) clearLevels();
  for (const [name, level] of plan.levels) setLevel(name, level);
  if (plan.output) {
    setFormat(plan.output.format);
    setDateFormat(plan.output.dateFormat);
    setHandlerLevel(plan.output.handlerLevel);
    setOutput(plan.output.stream);
  }
  if (options.quiet) return;
  const log = getLogger("fedora_messaging.config");
  for (const warning of plan.warnings) log.warning(warning);
}

/**
 * Checks `log_config` and works out what applying it means, without applying it.
 *
 * @throws ConfigProblem naming the key (`'log_config.loggers.x.level' must be ...`).
 */
export function planLogConfig(logConfig: unknown): LogPlan {
  const cfg = table(logConfig, []);
  if (cfg.version !== 1) fail(`${quote(["version"])} must be 1 (the only version of Python's dictConfig schema), got ${describe(cfg.version)}`);
  const incremental = optionalBoolean(cfg.incremental, ["incremental"]) ?? false;
  const formatters = table(cfg.formatters ?? {}, ["formatters"]);
  const handlers = table(cfg.handlers ?? {}, ["handlers"]);
  const loggers = table(cfg.loggers ?? {}, ["loggers"]);
  const root = cfg.root === undefined ? undefined : table(cfg.root, ["root"]);

  const levels: Array<readonly [string, number]> = [];
  if (root?.level !== undefined) levels.push(["", parseLevel(root.level, ["root", "level"])]);
  for (const [name, settings] of Object.entries(loggers)) {
    const logger = table(settings, ["loggers", name]);
    if (logger.level === undefined) continue;
    const level = parseLevel(logger.level, ["loggers", name, "level"]);
    // NOTSET on a logger means "inherit", which is what leaving it out does here.
    if (level !== 0) levels.push([name, level]);
  }

  const warnings: string[] = [];
  // Check every handler and formatter that is defined or referenced, as dictConfig would.
  for (const [name, settings] of Object.entries(formatters)) checkFormatter(table(settings, ["formatters", name]), name, warnings);
  const checked = new Map<string, Handler>();
  for (const [name, settings] of Object.entries(handlers)) {
    checked.set(name, checkHandler(table(settings, ["handlers", name]), name, formatters, warnings));
  }
  const handlerList = (owner: Record<string, unknown>, path: string[]): Handler[] => {
    if (owner.handlers === undefined) return [];
    if (!Array.isArray(owner.handlers)) fail(`${quote([...path, "handlers"])} must be an array of handler names, got ${describe(owner.handlers)}`);
    return owner.handlers.map((name: unknown, i) => {
      const handler = typeof name === "string" ? checked.get(name) : undefined;
      if (handler === undefined) fail(`${quote([...path, "handlers"])}[${i}] names no handler defined in ${quote(["handlers"])}, got ${describe(name)}`);
      return handler;
    });
  };
  for (const [name, settings] of Object.entries(loggers)) handlerList(table(settings, ["loggers", name]), ["loggers", name]);
  const rootHandlers = root ? handlerList(root, ["root"]) : [];

  if (incremental) return { replaceLevels: false, levels, warnings };

  const fm = loggers.fedora_messaging;
  const chosen = (isTable(fm) ? handlerList(fm, ["loggers", "fedora_messaging"]) : []).find((h) => h.supported)
    ?? rootHandlers.find((h) => h.supported);
  const output = chosen
    ? { format: chosen.format, dateFormat: chosen.dateFormat, handlerLevel: chosen.level, stream: chosen.stream }
    : { format: DEFAULT_FORMAT, dateFormat: null, handlerLevel: 0, stream: "stdout" as const };
  return { replaceLevels: true, levels, output, warnings };
}

/**
 * A Python logging level: a number, or a name (Python wants upper case; we
 * accept any case). WARN and FATAL are Python's aliases.
 *
 * @returns undefined when `value` is not a level.
 */
export function levelFromConfig(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isInteger(value) && value >= 0 ? value : undefined;
  if (typeof value !== "string") return undefined;
  const name = value.toUpperCase();
  if (name === "NOTSET") return 0;
  if (name === "WARN") return LEVELS.WARNING;
  if (name === "FATAL") return LEVELS.CRITICAL;
  return Object.hasOwn(LEVELS, name) ? LEVELS[name as keyof typeof LEVELS] : undefined;
}

// --- internal ---------------------------------------------------------------

interface Handler {
  readonly supported: boolean;
  readonly format: string;
  readonly dateFormat: string | null;
  readonly level: number;
  readonly stream: "stdout" | "stderr";
}

const quote = (path: ReadonlyArray<string | number>): string => `'${keyPath("log_config", ...path)}'`;

function table(value: unknown, path: ReadonlyArray<string | number>): Record<string, unknown> {
  if (!isTable(value)) fail(`${quote(path)} must be a table, got ${describe(value)}`);
  return value;
}

function optionalBoolean(value: unknown, path: string[]): boolean | undefined {
  if (value === undefined || typeof value === "boolean") return value;
  fail(`${quote(path)} must be true or false, got ${describe(value)}`);
}

function optionalString(value: unknown, path: string[]): string | undefined {
  if (value === undefined || typeof value === "string") return value;
  fail(`${quote(path)} must be a string, got ${describe(value)}`);
}

function parseLevel(value: unknown, path: string[]): number {
  const level = levelFromConfig(value);
  if (level === undefined) {
    fail(`${quote(path)} must be a level name (DEBUG, INFO, WARNING, ERROR, CRITICAL, NOTSET) or a non-negative integer, got ${describe(value)}`);
  }
  return level;
}

function checkFormatter(formatter: Record<string, unknown>, name: string, warnings: string[]): void {
  optionalString(formatter.format, ["formatters", name, "format"]);
  optionalString(formatter.datefmt, ["formatters", name, "datefmt"]);
  const style = optionalString(formatter.style, ["formatters", name, "style"]);
  if (style !== undefined && style !== "%") {
    warnings.push(`log_config: formatter '${name}' uses style '${style}', which is not supported; only '%' formats are (using "${DEFAULT_FORMAT}")`);
  }
}

function checkHandler(handler: Record<string, unknown>, name: string, formatters: Record<string, unknown>, warnings: string[]): Handler {
  const cls = optionalString(handler.class, ["handlers", name, "class"]);
  const stream = optionalString(handler.stream, ["handlers", name, "stream"]);
  const level = handler.level === undefined ? 0 : parseLevel(handler.level, ["handlers", name, "level"]);
  const formatterName = optionalString(handler.formatter, ["handlers", name, "formatter"]);
  let format = "%(message)s";
  let dateFormat: string | null = null;
  if (formatterName !== undefined) {
    const formatter = formatters[formatterName];
    if (!isTable(formatter)) fail(`${quote(["handlers", name, "formatter"])} names no formatter defined in ${quote(["formatters"])}, got ${describe(formatterName)}`);
    const style = formatter.style;
    format = style === undefined || style === "%" ? ((formatter.format as string | undefined) ?? "%(message)s") : DEFAULT_FORMAT;
    dateFormat = (formatter.datefmt as string | undefined) ?? null;
  }
  const isStreamHandler = cls === "logging.StreamHandler";
  const out = stream === undefined || stream === "ext://sys.stderr" ? "stderr" : stream === "ext://sys.stdout" ? "stdout" : undefined;
  const supported = isStreamHandler && out !== undefined;
  if (!supported) {
    const what = isStreamHandler ? `stream ${stream ?? ""}` : `class ${cls ?? "(none)"}`;
    warnings.push(`log_config: handler '${name}' (${what}) is ignored: only logging.StreamHandler to ext://sys.stdout or ext://sys.stderr is supported`);
  }
  return { supported, format, dateFormat, level, stream: out ?? "stdout" };
}
