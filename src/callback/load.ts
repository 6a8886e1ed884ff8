/**
 * Callback loading: `"path:Name"` → the function the consumer calls for each
 * message. One function per step, one actionable error per failure, worded
 * like Python fedora-messaging's (`cli.py` `_callback_from_python_path`,
 * `_callback_from_filesystem`; `api.py` `_check_callback`) so that users
 * recognise them; "Python path"/"module" wording is adapted to JS plugins.
 *
 * Steps: `resolveCallbackSpec` (spec.ts: which option wins) → `locateCallback`
 * (parse the spec, find the file with `_resolve.ts`; no plugin code runs) →
 * `importPlugin` (`_import.ts`: evaluate it, SEA-aware) → pick the export →
 * `checkCallback` (a class is instantiated once).
 */
import { basename, resolve as resolvePath } from "node:path";
import { pathToFileURL } from "node:url";
import { CallbackLoadError } from "../errors.js";
import { getLogger } from "../log.js";
import type { Message } from "../message/message.js";
import { importPlugin } from "./_import.js";
import { existingFile, findPlugin, isExplicitPath, UnreadableManifest } from "./_resolve.js";
import { printer } from "./printer.js";
import { parseCallbackSpec, type CallbackOrigin } from "./spec.js";
import { syntaxErrorLine } from "./_syntax-position.js";

/** What the consumer calls for each message; may be async. */
export type Callback = (message: Message) => unknown | Promise<unknown>;

export interface LoadCallbackOptions {
  /** Where bare plugin names are looked up (`config.plugin_dir`). */
  readonly pluginDir: string;
  readonly source: CallbackOrigin;
  /** Base of relative file paths; defaults to `process.cwd()`. */
  readonly cwd?: string;
}

/** Where a spec points, found without running any plugin code. */
export type CallbackLocation =
  | { readonly kind: "builtin"; readonly spec: string; readonly path: string; readonly name: string; readonly exports: Readonly<Record<string, unknown>> }
  | { readonly kind: "file"; readonly spec: string; readonly path: string; readonly name: string; readonly file: string };

/** `_check_callback`'s ValueError, `__call__` adapted to our `call()` method; exit code 2. */
export const NOT_CALLABLE_MESSAGE = "Callback must be a class that implements call(message) or a function.";

/**
 * Loads the callback named by `spec` and returns a function to call with each
 * message. A function (plain or async) is used as is; a class is instantiated
 * once, with no arguments, and its instance's `call(message)` is used; an
 * object with a `call` method is accepted too.
 *
 * Spec forms (`Name` may be `default`):
 * - `/abs/plugin.js:Name`, `./rel.mjs:Name`, `../x.cjs:Name`: a file, relative to `cwd`;
 * - `name:Name`: `<pluginDir>/name.js|.mjs|.cjs`, or the directory `<pluginDir>/name/`
 *   (package.json `exports`/`main`, else `index.*`), or a package in `<pluginDir>/node_modules`;
 * - `fedora_messaging.example:printer` (or just `printer`): the built-in printer.
 * With `source: "--callback-file"` the path is always a file relative to `cwd`.
 *
 * @throws CallbackLoadError with exit code 1 (bad format, not found, import or
 * evaluation failure, missing export, constructor failure) or 2 (not callable).
 */
export async function loadCallback(spec: string, options: LoadCallbackOptions): Promise<Callback> {
  const location = locateCallback(spec, options);
  const exports = location.kind === "builtin" ? location.exports : await evaluate(location, options.source);
  const value = pickExport(exports, location, options.source);
  // Python logs it in `_callback_from_python_path` only: never for --callback-file.
  if (options.source !== "--callback-file") log.info(`Starting consumer with ${spec} callback`);
  return checkCallback(value, location.name);
}

/**
 * Parses the spec and finds the file it names, without running plugin code:
 * the CLI calls it to fail fast, before connecting to the broker.
 * @throws CallbackLoadError (exit 1): bad format, or nothing found.
 */
export function locateCallback(spec: string, options: LoadCallbackOptions): CallbackLocation {
  const { path, name } = parseCallbackSpec(spec, options.source);
  const builtin = BUILTIN_MODULES[path];
  if (builtin && options.source !== "--callback-file") return { kind: "builtin", spec, path, name, exports: builtin };
  const cwd = options.cwd ?? process.cwd();
  if (options.source === "--callback-file") return { kind: "file", spec, path, name, file: existingFile(resolvePath(cwd, path)) };
  let file: string | undefined;
  try {
    file = findPlugin(path, cwd, options.pluginDir);
  } catch (error) {
    if (error instanceof UnreadableManifest) throw importFailed(error.message, options.source);
    throw error;
  }
  if (file === undefined) throw importFailed(notFoundReason(path, options.pluginDir), options.source);
  return { kind: "file", spec, path, name, file };
}

// --- internal ---

