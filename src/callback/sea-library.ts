/**
 * `import ... from "fedora-messaging"` inside the single-binary build.
 *
 * A Node SEA binary (`dist/fedora-messaging`, built by build/sea.mjs) is copied
 * onto hosts where no `fedora-messaging` package exists on disk, yet plugins
 * import the library by name. Before the first plugin is imported, this module
 * answers the package name, in each thread, with the binary's own copy of the
 * library: the one library-handover.ts hands over (the CLI entry and the
 * callback worker both hand it over before any plugin is imported).
 * - `require("fedora-messaging")` (CommonJS plugins): through `Module._load`,
 *   which Node 20's CommonJS loader calls for every `require` of a plugin;
 * - `import` (ES modules): a `module.register` resolve/load hook whose module
 *   re-exports the handed-over library from `globalThis`.
 * (Until 2026-12 the binary also carried the package's entry point and its
 * export names as SEA assets, for threads where nothing was handed over; there
 * are none, and that entry point cannot load its library file inside a binary.)
 * Outside a SEA this module does nothing: Node resolves the package from disk.
 */
import Module, { register } from "node:module";
import { isSea } from "node:sea";
import { reapplyDaemonFlags } from "../daemon-v8-flags.js";

/** The package name plugins import. */
export const LIBRARY_NAME = "fedora-messaging";

/**
 * library-handover.ts's key, spelt again: importing that module from here would
 * close an import cycle through the whole library (from source, api/signals.ts
 * was read before it was defined).
 */
const HANDED_OVER = Symbol.for("fedora-messaging.library");
const LIBRARY_URL = "fedora-messaging:library";

type Library = Record<string, unknown>;

/** Whether this thread answers the name already (module state is per thread). */
let provided = false;

/**
 * In a SEA, makes `fedora-messaging` importable by plugins in this thread
 * (once); elsewhere a no-op. Called just before the first plugin import: a
 * run whose plugins are never imported does not start the loader-hooks thread
 * (about 10 MiB, which Node 20's `module.register` always starts).
 */
export function provideLibraryInSea(): void {
  if (provided || !isSea()) return;
  const library = (globalThis as Record<symbol, Library | undefined>)[HANDED_OVER];
  if (!library) throw new Error("fedora-messaging: this thread handed over no library for plugins to import (src/library-handover.ts)");
  provided = true;
  answerRequire(library);
  answerImport(Object.keys(library));
}

// --- internal ---

function answerRequire(library: Library): void {
  const loader = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
  const load = loader._load;
  loader._load = function (request: string, ...rest: unknown[]): unknown {
    return request === LIBRARY_NAME ? library : load.call(this, request, ...rest);
  };
}

function answerImport(names: readonly string[]): void {
  const exportsList = names.filter((name) => /^[A-Za-z_$][\w$]*$/.test(name));
  const moduleSource =
    `const l = globalThis[Symbol.for(${JSON.stringify(HANDED_OVER.description)})];\n` +
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
  reapplyDaemonFlags();
}
