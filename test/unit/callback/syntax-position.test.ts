/**
 * The line of a syntax error in an ES module plugin, which Node 20 does not
 * give (see src/callback/_syntax-position.ts): each case is imported by plain
 * Node and the error it throws is located again (on Node 22 and later the
 * stack already has the position, and the same lines must come out). When the line cannot be found
 * for sure, none is given.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { pathToFileURL } from "node:url";
import { syntaxErrorLine } from "../../../src/callback/_syntax-position.js";

const dir = mkdtempSync(join(tmpdir(), "fm-syntax-"));
after(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
/**
 * Imports `source` as a module in plain Node (tsx, which runs the tests,
 * parses modules itself and throws its own error) and locates the SyntaxError
 * it threw, rebuilt here with the same message and stack.
 */
async function locate(source: string): Promise<number | undefined> {
  const file = join(dir, `case-${n++}.mjs`);
  writeFileSync(file, source);
  const script = `import(${JSON.stringify(pathToFileURL(file).href)}).then(() => console.log("null"), (e) => console.log(JSON.stringify({ name: e.name, message: e.message, stack: e.stack })))`;
  const thrown = JSON.parse(execFileSync(process.execPath, ["-e", script], { encoding: "utf8" })) as { name: string; message: string; stack: string } | null;
  assert.equal(thrown?.name, "SyntaxError", `expected a SyntaxError from ${JSON.stringify(source)}`);
  const error = new SyntaxError(thrown.message);
  error.stack = thrown.stack;
  return syntaxErrorLine(error, file)?.line;
}

describe("the line of an ES module's syntax error", () => {
  test("after imports, exports and top-level await", async () => {
    const source = [
      'import { readFileSync } from "node:fs";',
      'import * as path from "node:path";',
      "import {",
      "  join,",
      '} from "node:path";',
      'export { join as j } from "node:path";',
      "const meta = import.meta.url;",
      "await Promise.resolve(1);",
      "export const a = 1;",
      "export default function () { return 2; }",
      "export { meta };",
      "export function broken(x {",
      "}",
    ].join("\n");
    assert.equal(await locate(source), 12);
  });
  test("an error on the first line", async () => assert.equal(await locate("const = 1;\n"), 1));
  test("a strict-mode error (modules are strict)", async () => assert.equal(await locate("const a = 1;\nwith (a) {}\n"), 2));
  test("no line when a script parse cannot find the same error", async () => {
    // Only a module rejects a duplicate export; a script parse finds nothing.
    assert.equal(await locate("export const a = 1;\nexport const a2 = 2;\nexport { a as a2 };\n"), undefined);
  });
});
