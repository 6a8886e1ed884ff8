/**
 * Stdout for log lines and the printer callback, written in batches.
 *
 * Python logs two lines per message; written one by one, each is a write
 * system call (about 40 µs to a file, a pipe or journald's socket), which
 * profiling showed to be the largest cost per message. Lines written in one
 * event-loop turn are joined and written once, at the end of the turn, in
 * order. Log lines and printed messages share this one channel so that they
 * never reorder.
 *
 * - Main thread: through `process.stdout.write`, which queues in order and
 *   retries EAGAIN itself; what is still pending at exit is flushed by the
 *   `exit` hook (stdout writes to pipes and files are synchronous on Linux).
 * - Worker thread: straight to fd 1 with `writeSync` (a worker's
 *   `process.stdout` is relayed through the main thread, which is busy with the
 *   broker); the worker flushes before it reports outcomes, so its lines are
 *   out before the main thread acts on them, and before it can be terminated.
 *
 * Anything else that writes to stdout (a plugin's `console.log`) must not
 * overtake queued lines: in the main thread `process.stdout.write` first
 * flushes the queue; in a worker it joins the queue (and so reaches fd 1 in
 * order, without a detour through the main thread).
 */
import { writeSync } from "node:fs";
import { isMainThread } from "node:worker_threads";

/** A batch this large is written at once rather than at the end of the turn. */
const FLUSH_BYTES = 64 * 1024;
/** How long to wait for a full pipe to accept bytes again (worker thread). */
const EAGAIN_RETRY_MS = 1;

let pending: string[] = [];
let pendingBytes = 0;
let scheduled = false;
let hooked = false;
let sleepCell: Int32Array | undefined;
/** Set when stdout's reader has gone (EPIPE). */
let stdoutGone = false;
/** process.stdout.write as it was before hookStdout() wrapped it. */
let originalWrite: (text: string) => boolean = (text) => process.stdout.write(text);

/** Queues `text` for stdout; returns a promise when stdout is backed up (slow reader). */
export function writeOut(text: string): Promise<void> | undefined {
  pending.push(text);
  pendingBytes += text.length;
  if (!hooked) hookStdout();
  if (pendingBytes >= FLUSH_BYTES) {
    flushOut();
  } else if (!scheduled) {
    scheduled = true;
    setImmediate(flushOut);
  }
  if (isMainThread && process.stdout.writableNeedDrain) return drained(process.stdout);
  return undefined;
}

/** Routes this thread's `process.stdout.write` through the queue now (a worker calls it at start). */
export function orderStdout(): void {
  if (!hooked) hookStdout();
}

/** Writes everything queued, now. */
export function flushOut(): void {
  scheduled = false;
  if (pending.length === 0) return;
  const text = pending.length === 1 ? pending[0]! : pending.join("");
  pending = [];
  pendingBytes = 0;
  if (stdoutGone) return;
  if (isMainThread) originalWrite(text);
  else writeAllSync(1, text);
}

// --- internal ---

function hookStdout(): void {
  hooked = true;
  const stdout = process.stdout;
  const original = stdout.write.bind(stdout) as (...args: unknown[]) => boolean;
  originalWrite = (text) => original(text);
  if (isMainThread) {
    process.on("exit", flushOut);
    // Nobody reads stdout any more (a closed pipe: EPIPE): drop output rather
    // than crash, like a daemon whose log reader went away should.
    stdout.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE") throw error;
      stdoutGone = true;
    });
    stdout.write = ((...args: unknown[]) => {
      if (pending.length > 0) flushOut();
      return original(...args);
    }) as typeof stdout.write;
  } else {
    stdout.write = ((chunk: unknown, encodingOrCallback?: unknown, callback?: unknown) => {
      const done = typeof encodingOrCallback === "function" ? encodingOrCallback : callback;
      writeOut(typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8"));
      if (typeof done === "function") queueMicrotask(() => (done as () => void)());
      return true;
    }) as typeof stdout.write;
  }
}

/** Writes every byte of `text` to `fd`, waiting out EAGAIN and short writes. */
function writeAllSync(fd: number, text: string): void {
  let buffer = Buffer.from(text, "utf8");
  while (buffer.length > 0) {
    try {
      buffer = buffer.subarray(writeSync(fd, buffer));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EPIPE") {
        stdoutGone = true;
        return;
      }
      if (code !== "EAGAIN") throw error;
      // fd 1 is non-blocking once the main thread opened stdout as a pipe: wait, synchronously.
      sleepCell ??= new Int32Array(new SharedArrayBuffer(4));
      Atomics.wait(sleepCell, 0, 0, EAGAIN_RETRY_MS);
    }
  }
}

/** Settles on `drain`; rejects if stdout fails or closes first (EPIPE: nobody reads any more). */
function drained(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      stream.off("drain", onDrain);
      stream.off("error", onError);
      stream.off("close", onClose);
    };
    const onDrain = (): void => {
      cleanup();
      resolve();
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(error);
    };
    const onClose = (): void => {
      cleanup();
      reject(new Error("stdout was closed"));
    };
    stream.on("drain", onDrain);
    stream.on("error", onError);
    stream.on("close", onClose);
  });
}
