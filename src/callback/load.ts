/**
 * Callback loading: `"path:Name"` → the function the consumer calls for each
 * message. One function per step, one actionable error per failure, worded
 * like Python fedora-messaging's (`cli.py` `_callback_from_python_path`,
 * `_callback_from_filesystem`; `api.py` `_check_callback`) so that users
 * recognise them; "Python path"/"module" wording is adapted to JS plugins.
 *
 * Steps: `resolveCallbackSpec` (which option wins) → `locateCallback` (parse
 * the spec, find the file; no plugin code runs) → `importPlugin` (evaluate it)
 * → pick the export → `checkCallback` (a class is instantiated once).
 */
import { readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, isAbsolute, join, resolve as resolvePath } from "node:path";
import { pathToFileURL } from "node:url";
import vm from "node:vm";
import { CallbackLoadError } from "../errors.js";
import { getLogger } from "../log.js";
import type { Message } from "../message/message.js";
import { printer } from "./printer.js";
import { syntaxErrorLine } from "./_syntax-position.js";

/** What the consumer calls for each message; may be async. */
export type Callback = (message: Message) => unknown | Promise<unknown>;

/** Where the spec came from; it picks Python's sentence for each failure ("api": `consume()`'s argument). */
export type CallbackOrigin = "--callback-file" | "--callback" | "configuration file" | "api";

/** What loading the user's callback needs, in this thread or another (it crosses to the worker as is). */
export interface CallbackSource {
  /** `path:Name`. */
  readonly spec: string;
  readonly source: CallbackOrigin;
  /** Where bare plugin names are looked up (`config.plugin_dir`). */
  readonly pluginDir: string;
  readonly cwd: string;
}

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

/** The sentence (and exit code 1) when no option and no configuration names a callback. */
export const NO_CALLBACK_MESSAGE =
  'A path to a callable object that accepts the message must be provided with the "--callback" command line option or in the configuration file';

/** `_check_callback`'s ValueError, `__call__` adapted to our `call()` method; exit code 2. */
export const NOT_CALLABLE_MESSAGE = "Callback must be a class that implements call(message) or a function.";

/**
 * Picks the callback spec with Python's precedence: `--callback-file` >
 * `--callback` > the configuration's `callback`. Empty strings count as absent.
 * @throws CallbackLoadError (exit 1) when none is given.
 */
export function resolveCallbackSpec(o: {
  readonly callbackFile?: string | undefined;
  readonly callback?: string | undefined;
  readonly configCallback: string | null | undefined;
}): { spec: string; source: Exclude<CallbackOrigin, "api"> } {
  if (o.callbackFile) return { spec: o.callbackFile, source: "--callback-file" };
  if (o.callback) return { spec: o.callback, source: "--callback" };
  if (o.configCallback) return { spec: o.configCallback, source: "configuration file" };
  throw new CallbackLoadError(NO_CALLBACK_MESSAGE, 1);
}

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
  log.info(`Starting consumer with ${spec} callback`);
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

/**
 * Splits `path:Name`. Like Python, exactly one colon is allowed; empty halves
 * are refused too (Python would fail later with a less helpful error).
 * @throws CallbackLoadError (exit 1) with the expected format.
 */
export function parseCallbackSpec(spec: string, source: CallbackOrigin): { path: string; name: string } {
  const trimmed = spec.trim();
  const aliased = source === "--callback-file" ? undefined : BUILTIN_ALIASES[trimmed];
  const parts = (aliased ?? trimmed).split(":");
  const [path, name] = parts;
  if (parts.length !== 2 || !path || !name) {
    throw new CallbackLoadError(
      source === "--callback-file"
        ? "Unable to parse the '--callback-file' option; the expected format is \"path/to/file.js:callable_object\" where " +
            '"callable_object" is the name of the function or class in the file'
        : `Unable to parse the callback path (${spec}); the expected format is ` +
            '"path/to/plugin.js:callable_object" or "plugin_name:callable_object"',
      1,
    );
  }
  return { path, name };
}

// --- internal ---

const log = getLogger("fedora_messaging.cli");

