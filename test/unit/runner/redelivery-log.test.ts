import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LOUD_RETURNS, QUIET_WINDOW_MS, RedeliveryLog } from "../../../src/runner/redelivery-log.js";

/** A RedeliveryLog on a clock the test moves; `summaries` collects what it would log. */
function setup() {
  let now = 1_000_000;
  const summaries: Array<[string, number, number]> = [];
  const log = new RedeliveryLog((id, count, seconds) => summaries.push([id, count, seconds]), () => now);
  return { log, summaries, advance: (ms: number) => (now += ms) };
}

/** One delivery of `id` that ends returned to the queue; tells whether its lines were written. */
function deliverAndReturn(log: RedeliveryLog, id: string): boolean {
  const loud = log.isLoud(id);
  log.returned(id);
  return loud;
}

describe("a message returned to the queue over and over", () => {
  it("is logged like Python for its first returns, then summarised once per window", () => {
    const { log, summaries, advance } = setup();
    const loud = Array.from({ length: 1000 }, () => {
      advance(1);
      return deliverAndReturn(log, "m1");
    });
    assert.equal(loud.filter(Boolean).length, LOUD_RETURNS);
    assert.deepEqual(loud.slice(0, LOUD_RETURNS), Array(LOUD_RETURNS).fill(true));
    assert.deepEqual(summaries, [], "no summary before a window has passed");
    advance(QUIET_WINDOW_MS - 999); // the window since the first return has passed
    deliverAndReturn(log, "m1");
    assert.deepEqual(summaries, [["m1", 1000 - LOUD_RETURNS + 1, 5]]);
  });

  it("other messages keep their lines while one loops", () => {
    const { log, advance } = setup();
    for (let i = 0; i < 10; i++) {
      advance(1);
      deliverAndReturn(log, "loop");
    }
    assert.equal(log.isLoud("loop"), false);
    assert.equal(log.isLoud("other"), true);
  });

  it("an accept after quiet returns reports the count; the id starts afresh", () => {
    const { log, summaries, advance } = setup();
    for (let i = 0; i < 10; i++) deliverAndReturn(log, "m");
    advance(10);
    log.settled("m");
    assert.deepEqual(summaries, [["m", 10 - LOUD_RETURNS, 1]]);
    assert.equal(log.isLoud("m"), true);
  });

  it("a message that stops coming back (dead-lettered) is summarised by the timer tick, then forgotten", () => {
    const { log, summaries, advance } = setup();
    for (let i = 0; i < 10; i++) deliverAndReturn(log, "gone");
    log.tick();
    assert.deepEqual(summaries, []);
    advance(QUIET_WINDOW_MS);
    log.tick();
    assert.deepEqual(summaries, [["gone", 10 - LOUD_RETURNS, 5]]);
    log.tick();
    assert.equal(log.isLoud("gone"), true, "forgotten once summarised and quiet for a window");
  });

  it("returns spread wider than the window are all logged", () => {
    const { log, advance } = setup();
    const loud = Array.from({ length: 10 }, () => {
      advance(QUIET_WINDOW_MS);
      return deliverAndReturn(log, "slow");
    });
    assert.deepEqual(loud, Array(10).fill(true));
  });
});
