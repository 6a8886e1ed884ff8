/**
 * Callback loading: every spec form, and every failure with its sentence and
 * exit code (fixtures: test/fixtures/callbacks, one file per behaviour).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { createConsola } from "consola";
import { loadCallback, locateCallback, type Callback } from "../../../src/callback/load.js";
import { parseCallbackSpec, resolveCallbackSpec, type CallbackOrigin as CallbackSource } from "../../../src/callback/spec.js";
import { printer } from "../../../src/callback/printer.js";
import { CallbackLoadError } from "../../../src/errors.js";
import { resetLogging, setSink } from "../../../src/log.js";

const fixtures = fileURLToPath(new URL("../../fixtures/callbacks/", import.meta.url));
const pluginDir = `${fixtures}plugins`;
const message = { toString: () => "msg" } as never;

const logLines: string[] = [];
before(() => setSink(createConsola({ level: 5, reporters: [{ log: (entry) => void logLines.push(entry.args.join(" ")) }] })));
after(() => resetLogging());

function load(spec: string, source: CallbackSource = "--callback"): Promise<Callback> {
  return loadCallback(spec, { pluginDir, source, cwd: fixtures });
}

async function rejectsWith(promise: Promise<unknown>, message: string | RegExp, exitCode: 1 | 2): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof CallbackLoadError, `expected a CallbackLoadError, got ${String(error)}`);
    if (typeof message === "string") assert.equal(error.message, message);
    else assert.match(error.message, message);
    assert.equal(error.exitCode, exitCode);
    return true;
  });
}

describe("file paths", () => {
  test("an ES module function, relative with ./", async () => {
    assert.equal(await (await load("./esm-function.mjs:handle"))(message), "esm-function:msg");
  });

  test("an absolute path", async () => {
    assert.equal(await (await load(`${fixtures}esm-function.mjs:handle`))(message), "esm-function:msg");
  });

  test("a path relative to cwd without ./ when it has a JS extension", async () => {
    assert.equal(await (await load("esm-function.mjs:handle"))(message), "esm-function:msg");
  });

  test("../ is relative to cwd", async () => {
    const callback = await loadCallback("../esm-function.mjs:handle", { pluginDir, source: "--callback", cwd: pluginDir });
    assert.equal(await callback(message), "esm-function:msg");
  });

  test("the extension may be left out", async () => {
    assert.equal(await (await load("./esm-function:handle"))(message), "esm-function:msg");
  });

  test("CommonJS module.exports = fn is the default export", async () => {
    assert.equal(await (await load("./cjs-function.cjs:default"))(message), "cjs-function:msg");
  });

  test("CommonJS named exports, including ones Node's export detection misses", async () => {
    assert.equal(await (await load("./cjs-named.cjs:handle"))(message), "cjs-named:msg");
    assert.equal(await (await load("./cjs-named.cjs:hidden"))(message), "cjs-hidden:msg");
  });

  test("an async function is used as is", async () => {
    const callback = await load("./async-function.mjs:handle");
    const result = callback(message);
    assert.ok(result instanceof Promise);
    assert.equal(await result, "async-function:msg");
  });

  test("a default export, with path:default", async () => {
    assert.equal(await (await load("./default-export.mjs:default"))(message), "default-export:msg");
  });

  test("a class is instantiated once, without arguments, and its call() is used", async () => {
    const module = (await import(`${fixtures}class-call.mjs`)) as { constructions(): number };
    const before = module.constructions();
    const callback = await load("./class-call.mjs:Counter");
    assert.equal(module.constructions(), before + 1);
    assert.equal(await callback(message), "class-call:msg:1:0");
    assert.equal(await callback(message), "class-call:msg:2:0");
    assert.equal(module.constructions(), before + 1);
    assert.equal(callback.name, "Counter.call");
  });

  test("a class with an async call()", async () => {
    assert.equal(await (await load("./class-async-call.mjs:AsyncSaver"))(message), "class-async-call:msg");
  });

  test("a class compiled to ES5 (prototype.call) is instantiated too", async () => {
    assert.equal(await (await load("./es5-class.cjs:Legacy"))(message), "es5-class:msg");
  });

  test("an object with a call() method, called with the object as this", async () => {
    assert.equal(await (await load("./object-with-call.mjs:handler"))(message), "object-with-call:msg");
  });

  test("--callback-file takes a file path relative to cwd", async () => {
    assert.equal(await (await load("esm-function.mjs:handle", "--callback-file"))(message), "esm-function:msg");
  });
});

describe("the plugin directory", () => {
  const cases: Array<[spec: string, expected: string]> = [
    ["sample:SaveMessage", "sample:msg"],
    ["esm-only:handle", "esm-only:msg"],
    ["cjs-only:handle", "cjs-only:msg"],
    ["dir-plugin:handle", "dir-plugin:msg"],
    ["main-plugin:handle", "main-plugin:msg"],
    ["exports-plugin:handle", "exports-plugin-esm:msg"],
    ["fm-cjs-pkg:handle", "fm-cjs-pkg:msg"],
    ["fm-esm-pkg:Handler", "fm-esm-pkg:msg"],
    ["@fm-scope/pkg:handle", "fm-scope-main:msg"],
    ["@fm-scope/pkg/extra:handle", "fm-scope-extra:msg"],
  ];
  for (const [spec, expected] of cases) {
    test(spec, async () => {
      assert.equal(await (await load(spec))(message), expected);
    });
  }

  test("the configuration file as the source works the same", async () => {
    assert.equal(await (await load("sample:SaveMessage", "configuration file"))(message), "sample:msg");
  });

  test("locateCallback finds the file without running it", () => {
    const location = locateCallback("throws-at-import.mjs:x", { pluginDir, source: "--callback", cwd: fixtures });
    assert.deepEqual(location, { kind: "file", spec: "throws-at-import.mjs:x", path: "throws-at-import.mjs", name: "x", file: `${fixtures}throws-at-import.mjs` });
  });
});

describe("the built-in printer", () => {
  test("fedora_messaging.example:printer, as Python configurations name it", async () => {
    assert.equal(await load("fedora_messaging.example:printer", "configuration file"), printer);
  });

  test("the alias printer", async () => {
    assert.equal(await load("printer"), printer);
  });

  test("logs which callback starts, like Python", async () => {
    logLines.length = 0;
    await load("fedora_messaging.example:printer");
    assert.deepEqual(logLines, ["[fedora_messaging.cli INFO] Starting consumer with fedora_messaging.example:printer callback"]);
  });

  test("but not for --callback-file, like Python (only its Python-path loader logs it)", async () => {
    logLines.length = 0;
    await load("esm-function.mjs:handle", "--callback-file");
    assert.deepEqual(logLines, []);
  });
});

describe("failures", () => {
  test("bad format: no colon", async () => {
    await rejectsWith(
      load("sample"),
      'Unable to parse the callback path (sample); the expected format is "path/to/plugin.js:callable_object" or "plugin_name:callable_object"',
      1,
    );
  });

  test("bad format: two colons, or an empty half", async () => {
    for (const spec of ["a:b:c", ":b", "a:", "  "]) {
      await rejectsWith(load(spec, "configuration file"), /^Unable to parse the callback path \(/, 1);
    }
  });

  test("bad format: --callback-file has Python's own sentence", async () => {
    await rejectsWith(
      load("file/with/no/function.js", "--callback-file"),
      "Unable to parse the '--callback-file' option; the expected format is \"path/to/file.js:callable_object\" where " +
        '"callable_object" is the name of the function or class in the file',
      1,
    );
  });

  test("parseCallbackSpec trims, like Python's strip()", () => {
    assert.deepEqual(parseCallbackSpec("  sample:SaveMessage \n", "--callback"), { path: "sample", name: "SaveMessage" });
  });

  test("module not found, from --callback", async () => {
    await rejectsWith(
      load("nothing-here:handle"),
      `Failed to import the callback module (No module named 'nothing-here': no nothing-here.js, nothing-here.mjs, ` +
        `nothing-here.cjs or nothing-here/ in ${pluginDir}, and no package 'nothing-here' in its node_modules) ` +
        "provided in the --callback argument",
      1,
    );
  });

  test("module not found, from the configuration file", async () => {
    await rejectsWith(
      load("./nothing-here.js:handle", "configuration file"),
      "Failed to import the callback module (Cannot find module './nothing-here.js') provided in the configuration file",
      1,
    );
  });

  test("a dependency of the plugin is missing", async () => {
    await rejectsWith(
      load("./missing-dependency.mjs:handle"),
      /^Failed to import the callback module \(Cannot find package 'fm-test-package-that-does-not-exist' .*\) provided in the --callback argument$/,
      1,
    );
  });

  test("a package.json that is not JSON", async () => {
    await rejectsWith(load("bad-manifest:handle"), /^Failed to import the callback module \(invalid .*bad-manifest\/package\.json: .*\) provided in the --callback argument$/, 1);
  });

  test("--callback-file: the file does not exist", async () => {
    await rejectsWith(
      load("nothing-here.js:handle", "--callback-file"),
      `An IO error occurred: ENOENT: no such file or directory, stat '${fixtures}nothing-here.js'`,
      1,
    );
  });

  test("--callback-file: a directory", async () => {
    await rejectsWith(load("plugins:handle", "--callback-file"), /^An IO error occurred: EISDIR: /, 1);
  });

  test("the export is missing", async () => {
    await rejectsWith(
      load("./esm-function.mjs:nope"),
      "Unable to import ./esm-function.mjs:nope (module './esm-function.mjs' has no export named 'nope'; it exports handle); " +
        'is the package installed? The path should be in the format "path/to/plugin.js:callable_object" or "plugin_name:callable_object"',
      1,
    );
  });

  test("the export is missing, --callback-file", async () => {
    await rejectsWith(load("esm-function.mjs:nope", "--callback-file"), "The 'nope' object was not found in the 'esm-function.mjs' file.", 1);
  });

  test("the file throws while it is evaluated", async () => {
    await rejectsWith(
      load("./throws-at-import.mjs:handle"),
      "The ./throws-at-import.mjs file raised the following exception during execution: the plugin cannot start without its database",
      1,
    );
  });

  test("a syntax error", async () => {
    await rejectsWith(
      load("syntax-error.mjs:handle", "--callback-file"),
      "The syntax-error.mjs file raised the following exception during execution: Unexpected token '{' (syntax-error.mjs, line 2)",
      1,
    );
  });

  // ES module syntax in a CommonJS .js file: tsx would transpile it, so
  // bundle.test.ts checks the hint under plain Node.

  test("not callable: a value (exit code 2)", async () => {
    await rejectsWith(load("./non-callable.mjs:notCallable"), "Callback must be a class that implements call(message) or a function.", 2);
  });

  test("not callable: a class without call() (exit code 2)", async () => {
    await rejectsWith(load("./non-callable.mjs:NoCallMethod"), "Callback must be a class that implements call(message) or a function.", 2);
  });

  test("a class whose constructor throws (exit code 1)", async () => {
    await rejectsWith(
      load("./ctor-needs-args.mjs:NeedsConfig"),
      "Unable to create the NeedsConfig callback (NeedsConfig requires a config argument); a callback class is instantiated once, with no arguments",
      1,
    );
  });
});

describe("resolveCallbackSpec", () => {
  test("--callback-file wins over --callback and the configuration", () => {
    assert.deepEqual(resolveCallbackSpec({ callbackFile: "f.js:a", callback: "c:b", configCallback: "x:y" }), { spec: "f.js:a", source: "--callback-file" });
  });

  test("--callback wins over the configuration", () => {
    assert.deepEqual(resolveCallbackSpec({ callback: "c:b", configCallback: "x:y" }), { spec: "c:b", source: "--callback" });
  });

  test("the configuration's callback, empty options ignored", () => {
    assert.deepEqual(resolveCallbackSpec({ callbackFile: "", callback: "", configCallback: "x:y" }), { spec: "x:y", source: "configuration file" });
  });

  test("no callback anywhere (exit code 1)", () => {
    assert.throws(
      () => resolveCallbackSpec({ configCallback: null }),
      (error: unknown) =>
        error instanceof CallbackLoadError &&
        error.exitCode === 1 &&
        error.message ===
          'A path to a callable object that accepts the message must be provided with the "--callback" command line option or in the configuration file',
    );
  });
});
