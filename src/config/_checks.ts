/**
 * Internal helpers shared by the config validators: the problem type they
 * throw, Python-shaped type names and reprs for the sentences copied from
 * Python, and TOML-to-plain-data conversion.
 */
import type { JsonValue } from "./types.js";

/**
 * One thing wrong with the configuration, as a sentence without the file name;
 * `validateConfig` adds "in {file}: " and turns it into a ConfigurationError.
 */
export class ConfigProblem extends Error {
  override name = "ConfigProblem";
}

/** Throws a ConfigProblem with `sentence`. */
export function fail(sentence: string): never {
  throw new ConfigProblem(sentence);
}

/** A TOML table: a plain object (confbox's tables have a null prototype), not an array or a date. */
export function isTable(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** The name Python gives the type of the value tomllib would produce for this TOML value. */
export function pyTypeName(value: unknown): string {
  if (typeof value === "string") return "str";
  if (typeof value === "boolean") return "bool";
  // TOML `3.0` and `3` both arrive as the number 3; call whole numbers int.
  if (typeof value === "number") return Number.isInteger(value) ? "int" : "float";
  if (typeof value === "bigint") return "int";
  if (Array.isArray(value)) return "list";
  if (value instanceof Date) return dateKind(value);
  if (value === null || value === undefined) return "NoneType";
  if (isTable(value)) return "dict";
  return typeof value;
}

/** `type(value)` as Python prints it in a sentence: `<class 'dict'>`. */
export function pyType(value: unknown): string {
  return `<class '${pyTypeName(value)}'>`;
}

/** Python's `repr()` (sentences copied from Python quote keys and lists of keys with it). */
export { pyRepr } from "../python/pyrepr.js";

/** A value as it appears after "got" in our own sentences: strings quoted, tables and arrays as short JSON, a missing value as "nothing". */
export function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  let text: string;
  try {
    text = JSON.stringify(toJson(value)) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** A dotted key path as a reader finds it in TOML: `queues."my.queue".durable`. */
export function keyPath(...parts: Array<string | number>): string {
  let out = "";
  for (const part of parts) {
    if (typeof part === "number") out += `[${part}]`;
    else out += `${out === "" ? "" : "."}${/^[A-Za-z0-9_-]+$/.test(part) ? part : JSON.stringify(part)}`;
  }
  return out;
}

/**
 * TOML data as plain JSON-shaped data: tables become ordinary objects (built
 * with `Object.fromEntries`, so a `__proto__` key stays a key), and dates and
 * times become their TOML text (`1979-05-27T07:32:00.000Z`, `1979-05-27`,
 * `07:32:00.000`), because `JsonValue` has no dates and a string survives the
 * trip to a worker thread unchanged.
 */
export function toJson(value: unknown): JsonValue {
  if (value === null || typeof value === "string" || typeof value === "number" || typeof value === "boolean") return value;
  if (typeof value === "bigint") return Number(value);
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((v) => toJson(v));
  if (isTable(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJson(v)]));
  return String(value);
}

/** Freezes `value` and everything reachable from it; returns it. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

// --- internal ---------------------------------------------------------------

/** confbox's TOML dates say what they are (smol-toml's TomlDate); Python has three types for them. */
function dateKind(value: Date): string {
  const probe = value as Date & { isDate?: () => boolean; isTime?: () => boolean };
  if (typeof probe.isDate === "function" && probe.isDate()) return "datetime.date";
  if (typeof probe.isTime === "function" && probe.isTime()) return "datetime.time";
  return "datetime.datetime";
}
