/**
 * Which callback spec a run uses and what it says: Python's precedence of
 * `--callback-file`, `--callback` and the configuration's `callback`, and the
 * `path:Name` format, each failure with Python's sentence. No file is looked
 * at here (that is `_resolve.ts`), no plugin code runs (that is `load.ts`).
 */
import { CallbackLoadError } from "../errors.js";

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

/** The sentence (and exit code 1) when no option and no configuration names a callback. */
export const NO_CALLBACK_MESSAGE =
  'A path to a callable object that accepts the message must be provided with the "--callback" command line option or in the configuration file';

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

/** Whole specs that stand for another spec. */
const BUILTIN_ALIASES: Readonly<Record<string, string>> = Object.assign(Object.create(null), {
  printer: "fedora_messaging.example:printer",
});
