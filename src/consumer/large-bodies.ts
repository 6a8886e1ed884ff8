/**
 * Keeps memory bounded under large messages. A 4 MB body is reassembled by
 * rhea from 128 KB frames, copied to the callback's thread, decoded to a
 * string and parsed: megabytes of buffers per message that live outside the
 * JS heap, which V8 collects only once it notices them; with a small heap
 * (the daemon runs with a small young generation) that can be hundreds of
 * megabytes later, in each thread on its own schedule. After every
 * `COLLECT_EVERY_BYTES` of large bodies a thread has handled, it collects
 * garbage itself: one full collection of a small heap costs a few
 * milliseconds, against seconds of work to bring those bytes in.
 */
import { setFlagsFromString } from "node:v8";
import { isMainThread } from "node:worker_threads";
import { runInNewContext } from "node:vm";

/** Bodies smaller than this are left to V8 alone (the usual Fedora message is a few KB). */
export const LARGE_BODY_BYTES = 256 * 1024;
/**
 * A collection per this many bytes of large bodies handled by the thread. The
 * main thread collects more often: rhea's reassembly leaves each large message
 * there twice (its 128 KB frames and their concatenation). Measured on the
 * bench, 1,000 x 1 MB at prefetch 10, worker mode: 2 MB on both threads peaked
 * at 108 MiB, 1 MB on both at 101 MiB but drained 20 % slower, 1 MB on the main
 * thread and 2 MB in the worker at 99 MiB and as fast as 2 MB on both.
 */
export const COLLECT_EVERY_BYTES = (isMainThread ? 1 : 2) * 1024 * 1024;

let pendingBytes = 0;
let collect: (() => void) | undefined;

/** Counts a body this thread handled; collects garbage once enough large ones went by. */
export function noteBody(bytes: number): void {
  if (bytes < LARGE_BODY_BYTES) return;
  pendingBytes += bytes;
  if (pendingBytes < COLLECT_EVERY_BYTES) return;
  pendingBytes = 0;
  (collect ??= gcFunction())();
}

/** V8's `gc()` without exposing it to the program: a function of a fresh context. */
function gcFunction(): () => void {
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}
