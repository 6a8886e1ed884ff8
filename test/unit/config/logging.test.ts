import assert from "node:assert/strict";
import { join } from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { defaultLogConfig } from "../../../src/config/defaults.js";
import { loadConfig } from "../../../src/config/load.js";
import { applyLogConfig, levelFromConfig, planLogConfig } from "../../../src/config/logging.js";
import type { JsonValue } from "../../../src/config/types.js";
import { effectiveLevel, getLogger, LEVELS, setDateFormat, setFormat } from "../../../src/log.js";
import { captureLines, resetLogging } from "./_capture.js";

const fixtures = fileURLToPath(new URL("../../fixtures/config/", import.meta.url));
let lines: string[];
beforeEach(() => { lines = captureLines(); });
afterEach(() => resetLogging());

/** Logs one line at each level on `name`. */
function logAll(name: string): void {
  const log = getLogger(name);
  log.debug("d");
  log.info("i");
  log.warning("w");
  log.error("e");
}

type Table = { [key: string]: JsonValue };
const withFormat = (format: string, extra: Table = {}): Table => ({
  version: 1,
  formatters: { f: { format, ...extra } },
  handlers: { h: { class: "logging.StreamHandler", formatter: "f", stream: "ext://sys.stdout" } },
  loggers: { fedora_messaging: { level: "DEBUG", handlers: ["h"] } },
});

