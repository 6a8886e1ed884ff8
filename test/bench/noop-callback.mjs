// The benchmark's callback: does nothing per message but count.
//
// With FM_BENCH_COUNT (one daemon drains the queue alone, test/bench/run.ts): on
// the last message it writes when the first and last messages arrived and the
// process's CPU time at the halfway and last messages (_drain-clock.mjs), then
// halts (exit 0).
//
// With FM_BENCH_GATE instead (several daemons share the queue, test/bench/cluster.ts:
// none knows its share): on its first message it creates FM_BENCH_OUT.ready and
// blocks until the gate file exists, so that every daemon is attached and
// holding messages when the clock starts; from then on it writes { first, last,
// seen } to FM_BENCH_OUT every 100 ms, and the benchmark stops it with SIGTERM
// once the daemons' counts add up.
import { existsSync, renameSync, writeFileSync } from "node:fs";
import { DrainClock } from "./_drain-clock.mjs";

const total = Number(process.env.FM_BENCH_COUNT);
const out = process.env.FM_BENCH_OUT;
const gate = process.env.FM_BENCH_GATE;
// FM_BENCH_COUNT is "" under a gate: NaN, never reached.
const clock = new DrainClock(total);

// Thrown by brand, like a plugin that does not import the library.
class Halt extends Error {
  [Symbol.for("fedora-messaging.control")] = "halt";
  exitCode = 0;
}

function waitForGate() {
  writeFileSync(`${out}.ready`, "");
  const pause = new Int32Array(new SharedArrayBuffer(4));
  while (!existsSync(gate)) Atomics.wait(pause, 0, 0, 5);
  // Written aside and renamed: the benchmark reads the file meanwhile and must never see half of it.
  setInterval(() => {
    writeFileSync(`${out}.tmp`, clock.report());
    renameSync(`${out}.tmp`, out);
  }, 100).unref();
}

export function noop() {
  if (clock.seen === 0 && gate) waitForGate();
  if (clock.tick()) {
    writeFileSync(out, clock.report());
    throw new Halt("benchmark done");
  }
}
