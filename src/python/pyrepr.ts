/**
 * Python's `repr()` and `str()` of the values that appear in fedora-messaging's
 * log lines and validation messages ("Message (body=%r) arrived without
 * headers", "'high' is not of type 'number'"), so that ours read the same.
 */
import { reprNumber } from "./_numbers.js";
import type { NumberShapes } from "./_shapes.js";

/** Code points `str.isprintable()` rejects: categories C* and Z* except the space. */
const NON_PRINTABLE = /[\p{C}\p{Z}]/u;
const PLAIN_ASCII = /^[\x20-\x7e]*$/;

const hex = (n: number, width: number): string => n.toString(16).padStart(width, "0");

/** Python `repr(s)` of a str: quote choice, escapes and `isprintable()` as CPython. */
export function pyStrRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  if (PLAIN_ASCII.test(s) && !s.includes("\\") && !s.includes(quote)) return quote + s + quote;
  let out = quote;
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    if (ch === quote || ch === "\\") out += `\\${ch}`;
    else if (ch === "\t") out += "\\t";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${hex(cp, 2)}`;
    else if (cp < 0x7f || !NON_PRINTABLE.test(ch)) out += ch;
    else if (cp <= 0xff) out += `\\x${hex(cp, 2)}`;
    else if (cp <= 0xffff) out += `\\u${hex(cp, 4)}`;
    else out += `\\U${hex(cp, 8)}`;
  }
  return out + quote;
}

/** Python-style `repr()` of a thrown value: `ValueError('boom')` for an error, a quoted str otherwise. */
export function pyErrorRepr(thrown: unknown): string {
  if (thrown instanceof Error) return `${thrown.name}(${pyStrRepr(thrown.message)})`;
  return pyStrRepr(typeof thrown === "string" ? thrown : safeString(thrown));
}

/** `String(value)`, or the `[object …]` tag for a value whose toString throws. */
export function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** Python `repr(b)` of bytes: `b'...'`, printable ASCII kept, the rest `\xNN`. */
export function pyBytesRepr(bytes: Uint8Array): string {
  let hasSingle = false;
  let hasDouble = false;
  for (const b of bytes) {
    if (b === 0x27) hasSingle = true;
    else if (b === 0x22) hasDouble = true;
  }
  const quote = hasSingle && !hasDouble ? 0x22 : 0x27;
  let out = "";
  for (const b of bytes) {
    if (b === quote || b === 0x5c) out += `\\${String.fromCharCode(b)}`;
    else if (b === 0x09) out += "\\t";
    else if (b === 0x0a) out += "\\n";
    else if (b === 0x0d) out += "\\r";
    else if (b < 0x20 || b >= 0x7f) out += `\\x${hex(b, 2)}`;
    else out += String.fromCharCode(b);
  }
  const q = String.fromCharCode(quote);
  return `b${q}${out}${q}`;
}

/**
 * Python `repr()` of a JSON-like JS value: dicts, lists, str, int/float (with
 * the parse `shapes`, so `1.0` stays `1.0`), True/False/None, bytes for
 * Buffers, `datetime.datetime(...)` for Dates. Objects keep JS key order.
 */
export function pyRepr(value: unknown, shapes?: NumberShapes | null): string {
  return reprValue(value, shapes ?? undefined, undefined, undefined);
}

/** Python `str(x)` for `%s`: strings as they are, everything else as `repr`. */
export function pyStr(value: unknown): string {
  return typeof value === "string" ? value : pyRepr(value);
}

function reprValue(value: unknown, shapes: NumberShapes | undefined, container: object | undefined, key: string | number | undefined): string {
  switch (typeof value) {
    case "string": return pyStrRepr(value);
    // A bare number document (a body of `1.0`) has its shape at the root.
    case "number": return reprNumber(value, container ? shapes?.get(container, key as string | number) : shapes?.root);
    case "bigint": return value.toString();
    case "boolean": return value ? "True" : "False";
    case "undefined": return "None";
    case "object": break;
    default: return String(value);
  }
  if (value === null) return "None";
  if (Array.isArray(value)) return `[${value.map((v, i) => reprValue(v, shapes, value, i)).join(", ")}]`;
  if (value instanceof Uint8Array) return pyBytesRepr(value);
  if (value instanceof Date) return dateRepr(value);
  const obj = value as Record<string, unknown>;
  const keys = shapes?.keyOrder(obj)?.filter((k) => Object.hasOwn(obj, k)) ?? Object.keys(obj);
  return `{${keys.map((k) => `${pyStrRepr(k)}: ${reprValue(obj[k], shapes, obj, k)}`).join(", ")}}`;
}

/** pika hands out AMQP timestamps as naive UTC `datetime`s. */
function dateRepr(d: Date): string {
  const parts = [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds() * 1000];
  // Like CPython: drop a zero microsecond, then a zero second; never more.
  for (let n = 0; n < 2 && parts[parts.length - 1] === 0; n++) parts.pop();
  return `datetime.datetime(${parts.join(", ")})`;
}