describe("applyLogConfig", () => {
  it("Python's default log_config: fedora_messaging at INFO, root at WARNING, [name LEVEL] lines", () => {
    applyLogConfig(defaultLogConfig());
    logAll("fedora_messaging.consumer");
    logAll("callback.module");
    assert.deepEqual(lines, [
      "[fedora_messaging.consumer INFO] i",
      "[fedora_messaging.consumer WARNING] w",
      "[fedora_messaging.consumer ERROR] e",
      "[callback.module WARNING] w",
      "[callback.module ERROR] e",
    ]);
  });

  it("the sample config's format \"[%(levelname)s %(name)s] %(message)s\", and its levels", () => {
    const { log_config } = loadConfig({ path: join(fixtures, "config.toml.example") });
    lines.length = 0; // the "Loading configuration from" line
    applyLogConfig(log_config);
    logAll("fedora_messaging");
    logAll("pika.connection");
    logAll("other");
    assert.deepEqual(lines, [
      "[INFO fedora_messaging] i", "[WARNING fedora_messaging] w", "[ERROR fedora_messaging] e",
      "[WARNING pika.connection] w", "[ERROR pika.connection] e",
      "[ERROR other] e", // root is at ERROR there
    ]);
    assert.equal(effectiveLevel("twisted"), LEVELS.INFO);
  });

  it("forgets earlier levels: a logger the config leaves out inherits from the root", () => {
    applyLogConfig({ version: 1, root: { level: "ERROR" } });
    logAll("fedora_messaging.x");
    assert.deepEqual(lines, ["[fedora_messaging.x ERROR] e"]);
  });

  it("without a root section the root stays at WARNING", () => {
    applyLogConfig({ version: 1, loggers: { app: { level: 10 } } });
    assert.equal(effectiveLevel(""), LEVELS.WARNING);
    assert.equal(effectiveLevel("app.sub"), LEVELS.DEBUG);
    assert.equal(effectiveLevel("fedora_messaging"), LEVELS.WARNING);
  });

  it("levels: names in any case, WARN/FATAL, numbers, NOTSET means inherit", () => {
    applyLogConfig({ version: 1, root: { level: "error" }, loggers: { a: { level: "WARN" }, b: { level: "FATAL" }, c: { level: 25 }, d: { level: "NOTSET" } } });
    assert.deepEqual(["a", "b", "c", "d"].map(effectiveLevel), [30, 50, 25, 40]);
    getLogger("c").warning("custom level passes");
    assert.deepEqual(lines, ["[c WARNING] custom level passes"]);
  });

  it("a root at NOTSET lets everything through", () => {
    applyLogConfig({ version: 1, root: { level: "NOTSET" } });
    getLogger("x").debug("all");
    assert.deepEqual(lines, ["[x DEBUG] all"]);
  });

  it("takes the handler of fedora_messaging before the root's", () => {
    applyLogConfig({
      version: 1,
      formatters: { a: { format: "A %(message)s" }, b: { format: "B %(message)s" } },
      handlers: { ha: { class: "logging.StreamHandler", formatter: "a", stream: "ext://sys.stdout" }, hb: { class: "logging.StreamHandler", formatter: "b" } },
      loggers: { fedora_messaging: { level: "INFO", handlers: ["ha"] } },
      root: { level: "INFO", handlers: ["hb"] },
    });
    getLogger("other").info("x");
    assert.deepEqual(lines, ["A x"]);
  });

  it("falls back to the root's handler, and notes its stream", () => {
    const config: Table = {
      version: 1,
      formatters: { b: { format: "B %(message)s" } },
      handlers: { hb: { class: "logging.StreamHandler", formatter: "b", stream: "ext://sys.stderr" } },
      root: { level: "INFO", handlers: ["hb"] },
    };
    assert.deepEqual(planLogConfig(config).output, { format: "B %(message)s", dateFormat: null, handlerLevel: 0, stream: "stderr" });
    applyLogConfig(config);
    getLogger("x").info("y");
    assert.deepEqual(lines, ["B y"]);
  });

  it("a StreamHandler without a stream writes to stderr, like Python", () => {
    const plan = planLogConfig({ version: 1, handlers: { h: { class: "logging.StreamHandler" } }, root: { handlers: ["h"] } });
    assert.equal(plan.output?.stream, "stderr");
  });

  it("a handler without a formatter prints the bare message, like Python", () => {
    applyLogConfig({ version: 1, handlers: { h: { class: "logging.StreamHandler", stream: "ext://sys.stdout" } }, root: { level: "INFO", handlers: ["h"] } });
    getLogger("x").info("bare");
    assert.deepEqual(lines, ["bare"]);
  });

  it("no supported handler at all keeps the default format on stdout", () => {
    assert.deepEqual(planLogConfig({ version: 1 }).output, { format: "[%(name)s %(levelname)s] %(message)s", dateFormat: null, handlerLevel: 0, stream: "stdout" });
  });

  it("applies the chosen handler's level as a floor", () => {
    applyLogConfig({
      version: 1,
      formatters: { f: { format: "%(message)s" } },
      handlers: { h: { class: "logging.StreamHandler", formatter: "f", stream: "ext://sys.stdout", level: "WARNING" } },
      loggers: { fedora_messaging: { level: "DEBUG", handlers: ["h"] } },
    });
    logAll("fedora_messaging");
    assert.deepEqual(lines, ["w", "e"]);
    assert.equal(getLogger("fedora_messaging").isEnabledFor(LEVELS.INFO), false);
  });

  it("warns about handlers it cannot honour, and stays quiet when asked", () => {
    const config: Table = {
      version: 1,
      formatters: { f: { format: "%(message)s", style: "{" } },
      handlers: {
        file: { class: "logging.FileHandler", filename: "/var/log/x.log" },
        odd: { class: "logging.StreamHandler", stream: "ext://my.stream" },
      },
      loggers: { fedora_messaging: { level: "INFO", handlers: ["file", "odd"] } },
    };
    applyLogConfig(config);
    assert.deepEqual(lines, [
      "[fedora_messaging.config WARNING] log_config: formatter 'f' uses style '{', which is not supported; only '%' formats are (using \"[%(name)s %(levelname)s] %(message)s\")",
      "[fedora_messaging.config WARNING] log_config: handler 'file' (class logging.FileHandler) is ignored: only logging.StreamHandler to ext://sys.stdout or ext://sys.stderr is supported",
      "[fedora_messaging.config WARNING] log_config: handler 'odd' (stream ext://my.stream) is ignored: only logging.StreamHandler to ext://sys.stdout or ext://sys.stderr is supported",
    ]);
    lines.length = 0;
    applyLogConfig(config, { quiet: true });
    assert.deepEqual(lines, []);
  });

  it("incremental configs only set levels", () => {
    setFormat("KEEP %(message)s");
    applyLogConfig({ version: 1, incremental: true, loggers: { x: { level: "DEBUG" } }, formatters: { f: { format: "NO %(message)s" } } });
    getLogger("x").debug("d");
    assert.equal(effectiveLevel("fedora_messaging"), LEVELS.INFO); // not forgotten
    assert.deepEqual(lines, ["KEEP d"]);
  });
});

