/**
 * THE exit-code table, one test per row (house style practice 3): the code,
 * the stream, and the exact sentence Python fedora-messaging prints.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { EscapedException, UsageError } from "../../../src/cli/_args.js";
import { exitCodeForEnd, exitCodeForError } from "../../../src/cli/exit-codes.js";
import { pyErrorRepr } from "../../../src/python/pyrepr.js";
import {
  BadDeclarationError,
  CallbackError,
  CallbackLoadError,
  ConfigurationError,
  ConnectionError,
  ConsumerCanceledError,
  HaltConsumer,
  PermissionError,
  PublishException,
  PublishForbidden,
  PublishReturned,
  PublishTimeout,
  UnexpectedRegistrationError,
} from "../../../src/errors.js";

describe("exitCodeForEnd / exitCodeForError", () => {
  test("0: all consumers stopped (signal, cancel)", () => {
    assert.deepEqual(exitCodeForEnd({ kind: "stopped" }), { code: 0, stream: "stdout" });
  });

  test("0: HaltConsumer(0) says nothing", () => {
    assert.deepEqual(exitCodeForEnd({ kind: "halted", exitCode: 0, reason: "done" }), { code: 0, stream: "stdout" });
  });

  test("N: HaltConsumer(N) logs its reason", () => {
    assert.deepEqual(exitCodeForEnd({ kind: "halted", exitCode: 42, reason: "Life, the universe, and everything" }), {
      code: 42,
      stream: "stdout",
      message: "Consumer halted with non-zero exit code (42): Life, the universe, and everything",
    });
  });

  test("N: without a reason, Python's %s of None", () => {
    assert.equal(exitCodeForEnd({ kind: "halted", exitCode: 3, reason: undefined }).message, "Consumer halted with non-zero exit code (3): None");
  });

  test("N: a HaltConsumer thrown instead of returned", () => {
    assert.deepEqual(exitCodeForError(new HaltConsumer(7, "stop")), { code: 7, stream: "stdout", message: "Consumer halted with non-zero exit code (7): stop" });
  });

  test("1: a callback that cannot be loaded (click's ClickException)", () => {
    assert.deepEqual(exitCodeForError(new CallbackLoadError("Failed to import the callback module (x) provided in the --callback argument", 1)), {
      code: 1,
      stream: "stderr",
      message: "Error: Failed to import the callback module (x) provided in the --callback argument",
    });
  });

  test("1: an unexpected error, with its stack (Python's traceback)", () => {
    const error = new TypeError("boom");
    const report = exitCodeForError(error);
    assert.equal(report.code, 1);
    assert.equal(report.stream, "stderr");
    assert.equal(report.message, error.stack);
  });

  test("1: a plain Error", () => {
    assert.equal(exitCodeForError(new Error("x")).code, 1);
  });

  test("2: a usage error, with the command's usage lines", () => {
    assert.deepEqual(exitCodeForError(new UsageError("No such option: --foo", "fedora-messaging consume")), {
      code: 2,
      stream: "stderr",
      message: "Usage: fedora-messaging consume [OPTIONS]\nTry 'fedora-messaging consume --help' for help.\n\nError: No such option: --foo",
    });
  });

  test("2: a usage error without usage lines (click's 'requires an argument')", () => {
    assert.deepEqual(exitCodeForError(new UsageError("Option '--callback' requires an argument.")), {
      code: 2,
      stream: "stderr",
      message: "Error: Option '--callback' requires an argument.",
    });
  });

  test("2: a configuration error is click's BadParameter on the root command", () => {
    assert.deepEqual(exitCodeForError(new ConfigurationError("Failed to parse /x.toml: Invalid value (at line 1, column 20)")), {
      code: 2,
      stream: "stderr",
      message:
        "Usage: fedora-messaging [OPTIONS] COMMAND [ARGS]...\nTry 'fedora-messaging --help' for help.\n\n" +
        "Error: Invalid value: Configuration error: Failed to parse /x.toml: Invalid value (at line 1, column 20)",
    });
  });

  test("2: a callback that is not callable (click's BadOptionUsage)", () => {
    assert.deepEqual(exitCodeForError(new CallbackLoadError("Callback must be a class that implements call(message) or a function.", 2)), {
      code: 2,
      stream: "stderr",
      message:
        "Usage: fedora-messaging consume [OPTIONS]\nTry 'fedora-messaging consume --help' for help.\n\n" +
        "Error: Callback must be a class that implements call(message) or a function.",
    });
  });

  test("10: BadDeclarationError", () => {
    assert.deepEqual(exitCodeForError(new BadDeclarationError("queue", "q1", "403 ACCESS_REFUSED")), {
      code: 10,
      stream: "stdout",
      message: "Unable to declare the queue object on the AMQP broker. The broker responded with 403 ACCESS_REFUSED. Check permissions for your user.",
    });
  });

  test("11: UnexpectedRegistrationError, Python's sentence then the traceback", () => {
    const cause = new RangeError("bad");
    const report = exitCodeForError(new UnexpectedRegistrationError(cause));
    assert.equal(report.code, 11);
    assert.equal(report.stream, "stdout");
    assert.equal(report.message, `An unexpected error (RangeError('bad')) occurred while registering the consumer, please report this bug.\n${cause.stack}`);
  });

  test("11: the sentence is the error's own message, written once in errors.ts", () => {
    const error = new UnexpectedRegistrationError("x");
    assert.equal(error.message, "An unexpected error ('x') occurred while registering the consumer, please report this bug.");
    assert.equal(exitCodeForError(error).message?.split("\n")[0], error.message);
  });

  test("12: ConsumerCanceledError", () => {
    assert.deepEqual(exitCodeForError(new ConsumerCanceledError()), {
      code: 12,
      stream: "stdout",
      message: "The consumer was canceled server-side, check with system administrators.",
    });
  });

  test("13: CallbackError, the daemon's sentence with the consumer's repr", () => {
    const sentence = "Unexpected error occurred in consumer Consumer(queue=q, callback=<function handle>): ValueError('boom')";
    assert.deepEqual(exitCodeForError(new CallbackError("Consumer(queue=q, callback=<function handle>)", "ValueError('boom')")), { code: 13, stream: "stdout", message: sentence });
  });

  test("13: the error's repr quotes like Python's", () => {
    assert.deepEqual(exitCodeForError(new CallbackError("C", pyErrorRepr(new Error("it's broken")))), {
      code: 13,
      stream: "stdout",
      message: `Unexpected error occurred in consumer C: Error("it's broken")`,
    });
  });

  test("14: ConnectionError logs its reason", () => {
    const reason = "The TCP connection appears to have started, but the TLS or AMQP handshake with the broker failed";
    assert.deepEqual(exitCodeForError(new ConnectionError(reason)), { code: 14, stream: "stdout", message: reason });
  });

  test("15: PermissionError names what was refused (Python's str() is the description)", () => {
    assert.deepEqual(exitCodeForError(new PermissionError("queue", "my-queue", "ACCESS_REFUSED")), {
      code: 15,
      stream: "stdout",
      message: "The consumer could not proceed because of a permissions problem: my-queue",
    });
  });

  test("publish 121: PublishReturned, echoed as Python's click.echo", () => {
    assert.deepEqual(exitCodeForError(new PublishReturned("the broker answered rejected")), {
      code: 121,
      stream: "echo",
      message: "Unable to publish message: the broker answered rejected",
    });
  });

  test("publish 121: PublishForbidden", () => {
    assert.deepEqual(exitCodeForError(new PublishForbidden("amqp:unauthorized-access: write access refused")), {
      code: 121,
      stream: "echo",
      message: "Unable to publish message: amqp:unauthorized-access: write access refused",
    });
  });

  test("publish 111: PublishTimeout", () => {
    assert.deepEqual(exitCodeForError(new PublishTimeout("Publishing timed out after waiting 30 seconds.")), {
      code: 111,
      stream: "echo",
      message: "Unable to connect to the message broker: Publishing timed out after waiting 30 seconds.",
    });
  });

  test("publish 1: any other PublishException", () => {
    assert.deepEqual(exitCodeForError(new PublishException("handshake failed")), {
      code: 1,
      stream: "echo",
      message: "A general publish exception occurred: handshake failed",
    });
  });

  test("publish 1: a ConnectionException Python lets escape: the last line of its traceback on stderr", () => {
    assert.deepEqual(exitCodeForError(new EscapedException("fedora_messaging.exceptions.ConnectionException", "handshake failed")), {
      code: 1,
      stream: "stderr",
      message: "fedora_messaging.exceptions.ConnectionException: handshake failed",
    });
  });

  test("publish 2: an invalid line is a usage error with the command's usage line and FILE", () => {
    const report = exitCodeForError(new UsageError("Unable to validate message on line 3: x", "fedora-messaging publish", ["FILE"]));
    assert.equal(report.code, 2);
    assert.equal(
      report.message,
      "Usage: fedora-messaging publish [OPTIONS] FILE\nTry 'fedora-messaging publish --help' for help.\n\nError: Unable to validate message on line 3: x",
    );
  });

  test("errors rebuilt from another thread are recognised by name", () => {
    const error = Object.assign(new Error("Unexpected error occurred in consumer C: E"), { name: "CallbackError" });
    assert.equal(exitCodeForError(error).code, 13);
    assert.equal(exitCodeForError(Object.assign(new Error("r"), { name: "ConnectionError", reason: "r" })).code, 14);
  });
});
