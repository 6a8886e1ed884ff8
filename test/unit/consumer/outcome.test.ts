import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ACCEPTED, INVALID, outcomeOfError } from "../../../src/consumer/outcome.js";
import { pyStrRepr } from "../../../src/python/pyrepr.js";
import { CONTROL_BRAND, Drop, HaltConsumer, Nack } from "../../../src/errors.js";

describe("the outcome table (Python's _read_one)", () => {
  it("return: accepted, processed", () => {
    assert.deepEqual(ACCEPTED, { settle: "accept", counter: "processed" });
  });
  it("invalid message: rejected, counted nowhere", () => {
    assert.deepEqual(INVALID, { settle: "reject", counter: undefined });
  });
  it("Nack: released, rejected", () => {
    assert.deepEqual(outcomeOfError(new Nack()), { settle: "release", counter: "rejected" });
  });
  it("Drop: rejected, dropped", () => {
    assert.deepEqual(outcomeOfError(new Drop()), { settle: "reject", counter: "dropped" });
  });
  it("HaltConsumer(): accepted, processed, stop with 0", () => {
    assert.deepEqual(outcomeOfError(new HaltConsumer()), {
      settle: "accept",
      counter: "processed",
      stop: { kind: "halted", exitCode: 0, reason: undefined },
    });
  });
  it("HaltConsumer(3, reason, requeue): released, rejected, stop with 3", () => {
    assert.deepEqual(outcomeOfError(new HaltConsumer(3, "why", true)), {
      settle: "release",
      counter: "rejected",
      stop: { kind: "halted", exitCode: 3, reason: "why" },
    });
  });
  it("a control signal from another copy of the library is recognised by its brand", () => {
    const foreign = Object.assign(new Error("x"), { [CONTROL_BRAND]: "halt", exitCode: 7, requeue: false });
    assert.equal(outcomeOfError(foreign).stop?.kind, "halted");
    assert.deepEqual(outcomeOfError({ [Symbol.for("fedora-messaging.control")]: "nack" }).settle, "release");
  });
  it("HaltConsumer's exit code is an exit status, 0-255: anything else is refused where it is made", () => {
    for (const bad of [256, -1, 1.5, "x", Number.NaN]) {
      assert.throws(() => new HaltConsumer(bad as number), {
        name: "TypeError",
        message: `HaltConsumer's exit code must be an integer from 0 to 255 (a process exit status), got ${typeof bad === "string" ? `"${bad}"` : String(bad)}`,
      });
    }
    assert.equal(new HaltConsumer(255).exitCode, 255);
  });
  it("a halt of another copy with a bad exit code is a callback error (exit 13), saying why", () => {
    const foreign = Object.assign(new Error("x"), { [CONTROL_BRAND]: "halt", exitCode: 256 });
    const outcome = outcomeOfError(foreign);
    assert.equal(outcome.stop?.kind, "failed");
    assert.equal(outcome.releaseAll, true);
    if (outcome.stop?.kind === "failed") assert.match(outcome.stop.error.message, /must be an integer from 0 to 255 .*, got 256$/);
  });
  it("any other error: released with every unsettled message, failed, stop with the error", () => {
    const outcome = outcomeOfError(new TypeError("boom"));
    assert.equal(outcome.settle, "release");
    assert.equal(outcome.counter, "failed");
    assert.equal(outcome.releaseAll, true);
    assert.equal(outcome.stop?.kind, "failed");
    if (outcome.stop?.kind === "failed") {
      assert.equal(outcome.stop.error.repr, "TypeError('boom')");
      assert.match(outcome.stop.error.stack, /TypeError: boom/);
    }
  });
  it("a thrown non-error value is an unexpected error too", () => {
    const outcome = outcomeOfError("just a string");
    assert.equal(outcome.counter, "failed");
    assert.equal(outcome.stop?.kind === "failed" && outcome.stop.error.repr, "'just a string'");
  });
  it("Python's str repr quoting", () => {
    assert.equal(pyStrRepr("a'b"), `"a'b"`);
    assert.equal(pyStrRepr(`a'b"`), `'a\\'b"'`);
    assert.equal(pyStrRepr("l1\nl2"), "'l1\\nl2'");
  });
});
