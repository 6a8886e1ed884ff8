/** `scanArgs` with positional arguments (`publish FILE`), the way click takes them. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { publishArgs, scanArgs, UsageError } from "../../../src/cli/_args.js";

const COMMAND = "fedora-messaging publish";

test("a positional before or after the options, and '-' as one", () => {
  assert.deepEqual(scanArgs(["f.jsonl", "--exchange", "e"], publishArgs, COMMAND, false, 1), { values: { exchange: "e" }, rest: ["f.jsonl"] });
  assert.deepEqual(scanArgs(["--exchange=e", "-"], publishArgs, COMMAND, false, 1), { values: { exchange: "e" }, rest: ["-"] });
  assert.deepEqual(scanArgs(["--", "--odd-name"], publishArgs, COMMAND, false, 1), { values: {}, rest: ["--odd-name"] });
});

test("more positionals than the command takes: click's 'Got unexpected extra argument'", () => {
  assert.throws(() => scanArgs(["a", "b"], publishArgs, COMMAND, false, 1), (error: unknown) => {
    assert.ok(error instanceof UsageError);
    assert.equal(error.message, "Got unexpected extra argument (b)");
    return true;
  });
  assert.throws(() => scanArgs(["a"], publishArgs, COMMAND), /Got unexpected extra argument \(a\)/);
});