const log = getLogger("fedora_messaging.cli");

/** Python configurations name `fedora_messaging.example:printer`; it is built in here. */
const BUILTIN_MODULES: Readonly<Record<string, Readonly<Record<string, unknown>>>> = Object.assign(Object.create(null), {
  "fedora_messaging.example": { printer },
});

function importFailed(reason: string, source: CallbackOrigin): CallbackLoadError {
  const provider = source === "configuration file" ? "configuration file" : "--callback argument";
  return new CallbackLoadError(`Failed to import the callback module (${reason}) provided in the ${provider}`, 1);
}

function notFoundReason(path: string, pluginDir: string): string {
  if (isExplicitPath(path)) return `Cannot find module '${path}'`;
  return `No module named '${path}': no ${path}.js, ${path}.mjs, ${path}.cjs or ${path}/ in ${pluginDir}, and no package '${path}' in its node_modules`;
}

/** Imports the plugin file and turns its failures into Python's sentences. */
async function evaluate(location: Extract<CallbackLocation, { kind: "file" }>, source: CallbackOrigin): Promise<Record<string, unknown>> {
  try {
    return await importPlugin(pathToFileURL(location.file).href);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    // Python: an ImportError from a module path is "failed to import"; anything
    // raised while executing a --callback-file is "raised ... during execution".
    if (source !== "--callback-file" && (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND")) {
      throw importFailed(errorText(error), source);
    }
    throw new CallbackLoadError(
      `The ${location.path} file raised the following exception during execution: ${describeEvaluationError(error, location.file)}`,
      1,
      { cause: error },
    );
  }
}

function describeEvaluationError(error: unknown, file: string): string {
  let text = errorText(error);
  if (error instanceof SyntaxError) {
    // Python's shape: "invalid syntax (plugin.py, line 2)".
    const where = syntaxErrorLine(error, file);
    if (where) text += ` (${basename(where.file)}, line ${where.line})`;
    if (/Cannot use import statement outside a module|Unexpected token 'export'/.test(text)) {
      text += '; name the file .mjs, or add a package.json with "type": "module" beside it, to load it as an ES module';
    }
  }
  return text;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** `Name` from the module; for CommonJS also a property of `module.exports` that Node did not detect. */
function pickExport(exports: Readonly<Record<string, unknown>>, location: CallbackLocation, source: CallbackOrigin): unknown {
  const { name, path, spec } = location;
  if (name in exports && exports[name] !== undefined) return exports[name];
  const fallback = exports.default;
  if (name !== "default" && (typeof fallback === "object" || typeof fallback === "function") && fallback !== null && Object.hasOwn(fallback, name)) {
    return (fallback as Record<string, unknown>)[name];
  }
  if (source === "--callback-file") throw new CallbackLoadError(`The '${name}' object was not found in the '${path}' file.`, 1);
  const available = Object.keys(exports).filter((key) => exports[key] !== undefined);
  const hint = available.length > 0 ? `; it exports ${available.join(", ")}` : "; it exports nothing";
  throw new CallbackLoadError(
    `Unable to import ${spec} (module '${path}' has no export named '${name}'${hint}); is the package installed? ` +
      'The path should be in the format "path/to/plugin.js:callable_object" or "plugin_name:callable_object"',
    1,
  );
}

function isClass(value: unknown): value is new () => unknown {
  if (typeof value !== "function") return false;
  if (/^class[\s{]/.test(Function.prototype.toString.call(value))) return true;
  // A class compiled to ES5 (a function whose prototype defines call()).
  const prototype = (value as { prototype?: { call?: unknown } }).prototype;
  return typeof prototype === "object" && prototype !== null && Object.hasOwn(prototype, "call") && typeof prototype.call === "function";
}

/** `_check_callback`: a class is instantiated once with no arguments; the result must be callable. */
function checkCallback(value: unknown, name: string): Callback {
  if (isClass(value)) {
    let instance: unknown;
    try {
      instance = new value();
    } catch (error) {
      throw new CallbackLoadError(
        `Unable to create the ${value.name || name} callback (${errorText(error)}); a callback class is instantiated once, with no arguments`,
        1,
        { cause: error },
      );
    }
    return asCallable(instance, `${value.name || name}.call`);
  }
  if (typeof value === "function") return value as Callback;
  return asCallable(value, name);
}

/** A function, or an object with a `call(message)` method (bound, named for log lines). */
function asCallable(value: unknown, label: string): Callback {
  if (typeof value === "function") return value as Callback;
  const method = (value as { call?: unknown } | null | undefined)?.call;
  if (typeof value !== "object" || value === null || typeof method !== "function") {
    throw new CallbackLoadError(NOT_CALLABLE_MESSAGE, 2);
  }
  const callback: Callback = (message) => (method as (m: Message) => unknown).call(value, message);
  Object.defineProperty(callback, "name", { value: label });
  return callback;
}
