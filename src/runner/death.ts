/**
 * When the code that runs callbacks dies outside a callback: a worker thread
 * that ended, or (in-process) an uncaught exception or unhandled rejection.
 * Python would see its consumer thread die; a daemon that went on taking
 * messages it never processes, with `/ready` at 200, would be the worst
 * outcome of all. So: one ERROR line with the cause and its stack, then the
 * run ends as for a callback error (every unsettled message back to its
 * queue, exit 13).
 */
import { getLogger } from "../log.js";
import { outcomeOfError } from "../consumer/outcome.js";
import type { RunnerEvents } from "../consumer/runner.js";
import type { SharedStats } from "../consumer/stats.js";

const log = getLogger("fedora_messaging.twisted.consumer");

/** A runner whose code died: it is told, in order to end the run. */
export interface Mourner {
  readonly queue: string;
  readonly stats: SharedStats;
  readonly events: RunnerEvents;
  /** How many messages were being processed (each then counts as failed, like a callback that raised). */
  readonly running: number;
}

/** A worker thread ended: says so, and ends the run like a callback error. */
export function workerDied(runner: Mourner, error: unknown): void {
  log.exception(`The code running the callbacks of queue ${runner.queue} died outside a callback (its worker thread ended); stopping`, error);
  report(runner, error);
}

const inProcess = new Set<Mourner>();

/**
 * Treats an uncaught exception or unhandled rejection on the main thread as
 * the death of the in-process callbacks' code (it may come from a plugin's
 * timer, event handler or forgotten promise). Only for plugin code the daemon
 * loaded itself: a program that hands `consume()` a function owns its
 * process's handlers. Returns the function that stops watching.
 */
export function watchMainThread(runner: Mourner): () => void {
  if (inProcess.size === 0) {
    process.on("uncaughtException", mainThreadDied);
    process.on("unhandledRejection", mainThreadDied);
  }
  inProcess.add(runner);
  return () => {
    inProcess.delete(runner);
    if (inProcess.size === 0) {
      process.off("uncaughtException", mainThreadDied);
      process.off("unhandledRejection", mainThreadDied);
    }
  };
}

// --- internal ---

function mainThreadDied(error: unknown): void {
  const runners = [...inProcess];
  inProcess.clear(); // once: what follows is the stop
  const queues = runners.map((runner) => runner.queue).join(", ");
  log.exception(`The code running the callbacks of queue ${queues} died outside a callback (an error escaped on the main thread); stopping`, error);
  for (const runner of runners) report(runner, error);
}

function report(runner: Mourner, error: unknown): void {
  for (let i = 0; i < runner.running; i++) runner.stats.add("failed");
  runner.events.outcome(undefined, outcomeOfError(error));
}
