/**
 * Names as users see them in the BUILT library (dist/index.cjs, dist/index.mjs),
 * not in src/: esbuild renames a class that refers to itself (`Message` was
 * `_Message` in the bundles), and the name reaches output — `repr()`, the
 * daemon's "Message validation of Message(id=...) failed" line, error names,
 * `<function printer>`. The CLI bundle (dist/fedora-messaging.js and the worker
 * embedded in it) is checked through the daemon's log lines in
 * test/integration/consume-outcomes.test.ts.
 *
 * `npm test` builds before the unit tests; run `npm run build` first when
 * running this file alone.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";

const dist = fileURLToPath(new URL("../../../dist/", import.meta.url));
const built = existsSync(`${dist}index.cjs`) && existsSync(`${dist}index.mjs`);
const skip = built ? false : "dist/ is not built: run `npm run build` (npm test does)";

type Library = Record<string, unknown>;

async function entries(): Promise<Array<[string, Library]>> {
  const cjs = createRequire(import.meta.url)(`${dist}index.cjs`) as Library;
  const esm = (await import(pathToFileURL(`${dist}index.mjs`).href)) as Library;
  return [["dist/index.cjs", cjs], ["dist/index.mjs", esm]];
}

describe("the built library keeps its names", { skip }, () => {
  test("every exported class and function is named as it is exported", async () => {
    for (const [file, library] of await entries()) {
      // An alias (`get_message` for `getMessage`) carries the name of the export it aliases.
      const named = (name: string, value: unknown): boolean => {
        const own = (value as { name: string }).name;
        return own === name || (Object.hasOwn(library, own) && library[own] === value);
      };
      const renamed = Object.entries(library)
        .filter(([, value]) => typeof value === "function")
        .filter(([name, value]) => !named(name, value))
        .map(([name, value]) => `${name} is named ${JSON.stringify((value as { name: string }).name)}`);
      assert.deepEqual(renamed, [], file);
    }
  });

  test("repr() and constructor.name say Message, as Python's repr() does", async () => {
    for (const [file, library] of await entries()) {
      const Message = library.Message as new (init: object) => { repr(): string; constructor: { name: string } };
      const message = new Message({ id: "abc", topic: "t", body: { a: 1 } });
      assert.equal(message.repr(), "Message(id='abc', topic='t', body={'a': 1})", file);
      assert.equal(message.constructor.name, "Message", file);
    }
  });

  test("errors thrown by the library carry their own class names", async () => {
    for (const [file, library] of await entries()) {
      const dumps = library.dumps as (value: unknown) => string;
      assert.throws(() => dumps(["not a message"]), { name: "ValidationError" }, file);
      const Message = library.Message as new (init: object) => { validate(): void };
      assert.throws(() => new Message({ body: [1] }).validate(), (error: Error) => error.name === "ValidationError" && error.constructor.name === "ValidationError", file);
    }
  });
});
