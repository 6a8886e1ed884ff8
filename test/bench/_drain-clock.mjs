// What every consumer of the bench reports when it has drained its messages
// (test/bench/run.ts reads it): when the first, the halfway and the last message
// arrived, how many there were, and the process's CPU time (all threads) at the
// halfway message and at the last one. The second half shows the steady rate
// and cost per message; the whole drain also holds the warm-up (the JIT
// compiling the hot paths: in our worker mode the first 2,000 messages cost
// 0.21 ms of CPU each, the next 8,000 0.09, the last 10,000 0.054), which in a
// 20,000-message drain is a large share: the bench prints both.

/** The process's user + system CPU time so far, ms (every thread's, also from a worker thread). */
function cpuMs() {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

export class DrainClock {
  #total;
  #halfway;
  first = 0;
  last = 0;
  seen = 0;
  /** When the halfway message arrived (Date.now()). */
  halfwayAt = Number.NaN;
  cpuHalfwayMs = Number.NaN;
  cpuLastMs = Number.NaN;

  /** `total`: the messages to drain (NaN when unknown: only times are kept). */
  constructor(total) {
    this.#total = total;
    this.#halfway = Math.ceil(total / 2);
  }

  /** Counts a message that arrived now; true when it is the last. */
  tick() {
    const now = Date.now();
    if (this.seen === 0) this.first = now;
    this.last = now;
    this.seen++;
    if (this.seen === this.#halfway) {
      this.halfwayAt = now;
      this.cpuHalfwayMs = cpuMs();
    }
    if (this.seen !== this.#total) return false;
    this.cpuLastMs = cpuMs();
    return true;
  }

  /** What the bench reads, as JSON text. */
  report() {
    return JSON.stringify({ first: this.first, last: this.last, seen: this.seen, halfwayAt: this.halfwayAt, cpuHalfwayMs: this.cpuHalfwayMs, cpuLastMs: this.cpuLastMs, halfway: this.#halfway });
  }
}
