/**
 * Finds the file a callback spec names, the way Node would find a module,
 * without running plugin code: a path relative to the working directory, a
 * file or directory in the plugin directory (package.json `exports`, `main`,
 * `index.*`), or a package in its node_modules. Order documented on
 * `loadCallback` (load.ts).
 */
import { readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { isAbsolute, join, resolve as resolvePath } from "node:path";
import { CallbackLoadError } from "../errors.js";

const EXTENSIONS = [".js", ".mjs", ".cjs"] as const;
const HAS_JS_EXTENSION = /\.[cm]?js$/;
/** Conditions `import()` matches in package.json `exports`; `require` is a fallback for CommonJS-only packages. */
const IMPORT_CONDITIONS = ["node", "import", "default"] as const;
const REQUIRE_CONDITIONS = ["node", "require", "default"] as const;

/** `--callback-file` targets must be a readable file; Python's OSError sentence otherwise. */
export function existingFile(file: string): string {
  try {
    if (statSync(file).isFile()) return file;
  } catch (error) {
    throw new CallbackLoadError(`An IO error occurred: ${errorText(error)}`, 1);
  }
  throw new CallbackLoadError(`An IO error occurred: EISDIR: illegal operation on a directory, open '${file}'`, 1);
}

export function isExplicitPath(path: string): boolean {
  return isAbsolute(path) || path === "." || path === ".." || path.startsWith("./") || path.startsWith("../");
}

/** Absolute file for a `--callback`/configuration path, or undefined. Order documented on `loadCallback`. */
export function findPlugin(path: string, cwd: string, pluginDir: string): string | undefined {
  if (isExplicitPath(path)) return fileOrDirectory(resolvePath(cwd, path));
  if (HAS_JS_EXTENSION.test(path)) {
    const inCwd = fileOrDirectory(resolvePath(cwd, path));
    if (inCwd !== undefined) return inCwd;
  }
  return fileOrDirectory(join(pluginDir, path)) ?? packageEntry(path, pluginDir);
}

/** A package.json on the lookup path is not JSON; reported as an import failure. */
export class UnreadableManifest extends Error {}

// --- internal ---

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

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
