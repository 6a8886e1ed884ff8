/**
 * SIGINT/SIGTERM for the daemon, with Python's contract (docs "Signals"): the
 * first signal lets in-flight callbacks finish and settle, the rest goes back
 * to the queue, then the process exits 0. Unlike Python, which ignores repeated
 * signals, a second signal while draining exits at once with 128 + the signal
 * number (130 for SIGINT, 143 for SIGTERM): the broker requeues every message
 * we had not settled, so nothing is lost, only the in-flight callback's work.
 */
import { constants } from "node:os";
import { getLogger } from "../log.js";

const log = getLogger("fedora_messaging.cli");
const SIGNALS = ["SIGINT", "SIGTERM"] as const;

/** Exit code of a second, insisting signal. */
export function forcedExitCode(signal: (typeof SIGNALS)[number]): number {
  return 128 + constants.signals[signal];
}

/** Calls `stop` on the first signal; exits on the second. Returns a function that removes the handlers. */
export function handleStopSignals(stop: () => void, exit: (code: number) => void = (code) => process.exit(code)): () => void {
  let stopping = false;
  const handler = (signal: (typeof SIGNALS)[number]) => {
    if (stopping) {
      log.warning(`Received ${signal} again while stopping; exiting now (unsettled messages go back to the queue)`);
      exit(forcedExitCode(signal));
      return;
    }
    stopping = true;
    log.info(`Received ${signal}; finishing the messages in progress before stopping (send it again to exit at once)`);
    stop();
  };
  for (const signal of SIGNALS) process.on(signal, handler);
  return () => {
    for (const signal of SIGNALS) process.off(signal, handler);
  };
}
