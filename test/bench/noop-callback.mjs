// The benchmark's callback: does nothing per message but count; on the last
// one it writes when the first and last messages arrived, then halts (exit 0).
import { writeFileSync } from "node:fs";

const total = Number(process.env.FM_BENCH_COUNT);
const out = process.env.FM_BENCH_OUT;
let seen = 0;
let first = 0;

// Thrown by brand, like a plugin that does not import the library.
class Halt extends Error {
  [Symbol.for("fedora-messaging.control")] = "halt";
  exitCode = 0;
}

export function noop() {
  if (seen === 0) first = Date.now();
  if (++seen === total) {
    writeFileSync(out, JSON.stringify({ first, last: Date.now(), seen }));
    throw new Halt("benchmark done");
  }
}
