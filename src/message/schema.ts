/**
 * A small JSON Schema validator for the subset message schemas use, with the
 * messages and error choice of Python's jsonschema (4.10, `best_match`), since
 * the message becomes the `summary` of the ValidationError users see.
 *
 * Supported: `type`, `enum`, `const`, `properties`, `required`, `items`
 * (schema or tuple), `additionalProperties`, boolean subschemas. Annotations
 * (`$schema`, `title`, `description`, `format`, …) are ignored, as jsonschema
 * ignores `format` by default. Anything else is refused by `checkSchema`,
 * which the registry runs when a class is registered, so that an unsupported
 * schema fails loudly at start-up rather than letting messages through.
 */
import { reprNumber } from "../python/_numbers.js";
import type { NumberShapes } from "../python/_shapes.js";
import { pyRepr, pyStrRepr } from "../python/pyrepr.js";

export type JsonType = "object" | "array" | "string" | "number" | "integer" | "boolean" | "null";

/** The JSON Schema subset we validate (see module doc). */
export interface JsonSchema {
  $schema?: string;
  description?: string;
  type?: JsonType | readonly JsonType[];
  enum?: readonly unknown[];
  const?: unknown;
  properties?: Readonly<Record<string, JsonSchema | boolean>>;
  required?: readonly string[];
  items?: JsonSchema | boolean | readonly (JsonSchema | boolean)[];
  additionalProperties?: boolean | JsonSchema;
  [annotation: string]: unknown;
}

const SUPPORTED = new Set(["type", "enum", "const", "properties", "required", "items", "additionalProperties"]);
const ANNOTATIONS = new Set(["$schema", "$id", "id", "$comment", "title", "description", "default", "examples", "format",
  "definitions", "$defs", "readOnly", "writeOnly", "deprecated", "contentMediaType", "contentEncoding"]);

/**
 * Refuse a schema that uses keywords we cannot validate.
 * @throws TypeError naming the keyword and where it is.
 */
export function checkSchema(schema: JsonSchema | boolean, where = "schema"): void {
  if (typeof schema === "boolean") return;
  for (const [keyword, value] of Object.entries(schema)) {
    if (ANNOTATIONS.has(keyword)) continue;
    if (!SUPPORTED.has(keyword)) {
      throw new TypeError(`${where}: JSON Schema keyword "${keyword}" is not supported; override validate() to check it`);
    }
    if (keyword === "properties") for (const [k, sub] of Object.entries(value as object)) checkSchema(sub, `${where}.properties.${k}`);
    if (keyword === "items") for (const sub of Array.isArray(value) ? value : [value]) checkSchema(sub, `${where}.items`);
    if (keyword === "additionalProperties" && typeof value === "object") checkSchema(value as JsonSchema, `${where}.additionalProperties`);
  }
}

interface SchemaError {
  message: string;
  depth: number;
  /** `not error._matches_type()` of jsonschema's relevance key. */
  typeMismatch: boolean;
}

/**
 * Validate `instance`; return jsonschema's best-match message
 * ("'high' is not of type 'number'"), or null when valid. `shapes` tells
 * parsed floats from ints (draft-04 `integer` refuses `1.0`, later drafts
 * accept it).
 */
