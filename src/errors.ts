/**
 * Every failure kind the daemon and its users can see, named after Python
 * fedora-messaging's `fedora_messaging.exceptions` so that operators find the
 * same words in both. Each class says when it is thrown and what handles it;
 * the CLI turns them into exit codes in one place (`cli/exit-codes.ts`).
 *
 * The callback control-flow signals (`Nack`, `Drop`, `HaltConsumer`) are
 * recognised by a brand (a `Symbol.for` key) rather than `instanceof`: a plugin
 * bundling its own copy of this library, or an outcome serialised back from the
 * worker thread, must still be understood.
 */
import { pyErrorRepr } from "./python/pyrepr.js";

/** Base of every error this library throws on purpose. */
export class FedoraMessagingError extends Error {
  override name = "FedoraMessagingError";
}

/**
 * The configuration file or a command-line override is unusable. Thrown while
 * loading or validating; the CLI exits 2 (a usage error, like Python's
 * `click.BadParameter`). `String(err)` starts with "Configuration error: ".
 */
export class ConfigurationError extends FedoraMessagingError {
  override name = "ConfigurationError";
  constructor(message: string, options?: ErrorOptions) {
    super(`Configuration error: ${message}`, options);
  }
}

/**
 * A message failed to decode or validate (undecodable bytes, non-JSON body,
 * schema failure). The consumer rejects it without requeue and never calls the
 * callback. `summary` is the one-line reason, as in Python 3.6+.
 */
export class ValidationError extends FedoraMessagingError {
  override name = "ValidationError";
  readonly summary: string;
  constructor(summary: string, options?: ErrorOptions) {
    super(summary, options);
    this.summary = summary;
  }
}

/**
 * The broker refused an action for lack of permission. At registration or while
 * consuming; the CLI exits 15 and names `description` (what was refused).
 */
export class PermissionError extends FedoraMessagingError {
  override name = "PermissionError";
  constructor(
    readonly objType: string,
    readonly description: string,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`Access to the ${objType} ${description} was refused: ${reason}`, options);
  }
}

/**
 * Declaring a queue or binding was refused, or a passive declare found nothing.
 * The CLI exits 10 with the broker's text.
 */
export class BadDeclarationError extends FedoraMessagingError {
  override name = "BadDeclarationError";
  constructor(
    readonly objType: "queue" | "binding" | "exchange",
    readonly description: string,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`Unable to declare the ${objType} object (${description}) because ${reason}`, options);
  }
}

/**
 * The connection could not be established or authenticated (handshake, SASL,
 * TLS, vhost, unsupported broker). The CLI exits 14.
 */
export class ConnectionError extends FedoraMessagingError {
  override name = "ConnectionError";
  constructor(
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(reason, options);
  }
}

/**
 * Python's name for ConnectionError, for publishers: `publish()` rejects with
 * it when the broker refuses the connection for good (handshake, credentials,
 * vhost, TLS). `fedora-messaging publish` exits 1 on it, `consume` 14.
 */
export const ConnectionException = ConnectionError;
export type ConnectionException = ConnectionError;

/**
 * Base of the errors `publish()` rejects with (Python's `PublishException`);
 * `reason` is what the broker or the library said. `fedora-messaging publish`
 * exits 1 on one that is none of the subclasses below.
 */
export class PublishException extends FedoraMessagingError {
  override name = "PublishException";
  constructor(
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(reason, options);
  }
}

/**
 * The broker took the message but would not keep it (AMQP `rejected` or
 * `modified`: a full queue set to reject publishes, a message too large).
 * Not retried. `fedora-messaging publish` exits 121 (EREMOTEIO).
 */
export class PublishReturned extends PublishException {
  override name = "PublishReturned";
}

/**
 * The broker refused the message for a permission (no write access to the
 * exchange, a topic permission). Not retried. `fedora-messaging publish`
 * exits 121 (EREMOTEIO), as Python does.
 */
export class PublishForbidden extends PublishException {
  override name = "PublishForbidden";
}

/**
 * No broker accepted the message within the timeout (unreachable, restarting,
 * or an exchange that does not exist: Python retries those until it gives up).
 * `fedora-messaging publish` exits 111 (ECONNREFUSED).
 */
export class PublishTimeout extends PublishException {
  override name = "PublishTimeout";
}

/** The broker cancelled our consumer (queue deleted, node down). The CLI exits 12. */
export class ConsumerCanceledError extends FedoraMessagingError {
  override name = "ConsumerCanceledError";
  constructor(message = "The consumer was canceled server-side, check with system administrators.", options?: ErrorOptions) {
    super(message, options);
  }
}

