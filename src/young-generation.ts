/**
 * The daemon's young generation stays at its initial 1 MiB semi-spaces,
 * however it is started. The daemon allocates many short-lived objects per
 * message; V8's default lets the semi-spaces grow to 16 MiB each, which raises
 * peak RSS by 10-20 MiB under load for no speed gain (measured with npm run bench).
 *
 * The bundle's shebang passes `--max-semi-space-size=1` (build/build.mjs), but
 * only when the file is executed (daemon-v8-flags.ts). V8 reads that flag only
 * when a heap is made, too late here; `--semi-space-growth-factor=1` it reads
 * each time it would grow the young generation, so setting it at run time has
 * the same effect, and daemon-v8-flags.ts sets it again in each thread.
 *
 * A semi-space size the user chose (node's command line or NODE_OPTIONS; the
 * shebang's own flag counts, and is the same setting) is left alone.
 */
import { nodeFlagGiven } from "./daemon-v8-flags.js";

const SEMI_SPACE_FLAG = /^--(?:max|min)[-_]semi[-_]space[-_]size\b|^--semi[-_]space[-_]growth[-_]factor\b/;

/** The flag that pins the young generation, unless node's flags already say how large it may be. */
export function youngGenerationFlags(execArgv: readonly string[] = process.execArgv, nodeOptions = process.env["NODE_OPTIONS"] ?? ""): string[] {
  return nodeFlagGiven(SEMI_SPACE_FLAG, execArgv, nodeOptions) ? [] : ["--semi-space-growth-factor=1"];
}
