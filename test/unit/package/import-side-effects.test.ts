/**
 * Importing the library changes nothing in the host program: no replaced
 * `process.stdout.write`, no process listeners, globals, timers or handles, no
 * patched rhea. The daemon does those things when it starts, not at import.
 * Checked on what users get (`import` and `require` of the package by its
 * name, which reach dist/index.mjs and dist/index.cjs, each in a fresh process) and on the sources for rhea, which dist bundles (the
 * program's own rhea is the one that matters when running from source).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../../", import.meta.url));

/**
 * Prints what differs in the host process after `load` (a JS expression
 * awaiting the import); `warmUp` runs first (tsx's loader changes the process
 * the first time it loads a .ts file, which is not ours to judge).
 */
const probe = (load: string, before = "", warmUp = "undefined") => `
const events = ["exit", "beforeExit", "SIGINT", "SIGTERM", "SIGHUP", "uncaughtException", "unhandledRejection", "warning", "message"];
const snapshot = () => ({
  stdoutWrite: process.stdout.write,
  stderrWrite: process.stderr.write,
  listeners: events.map((e) => e + ":" + process.listenerCount(e)).join(),
  globals: Object.getOwnPropertyNames(globalThis).sort().join(),
  resources: process.getActiveResourcesInfo().sort().join(),
  exitCode: process.exitCode,
  prepareStackTrace: Error.prepareStackTrace,
});
${before}
(async () => {
  await ${warmUp};
  await new Promise((resolve) => setImmediate(resolve));
  const a = snapshot();
  await ${load};
  await new Promise((resolve) => setImmediate(resolve));
  const b = snapshot();
  const changed = Object.keys(a).filter((key) => a[key] !== b[key]);
  process.stdout.write(JSON.stringify({ changed, extra }) + "\\n");
})();
`;

function run(args: string[]): { changed: string[]; extra: unknown } {
  const result = spawnSync(process.execPath, args, { cwd: root, encoding: "utf8", timeout: 30_000 });
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout.trim().split("\n").at(-1)!);
}

describe("importing the library has no side effects", () => {
  // By the package's name, from its root: Node's self-reference goes through package.json `exports`, as for a user.
  for (const [file, load] of [
    ["dist/index.mjs", `import("fedora-messaging")`],
    ["dist/index.cjs", `Promise.resolve(require("fedora-messaging"))`],
  ] as const) {
    test(`${file}, in a fresh process`, () => {
      assert.ok(existsSync(`${root}${file}`), `${file} is missing: run \`npm run build\` first`);
      const { changed } = run(["-e", `let extra; ${probe(load)}`]);
      assert.deepEqual(changed, []);
    });
  }

  test("from source: rhea's decoders untouched and no rhea container made", () => {
    const before = `
const rhea = require("rhea");
const booleanRead = rhea.types.by_code[0x56].read;
let containers = 0;
const create = rhea.create_container;
rhea.create_container = function (...args) { containers++; return create.apply(this, args); };
extra = () => ({ booleanReadKept: rhea.types.by_code[0x56].read === booleanRead, containers });`;
    const load = `import(${JSON.stringify(`${root}src/index.ts`)}).then(() => { extra = extra(); })`;
    const warmUp = `import(${JSON.stringify(`${root}src/amqp/address.ts`)})`;
    const { changed, extra } = run(["--import", "tsx", "--input-type=commonjs", "-e", `let extra; ${probe(load, before, warmUp)}`]);
    assert.deepEqual(changed, []);
    assert.deepEqual(extra, { booleanReadKept: true, containers: 0 });
  });
});
