/**
 * pyParse/pyDumps against CPython's json module: every case in
 * test/fixtures/message/pyjson-cases.json was produced by make-fixtures.py.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { floatRepr, NumberShapes, pyDumps, pyParse, PyJSONDecodeError, type PyDumpsOptions } from "../../../src/python/pyjson.js";
import { pyBytesRepr, pyRepr } from "../../../src/python/pyrepr.js";

interface Fixtures {
  variants: { name: string; options: PyDumpsOptions }[];
  cases: { name: string; input: string; outputs: Record<string, string> }[];
  parseErrors: { input: string; type: string; message: string; repr: string | null }[];
  floatRepr: string[];
  repr: { json: string; repr: string }[];
  bytesRepr: { hex: string; repr: string }[];
}
const fx = JSON.parse(readFileSync(new URL("../../fixtures/message/pyjson-cases.json", import.meta.url), "utf8")) as Fixtures;

describe("pyDumps matches json.dumps", () => {
  for (const c of fx.cases) {
    test(c.name, () => {
      const { value, numbers } = pyParse(c.input);
      for (const v of fx.variants) {
        const expected = c.outputs[v.name];
        assert.equal(pyDumps(value, { ...v.options, shapes: numbers }), expected, `variant ${v.name}`);
      }
    });
  }
});

describe("pyParse fails like json.loads", () => {
  for (const c of fx.parseErrors) {
    test(JSON.stringify(c.input.slice(0, 40)), () => {
      assert.throws(() => pyParse(c.input), (err: unknown) => {
        assert.ok(err instanceof PyJSONDecodeError);
        assert.equal(err.message, c.message);
        assert.equal(err.pythonType, c.type);
        if (c.repr !== null) assert.equal(err.pyRepr(), c.repr);
        return true;
      });
    });
  }
});

test("floatRepr matches repr(float) for every fixture value", () => {
  for (const s of fx.floatRepr) assert.equal(floatRepr(Number(s)), s);
});

test("pyRepr matches repr() of str, containers and numbers", () => {
  for (const c of fx.repr) {
    const { value, numbers } = pyParse(c.json);
    assert.equal(pyRepr(value, numbers), c.repr);
  }
  for (const c of fx.bytesRepr) assert.equal(pyBytesRepr(Buffer.from(c.hex, "hex")), c.repr);
});

describe("number shapes", () => {
  test("a number the user changed prints as JS", () => {
    const { value, numbers } = pyParse('{"a": 1.0, "b": 2.5e+20, "c": [1.0, 3], "d": 123456789012345678901234567890}');
    const body = value as { a: number; b: number; c: number[]; d: number };
    assert.equal(pyDumps(body, { shapes: numbers }), '{"a": 1.0, "b": 2.5e+20, "c": [1.0, 3], "d": 123456789012345678901234567890}');
    body.a = 2;
    body.b = 3e20;
    body.c[0] = 7;
    body.d = 5;
    assert.equal(pyDumps(body, { shapes: numbers }), '{"a": 2, "b": 300000000000000000000, "c": [7, 3], "d": 5}');
  });

  test("shapes follow a moved container and ignore a replaced one", () => {
    const { value, numbers } = pyParse('{"inner": {"x": 1.0}}');
    const body = value as { inner: { x: number } };
    assert.equal(pyDumps({ moved: body.inner }, { shapes: numbers }), '{"moved": {"x": 1.0}}');
    assert.equal(pyDumps({ moved: { ...body.inner } }, { shapes: numbers }), '{"moved": {"x": 1}}');
  });

  test("plain JS numbers: integral as int (all digits), else float repr", () => {
    assert.equal(pyDumps([1, -0, 1e16, 2 ** 70, 0.5, 1e-7, 1.5e-300, NaN, -Infinity]),
      "[1, 0, 10000000000000000, 1180591620717411303424, 0.5, 1e-07, 1.5e-300, NaN, -Infinity]");
  });

  test("the fast path records nothing", () => {
    const { numbers } = pyParse('{"a": 1, "b": "x", "c": [true, null]}');
    assert.ok(numbers.isEmpty);
  });

  test("digits inside strings (versions, dates) keep the fast path; a float beside them keeps its shape", () => {
    const versions = '{"old_version": "0.14.6", "upstream_versions": ["0.14.7"], "at": "2026-12-02T01:35:53+00:00", "big": "12345678901234567890", "esc": "\\"1.0\\"", "n": 3}';
    assert.ok(pyParse(versions).numbers.isEmpty);
    assert.equal(pyDumps(pyParse(versions).value), versions);
    const mixed = '{"v": "1.0", "x": 1.0, "s": "a \\" 2.5", "y": 2.50, "z": 12345678901234567890}';
    const { value, numbers } = pyParse(mixed);
    assert.equal(pyDumps(value, { shapes: numbers }), '{"v": "1.0", "x": 1.0, "s": "a \\" 2.5", "y": 2.5, "z": 12345678901234567890}');
  });

  test("a duplicate key forgets the shape of the replaced number", () => {
    const { value, numbers } = pyParse('{"a": 1.0, "a": 1}');
    assert.equal(pyDumps(value, { shapes: numbers }), '{"a": 1}');
  });

  test("adopt() carries shapes to a shallow copy", () => {
    const { value, numbers } = pyParse('{"a": 1.0}');
    const copy = { ...(value as object) };
    numbers.adopt(copy, value as object);
    assert.equal(pyDumps(copy, { shapes: numbers }), '{"a": 1.0}');
  });

  test("a bare number document", () => {
    const { value, numbers } = pyParse("1.0");
    assert.equal(pyDumps(value, { shapes: numbers }), "1.0");
    assert.equal(pyDumps(value, { shapes: new NumberShapes() }), "1");
  });
});

describe("pyDumps edge cases", () => {
  test("unsupported values raise TypeError like Python", () => {
    assert.throws(() => pyDumps({ d: new Date(0) }), { name: "TypeError", message: "Object of type Date is not JSON serializable" });
    assert.throws(() => pyDumps(new Map()), TypeError);
  });

  test("circular values are refused", () => {
    const a: unknown[] = [];
    a.push(a);
    assert.throws(() => pyDumps(a), /Circular reference detected/);
  });

  test("undefined members are skipped, undefined items are null", () => {
    assert.equal(pyDumps({ a: undefined, b: [undefined], c: 1 }), '{"b": [null], "c": 1}');
    assert.equal(pyDumps({ a: undefined }), "{}");
  });

  test("bigints print as ints", () => {
    assert.equal(pyDumps({ n: 123456789012345678901234567890n }), '{"n": 123456789012345678901234567890}');
  });

  test("very deep nesting still parses (without shapes)", () => {
    const deep = `${"[".repeat(5000)}1.0${"]".repeat(5000)}`;
    const { value } = pyParse(deep);
    assert.ok(Array.isArray(value));
  });
});
