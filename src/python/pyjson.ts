/**
 * Python-compatible JSON: `pyParse` reads like `json.loads`, `pyDumps` writes
 * byte for byte like `json.dumps`. Users compare our printed messages and
 * record files with Python's, so every difference is a bug.
 *
 * JS numbers cannot tell `1.0` from `1` nor hold big ints exactly; the parse
 * therefore returns a side record of number shapes (`NumberShapes`) that
 * `pyDumps` consults (see `_shapes.ts`).
 */
import { jsonNumber } from "./_numbers.js";
import { Parser, PyJSONDecodeError, TooDeep } from "./_parse.js";
import { NumberShapes, type NumberShape } from "./_shapes.js";

export { NumberShapes, PyJSONDecodeError, type NumberShape };
export { floatRepr } from "./_numbers.js";

/** Result of `pyParse`: the plain value and the shapes of its numbers. */
export interface PyParsed {
  readonly value: unknown;
  readonly numbers: NumberShapes;
}

/**
 * Anything that may need a shape or a Python error message: outside strings,
 * a digit followed by `.`/`e`/`E` (every float has one) or a run of 16+ digits
 * (ints beyond 2^53); keys starting with a digit (JS reorders integer-like
 * keys). Strings are skipped, so that the version strings and dates of most
 * Fedora messages ("0.14.7") keep the fast path. A loop over char codes, not a
 * regex over strings: it runs on every message and must allocate nothing.
 */
const KEY_STARTING_WITH_DIGIT = /[{,]\s*"\d/;

function needsSlowPath(text: string): boolean {
  if (KEY_STARTING_WITH_DIGIT.test(text)) return true;
  let digits = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) {
      if (++digits >= 16) return true;
      continue;
    }
    if (digits > 0 && (c === 0x2e || c === 0x65 || c === 0x45)) return true; // . e E after a digit
    digits = 0;
    if (c === 0x22) {
      // Skip the string; an unterminated one is for the slow parser to word.
      for (i++; i < text.length; i++) {
        const s = text.charCodeAt(i);
        if (s === 0x5c) i++;
        else if (s === 0x22) break;
      }
      if (i >= text.length) return true;
    }
  }
  return false;
}

/**
 * Parse JSON text exactly as Python's `json.loads` would.
 *
 * @throws PyJSONDecodeError with Python's message ("Expecting value: line 1
 *   column 1 (char 0)") when Python would raise.
 */
export function pyParse(text: string): PyParsed {
  if (!needsSlowPath(text)) {
    try {
      return { value: JSON.parse(text), numbers: new NumberShapes() };
    } catch {
      // NaN/Infinity, or an error: the slow path accepts or words it as Python.
    }
  }
  const parser = new Parser(text);
  try {
    return { value: parser.document(), numbers: parser.shapes };
  } catch (err) {
    if (!(err instanceof TooDeep)) throw err;
  }
  // Deeper than our recursive parser goes: V8's parser copes; shapes are lost.
  try {
    return { value: JSON.parse(text), numbers: new NumberShapes() };
  } catch {
    throw new PyJSONDecodeError("maximum recursion depth exceeded while decoding a JSON document", "RecursionError");
  }
}

/** Options of `pyDumps`, named after `json.dumps`' keyword arguments. */
export interface PyDumpsOptions {
  /** Pretty-print with this many spaces (or this string) per level; `null`/absent = one line. */
  indent?: number | string | null;
  sortKeys?: boolean;
  /** Escape everything outside printable ASCII as `\uXXXX` (default true, like Python). */
  ensureAscii?: boolean;
  /** Item and key separators; default `[", ", ": "]`, or `[",", ": "]` with `indent`. */
  separators?: readonly [string, string];
  /** Number shapes from `pyParse`, so parsed floats and big ints print as Python would. */
  shapes?: NumberShapes | null;
}

/**
 * Serialise `value` exactly as Python's `json.dumps` would, given the same
 * options. Accepts plain objects, arrays, strings, numbers, bigints, booleans
 * and null; `undefined` members are skipped (in arrays: `null`), as
 * `JSON.stringify` does.
 *
 * @throws TypeError for other objects (Date, Map, Buffer, class instances), as
 *   Python does for unknown types; ValueError-like Error on circular values.
 */
export function pyDumps(value: unknown, options: PyDumpsOptions = {}): string {
  return new Encoder(options).top(value);
}

const ASCII_SAFE = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
const UNICODE_SAFE = /^[^"\\\x00-\x1f]*$/;
const SHORT_ESCAPES: Record<number, string> = { 0x22: '\\"', 0x5c: "\\\\", 0x0a: "\\n", 0x0d: "\\r", 0x09: "\\t", 0x08: "\\b", 0x0c: "\\f" };
const SURROGATE = /[\ud800-\udfff]/;

function quoteString(s: string, ascii: boolean): string {
  if ((ascii ? ASCII_SAFE : UNICODE_SAFE).test(s)) return `"${s}"`;
  let out = '"';
  let chunk = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c !== 0x22 && c !== 0x5c && (c < 0x7f || !ascii)) continue;
    out += s.slice(chunk, i) + (SHORT_ESCAPES[c] ?? `\\u${c.toString(16).padStart(4, "0")}`);
    chunk = i + 1;
  }
  return `${out}${s.slice(chunk)}"`;
}

