/**
 * A strict JSON parser that accepts exactly what CPython's `json.loads`
 * accepts (RFC 8259 plus `NaN`, `Infinity`, `-Infinity`), fails with the same
 * message at the same position, and records number shapes (see `_shapes.ts`).
 *
 * It follows the C scanner of CPython 3.11 (`Modules/_json.c`): error
 * positions are in code points, and a number is the longest prefix matching
 * `-?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?` (so `1.` is `1` followed by extra
 * data). Only the slow path of `pyParse` uses it: bodies with floats, long
 * digit runs, integer-like keys, or syntax errors.
 */
import { NumberShapes, type NumberShape } from "./_shapes.js";
import { pyStrRepr } from "./pyrepr.js";

/** Python's limit on int digits (`sys.get_int_max_str_digits()`, 3.11 default). */
const INT_MAX_STR_DIGITS = 4300;
/** Nesting beyond this stops the recursive parser before the JS stack does. */
const MAX_DEPTH = 2000;

/**
 * `json.loads` failed. `message` is Python's `str(error)`, e.g.
 * "Expecting value: line 1 column 1 (char 0)"; `pythonType` is the exception
 * class Python raises (`JSONDecodeError`, or `ValueError` for the int digit
 * limit).
 */
export class PyJSONDecodeError extends SyntaxError {
  override name = "PyJSONDecodeError";
  constructor(
    message: string,
    readonly pythonType: "JSONDecodeError" | "ValueError" | "RecursionError",
    readonly pos: number | null = null,
  ) {
    super(message);
  }

  /** Python's `repr(error)`, as in the "Failed to load message body %r, %r" log line. */
  pyRepr(): string {
    return `${this.pythonType}(${pyStrRepr(this.message)})`;
  }
}

/** Thrown inside the parser when nesting is too deep; `pyParse` then falls back. */
export class TooDeep extends Error {}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isWs = (c: number): boolean => c === 32 || c === 10 || c === 13 || c === 9;
/** Keys that JS objects enumerate before all others, unlike Python dicts. */
const isArrayIndex = (k: string): boolean => /^(?:0|[1-9]\d{0,9})$/.test(k) && Number(k) < 4294967295;

const ESCAPES: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };

export class Parser {
  private pos = 0;
  /** Shape of the number just parsed; the caller files it under its container and key. */
  private pending: NumberShape | undefined;
  readonly shapes = new NumberShapes();

  constructor(private readonly text: string) {}

  /** Python's `json.loads(text)`. */
  document(): unknown {
    const t = this.text;
    if (t.charCodeAt(0) === 0xfeff) throw this.error("Unexpected UTF-8 BOM (decode using utf-8-sig)", 0);
    this.skipWs();
    const value = this.value(0);
    if (this.pending !== undefined) this.shapes.root = this.pending;
    this.skipWs();
    if (this.pos !== t.length) throw this.error("Extra data", this.pos);
    return value;
  }

  private skipWs(): void {
    const t = this.text;
    while (isWs(t.charCodeAt(this.pos))) this.pos++;
  }

  private value(depth: number): unknown {
    const t = this.text;
    const i = this.pos;
    this.pending = undefined;
    switch (t.charCodeAt(i)) {
      case 34 /* " */: return this.string(i);
      case 123 /* { */: return this.object(depth + 1);
      case 91 /* [ */: return this.array(depth + 1);
      case 110 /* n */: if (t.startsWith("null", i)) return this.literal(4, null); break;
      case 116 /* t */: if (t.startsWith("true", i)) return this.literal(4, true); break;
      case 102 /* f */: if (t.startsWith("false", i)) return this.literal(5, false); break;
      case 78 /* N */: if (t.startsWith("NaN", i)) return this.literal(3, NaN); break;
      case 73 /* I */: if (t.startsWith("Infinity", i)) return this.literal(8, Infinity); break;
      case 45 /* - */: if (t.startsWith("-Infinity", i)) return this.literal(9, -Infinity); return this.number(i);
      default: if (isDigit(t.charCodeAt(i))) return this.number(i);
    }
    throw this.error("Expecting value", i);
  }

  private literal<T>(length: number, value: T): T {
    this.pos += length;
    return value;
  }

  private number(start: number): number {
    const t = this.text;
    let i = start;
    if (t.charCodeAt(i) === 45) i++;
    const c = t.charCodeAt(i);
    if (c === 48) i++;
    else if (c >= 49 && c <= 57) while (isDigit(t.charCodeAt(++i)));
    else throw this.error("Expecting value", start);
    let float = false;
    if (t.charCodeAt(i) === 46 && isDigit(t.charCodeAt(i + 1))) {
      i += 2;
      while (isDigit(t.charCodeAt(i))) i++;
      float = true;
    }
    const e = t.charCodeAt(i);
    if (e === 101 || e === 69) {
      let j = i + 1;
      const s = t.charCodeAt(j);
      if (s === 43 || s === 45) j++;
      if (isDigit(t.charCodeAt(j))) {
        while (isDigit(t.charCodeAt(++j)));
        i = j;
        float = true;
      }
    }
    this.pos = i;
    const literal = t.slice(start, i);
    const value = Number(literal);
    if (float) {
      if (Number.isInteger(value)) this.pending = { float: true, value };
      return value;
    }
    const digits = i - start - (t.charCodeAt(start) === 45 ? 1 : 0);
    if (digits > INT_MAX_STR_DIGITS) {
      throw new PyJSONDecodeError(
        `Exceeds the limit (${INT_MAX_STR_DIGITS} digits) for integer string conversion: value has ${digits} digits; use sys.set_int_max_str_digits() to increase the limit`,
        "ValueError",
      );
    }
    if (!Number.isSafeInteger(value)) this.pending = { float: false, value, digits: BigInt(literal).toString() };
    return value === 0 ? 0 : value; // Python's int("-0") is 0
  }