/** Python configurations name `fedora_messaging.example:printer`; it is built in here. */
const BUILTIN_MODULES: Readonly<Record<string, Readonly<Record<string, unknown>>>> = Object.assign(Object.create(null), {
  "fedora_messaging.example": { printer },
});
/** Whole specs that stand for another spec. */
const BUILTIN_ALIASES: Readonly<Record<string, string>> = Object.assign(Object.create(null), {
  printer: "fedora_messaging.example:printer",
});

const EXTENSIONS = [".js", ".mjs", ".cjs"] as const;
const HAS_JS_EXTENSION = /\.[cm]?js$/;
/** Conditions `import()` matches in package.json `exports`; `require` is a fallback for CommonJS-only packages. */
const IMPORT_CONDITIONS = ["node", "import", "default"] as const;
const REQUIRE_CONDITIONS = ["node", "require", "default"] as const;

function importFailed(reason: string, source: CallbackOrigin): CallbackLoadError {
  const provider = source === "configuration file" ? "configuration file" : "--callback argument";
  return new CallbackLoadError(`Failed to import the callback module (${reason}) provided in the ${provider}`, 1);
}

function notFoundReason(path: string, pluginDir: string): string {
  if (isExplicitPath(path)) return `Cannot find module '${path}'`;
  return `No module named '${path}': no ${path}.js, ${path}.mjs, ${path}.cjs or ${path}/ in ${pluginDir}, and no package '${path}' in its node_modules`;
}

/** `--callback-file` targets must be a readable file; Python's OSError sentence otherwise. */
function existingFile(file: string): string {
  try {
    if (statSync(file).isFile()) return file;
  } catch (error) {
    throw new CallbackLoadError(`An IO error occurred: ${errorText(error)}`, 1);
  }
  throw new CallbackLoadError(`An IO error occurred: EISDIR: illegal operation on a directory, open '${file}'`, 1);
}

function isExplicitPath(path: string): boolean {
  return isAbsolute(path) || path === "." || path === ".." || path.startsWith("./") || path.startsWith("../");
}

/** Absolute file for a `--callback`/configuration path, or undefined. Order documented on `loadCallback`. */
function findPlugin(path: string, cwd: string, pluginDir: string): string | undefined {
  if (isExplicitPath(path)) return fileOrDirectory(resolvePath(cwd, path));
  if (HAS_JS_EXTENSION.test(path)) {
    const inCwd = fileOrDirectory(resolvePath(cwd, path));
    if (inCwd !== undefined) return inCwd;
  }
  return fileOrDirectory(join(pluginDir, path)) ?? packageEntry(path, pluginDir);
}

function isFile(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
}

function isDirectory(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
}

/** `p`, `p.js`, `p.mjs`, `p.cjs`, or the entry of the directory `p`. */
function fileOrDirectory(path: string): string | undefined {
  return fileWithExtension(path) ?? (isDirectory(path) ? directoryEntry(path) : undefined);
}

function fileWithExtension(path: string): string | undefined {
  if (isFile(path)) return path;
  for (const extension of EXTENSIONS) if (isFile(path + extension)) return path + extension;
  return undefined;
}

/** A directory plugin: package.json `exports` ("."), then `main`, then `index.js|.mjs|.cjs`. */
function directoryEntry(dir: string): string | undefined {
  const manifest = readManifest(dir);
  if (manifest?.exports !== undefined) {
    const target = exportTarget(manifest.exports, ".");
    return target === undefined ? undefined : fileWithExtension(join(dir, target));
  }
  if (typeof manifest?.main === "string") {
    const main = join(dir, manifest.main);
    const entry = fileWithExtension(main) ?? (isDirectory(main) ? fileWithExtension(join(main, "index")) : undefined);
    if (entry !== undefined) return entry;
  }
  return fileWithExtension(join(dir, "index"));
}

/** A package.json on the lookup path is not JSON; reported as an import failure. */
class UnreadableManifest extends Error {}

interface Manifest {
  readonly main?: unknown;
  readonly exports?: unknown;
}

function readManifest(dir: string): Manifest | undefined {
  const file = join(dir, "package.json");
  if (!isFile(file)) return undefined;
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, "utf8"));
    return typeof parsed === "object" && parsed !== null ? (parsed as Manifest) : undefined;
  } catch (error) {
    throw new UnreadableManifest(`invalid ${file}: ${errorText(error)}`);
  }
}

