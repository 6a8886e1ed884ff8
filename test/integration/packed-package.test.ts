/**
 * The npm package as a user gets it: `npm pack`, installed into an empty
 * project, then plugins that import it *by name* (ES module and CommonJS) run
 * under the installed `fedora-messaging` against the broker, and TypeScript
 * files type-check against the installed types; started by npx, its memory
 * setting holds.
 *
 * Why: the ESM entry once named a file the build never wrote, and the
 * package's install script named a file the package does not ship; every
 * other test imports from src/ or dist/ directly, so only this one sees what
 * `package.json` really hands out.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { waitForQueue } from "../support/management.js";
import { ROOT, runCli, testQueues, writeConfig } from "./_harness.js";

const freshQueue = testQueues();
const project = mkdtempSync(join(tmpdir(), "fm-packed-"));
const installedCli = join(project, "node_modules/.bin/fedora-messaging");

/**
 * A plugin: Nack on its first call, HaltConsumer(3) on its second; records
 * what it saw of the package: the daemon's own copy of the library, so that
 * its classes are the daemon's. It also builds a message and registers a schema.
 */
const ESM_PLUGIN = `
import { appendFileSync } from "node:fs";
import * as library from "fedora-messaging";
import { Drop, HaltConsumer, Message, Nack, currentConfig, registerSchemaModule } from "fedora-messaging";
// The bundles are built without esbuild's keepNames: the daemon's copy must still name its exports as exported.
const renamed = Object.entries(library).filter(([key, value]) => typeof value === "function" && value.name !== key && library[value.name] !== value).map(([key, value]) => key + " is " + value.name);
class Custom extends Message {}
Custom.schemaName = "packed.custom";
const registered = registerSchemaModule({ Custom });
let calls = 0;
export class Plugin {
  call(message) {
    calls++;
    const built = new Message({ topic: "packed.built", body: { n: calls } }).topic;
    // By prototype, not by brand: true only when the plugin got the daemon's own copy of the library.
    const sameCopy = Message.prototype.isPrototypeOf(message);
    const seen = { calls, isMessage: message instanceof Message, sameCopy, drop: typeof Drop, topic: message.topic, built, registered, renamed };
    appendFileSync(currentConfig().consumer_config.record_file, JSON.stringify(seen) + "\\n");
    if (calls === 1) throw new Nack();
    throw new HaltConsumer(3, "the packed ESM plugin is done");
  }
}
`;

const CJS_PLUGIN = `
const { appendFileSync } = require("node:fs");
const { Drop, HaltConsumer, Message, Nack, currentConfig } = require("fedora-messaging");
let calls = 0;
exports.plugin = function plugin(message) {
  calls++;
  const seen = { calls, isMessage: message instanceof Message, sameCopy: Message.prototype.isPrototypeOf(message), drop: typeof Drop, topic: message.topic };
  appendFileSync(currentConfig().consumer_config.record_file, JSON.stringify(seen) + "\\n");
  if (calls === 1) throw new Nack();
  throw new HaltConsumer(3, "the packed CJS plugin is done");
};
`;

/** What a TypeScript program or plugin writes against the package's types (must compile, strict). */
const TS_PROGRAM = `
import { consume, Drop, HaltConsumer, Message, Nack, type ConsumeResult } from "fedora-messaging";
export class Plugin {
  call(message: Message): void {
    const topic: string = message.topic;
    if (topic.endsWith(".drop")) throw new Drop();
    if (topic.endsWith(".stop")) throw new HaltConsumer(0, "done", false);
    throw new Nack();
  }
}
export const running: Promise<ConsumeResult> = consume((message: Message) => void message.body, {
  bindings: { exchange: "amq.topic", routing_keys: ["#"] },
  signal: AbortSignal.timeout(1000),
});
`;

before(() => {
  const packed = execFileSync("npm", ["pack", "--silent", "--pack-destination", project], { cwd: ROOT, encoding: "utf8" });
  const tarball = packed.trim().split("\n").at(-1)!;
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "user-project", private: true }));
  // Dependencies come from npm's cache when `npm ci` already fetched them.
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error", join(project, tarball)], {
    cwd: project,
    stdio: ["ignore", "ignore", "inherit"],
  });
  writeFileSync(join(project, "plugin.mjs"), ESM_PLUGIN);
  writeFileSync(join(project, "plugin.cjs"), CJS_PLUGIN);
});
after(() => rmSync(project, { recursive: true, force: true }));

