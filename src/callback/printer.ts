/**
 * The built-in callback: Python's `fedora_messaging.example:printer`, which is
 * `print(str(message))`. Configurations written for Python name it, so the
 * loader maps that spec (and the short alias `printer`) here.
 */
import { writeSync } from "node:fs";
import { isMainThread } from "node:worker_threads";

/**
 * Writes `String(message)` and a newline to stdout (Python's `print(str(message))`).
 *
 * Returns `undefined` once the text is written or queued in order, or a promise
 * that settles when stdout has drained, so that a slow reader slows the consumer
 * down instead of growing the buffer without bound.
 *
 * Output goes through the same channel as this thread's log lines, so printed
 * messages and log lines keep their order:
 * - main thread: `process.stdout.write`, like `log.ts`. On a pipe or socket
 *   Node writes at once when it can and otherwise queues in order; libuv retries
 *   on EAGAIN itself, so nothing is lost or reordered.
 * - worker thread: the worker's log sink writes to fd 1 directly (a worker's
 *   `process.stdout` is relayed through the busy main thread), so we do too,
 *   with `writeSync` in a loop: fd 1 is non-blocking once the main thread has
 *   opened stdout as a pipe, so a full pipe gives EAGAIN or a short write.
 */
export function printer(message: { toString(): string }): Promise<void> | undefined {
  const text = `${String(message)}\n`;
  if (!isMainThread) {
    writeAllSync(1, text);
    return undefined;
  }
  if (process.stdout.write(text)) return undefined;
  return drained(process.stdout);
}

// --- internal ---

/** How long to wait for a full pipe to accept bytes again before retrying. */
const EAGAIN_RETRY_MS = 1;
let sleepCell: Int32Array | undefined;

/** Writes every byte of `text` to `fd`, waiting out EAGAIN and short writes. */
function writeAllSync(fd: number, text: string): void {
  let buffer = Buffer.from(text, "utf8");
  while (buffer.length > 0) {
    try {
      buffer = buffer.subarray(writeSync(fd, buffer));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EAGAIN") throw error;
      // A synchronous sleep: the caller expects the text written when we return.
      sleepCell ??= new Int32Array(new SharedArrayBuffer(4));
      Atomics.wait(sleepCell, 0, 0, EAGAIN_RETRY_MS);
    }
  }
}

/** Settles on `drain`; rejects if the stream fails or closes first (EPIPE: nobody reads any more). */
function drained(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      stream.off("drain", onDrain);
      stream.off("error", onError);
      stream.off("close", onClose);
    };
    const onDrain = (): void => { cleanup(); resolve(); };
    const onError = (error: Error): void => { cleanup(); reject(error); };
    const onClose = (): void => { cleanup(); reject(new Error("stdout was closed")); };
    stream.on("drain", onDrain);
    stream.on("error", onError);
    stream.on("close", onClose);
  });
}
