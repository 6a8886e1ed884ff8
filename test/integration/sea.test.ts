/**
 * The single binary (dist/fedora-messaging, a Node SEA built by
 * `npm run package`) as a user gets it: it runs without Node's files, and a
 * plugin that imports "fedora-messaging" by name is served the library by the
 * binary itself, with no such package anywhere on disk. The plugins are copied
 * to a fresh directory outside the repository (inside it, Node would resolve
 * the name to the repository's own package.json).
 */
import assert from "node:assert/strict";
import { execFile, execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { ROOT, runCli, testQueues, writeConfig } from "./_harness.js";

const SEA = join(ROOT, "dist/fedora-messaging");
const FIXTURES = join(ROOT, "test/fixtures/sea");
const freshQueue = testQueues();
let pluginDir = "";

before(() => {
  assert.ok(existsSync(SEA), "dist/fedora-messaging is missing: run `npm run package` first");
  pluginDir = mkdtempSync(join(tmpdir(), "fm-sea-plugins-"));
  copyFileSync(join(FIXTURES, "esm-plugin.mjs"), join(pluginDir, "esm-plugin.mjs"));
  copyFileSync(join(FIXTURES, "cjs-plugin.cjs"), join(pluginDir, "cjs-plugin.cjs"));
  copyFileSync(join(FIXTURES, "heap-probe.mjs"), join(pluginDir, "heap-probe.mjs"));
});
after(() => rmSync(pluginDir, { recursive: true, force: true }));

describe("the single binary (Node SEA)", () => {
  test("--help and --version run, with an empty environment", () => {
    const help = execFileSync(SEA, ["--help"], { encoding: "utf8", env: {} });
    assert.match(help, /^Usage: fedora-messaging \[OPTIONS\] COMMAND/);
    assert.match(execFileSync(SEA, ["consume", "--help"], { encoding: "utf8", env: {} }), /--callback/);
    assert.match(execFileSync(SEA, ["--version"], { encoding: "utf8", env: {} }), /^fedora-messaging, version \d/);
  });

  test("the package is not installed where the plugins are", () => {
    // Plain Node, from the plugin directory, cannot find it: only the SEA provides it.
    const probe = spawnSync(process.execPath, ["--input-type=module", "-e", 'await import("fedora-messaging")'], { cwd: pluginDir, encoding: "utf8" });
    assert.notEqual(probe.status, 0);
    assert.match(probe.stderr, /ERR_MODULE_NOT_FOUND|Cannot find package 'fedora-messaging'/);
  });

  for (const [plugin, mode] of [
    ["esm-plugin.mjs:Recorder", "worker"],
    ["esm-plugin.mjs:Recorder", "in-process"],
    ["cjs-plugin.cjs:record", "worker"],
    ["cjs-plugin.cjs:record", "in-process"],
  ] as const) {
    test(`${plugin} (${mode}) imports the library by name: Nack redelivers, HaltConsumer(3) exits 3`, async () => {
      const queue = await freshQueue("sea");
      const config = writeConfig(queue, { callback: `${join(pluginDir, plugin)}`, callbackMode: mode, prefetch: 1 });
      await queue.publish([{ n: 1, nack: true }, { n: 2 }, { n: 3, halt: 3 }]);
      const run = runCli(["--conf", config, "consume"], { executable: SEA, cwd: pluginDir, env: { NODE_PATH: "" } });
      const code = await run.exited;
      assert.equal(code, 3, `stdout:\n${run.stdout()}\nstderr:\n${run.stderr()}`);
      const records = queue.records();
      assert.deepEqual(
        records.map((r) => [(r.body as { n: number }).n, r.first]),
        [[1, true], [1, false], [2, true], [3, true]],
      );
      assert.ok(records.every((r) => r.isMessage === true), "instanceof Message holds with the binary's copy of the library");
      assert.doesNotMatch(run.stderr(), /Warning|Error/);
    });
  }

  for (const mode of ["worker", "in-process"] as const) {
    test(`the young generation stays at 1 MiB semi-spaces, like the bundle's --max-semi-space-size=1 (${mode})`, async () => {
      const queue = await freshQueue("sea-heap");
      const config = writeConfig(queue, { callback: join(pluginDir, "heap-probe.mjs:probe"), callbackMode: mode });
      await queue.publish([{ file: queue.recordFile }]);
      const run = runCli(["--conf", config, "consume"], { executable: SEA, cwd: pluginDir });
      assert.equal(await run.exited, 0, run.stderr());
      const [probe] = queue.records() as Array<{ newSpaceBytes: number }>;
      // Left to grow (Node's default), the same garbage takes new_space to 32 MiB.
      assert.ok(probe!.newSpaceBytes <= 2 * 1024 * 1024, `new_space grew to ${probe!.newSpaceBytes} bytes`);
    });
  }

  test("a binary whose import() of files fails (code cache) loads plugins through importPlugin's fallback", async () => {
    // Node 20 with a code cache, like Node >= 25.5 in every SEA (nodejs/node#62726), has no
    // loader for import() in the main script; importPlugin() then goes through vm.Script.
    const binary = join(pluginDir, "fedora-messaging-code-cache");
    // Not execFileSync: a blocked event loop would miss the broker's HTTP server closing idle sockets.
    await promisify(execFile)(process.execPath, [join(ROOT, "build/sea.mjs"), "--code-cache", "--output", binary]);
    try {
      const queue = await freshQueue("sea-fallback");
      const config = writeConfig(queue, { callback: join(pluginDir, "esm-plugin.mjs:Recorder"), callbackMode: "in-process", prefetch: 1 });
      await queue.publish([{ n: 1, nack: true }, { n: 2, halt: 4 }]);
      const run = runCli(["--conf", config, "consume"], { executable: binary, cwd: pluginDir });
      assert.equal(await run.exited, 4, `stdout:\n${run.stdout()}\nstderr:\n${run.stderr()}`);
      assert.deepEqual(queue.records().map((r) => [(r.body as { n: number }).n, r.first]), [[1, true], [1, false], [2, true]]);
      assert.match(run.stderr(), /USE_MAIN_CONTEXT_DEFAULT_LOADER/, "the fallback (and only it) prints this warning");
    } finally {
      rmSync(binary, { force: true });
    }
  });
});
