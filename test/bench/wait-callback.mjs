// The concurrency benchmark's callback: awaits FM_BENCH_WAIT_MS (default 10)
// per message, as a callback waiting on a remote service would; when the
// last one is done it writes when the first started and the last ended, then
// halts (exit 0).
import { writeFileSync } from "node:fs";

const total = Number(process.env.FM_BENCH_COUNT);
const out = process.env.FM_BENCH_OUT;
const waitMs = Number(process.env.FM_BENCH_WAIT_MS ?? 10);
let done = 0;
let first = 0;

// Thrown by brand, like a plugin that does not import the library.
class Halt extends Error {
  [Symbol.for("fedora-messaging.control")] = "halt";
  exitCode = 0;
}

export async function wait() {
  if (first === 0) first = Date.now();
  await new Promise((resolve) => setTimeout(resolve, waitMs));
  if (++done === total) {
    writeFileSync(out, JSON.stringify({ first, last: Date.now(), seen: done }));
    throw new Halt("benchmark done");
  }
}