/**
 * A package in the plugin directory's node_modules (or above). Node's own
 * resolver first (`main`, `index.js`, `exports` with the `require` condition);
 * when the package only exports for `import`, read its `exports` ourselves.
 */
function packageEntry(name: string, pluginDir: string): string | undefined {
  const require = createRequire(pluginDir.endsWith("/") ? pluginDir : `${pluginDir}/`);
  try {
    const found = require.resolve(name);
    return isAbsolute(found) ? found : undefined; // a builtin ("fs") is not a plugin
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ERR_PACKAGE_PATH_NOT_EXPORTED") return undefined;
  }
  const [packageName, subpath] = splitPackageName(name);
  for (const modules of require.resolve.paths(packageName) ?? []) {
    const dir = join(modules, packageName);
    const manifest = readManifest(dir);
    if (manifest?.exports === undefined) continue;
    const target = exportTarget(manifest.exports, subpath);
    return target === undefined ? undefined : fileWithExtension(join(dir, target));
  }
  return undefined;
}

/** `@scope/pkg/sub` → [`@scope/pkg`, `./sub`]; `pkg` → [`pkg`, `.`]. */
function splitPackageName(name: string): [string, string] {
  const segments = name.split("/");
  const length = name.startsWith("@") ? 2 : 1;
  const rest = segments.slice(length).join("/");
  return [segments.slice(0, length).join("/"), rest ? `./${rest}` : "."];
}

/** The file an `exports` field maps `subpath` to (exact keys and one `*` pattern), or undefined. */
function exportTarget(exports: unknown, subpath: string): string | undefined {
  const isSubpathMap = typeof exports === "object" && exports !== null && !Array.isArray(exports) &&
    Object.keys(exports).some((key) => key.startsWith("."));
  if (!isSubpathMap) return subpath === "." ? conditionalTarget(exports) : undefined;
  const map = exports as Record<string, unknown>;
  if (subpath in map) return conditionalTarget(map[subpath]);
  for (const [key, value] of Object.entries(map)) {
    const star = key.indexOf("*");
    if (star < 0) continue;
    const prefix = key.slice(0, star);
    const suffix = key.slice(star + 1);
    if (subpath.startsWith(prefix) && subpath.endsWith(suffix) && subpath.length >= key.length - 1) {
      return conditionalTarget(value)?.replaceAll("*", subpath.slice(prefix.length, subpath.length - suffix.length));
    }
  }
  return undefined;
}

function conditionalTarget(value: unknown): string | undefined {
  return matchConditions(value, IMPORT_CONDITIONS) ?? matchConditions(value, REQUIRE_CONDITIONS);
}

function matchConditions(value: unknown, conditions: readonly string[]): string | undefined {
  if (typeof value === "string") return value;
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = matchConditions(item, conditions);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  for (const [key, nested] of Object.entries(value)) {
    if (!conditions.includes(key)) continue;
    const found = matchConditions(nested, conditions);
    if (found !== undefined) return found;
  }
  return undefined;
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

/**
 * The one place plugin code is imported. Inside a Node SEA binary `import()`
 * of a file works on Node 20 only when the blob is built with
 * `useCodeCache: false` (otherwise ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING), and
 * from Node 25.5 the SEA main script may import builtins only
 * (nodejs/node#62726). In both cases a `vm.Script` compiled with
 * `USE_MAIN_CONTEXT_DEFAULT_LOADER` still reaches Node's default loader (it
 * prints an ExperimentalWarning, so it is only the fallback). `import()` of a
 * CommonJS file gives `module.exports` as `default` plus the names Node detects.
 */
export async function importPlugin(url: string): Promise<Record<string, unknown>> {
  try {
    return (await import(url)) as Record<string, unknown>;
  } catch (error) {
    if (!isDynamicImportUnavailable(error)) throw error;
  }
  const script = new vm.Script(`import(${JSON.stringify(url)})`, {
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  return (await script.runInThisContext()) as Record<string, unknown>;
}

/** The errors `import()` gives when the host has no loader for files (see `importPlugin`). */
function isDynamicImportUnavailable(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === "ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING" || code === "ERR_UNKNOWN_BUILTIN_MODULE";
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
