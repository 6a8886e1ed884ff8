import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Backoff } from "../../../src/amqp/backoff.js";

describe("reconnection backoff", () => {
  it("starts at 1 s, grows by e, caps at one minute", () => {
    const backoff = new Backoff({ random: () => 0.5 }); // no jitter at the midpoint
    const delays = Array.from({ length: 8 }, () => backoff.next());
    assert.deepEqual(delays.slice(0, 4), [1000, 2718, 7389, 20086]);
    assert.equal(delays[5], 60_000);
    assert.equal(delays[7], 60_000);
  });
  it("jitters within ±12 %", () => {
    assert.equal(new Backoff({ random: () => 0 }).next(), 880);
    assert.equal(new Backoff({ random: () => 1 }).next(), 1120);
  });
  it("reset() starts over", () => {
    const backoff = new Backoff({ random: () => 0.5 });
    backoff.next();
    backoff.next();
    backoff.reset();
    assert.equal(backoff.next(), 1000);
  });
});
