/**
 * Waiting for a condition, the one way tests wait: poll it until it holds or
 * a deadline passes, then fail saying what was last seen. Never a sleep or a
 * log line standing in for the condition itself (a log line written by one
 * thread says nothing about state kept by another).
 */
import { setTimeout as sleep } from "node:timers/promises";

export interface EventuallyOptions {
  /** Fails after this long (generous: CI machines are shared and busy). */
  readonly timeoutMs?: number;
  readonly intervalMs?: number;
  /** Names the condition in the failure message. */
  readonly what?: string;
}

/**
 * Resolves with the first value of `probe` that `holds` accepts.
 *
 * @throws Error naming `what` and the last value seen, after `timeoutMs`.
 */
export async function eventually<T>(
  probe: () => T | Promise<T>,
  holds: (value: T) => boolean,
  { timeoutMs = 20_000, intervalMs = 50, what = "condition" }: EventuallyOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (holds(value)) return value;
    if (Date.now() >= deadline) throw new Error(`${what}: not met within ${timeoutMs} ms; last seen ${JSON.stringify(value)}`);
    await sleep(intervalMs);
  }
}

/** Resolves once `condition()` is true. */
export async function until(condition: () => boolean | Promise<boolean>, options: EventuallyOptions = {}): Promise<void> {
  await eventually(condition, (ok) => ok, options);
}