describe("formats", () => {
  it("levelname widths and alignment, %%, levelno, process", () => {
    applyLogConfig(withFormat("%(levelname)-8s|%(levelname)8s|%(name).3s|%(levelno)03d|%%|%(process)d|%(message)s"));
    getLogger("fedora_messaging").warning("hi");
    assert.deepEqual(lines, [`WARNING | WARNING|fed|030|%|${process.pid}|hi`]);
  });
  it("unknown fields are printed as written", () => {
    applyLogConfig(withFormat("%(lineno)d %(message)s"));
    getLogger("fedora_messaging").info("m");
    assert.deepEqual(lines, ["%(lineno)d m"]);
  });
  it("asctime: Python's default shape, or the formatter's datefmt", () => {
    applyLogConfig(withFormat("%(asctime)s %(message)s"));
    getLogger("fedora_messaging").info("m");
    assert.match(lines[0]!, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} m$/);
    lines.length = 0;
    applyLogConfig(withFormat("%(asctime)s %(message)s", { datefmt: "%d/%m/%Y %H:%M:%S %%" }));
    getLogger("fedora_messaging").info("m");
    assert.match(lines[0]!, /^\d\d\/\d\d\/\d{4} \d\d:\d\d:\d\d % m$/);
    setDateFormat(null);
  });
});

describe("planLogConfig errors name the key", () => {
  const cases: ReadonlyArray<readonly [unknown, string]> = [
    [[], "'log_config' must be a table, got []"],
    [{ version: 2 }, "'log_config.version' must be 1 (the only version of Python's dictConfig schema), got 2"],
    [{ version: 1, loggers: [] }, "'log_config.loggers' must be a table, got []"],
    [{ version: 1, loggers: { x: 1 } }, "'log_config.loggers.x' must be a table, got 1"],
    [{ version: 1, loggers: { "a.b": { level: "LOUD" } } },
      `'log_config.loggers."a.b".level' must be a level name (DEBUG, INFO, WARNING, ERROR, CRITICAL, NOTSET) or a non-negative integer, got "LOUD"`],
    [{ version: 1, loggers: { x: { handlers: "console" } } }, `'log_config.loggers.x.handlers' must be an array of handler names, got "console"`],
    [{ version: 1, loggers: { x: { handlers: ["console"] } } }, `'log_config.loggers.x.handlers'[0] names no handler defined in 'log_config.handlers', got "console"`],
    [{ version: 1, handlers: { h: { formatter: "simple" } } }, `'log_config.handlers.h.formatter' names no formatter defined in 'log_config.formatters', got "simple"`],
    [{ version: 1, handlers: { h: { level: -1 } } }, "'log_config.handlers.h.level' must be a level name (DEBUG, INFO, WARNING, ERROR, CRITICAL, NOTSET) or a non-negative integer, got -1"],
    [{ version: 1, formatters: { f: { format: 1 } } }, "'log_config.formatters.f.format' must be a string, got 1"],
    [{ version: 1, incremental: "yes" }, `'log_config.incremental' must be true or false, got "yes"`],
    [{ version: 1, root: "x" }, `'log_config.root' must be a table, got "x"`],
  ];
  for (const [config, message] of cases) {
    it(message, () => assert.throws(() => planLogConfig(config), { name: "ConfigProblem", message }));
  }
});

describe("levelFromConfig", () => {
  it("reads Python's level names and numbers", () => {
    assert.deepEqual(["DEBUG", "info", "Warning", "WARN", "ERROR", "CRITICAL", "FATAL", "NOTSET", 15, 0].map(levelFromConfig), [10, 20, 30, 30, 40, 50, 50, 0, 15, 0]);
    assert.deepEqual(["LOUD", "20", 1.5, -1, true, null].map(levelFromConfig), [undefined, undefined, undefined, undefined, undefined, undefined]);
  });
});