export function schemaError(instance: unknown, schema: JsonSchema | boolean, shapes?: NumberShapes | null): string | null {
  const draft = typeof schema === "object" ? schema.$schema ?? "" : "";
  const v = new Validator(shapes ?? undefined, /draft-0[34]\//.test(draft));
  v.descend(instance, schema, undefined, undefined, 0);
  let best: SchemaError | undefined;
  for (const e of v.errors) {
    // max() by (-depth, …, typeMismatch): the first of the shallowest wins.
    if (best === undefined || e.depth < best.depth || (e.depth === best.depth && e.typeMismatch && !best.typeMismatch)) best = e;
  }
  return best?.message ?? null;
}

class Validator {
  readonly errors: SchemaError[] = [];
  constructor(
    private readonly shapes: NumberShapes | undefined,
    private readonly strictIntegers: boolean,
  ) {}

  /** `container`/`key` locate `instance` in its parent, for number shapes. */
  descend(instance: unknown, schema: JsonSchema | boolean, container: object | undefined, key: string | number | undefined, depth: number): void {
    if (schema === true) return;
    if (schema === false) return this.fail(`False schema does not allow ${this.repr(instance, container, key)}`, depth, schema, instance, container, key);
    for (const keyword in schema) {
      const value = schema[keyword];
      switch (keyword) {
        case "type": {
          // Every message is validated: no array or closure per check when the type is one name.
          const matches = Array.isArray(value)
            ? (value as JsonType[]).some((t) => this.isType(instance, t, container, key))
            : this.isType(instance, value as JsonType, container, key);
          if (!matches) {
            const types = (Array.isArray(value) ? value : [value]) as JsonType[];
            this.fail(`${this.repr(instance, container, key)} is not of type ${types.map((t) => pyStrRepr(t)).join(", ")}`, depth, schema, instance, container, key);
          }
          break;
        }
        case "enum":
          if (!(value as unknown[]).some((e) => pyEqual(instance, e))) {
            this.fail(`${this.repr(instance, container, key)} is not one of ${pyRepr(value)}`, depth, schema, instance, container, key);
          }
          break;
        case "const":
          if (!pyEqual(instance, value)) this.fail(`${pyRepr(value)} was expected`, depth, schema, instance, container, key);
          break;
        case "properties":
          if (!isObject(instance)) break;
          for (const name in value as Record<string, JsonSchema | boolean>) {
            if (!Object.hasOwn(value as object, name) || !Object.hasOwn(instance, name)) continue;
            this.descend(instance[name], (value as Record<string, JsonSchema | boolean>)[name]!, instance, name, depth + 1);
          }
          break;
        case "required":
          if (!isObject(instance)) break;
          for (const name of value as string[]) {
            if (!Object.hasOwn(instance, name)) this.fail(`${pyStrRepr(name)} is a required property`, depth, schema, instance, container, key);
          }
          break;
        case "items":
          if (!Array.isArray(instance)) break;
          if (Array.isArray(value)) {
            for (let i = 0; i < value.length && i < instance.length; i++) this.descend(instance[i], value[i] as JsonSchema, instance, i, depth + 1);
          } else {
            for (let i = 0; i < instance.length; i++) this.descend(instance[i], value as JsonSchema, instance, i, depth + 1);
          }
          break;
        case "additionalProperties": {
          if (!isObject(instance)) break;
          const known = schema.properties ?? {};
          const extras = Object.keys(instance).filter((k) => !Object.hasOwn(known, k));
          if (typeof value === "object" && value !== null) for (const k of extras) this.descend(instance[k], value as JsonSchema, instance, k, depth + 1);
          else if (value === false && extras.length > 0) {
            const names = sortByCodePoint(extras).map(pyStrRepr).join(", ");
            this.fail(`Additional properties are not allowed (${names} ${extras.length === 1 ? "was" : "were"} unexpected)`, depth, schema, instance, container, key);
          }
          break;
        }
      }
    }
  }

  private fail(message: string, depth: number, schema: JsonSchema | boolean, instance: unknown, container: object | undefined, key: string | number | undefined): void {
    const type = typeof schema === "object" ? schema.type : undefined;
    const matches = type !== undefined && (Array.isArray(type) ? type : [type]).some((t: JsonType) => this.isType(instance, t, container, key));
    this.errors.push({ message, depth, typeMismatch: !matches });
  }

  private repr(instance: unknown, container: object | undefined, key: string | number | undefined): string {
    if (typeof instance === "number") return reprNumber(instance, container && key !== undefined ? this.shapes?.get(container, key) : this.shapes?.root);
    return pyRepr(instance, this.shapes);
  }

  private isType(v: unknown, type: JsonType, container: object | undefined, key: string | number | undefined): boolean {
    switch (type) {
      case "object": return isObject(v);
      case "array": return Array.isArray(v);
      case "string": return typeof v === "string";
      case "boolean": return typeof v === "boolean";
      case "null": return v === null || v === undefined;
      case "number": return typeof v === "number" || typeof v === "bigint";
      case "integer": {
        if (typeof v === "bigint") return true;
        if (typeof v !== "number" || !Number.isInteger(v)) return false;
        if (!this.strictIntegers) return true;
        const shape = container && key !== undefined ? this.shapes?.get(container, key) : this.shapes?.root;
        return !(shape?.float === true && Object.is(shape.value, v));
      }
      default: return false;
    }
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array) && !(v instanceof Date);
}

/** Python `==` on JSON values (1 == 1.0; booleans are not numbers, as jsonschema treats them). */
function pyEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || typeof a !== "object" || a === null || b === null) return false;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => pyEqual(x, b[i]));
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const o = b as Record<string, unknown>;
  return ka.length === Object.keys(o).length && ka.every((k) => Object.hasOwn(o, k) && pyEqual((a as Record<string, unknown>)[k], o[k]));
}

function sortByCodePoint(keys: string[]): string[] {
  return keys.sort((a, b) => {
    const x = Array.from(a, (c) => c.codePointAt(0) as number);
    const y = Array.from(b, (c) => c.codePointAt(0) as number);
    for (let i = 0; i < x.length && i < y.length; i++) if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number);
    return x.length - y.length;
  });
}
