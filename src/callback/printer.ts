/**
 * The built-in callback: Python's `fedora_messaging.example:printer`, which is
 * `print(str(message))`. Configurations written for Python name it, so the
 * loader maps that spec (and the short alias `printer`) here.
 */
import { writeOut } from "../output.js";

/**
 * Writes `String(message)` and a newline to stdout (Python's `print(str(message))`).
 *
 * Returns `undefined` once the text is queued in order, or a promise that
 * settles when stdout has drained, so that a slow reader slows the consumer
 * down instead of growing the buffer without bound. Output goes through the
 * batched writer that log lines use (`output.ts`), so printed messages and
 * log lines keep their order, in the main thread and in a worker.
 */
export function printer(message: { toString(): string }): Promise<void> | undefined {
  return writeOut(`${String(message)}\n`);
}
