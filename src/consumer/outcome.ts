/**
 * The outcome table: what happens to a message after the callback, exactly as
 * Python fedora-messaging's `Consumer._read_one` (behaviour notes §1.5). Pure,
 * so that it is tested branch by branch, and shared by the in-process runner
 * and the worker thread (which sends the result back as plain data).
 *
 * | callback result            | AMQP 1.0 outcome | counter   | then            |
 * |----------------------------|------------------|-----------|-----------------|
 * | returns                    | accepted         | processed | continue        |
 * | throws Nack                | released         | rejected  | continue        |
 * | throws Drop                | rejected         | dropped   | continue        |
 * | throws HaltConsumer        | accepted         | processed | stop, its code  |
 * | HaltConsumer(requeue=true) | released         | rejected  | stop, its code  |
 * | throws anything else       | released (+ all  | failed    | stop, exit 13   |
 * |                            | unsettled ones)  |           |                 |
 * | message failed validation  | rejected         | (none)    | continue        |
 *
 * `released` is RabbitMQ 4's requeue (redelivered at once); `rejected` is
 * discard or dead-letter, like basic.nack(requeue=False).
 */
import type { CallbackEnd, ErrorSummary } from "../ending.js";
import { controlKindOf, haltCodeProblem } from "../errors.js";
import { pyErrorRepr, safeString } from "../python/pyrepr.js";

export type Settlement = "accept" | "release" | "reject";
export type Counter = "processed" | "rejected" | "dropped" | "failed";


export interface Outcome {
  readonly settle: Settlement;
  /** Undefined for invalid messages: Python counts them nowhere. */
  readonly counter: Counter | undefined;
  /** Set when the consumer must stop after settling, and the run end. */
  readonly stop?: CallbackEnd;
  /** True when every other unsettled message of the consumer must be released too. */
  readonly releaseAll?: boolean;
  /** How long the callback ran, ms (absent for invalid messages). */
  readonly durationMs?: number;
}

export const ACCEPTED: Outcome = { settle: "accept", counter: "processed" };
export const INVALID: Outcome = { settle: "reject", counter: undefined };

/** The outcome of a callback that threw `thrown`. */
export function outcomeOfError(thrown: unknown): Outcome {
  switch (controlKindOf(thrown)) {
    case "nack":
      return { settle: "release", counter: "rejected" };
    case "drop":
      return { settle: "reject", counter: "dropped" };
    case "halt": {
      const halt = thrown as { exitCode?: unknown; reason?: unknown; requeue?: unknown };
      // One made by another copy of the library, or changed after it was made.
      const problem = haltCodeProblem(halt.exitCode ?? 0);
      if (problem) return outcomeOfError(new TypeError(problem));
      const exitCode = (halt.exitCode as number | undefined) ?? 0;
      const reason = typeof halt.reason === "string" ? halt.reason : undefined;
      return halt.requeue
        ? { settle: "release", counter: "rejected", stop: { kind: "halted", exitCode, reason } }
        : { settle: "accept", counter: "processed", stop: { kind: "halted", exitCode, reason } };
    }
    default:
      return { settle: "release", counter: "failed", releaseAll: true, stop: { kind: "failed", error: summariseError(thrown) } };
  }
}

export function summariseError(thrown: unknown): ErrorSummary {
  if (thrown instanceof Error) {
    return {
      name: thrown.name,
      message: thrown.message,
      stack: thrown.stack ?? `${thrown.name}: ${thrown.message}`,
      repr: pyErrorRepr(thrown),
    };
  }
  const text = typeof thrown === "string" ? thrown : safeString(thrown);
  return { name: typeof thrown, message: text, stack: `thrown value: ${text}`, repr: pyErrorRepr(text) };
}