  private string(quote: number): string {
    const t = this.text;
    const len = t.length;
    let i = quote + 1;
    for (;;) {
      if (i >= len) throw this.error("Unterminated string starting at", quote);
      const c = t.charCodeAt(i);
      if (c === 34) {
        this.pos = i + 1;
        return t.slice(quote + 1, i);
      }
      if (c === 92) break;
      if (c < 32) throw this.error("Invalid control character at", i);
      i++;
    }
    return this.escapedString(quote, i);
  }

  /** The rest of a string from its first backslash at `i`. */
  private escapedString(quote: number, i: number): string {
    const t = this.text;
    const len = t.length;
    let out = t.slice(quote + 1, i);
    let chunk = i;
    for (;;) {
      if (i >= len) throw this.error("Unterminated string starting at", quote);
      const c = t.charCodeAt(i);
      if (c === 34) {
        this.pos = i + 1;
        return out + t.slice(chunk, i);
      }
      if (c < 32) throw this.error("Invalid control character at", i);
      if (c !== 92) {
        i++;
        continue;
      }
      out += t.slice(chunk, i);
      if (i + 1 >= len) throw this.error("Unterminated string starting at", quote);
      const esc = t[i + 1] as string;
      if (esc === "u") {
        out += String.fromCharCode(this.hex4(i + 1));
        i += 6;
      } else {
        const decoded = ESCAPES[esc];
        if (decoded === undefined) throw this.error("Invalid \\escape", i);
        out += decoded;
        i += 2;
      }
      chunk = i;
    }
  }

  /** The 4 hex digits after the `u` at `u`. Python reports both failures at the `u`. */
  private hex4(u: number): number {
    const t = this.text;
    if (u + 4 >= t.length) throw this.error("Invalid \\uXXXX escape", u);
    const hex = t.slice(u + 1, u + 5);
    if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw this.error("Invalid \\uXXXX escape", u);
    return parseInt(hex, 16);
  }

  private object(depth: number): Record<string, unknown> {
    if (depth > MAX_DEPTH) throw new TooDeep();
    const t = this.text;
    const obj: Record<string, unknown> = {};
    let shapes: Map<string | number, NumberShape> | undefined;
    let order: string[] | undefined;
    this.pos++;
    this.skipWs();
    if (t.charCodeAt(this.pos) === 125) {
      this.pos++;
      return obj;
    }
    for (;;) {
      if (t.charCodeAt(this.pos) !== 34) throw this.error("Expecting property name enclosed in double quotes", this.pos);
      const key = this.string(this.pos);
      this.skipWs();
      if (t.charCodeAt(this.pos) !== 58) throw this.error("Expecting ':' delimiter", this.pos);
      this.pos++;
      this.skipWs();
      const value = this.value(depth);
      if (order === undefined && isArrayIndex(key)) order = Object.keys(obj);
      if (order !== undefined && !Object.hasOwn(obj, key)) order.push(key);
      if (key === "__proto__") Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
      else obj[key] = value;
      if (this.pending !== undefined) (shapes ??= this.shapes.mapFor(obj)).set(key, this.pending);
      else shapes?.delete(key); // a duplicate key replaced a shaped number
      this.skipWs();
      const c = t.charCodeAt(this.pos);
      if (c === 125) break;
      if (c !== 44) throw this.error("Expecting ',' delimiter", this.pos);
      this.pos++;
      this.skipWs();
    }
    this.pos++;
    this.pending = undefined;
    if (order !== undefined) this.shapes.setKeyOrder(obj, order);
    return obj;
  }

  private array(depth: number): unknown[] {
    if (depth > MAX_DEPTH) throw new TooDeep();
    const t = this.text;
    const arr: unknown[] = [];
    let shapes: Map<string | number, NumberShape> | undefined;
    this.pos++;
    this.skipWs();
    if (t.charCodeAt(this.pos) === 93) {
      this.pos++;
      return arr;
    }
    for (;;) {
      const value = this.value(depth);
      if (this.pending !== undefined) (shapes ??= this.shapes.mapFor(arr)).set(arr.length, this.pending);
      arr.push(value);
      this.skipWs();
      const c = t.charCodeAt(this.pos);
      if (c === 93) break;
      if (c !== 44) throw this.error("Expecting ',' delimiter", this.pos);
      this.pos++;
      this.skipWs();
    }
    this.pos++;
    this.pending = undefined;
    return arr;
  }

  /** Python's `JSONDecodeError(msg, doc, pos)`: position, line and column count code points. */
  private error(msg: string, index: number): PyJSONDecodeError {
    const before = Array.from(this.text.slice(0, index));
    const pos = before.length;
    const lastNl = before.lastIndexOf("\n");
    const lineno = before.reduce((n, ch) => (ch === "\n" ? n + 1 : n), 1);
    const colno = pos - lastNl;
    return new PyJSONDecodeError(`${msg}: line ${lineno} column ${colno} (char ${pos})`, "JSONDecodeError", pos);
  }
}