/**
 * Something unexpected (`cause`) failed while registering consumers (declaring,
 * binding, attaching) that none of the classes above describes. The message is
 * Python's sentence; the CLI logs it with the cause's traceback and exits 11.
 */
export class UnexpectedRegistrationError extends FedoraMessagingError {
  override name = "UnexpectedRegistrationError";
  constructor(cause: unknown) {
    super(`An unexpected error (${pyErrorRepr(cause)}) occurred while registering the consumer, please report this bug.`, { cause });
  }
}

/**
 * The user's callback threw an error that is not a control-flow signal. Every
 * unsettled message of that consumer is released and the CLI logs the message,
 * Python's sentence, and exits 13.
 */
export class CallbackError extends FedoraMessagingError {
  override name = "CallbackError";
  /**
   * @param consumer the consumer's Python-style repr, `Consumer(queue=…, callback=…)`
   * @param errorRepr the thrown value's Python-style repr, `ValueError('boom')`
   */
  constructor(consumer: string, errorRepr: string, options?: ErrorOptions) {
    super(`Unexpected error occurred in consumer ${consumer}: ${errorRepr}`, options);
  }
}

/**
 * The callback could not be found, imported or used. `exitCode` follows Python:
 * 1 for "not found / cannot import / bad format", 2 for "not a callable".
 */
export class CallbackLoadError extends FedoraMessagingError {
  override name = "CallbackLoadError";
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * The `[monitoring]` server could not listen (port in use, no permission,
 * an address this host does not have). Exit 1, before anything is consumed:
 * a probe that cannot reach the daemon must not find it running blind.
 */
export class MonitoringError extends FedoraMessagingError {
  override name = "MonitoringError";
}

// --- callback control flow -------------------------------------------------

/** Brand key shared by every copy of this library, in every thread. */
export const CONTROL_BRAND: unique symbol = Symbol.for("fedora-messaging.control") as never;

export type ControlKind = "nack" | "drop" | "halt";

abstract class ControlSignal extends Error {
  abstract readonly [CONTROL_BRAND]: ControlKind;
}

/** Throw from a callback to put the message back on the queue (AMQP `released`). */
export class Nack extends ControlSignal {
  override name = "Nack";
  readonly [CONTROL_BRAND] = "nack" as const;
}

/** Throw from a callback to discard the message (AMQP `rejected`; dead-lettered if the queue says so). */
export class Drop extends ControlSignal {
  override name = "Drop";
  readonly [CONTROL_BRAND] = "drop" as const;
}

/**
 * Throw from a callback to stop consuming. The message is accepted, or released
 * when `requeue` is true; every consumer then stops and the process exits with
 * `exitCode` (0 by default).
 */
export class HaltConsumer extends ControlSignal {
  override name = "HaltConsumer";
  readonly [CONTROL_BRAND] = "halt" as const;
  readonly exitCode: number;
  readonly reason: string | undefined;
  readonly requeue: boolean;
  /** @throws TypeError when `exitCode` is not an integer from 0 to 255. */
  constructor(exitCode = 0, reason?: string, requeue = false) {
    const problem = haltCodeProblem(exitCode);
    if (problem) throw new TypeError(problem);
    super(reason ?? `Consumer halted with exit code ${exitCode}`);
    this.exitCode = exitCode;
    this.reason = reason;
    this.requeue = requeue;
  }
}

/**
 * Why `exitCode` cannot be a HaltConsumer's exit code, or undefined when it
 * can. A process exit status is 0-255: 256 would end the run with 0 (success),
 * "x" with whatever the shell makes of it.
 */
export function haltCodeProblem(exitCode: unknown): string | undefined {
  if (typeof exitCode === "number" && Number.isInteger(exitCode) && exitCode >= 0 && exitCode <= 255) return undefined;
  const shown = typeof exitCode === "string" ? JSON.stringify(exitCode) : String(exitCode);
  return `HaltConsumer's exit code must be an integer from 0 to 255 (a process exit status), got ${shown}`;
}

/** What kind of control signal `value` is, if any, by brand (works across copies and threads). */
export function controlKindOf(value: unknown): ControlKind | undefined {
  if (value === null || (typeof value !== "object" && typeof value !== "function")) return undefined;
  const kind = (value as Record<PropertyKey, unknown>)[CONTROL_BRAND];
  return kind === "nack" || kind === "drop" || kind === "halt" ? kind : undefined;
}
