/**
 * The V8 flags the daemon sets for itself at run time, however it is started:
 * the bundle's shebang can carry node flags, but `node dist/fedora-messaging.js`,
 * a wrapper calling node by hand and a SEA binary (which takes no node options)
 * never read it. Which flags, and why, is said where each is chosen
 * (young-generation.ts, tier-up.ts).
 *
 * Flags are per process (they cover every thread's heap and code), but
 * starting a thread resets them to node's command line (measured on Node 20):
 * each thread the daemon starts calls reapplyDaemonFlags() once it runs. Only
 * the CLI entry sets them (daemon-v8-flags-first.ts): a program that uses the
 * library keeps node's defaults.
 */
import { setFlagsFromString } from "node:v8";
import { getEnvironmentData, setEnvironmentData } from "node:worker_threads";

/** The flags the daemon set, copied to every thread started after (environment data). */
const DAEMON_FLAGS = "fedora-messaging:v8-flags";

/** Sets `flags` in this process and records them for the threads it starts. */
export function setDaemonFlags(flags: readonly string[]): void {
  setEnvironmentData(DAEMON_FLAGS, [...flags]);
  reapplyDaemonFlags();
}

/** In a thread the daemon started: sets again what the thread's start reset (nothing outside the daemon). */
export function reapplyDaemonFlags(): void {
  const flags = getEnvironmentData(DAEMON_FLAGS);
  if (Array.isArray(flags)) for (const flag of flags) setFlagsFromString(String(flag));
}

/** True when node's own flags (its command line, NODE_OPTIONS) already set one that `pattern` matches. */
export function nodeFlagGiven(pattern: RegExp, execArgv: readonly string[] = process.execArgv, nodeOptions = process.env["NODE_OPTIONS"] ?? ""): boolean {
  return [...execArgv, ...nodeOptions.split(/\s+/)].some((flag) => pattern.test(flag));
}
