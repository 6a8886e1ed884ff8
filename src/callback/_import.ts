/**
 * The one place plugin code is imported, SEA-aware (see `importPlugin`).
 */
import vm from "node:vm";
import { provideLibraryInSea } from "./sea-library.js";

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
  provideLibraryInSea(); // a SEA binary answers `import "fedora-messaging"` itself (see sea-library.ts)
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

