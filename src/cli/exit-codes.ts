/**
 * THE exit-code table: how a run's outcome or error becomes an exit code and
 * the line that explains it. Codes and sentences are Python fedora-messaging's
 * (`cli.py` `_consume_errback`/`_consume_callback`, click's usage errors,
 * docs "Exit codes"), so scripts and systemd units behave the same.
 * Sentences an error already carries (its message, written in `errors.ts` or
 * `amqp/errors.ts`) are used as they are; only the lines Python's CLI words
 * differently from the exception (10, 15, halts, click's usage) are written here.
 *
 * | code | reason                                   | where              |
 * |------|------------------------------------------|--------------------|
 * | 0    | stopped; HaltConsumer(0)                 | —                  |
 * | N    | HaltConsumer(N)                          | ERROR log (stdout) |
 * | 1    | CallbackLoadError(1); MonitoringError; CommandFailure (click's ClickException); EscapedException (the last line of Python's traceback); unexpected errors | stderr |
 * | 2    | usage; ConfigurationError; CallbackLoadError(2) | stderr      |
 * | 10   | BadDeclarationError                      | ERROR log          |
 * | 11   | UnexpectedRegistrationError              | ERROR log          |
 * | 12   | ConsumerCanceledError                    | ERROR log          |
 * | 13   | CallbackError                            | ERROR log          |
 * | 14   | ConnectionError                          | ERROR log          |
 * | 15   | PermissionError                          | ERROR log          |
 *
 * `publish` (Python's `cli.publish`, errno values; its lines are click.echo'd on stdout):
 *
 * | code | reason                                   | line               |
 * |------|------------------------------------------|--------------------|
 * | 121  | PublishReturned, PublishForbidden (EREMOTEIO) | "Unable to publish message: …" |
 * | 111  | PublishTimeout (ECONNREFUSED)            | "Unable to connect to the message broker: …" |
 * | 1    | PublishException                         | "A general publish exception occurred: …" |
 * | 1    | ConnectionException (the connection refused; it escapes in Python) | stderr: "fedora_messaging.exceptions.ConnectionException: …" |
 */
import type { RunEnd } from "../ending.js";
import { controlKindOf } from "../errors.js";
import { PROG, UsageError, synopsis } from "./_args.js";

export interface ExitReport {
  readonly code: number;
  /**
   * What to tell the user. On "stdout" it is logged at ERROR through the
   * `fedora_messaging.cli` logger (Python's log lines go to stdout); on
   * "stderr" it is written as is (click's "Error: ..." and tracebacks); on
   * "echo" it is written as is on stdout (click.echo).
   */
  readonly message?: string;
  readonly stream: "stdout" | "stderr" | "echo";
}

/** The exit code and message for a run that ended without an error. Pure: the caller writes the message. */
export function exitCodeForEnd(end: RunEnd): ExitReport {
  return end.kind === "stopped" ? { code: 0, stream: "stdout" } : halted(end.exitCode, end.reason);
}

/**
 * The exit code and message for whatever was thrown by a command or the run.
 * Errors are recognised by class name as well as by `instanceof`: an error
 * rebuilt from a worker thread's message, or thrown by another copy of this
 * library, has the right `name` but not our prototype. Pure.
 */
export function exitCodeForError(error: unknown): ExitReport {
  const e = (typeof error === "object" && error !== null ? error : {}) as Record<string, unknown>;
  if (controlKindOf(error) === "halt") return halted(Number(e.exitCode ?? 0), e.reason as string | undefined);
  return errorReport(error, e);
}

// --- internal ---

const CONSUME_COMMAND = `${PROG} consume`;

function halted(code: number, reason: string | undefined): ExitReport {
  if (code === 0) return { code: 0, stream: "stdout" };
  // Python formats a missing reason with %s, hence "None".
  return { code, stream: "stdout", message: `Consumer halted with non-zero exit code (${code}): ${reason ?? "None"}` };
}

function errorReport(error: unknown, e: Record<string, unknown>): ExitReport {
  switch (error instanceof Error ? error.name : undefined) {
    case "UsageError":
      return usage(String(e.message), error instanceof UsageError ? error.command : undefined, error instanceof UsageError ? error.positionals : []);
    case "ConfigurationError":
      // click's BadParameter raised without a parameter: "Invalid value: ..." (not "for '--conf'").
      return usage(`Invalid value: ${String(e.message)}`, PROG);
    case "CallbackLoadError":
      // Python: ClickException (exit 1, no usage lines) or BadOptionUsage (exit 2, with them).
      return e.exitCode === 2
        ? usage(String(e.message), CONSUME_COMMAND)
        : { code: 1, stream: "stderr", message: `Error: ${String(e.message)}` };
    case "EscapedException":
      return { code: 1, stream: "stderr", message: `${String(e.pythonName)}: ${String(e.message)}` };
    case "CommandFailure":
    case "MonitoringError":
      return { code: 1, stream: "stderr", message: `Error: ${String(e.message)}` };
    case "BadDeclarationError":
      return log(10, `Unable to declare the ${String(e.objType)} object on the AMQP broker. The broker responded with ${String(e.reason)}. Check permissions for your user.`);
    case "UnexpectedRegistrationError":
      // Python logs this one with log.exception: the traceback follows the line.
      return log(11, `${String(e.message)}\n${stackOf(e.cause ?? error)}`);
    case "ConsumerCanceledError":
      return log(12, String(e.message));
    case "CallbackError":
      return log(13, String(e.message));
    case "ConnectionError":
      return log(14, String(e.message));
    case "PublishReturned":
    case "PublishForbidden":
      return echo(121, `Unable to publish message: ${String(e.message)}`);
    case "PublishTimeout":
      return echo(111, `Unable to connect to the message broker: ${String(e.message)}`);
    case "PublishException":
      return echo(1, `A general publish exception occurred: ${String(e.message)}`);
    case "PermissionError":
      // Python formats str(PermissionException), which is its description (the queue).
      return log(15, `The consumer could not proceed because of a permissions problem: ${String(e.description ?? e.message)}`);
    default:
      // Python lets these escape: a traceback on stderr and exit 1.
      return { code: 1, stream: "stderr", message: stackOf(error) };
  }
}

function echo(code: number, message: string): ExitReport {
  return { code, stream: "echo", message };
}

function log(code: number, message: string): ExitReport {
  return { code, stream: "stdout", message };
}

/** click's usage error: usage line, hint, blank line, then the error (exit 2). */
function usage(message: string, command: string | undefined, positionals: readonly string[] = []): ExitReport {
  if (command === undefined) return { code: 2, stream: "stderr", message: `Error: ${message}` };
  const head = `Usage: ${synopsis(command, command === PROG, positionals)}\nTry '${command} --help' for help.\n\n`;
  return { code: 2, stream: "stderr", message: `${head}Error: ${message}` };
}

function stackOf(error: unknown): string {
  return error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
}
