/** dumps/loads against Python's message.dumps/loads (message-cases.json, from make-fixtures.py). */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, test } from "node:test";
import { createConsola } from "consola";
import { ValidationError } from "../../../src/errors.js";
import { setSink } from "../../../src/log.js";
import { dumps, loadMessage, loads, Message, pyDumps, pyParse, registerMessageClass } from "../../../src/message/index.js";

interface Fixtures {
  recordLines: string[];
  loadsRewrites: { input: string; expected: Record<string, unknown>; logs: string[] }[];
  badLines: { input: string; summary: string | null }[];
  splitlinesBug: { input: string; pythonSummary: string };
}
// Read with pyParse so that the fixtures' own 1.0s stay floats.
const fixture = pyParse(readFileSync(new URL("../../fixtures/message/message-cases.json", import.meta.url), "utf8"));
const fx = fixture.value as Fixtures;

let lines: string[] = [];
beforeEach(() => {
  lines = [];
  setSink(createConsola({ level: 5, reporters: [{ log: (entry) => { lines.push(entry.args.join(" ")); } }] }));
});
afterEach(() => setSink(createConsola({ level: 5, reporters: [{ log: () => {} }] })));

const recordOptions = { ensureAscii: false, sortKeys: true } as const;

describe("Python's record lines survive loads() then dumps() byte for byte", () => {
  for (const line of fx.recordLines) {
    test(line.slice(0, 60), () => {
      assert.equal(dumps(loads(`${line}\n`)), `${line}\n`);
    });
  }
});

describe("loads() rebuilds headers like load_message", () => {
  for (const c of fx.loadsRewrites) {
    test(c.input.slice(0, 60), () => {
      const out = pyParse(dumps(loads(c.input)));
      const given = JSON.parse(c.input) as { headers?: Record<string, unknown>; id?: string };
      const record = out.value as { headers: Record<string, unknown>; id?: string };
      assert.match(String(record.headers["sent-at"]), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
      if (!given.headers || !("sent-at" in given.headers)) delete record.headers["sent-at"];
      if (!("id" in given)) {
        assert.match(record.id ?? "", /^[0-9a-f-]{36}$/);
        delete record.id;
      }
      assert.equal(pyDumps(record, { ...recordOptions, shapes: out.numbers }), pyDumps(c.expected, { ...recordOptions, shapes: fixture.numbers }));
      assert.deepEqual(lines, c.logs);
    });
  }
});

describe("bad input fails with Python's summary", () => {
  for (const c of fx.badLines) {
    test(JSON.stringify(c.input), () => {
      const text = c.input === "" ? "\n\n" : `${c.input}\n`;
      assert.throws(() => loads(text), (e: unknown) => e instanceof ValidationError && e.summary === c.summary);
    });
  }
});

test("a raw U+2028 inside a string does not split the line (Python's splitlines() does)", () => {
  assert.ok(fx.splitlinesBug.pythonSummary.startsWith("Unterminated string"));
  const [m] = loads(fx.splitlinesBug.input);
  assert.equal(m?.body["s"], "a\u2028b");
});

test("dumps: a single message, an empty list, and validation first", () => {
  const m = new Message({ body: { k: "\u00e9" }, topic: "t", id: "i" });
  m.headers["sent-at"] = "2024-01-01T00:00:00+00:00";
  assert.equal(dumps(m), '{"body": {"k": "\u00e9"}, "headers": {"fedora_messaging_schema": "base.message", "fedora_messaging_schema_package": "fedora_messaging", "fedora_messaging_severity": 20, "priority": 0, "sent-at": "2024-01-01T00:00:00+00:00"}, "id": "i", "priority": 0, "queue": null, "topic": "t"}\n');
  assert.equal(dumps([]), "\n");
  m.headers["fedora_messaging_severity"] = 5;
  assert.throws(() => dumps([m]), { summary: "5 is not one of [10, 20, 30, 40]" });
});

test("loadMessage picks the registered class and restores queue, id, priority", () => {
  class Known extends Message {}
  registerMessageClass("test.known", Known);
  const m = loadMessage({ topic: "t", body: { a: 1 }, headers: { fedora_messaging_schema: "test.known", fedora_messaging_severity: 40 }, id: "x", queue: "q", priority: 4 });
  assert.ok(m instanceof Known);
  assert.equal(m.severity, 40);
  assert.equal(m.id, "x");
  assert.equal(m.queue, "q");
  assert.equal(m.priority, 4);
  assert.equal(m.headers["priority"], 4);
  assert.equal(m.headers["fedora_messaging_schema"], "test.known");
});

test("dumps of what is not a message fails as Python's does", () => {
  // Python: ValidationError(AttributeError("'str' object has no attribute 'validate'")) for items,
  // TypeError("'NoneType' object is not iterable") for a value it cannot iterate.
  for (const value of [["x"], "x", { a: 1 }, [new Message(), 5]]) {
    assert.throws(() => dumps(value as never), (error: unknown) => error instanceof ValidationError && /^'(str|int)' object has no attribute 'validate'$/.test(error.summary));
  }
  assert.throws(() => dumps(null as never), { name: "TypeError", message: "'NoneType' object is not iterable" });
  assert.throws(() => dumps(5 as never), { name: "TypeError", message: "'int' object is not iterable" });
  assert.equal(dumps({} as never), "\n");
  assert.equal(dumps(new Set<Message>()), "\n");
});
