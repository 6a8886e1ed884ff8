/**
 * Counters per consumer, with Python's names and meaning (`twisted/stats.py`):
 * `rejected` counts Nack and HaltConsumer(requeue=True), `processed` includes
 * an accepted HaltConsumer message, invalid messages count nowhere.
 */
export interface ConsumerStats {
  received: number;
  processed: number;
  dropped: number;
  rejected: number;
  failed: number;
}

/** Counts a processed message like Python: invalid messages (no counter) count nowhere, not even as received. */
export function countOutcome(stats: ConsumerStats, outcome: { readonly counter?: "processed" | "rejected" | "dropped" | "failed" | undefined }): void {
  if (!outcome.counter) return;
  stats.received++;
  stats[outcome.counter]++;
}

export function emptyStats(): ConsumerStats {
  return { received: 0, processed: 0, dropped: 0, rejected: 0, failed: 0 };
}
