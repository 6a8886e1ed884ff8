/**
 * The daemon's young generation stays at its initial 1 MiB semi-spaces,
 * however it is started. The daemon allocates many short-lived objects per
 * message; V8's default lets the semi-spaces grow to 16 MiB each, which raises
 * peak RSS by 10-20 MiB under load for no speed gain (measured with npm run bench).
 *
 * The bundle's shebang passes `--max-semi-space-size=1` (build/build.mjs), but
 * only when the file is executed: `node dist/fedora-messaging.js`, a SEA
 * binary (which takes no node options) or a wrapper that calls node by hand
 * never see it. V8 reads that flag only when a heap is made, too late here;
 * `--semi-space-growth-factor=1` it reads each time it would grow the young
 * generation, so setting it at run time has the same effect. Flags are per
 * process (this covers every thread's heap), but starting a thread resets them
 * to node's command line (measured on Node 20): each thread the daemon starts
 * calls repinYoungGeneration() once it runs.
 *
 * A semi-space size the user chose (node's command line or NODE_OPTIONS; the
 * shebang's own flag counts, and is the same setting) is left alone, and so is
 * a program that uses the library: only the CLI entry pins.
 */
import { setFlagsFromString } from "node:v8";
import { getEnvironmentData, setEnvironmentData } from "node:worker_threads";

/** Set (and copied to every thread started after) when the daemon pinned the young generation. */
const PINNED = "fedora-messaging:young-generation-pinned";
const SEMI_SPACE_FLAG = /^--(?:max|min)[-_]semi[-_]space[-_]size\b|^--semi[-_]space[-_]growth[-_]factor\b/;

/** The CLI entry: pins the young generation unless node's flags already size it. */
export function pinYoungGeneration(): void {
  if (semiSpaceChosen()) return;
  setEnvironmentData(PINNED, true);
  repinYoungGeneration();
}

/** In a thread the daemon started, or after starting one: pins again what the thread's start reset. */
export function repinYoungGeneration(): void {
  if (getEnvironmentData(PINNED) === true) setFlagsFromString("--semi-space-growth-factor=1");
}

/** True when node's flags say how large the young generation may be. */
export function semiSpaceChosen(execArgv: readonly string[] = process.execArgv, nodeOptions = process.env["NODE_OPTIONS"] ?? ""): boolean {
  return [...execArgv, ...nodeOptions.split(/\s+/)].some((flag) => SEMI_SPACE_FLAG.test(flag));
}