describe("the npm package, installed from its tarball", () => {
  const plugins = [["ESM", "plugin.mjs:Plugin"], ["CJS", "plugin.cjs:plugin"]] as const;
  for (const [[kind, spec], mode] of plugins.flatMap((p) => (["worker", "in-process"] as const).map((m) => [p, m] as const))) {
    test(`a ${kind} plugin imports the package by name; Nack then HaltConsumer under the installed CLI (${mode})`, async () => {
      const queue = await freshQueue("packed");
      await queue.publish([{ n: 1 }]);
      const config = writeConfig(queue, { callback: join(project, spec), callbackMode: mode });
      const run = runCli(["--conf", config, "consume"], { executable: installedCli });
      const code = await run.exited;
      assert.equal(code, 3, `${run.stdout()}\n${run.stderr()}`);
      assert.match(run.stdout(), new RegExp(`Consumer halted with non-zero exit code \\(3\\): the packed ${kind} plugin is done`));
      const seen = queue.records();
      assert.deepEqual(seen.map((r) => r["calls"]), [1, 2], "the Nacked message came back once");
      for (const r of seen) {
        assert.equal(r["isMessage"], true, "instanceof Message holds for the daemon's messages");
        assert.equal(r["sameCopy"], true, "the plugin's import gave the daemon's own copy of the library (src/library-handover.ts)");
        assert.equal(r["drop"], "function");
        assert.equal(r["topic"], queue.routingKey);
        if (kind === "ESM") {
          assert.deepEqual(r["renamed"], [], "every export of the daemon's copy is named as exported (src/public-names.ts)");
          assert.equal(r["built"], "packed.built");
          assert.deepEqual(r["registered"], ["packed.custom"]);
        }
      }
      // The Nack put it back, the halt accepted it: nothing left, nothing lost.
      await waitForQueue(queue.name, (q) => q.messages === 0, 10_000);
    });
  }

  test("started by npx (npm's bin shim), the young generation stays at 1 MiB semi-spaces and glibc's mmap threshold is fixed", async () => {
    const queue = await freshQueue("packed-heap");
    const config = writeConfig(queue, { callback: join(ROOT, "test/fixtures/sea/heap-probe.mjs:probe"), callbackMode: "in-process" });
    await queue.publish([{ file: queue.recordFile }]);
    const run = runCli(["--no-install", "fedora-messaging", "--conf", config, "consume"], { executable: "npx", cwd: project, env: { NODE_OPTIONS: "" } });
    assert.equal(await run.exited, 0, run.stderr());
    const [probe] = queue.records() as Array<{ newSpaceBytes: number; mallocMmapThreshold: string | null }>;
    // Left to grow (Node's default), the probe's garbage takes new_space to 32 MiB.
    assert.ok(probe!.newSpaceBytes <= 2 * 1024 * 1024, `new_space grew to ${probe!.newSpaceBytes} bytes`);
    // The shebang's setting (build/build.mjs), which only an exec through the shebang can give.
    assert.equal(probe!.mallocMmapThreshold, "131072");
  });

  test("TypeScript code type-checks against the installed types (ESM and CommonJS, strict)", () => {
    writeFileSync(join(project, "program.mts"), TS_PROGRAM);
    writeFileSync(join(project, "program.cts"), TS_PROGRAM);
    writeFileSync(
      join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          module: "nodenext",
          moduleResolution: "nodenext",
          target: "es2022",
          noEmit: true,
          skipLibCheck: false,
          types: ["node"],
          typeRoots: [join(ROOT, "node_modules/@types")],
        },
        files: ["program.mts", "program.cts"],
      }),
    );
    const tsc = join(ROOT, "node_modules/typescript/bin/tsc");
    try {
      execFileSync(process.execPath, [tsc, "-p", join(project, "tsconfig.json")], { cwd: project, encoding: "utf8", stdio: "pipe" });
    } catch (error) {
      const { stdout, stderr } = error as { stdout: string; stderr: string };
      assert.fail(`tsc failed:\n${stdout}${stderr}`);
    }
  });
});
