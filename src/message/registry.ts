/**
 * The schema registry: schema name ↔ message class ↔ schema package, the JS
 * counterpart of Python's `fedora.messages` entry points. Received messages
 * name their class in the `fedora_messaging_schema` header; publishing writes
 * the registered name there.
 *
 * The base class registers itself as "base.message" when `message.ts` loads;
 * that class is also the fallback for unknown schemas. This module imports
 * nothing from `message.ts` at run time, so either can be loaded first.
 */
import { getLogger } from "../log.js";
import type { Message } from "./message.js";
import { pyRepr } from "../python/pyrepr.js";
import { checkSchema } from "./schema.js";

/** A message class: `Message` or a subclass, with its statics. */
export type MessageClass = typeof Message;

/** The schema name of the base class, and of the fallback for unknown schemas. */
export const BASE_SCHEMA_NAME = "base.message";

const log = getLogger("fedora_messaging.message");
/**
 * The maps live on `globalThis` under a registry symbol, shared by every copy
 * of this library in the thread: a plugin that imports the npm package (while
 * the daemon runs from its bundle) registers its schemas where the daemon's
 * decoder looks them up, as Python's entry points are one registry per process.
 */
interface Registry {
  readonly nameToClass: Map<string, MessageClass>;
  readonly classToName: Map<MessageClass, string>;
  readonly nameToPackage: Map<string, string>;
}
const REGISTRY = Symbol.for("fedora-messaging.schema-registry");
const shared = globalThis as { [REGISTRY]?: Registry };
const { nameToClass, classToName, nameToPackage } = (shared[REGISTRY] ??= {
  nameToClass: new Map(),
  classToName: new Map(),
  nameToPackage: new Map(),
});

/** Python's normalised distribution name: lower-case, runs of `-_.` → `_` ("Bodhi-Messages" → "bodhi_messages"). */
export function normalisePackageName(name: string): string {
  return name.replace(/[-_.]+/g, "_").toLowerCase();
}

/**
 * Register `cls` under `schemaName` (a later registration of the name wins,
 * like a later entry point). `options.package` (or the class's own static
 * `schemaPackage`) is written to the `fedora_messaging_schema_package` header
 * when publishing and named in the "not in the schema registry" warning.
 *
 * @throws TypeError when the class's schemas use keywords we cannot validate.
 */
export function registerMessageClass(schemaName: string, cls: MessageClass, options: { package?: string } = {}): void {
  checkSchema(cls.headersSchema, `${cls.name}.headersSchema`);
  checkSchema(cls.bodySchema, `${cls.name}.bodySchema`);
  const previous = nameToClass.get(schemaName);
  if (previous !== undefined && classToName.get(previous) === schemaName) classToName.delete(previous);
  nameToClass.set(schemaName, cls);
  classToName.set(cls, schemaName);
  const pkg = options.package ?? (Object.hasOwn(cls, "schemaPackage") ? cls.schemaPackage : undefined);
  if (pkg) nameToPackage.set(schemaName, normalisePackageName(pkg));
  else nameToPackage.delete(schemaName);
  log.debug(`Registering the '${schemaName}' key as the '${cls.name}' class in the Message class registry`);
}

/**
 * Lets `cls` name `schemaName` (in `getName`) without becoming the class that
 * decodes it: for a second copy of the base Message (a plugin's package, while
 * the daemon runs from its bundle), so that `new Message(...)` works there too.
 */
export function registerAlias(schemaName: string, cls: MessageClass): void {
  if (!classToName.has(cls)) classToName.set(cls, schemaName);
}

/**
 * Register every export of a schema module (the object `import()` returns)
 * that is a message class with its own static `schemaName`. Returns the
 * registered names. This is how a plugin module plays the part of a Python
 * schema package's entry points.
 */
export function registerSchemaModule(moduleExports: Record<string, unknown>, options: { package?: string } = {}): string[] {
  const base = nameToClass.get(BASE_SCHEMA_NAME);
  const names: string[] = [];
  const candidates = Object.values(moduleExports);
  const fallback = moduleExports["default"];
  if (fallback !== null && typeof fallback === "object") candidates.push(...Object.values(fallback));
  for (const value of new Set(candidates)) {
    if (typeof value !== "function" || !Object.hasOwn(value, "schemaName")) continue;
    const cls = value as MessageClass;
    if (typeof cls.schemaName !== "string" || (base !== undefined && cls !== base && !(cls.prototype instanceof base))) continue;
    registerMessageClass(cls.schemaName, cls, options);
    names.push(cls.schemaName);
  }
  return names;
}

/**
 * The schema name of `cls`.
 * @throws TypeError when the class is not registered (Python's wording, with
 *   the JS way to register instead of entry points).
 */
export function getName(cls: MessageClass): string {
  const name = classToName.get(cls);
  if (name === undefined) {
    throw new TypeError(
      `The class <class '${cls.name}'> is not in the message registry, which indicates it is not registered` +
        " with registerMessageClass() or registerSchemaModule(). Please check that the class has been registered.",
    );
  }
  return name;
}

/** The normalised package registered for `schemaName`, if any. */
export function getPackage(schemaName: string): string | undefined {
  return nameToPackage.get(schemaName);
}

/**
 * The class registered for `schemaName`; an unknown name logs Python's
 * WARNING and gives the base class (like Python's `get_class`).
 */
/** Whether a class is registered under `schemaName` (no fallback, no log line). */
export function hasSchema(schemaName: string): boolean {
  return nameToClass.has(schemaName);
}

export function getClass(schemaName: string): MessageClass {
  return classForHeaders({ fedora_messaging_schema: schemaName }) as MessageClass;
}

/**
 * The class named by `headers.fedora_messaging_schema`, or `undefined` when
 * the header is absent (the caller decides whether that deserves a log line).
 * An unknown name logs the WARNING Python logs and gives the base class.
 */
export function classForHeaders(headers: Readonly<Record<string, unknown>>): MessageClass | undefined {
  if (!Object.hasOwn(headers, "fedora_messaging_schema")) return undefined;
  const name = headers["fedora_messaging_schema"];
  const cls = typeof name === "string" ? nameToClass.get(name) : undefined;
  if (cls !== undefined) return cls;
  const pkg = headers["fedora_messaging_schema_package"];
  const packageText = pkg ? `You can install the missing schema from package ${pyRepr(pkg)}` : "Either install the package with its schema definition or define a schema";
  log.warning(`The schema "${typeof name === "string" ? name : pyRepr(name)}" is not in the schema registry! ${packageText}. Falling back to the default schema...`);
  return baseClass();
}

/** The class registered as "base.message". */
export function baseClass(): MessageClass {
  const base = nameToClass.get(BASE_SCHEMA_NAME);
  if (base === undefined) throw new Error("the base message class is not registered (import message.ts first)");
  return base;
}

/** Forget every registration except the base class (for tests). */
export function resetRegistry(): void {
  const base = nameToClass.get(BASE_SCHEMA_NAME);
  const basePackage = nameToPackage.get(BASE_SCHEMA_NAME);
  nameToClass.clear();
  classToName.clear();
  nameToPackage.clear();
  if (base !== undefined) registerMessageClass(BASE_SCHEMA_NAME, base, basePackage === undefined ? {} : { package: basePackage });
}
