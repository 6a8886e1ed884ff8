/**
 * One copy of the library per thread, the daemon's own.
 *
 * Plugins and schema packages `import { Message, Nack } from "fedora-messaging"`.
 * Installed in the plugin directory, that name used to load the package's whole
 * bundle again (about 700 KB of code; 1.7 MiB more peak RSS in worker mode,
 * measured with npm run bench) beside the copy the daemon is made of, and two
 * copies of every class (`Message`, `HaltConsumer`) that had to recognise each
 * other. The price: the worker's bundle keeps the whole library (esbuild can no
 * longer drop its unused parts), 2.6 MiB more for a plugin that imports nothing.
 * The package's entry points (dist/index.mjs, dist/index.cjs, written by
 * build/build.mjs) first look for the library under this key and only load
 * their own copy when nothing handed one over: a program that imports the
 * package gets its own copy as before, a plugin running in the daemon gets the
 * daemon's.
 */
import * as library from "./library.js";

/** The key the package's entry points look under (build/build.mjs writes the same). */
export const LIBRARY_KEY = Symbol.for("fedora-messaging.library");

/** Makes this thread's copy the one `import "fedora-messaging"` gives (the first copy handed over stays). */
export function handOverLibrary(): void {
  const global = globalThis as Record<symbol, unknown>;
  global[LIBRARY_KEY] ??= library;
}
