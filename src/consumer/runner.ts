/**
 * Where callbacks run. A runner takes deliveries of one queue in arrival order,
 * processes them strictly one at a time (Python's serial consumer: callbacks
 * never overlap within a queue), and reports each outcome.
 *
 * Two kinds share this contract:
 * - WorkerRunner (default): the callback runs in a worker thread, so that a
 *   callback that blocks (busy loop, sync I/O, Atomics.wait) never stops the
 *   main thread from answering the broker's heartbeats.
 * - InProcessRunner: the callback runs on the main thread; fastest, but a
 *   callback that blocks for longer than the broker's idle timeout loses the
 *   connection.
 */
import type { Delivered } from "./delivery.js";
import type { Outcome } from "./outcome.js";
import type { SharedStats } from "./stats.js";

export interface RunnerEvents {
  /**
   * Outcome of delivery `id`; always in submission order. `id` is undefined
   * when the outcome belongs to no one delivery (the worker thread died).
   */
  outcome(id: number | undefined, outcome: Outcome): void;
}

export interface CallbackRunner {
  /** Loads the callback; rejects with CallbackLoadError when it cannot. */
  start(events: RunnerEvents): Promise<void>;
  /** Queues one delivery for processing. */
  submit(id: number, delivered: Delivered): void;
  /**
   * Stops taking work: the message being processed (if any) finishes and its
   * outcome is reported; the queued ones are not processed. Resolves with their
   * ids, in order, once the current one is done.
   */
  drain(): Promise<number[]>;
  /**
   * Forgets queued deliveries at once, because their link is gone and the broker
   * will redeliver them: processing them now would only make duplicates.
   */
  discardQueued(): void;
  /** The queue's counters, counted by whichever thread runs the callback. */
  readonly stats: SharedStats;
  /** True while a callback is running. */
  readonly busy: boolean;
  /** Releases the thread or other resources. */
  close(): Promise<void>;
}
