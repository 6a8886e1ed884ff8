/**
 * Counters per consumer, with Python's names and meaning (`twisted/stats.py`):
 * `rejected` counts Nack and HaltConsumer(requeue=True), `processed` includes
 * an accepted HaltConsumer message, invalid messages count nowhere.
 *
 * Counted where Python counts them, next to the log line that tells: `received`
 * just before "Consuming message ...", an outcome's counter just before its
 * line ("Successfully consumed ...", "Returning message id ..."). Python does
 * both in one reactor step, so whoever reads a line and then `/ready` sees it
 * counted. Our lines are written by the thread that runs the callback (a
 * worker by default) while `/ready` is answered on the main thread, so the
 * counters live in shared memory: the callback's thread counts, then logs, and
 * the main thread reads.
 */
export interface ConsumerStats {
  received: number;
  processed: number;
  dropped: number;
  rejected: number;
  failed: number;
}

export type StatName = keyof ConsumerStats;

const NAMES: readonly StatName[] = ["received", "processed", "dropped", "rejected", "failed"];

/** One queue's counters in a SharedArrayBuffer, which a worker thread can count into. */
export class SharedStats {
  private readonly cells: BigUint64Array;

  /** New counters, or (in a worker) a view of counters made in another thread. */
  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(NAMES.length * 8)) {
    this.cells = new BigUint64Array(buffer);
  }

  add(name: StatName): void {
    Atomics.add(this.cells, NAMES.indexOf(name), 1n);
  }

  snapshot(): ConsumerStats {
    const stats = emptyStats();
    NAMES.forEach((name, i) => (stats[name] = Number(Atomics.load(this.cells, i))));
    return stats;
  }
}

export function emptyStats(): ConsumerStats {
  return { received: 0, processed: 0, dropped: 0, rejected: 0, failed: 0 };
}

/** Counters summed over several consumers (`/ready` reports the sum, like Python). */
export function sumStats(all: Iterable<ConsumerStats>): ConsumerStats {
  const total = emptyStats();
  for (const stats of all) for (const name of NAMES) total[name] += stats[name];
  return total;
}
