/**
 * The loader as it ships: bundled to CommonJS by esbuild and run by plain
 * Node (no tsx, which would transpile plugins and hide Node's own behaviour).
 * The second run evaluates the bundle through a `vm.Script` that has no
 * dynamic-import callback, which is what a SEA built with `useCodeCache: true`
 * gives `import()` (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING): plugins must still
 * load, through the `USE_MAIN_CONTEXT_DEFAULT_LOADER` fallback.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const fixtures = fileURLToPath(new URL("../../fixtures/callbacks/", import.meta.url));
const pluginDir = `${fixtures}plugins`;
let dir = "";
let bundle = "";

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "fm-callback-bundle-"));
  bundle = join(dir, "load.cjs");
  await build({
    entryPoints: [fileURLToPath(new URL("../../../src/callback/load.ts", import.meta.url))],
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    outfile: bundle,
    logLevel: "error",
  });
});
after(() => rmSync(dir, { recursive: true, force: true }));

interface Result {
  readonly spec: string;
  readonly value?: unknown;
  readonly error?: string;
  readonly exitCode?: number;
}

/** Loads each spec in a fresh plain-Node process and calls the callback with "msg". */
function loadInNode(specs: readonly string[], viaVmScript: boolean): { results: Result[]; stderr: string } {
  const script = `
    const vm = require("node:vm");
    const fs = require("node:fs");
    const [bundle, pluginDir, cwd, viaVm, ...specs] = process.argv.slice(1);
    let api;
    if (viaVm === "1") {
      const source = fs.readFileSync(bundle, "utf8");
      const wrapper = new vm.Script("(function (exports, require, module) {" + source + "\\n})", { filename: bundle }).runInThisContext();
      const module = { exports: {} };
      wrapper(module.exports, require, module);
      api = module.exports;
    } else {
      api = require(bundle);
    }
    (async () => {
      const results = [];
      for (const spec of specs) {
        try {
          const callback = await api.loadCallback(spec, { pluginDir, cwd, source: "--callback" });
          results.push({ spec, value: await callback({ toString: () => "msg" }) });
        } catch (error) {
          results.push({ spec, error: error.message, exitCode: error.exitCode });
        }
      }
      process.stdout.write("\\n" + JSON.stringify(results));
    })();
  `;
  const child = spawnSync(process.execPath, ["-e", script, bundle, pluginDir, fixtures, viaVmScript ? "1" : "0", ...specs], { encoding: "utf8" });
  assert.equal(child.status, 0, child.stderr);
  const lastLine = child.stdout.trimEnd().split("\n").at(-1) ?? "[]";
  return { results: JSON.parse(lastLine) as Result[], stderr: child.stderr };
}

const GOOD: ReadonlyArray<[string, string]> = [
  ["./esm-function.mjs:handle", "esm-function:msg"],
  ["./cjs-function.cjs:default", "cjs-function:msg"],
  ["./class-call.mjs:Counter", "class-call:msg:1:0"],
  ["sample:SaveMessage", "sample:msg"],
  ["dir-plugin:handle", "dir-plugin:msg"],
  ["fm-esm-pkg:Handler", "fm-esm-pkg:msg"],
];

for (const viaVmScript of [false, true]) {
  describe(viaVmScript ? "a bundle whose import() has no loader (SEA with code cache)" : "a CommonJS bundle under plain Node", () => {
    test("every kind of plugin loads", () => {
      const { results, stderr } = loadInNode(GOOD.map(([spec]) => spec), viaVmScript);
      assert.deepEqual(results, GOOD.map(([spec, value]) => ({ spec, value })));
      // The fallback announces itself once; the direct path is silent.
      assert.equal(/USE_MAIN_CONTEXT_DEFAULT_LOADER is an experimental feature/.test(stderr), viaVmScript, stderr);
    });
  });
}

describe("failures under plain Node", () => {
  test("ES module syntax in a CommonJS .js plugin: location and a hint", () => {
    const { results } = loadInNode(["esm-in-cjs:handle"], false);
    assert.deepEqual(results, [
      {
        spec: "esm-in-cjs:handle",
        error:
          "The esm-in-cjs file raised the following exception during execution: Unexpected token 'export' (esm-in-cjs.js, line 2); " +
          'name the file .mjs, or add a package.json with "type": "module" beside it, to load it as an ES module',
        exitCode: 1,
      },
    ]);
  });

  test("a syntax error in an ES module plugin names file and line, as Python does (Node 20 gives no position)", () => {
    const { results } = loadInNode(["./syntax-error.mjs:handle"], false);
    assert.deepEqual(results, [
      {
        spec: "./syntax-error.mjs:handle",
        error: "The ./syntax-error.mjs file raised the following exception during execution: Unexpected token '{' (syntax-error.mjs, line 2)",
        exitCode: 1,
      },
    ]);
  });

  test("a missing export and a throwing plugin keep their sentences", () => {
    const { results } = loadInNode(["./throws-at-import.mjs:handle", "./non-callable.mjs:notCallable"], false);
    assert.deepEqual(results, [
      {
        spec: "./throws-at-import.mjs:handle",
        error: "The ./throws-at-import.mjs file raised the following exception during execution: the plugin cannot start without its database",
        exitCode: 1,
      },
      { spec: "./non-callable.mjs:notCallable", error: "Callback must be a class that implements call(message) or a function.", exitCode: 2 },
    ]);
  });
});
