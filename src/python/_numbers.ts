/**
 * Numbers spelled the way CPython spells them.
 *
 * `repr(float)` is the shortest string that round-trips (the same digits as
 * JS `toExponential()` without an argument), but Python switches to exponent
 * form when the decimal exponent is below -4 or at least 16, always writes a
 * fraction in positional form (`1.0`), and pads the exponent to two digits
 * (`1e-05`, `1e+16`). Ints are printed with all their digits.
 */
import type { NumberShape } from "./_shapes.js";

/** Python `repr(x)` for a finite float. */
export function floatRepr(x: number): string {
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const sci = x.toExponential(); // shortest round-trip digits, e.g. "-1.2345e+17"
  const e = sci.indexOf("e");
  const negative = sci.charCodeAt(0) === 45;
  const mantissa = sci.slice(negative ? 1 : 0, e);
  const digits = mantissa.length > 1 ? mantissa[0] + mantissa.slice(2) : mantissa;
  const exp = Number(sci.slice(e + 1));
  const sign = negative ? "-" : "";
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const a = Math.abs(exp);
    return `${sign}${m}e${exp < 0 ? "-" : "+"}${a < 10 ? "0" : ""}${a}`;
  }
  if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
  const intLen = exp + 1;
  if (digits.length <= intLen) return `${sign}${digits}${"0".repeat(intLen - digits.length)}.0`;
  return `${sign}${digits.slice(0, intLen)}.${digits.slice(intLen)}`;
}

/** Python `str(int)` for an integral JS number (every digit, never an exponent). */
export function intRepr(x: number): string {
  return Math.abs(x) < 1e21 ? String(x) : BigInt(x).toString();
}

/**
 * A JS number as Python's json module writes it. `shape` is what the parser
 * recorded at this place; it applies only while the value is unchanged.
 * Without a shape: integral → int, otherwise float (NaN/±Infinity as
 * Python's `allow_nan` spelling).
 */
export function jsonNumber(x: number, shape: NumberShape | undefined): string {
  if (shape !== undefined && Object.is(shape.value, x)) return shape.digits ?? floatRepr(x);
  if (Number.isInteger(x)) return intRepr(x);
  if (x !== x) return "NaN";
  if (x === Infinity) return "Infinity";
  if (x === -Infinity) return "-Infinity";
  return floatRepr(x);
}

/** A JS number as Python's `repr()` writes it (`inf`, `nan` rather than JSON's spellings). */
export function reprNumber(x: number, shape: NumberShape | undefined): string {
  if (x !== x) return "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  return jsonNumber(x, shape);
}