/** Python sorts str keys by code point; JS sorts by UTF-16 unit (differs for astral vs U+E000+). */
function sortKeys(keys: string[]): string[] {
  if (keys.length < 2) return keys;
  if (!keys.some((k) => SURROGATE.test(k))) return keys.sort();
  const cps = new Map(keys.map((k) => [k, Array.from(k, (ch) => ch.codePointAt(0) as number)]));
  return keys.sort((a, b) => {
    const x = cps.get(a) as number[];
    const y = cps.get(b) as number[];
    for (let i = 0; i < x.length && i < y.length; i++) if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number);
    return x.length - y.length;
  });
}

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

class Encoder {
  private readonly ascii: boolean;
  private readonly sort: boolean;
  private readonly indent: string | null;
  private readonly itemSep: string;
  private readonly keySep: string;
  private readonly shapes: NumberShapes | undefined;
  private readonly stack = new Set<object>();
  private readonly newlines: string[] = [];

  constructor(o: PyDumpsOptions) {
    this.ascii = o.ensureAscii ?? true;
    this.sort = o.sortKeys ?? false;
    this.indent = o.indent === undefined || o.indent === null ? null : typeof o.indent === "number" ? " ".repeat(Math.max(0, o.indent)) : o.indent;
    const [itemSep, keySep] = o.separators ?? (this.indent === null ? [", ", ": "] : [",", ": "]);
    this.itemSep = itemSep;
    this.keySep = keySep;
    this.shapes = o.shapes && !o.shapes.isEmpty ? o.shapes : undefined;
  }

  top(value: unknown): string {
    if (typeof value === "number") return jsonNumber(value, this.shapes?.root);
    return this.value(value, 0);
  }

  private newline(level: number): string {
    return (this.newlines[level] ??= `\n${(this.indent as string).repeat(level)}`);
  }

  private value(v: unknown, level: number): string {
    switch (typeof v) {
      case "string": return quoteString(v, this.ascii);
      case "number": return jsonNumber(v, undefined);
      case "boolean": return v ? "true" : "false";
      case "bigint": return v.toString();
      case "undefined": return "null";
      case "object":
        if (v === null) return "null";
        if (Array.isArray(v)) return this.array(v, level);
        if (isPlainObject(v)) return this.object(v as Record<string, unknown>, level);
    }
    const type = v === null || v === undefined ? String(v) : typeof v === "object" ? (v.constructor?.name ?? "object") : typeof v;
    throw new TypeError(`Object of type ${type} is not JSON serializable`);
  }

  private enter(container: object): void {
    if (this.stack.has(container)) throw new Error("Circular reference detected");
    this.stack.add(container);
  }

  private array(arr: readonly unknown[], level: number): string {
    if (arr.length === 0) return "[]";
    this.enter(arr);
    const shapes = this.shapes?.of(arr);
    const inner = level + 1;
    const sep = this.indent === null ? this.itemSep : this.itemSep + this.newline(inner);
    let out = this.indent === null ? "[" : `[${this.newline(inner)}`;
    for (let i = 0; i < arr.length; i++) {
      const item = arr[i];
      if (i > 0) out += sep;
      out += typeof item === "number" ? jsonNumber(item, shapes?.get(i)) : this.value(item, inner);
    }
    this.stack.delete(arr);
    return this.indent === null ? `${out}]` : `${out}${this.newline(level)}]`;
  }

  private object(obj: Record<string, unknown>, level: number): string {
    let keys = Object.keys(obj);
    if (keys.length === 0) return "{}";
    this.enter(obj);
    if (this.sort) keys = sortKeys(keys);
    else {
      const order = this.shapes?.keyOrder(obj);
      if (order !== undefined) keys = [...new Set([...order.filter((k) => Object.hasOwn(obj, k)), ...keys])];
    }
    const shapes = this.shapes?.of(obj);
    const inner = level + 1;
    const sep = this.indent === null ? this.itemSep : this.itemSep + this.newline(inner);
    let out = this.indent === null ? "{" : `{${this.newline(inner)}`;
    let first = true;
    for (const key of keys) {
      const item = obj[key];
      if (item === undefined) continue;
      if (!first) out += sep;
      first = false;
      out += quoteString(key, this.ascii) + this.keySep;
      out += typeof item === "number" ? jsonNumber(item, shapes?.get(key)) : this.value(item, inner);
    }
    this.stack.delete(obj);
    if (first) return "{}";
    return this.indent === null ? `${out}}` : `${out}${this.newline(level)}}`;
  }
}
