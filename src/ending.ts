/**
 * How things end, in one vocabulary for the whole library:
 *
 * - a run (the daemon, `consume()`, the CLI) ends `stopped` or `halted`
 *   (`RunEnd`), or fails by rejecting with one of `errors.ts`'s classes;
 * - a callback asks for the run to end by halting (the same `halted` shape,
 *   which becomes the run's end as it is) or by failing with an error
 *   (`CallbackEnd`; the run then rejects with CallbackError, exit 13);
 * - a consumer's link ends because we stopped it, its callback ended the run,
 *   or the broker took it away (`lost`: reconnect; `canceled`: exit 12), see
 *   `amqp/errors.ts` `linkEnd`;
 * - a connection ends with the broker's or the socket's error, or none when we
 *   closed it (`ConnectionEnd`, amqp/connection.ts); the supervisor then
 *   reports `disconnected` and connects again, or `closed` with its reason.
 *
 * `cli/exit-codes.ts` maps a RunEnd or an error to the exit code.
 */

/** A thrown error reduced to what crosses a thread boundary and what logs need. */
export interface ErrorSummary {
  readonly name: string;
  readonly message: string;
  readonly stack: string;
  /** Python-style `repr()` of the error, for "Unexpected error occurred in consumer %r: %r". */
  readonly repr: string;
}

/** A HaltConsumer: the run ends with `exitCode` (0 by default). */
export interface Halted {
  readonly kind: "halted";
  readonly exitCode: number;
  readonly reason: string | undefined;
}

/** How a run ended without an error. */
export type RunEnd = { readonly kind: "stopped" } | Halted;

/** Why a callback ends the run: it halted, or it threw something unexpected. */
export type CallbackEnd = Halted | { readonly kind: "failed"; readonly error: ErrorSummary };
