/**
 * `import ... from "fedora-messaging"` inside the single-binary build.
 *
 * A Node SEA binary (`dist/fedora-messaging`, built by build/sea.mjs) is copied
 * onto hosts where no `fedora-messaging` package exists on disk, yet plugins
 * import the library by name. Before the first plugin is imported, this module
 * answers the package name, in each thread, with the binary's own copy of the
 * library (the one library-handover.ts hands over; the CLI entry and the
 * callback worker both hand it over). The binary also carries the package's
 * CommonJS entry (`dist/index.cjs`) as the SEA asset `LIBRARY_ASSET`, which
 * gives that same copy; it is evaluated only where nothing was handed over:
 * - `require("fedora-messaging")` (CommonJS plugins): through `Module._load`,
 *   which Node 20's CommonJS loader calls for every `require` of a plugin;
 * - `import` (ES modules): a `module.register` resolve/load hook whose module
 *   re-exports the evaluated library from `globalThis`.
 * (Before the hand-over the asset was the whole library: a second copy,
 * working with the daemon's code through `Symbol.for` brands and keys.)
 * Outside a SEA this module does nothing: Node resolves the package from disk.
 */
import Module, { createRequire, register } from "node:module";
import { getAsset, isSea } from "node:sea";
import vm from "node:vm";
import { repinYoungGeneration } from "../young-generation.js";

/** The package name plugins import. */
export const LIBRARY_NAME = "fedora-messaging";
/** The SEA asset holding dist/index.cjs (build/sea.mjs writes the same keys). */
export const LIBRARY_ASSET = "fedora-messaging/index.cjs";
/** The SEA asset listing the library's export names (an ES module's names must be known before it is evaluated). */
export const EXPORTS_ASSET = "fedora-messaging/exports.json";

const LIBRARY_KEY = Symbol.for("fedora-messaging.sea-library");
/**
 * library-handover.ts's key, spelt again: importing that module from here would
 * close an import cycle through the whole library (from source, api/signals.ts
 * was read before it was defined).
 */
const HANDED_OVER = Symbol.for("fedora-messaging.library");
const LIBRARY_URL = "fedora-messaging:library";

type Library = Record<string, unknown>;

/**
 * In a SEA, makes `fedora-messaging` importable by plugins in this thread
 * (once); elsewhere a no-op. The library is evaluated on first use only (a
 * plugin that never imports it costs nothing but the loader-hooks thread,
 * about 10 MiB, which Node 20's `module.register` always starts).
 */
export function provideLibraryInSea(): void {
  if (!isSea()) return;
  const global = globalThis as { [LIBRARY_KEY]?: () => Library };
  if (global[LIBRARY_KEY]) return;
  let library: Library | undefined;
  const handedOver = (): Library | undefined => (globalThis as Record<symbol, Library | undefined>)[HANDED_OVER];
  const getLibrary = (): Library => (library ??= handedOver() ?? evaluateLibrary(getAsset(LIBRARY_ASSET, "utf8")));
  global[LIBRARY_KEY] = getLibrary;
  answerRequire(getLibrary);
  answerImport(JSON.parse(getAsset(EXPORTS_ASSET, "utf8")) as string[]);
}

// --- internal ---

function evaluateLibrary(source: string): Library {
  const module = { exports: {} as Library };
  const wrapper = vm.runInThisContext(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: `${LIBRARY_NAME} (built into ${process.execPath})`,
  }) as (...args: unknown[]) => void;
  // The bundle requires Node builtins only; createRequire gives a file-capable require in a SEA.
  wrapper(module.exports, createRequire(process.execPath), module, process.execPath, "/");
  return module.exports;
}

function answerRequire(getLibrary: () => Library): void {
  const loader = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
  const load = loader._load;
  loader._load = function (request: string, ...rest: unknown[]): unknown {
    return request === LIBRARY_NAME ? getLibrary() : load.call(this, request, ...rest);
  };
}

function answerImport(names: readonly string[]): void {
  const exportsList = names.filter((name) => /^[A-Za-z_$][\w$]*$/.test(name));
  const moduleSource =
    `const l = globalThis[Symbol.for(${JSON.stringify(LIBRARY_KEY.description)})]();\n` +
    `export const { ${exportsList.join(", ")} } = l;\n`;
  // The hooks run on Node's loader thread: they only map the name to a URL and that URL to the source above.
  const hooks =
    `const NAME = ${JSON.stringify(LIBRARY_NAME)}, URL = ${JSON.stringify(LIBRARY_URL)}, SOURCE = ${JSON.stringify(moduleSource)};\n` +
    "export async function resolve(specifier, context, next) {\n" +
    "  return specifier === NAME ? { url: URL, shortCircuit: true } : next(specifier, context);\n}\n" +
    "export async function load(url, context, next) {\n" +
    '  return url === URL ? { format: "module", source: SOURCE, shortCircuit: true } : next(url, context);\n}\n';
  register(`data:text/javascript,${encodeURIComponent(hooks)}`);
  // The hooks run on a thread of their own, whose start reset V8's flags.
  repinYoungGeneration();
}
