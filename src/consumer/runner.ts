/**
 * Where callbacks run. A runner takes deliveries of one queue in arrival order,
 * starts them in that order with at most `concurrency` in flight at once, and
 * reports each outcome as soon as its delivery is done. With concurrency 1
 * (the default) that is Python's serial consumer: callbacks never overlap
 * within a queue and outcomes come in submission order.
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
   * Outcome of delivery `id`, in completion order (submission order with
   * concurrency 1). `id` is undefined when the outcome belongs to no one
   * delivery (the code running the callbacks died: every unsettled one goes back).
   */
  outcome(id: number | undefined, outcome: Outcome): void;
}

export interface CallbackRunner {
  /** Loads the callback; rejects with CallbackLoadError when it cannot. */
  start(events: RunnerEvents): Promise<void>;
  /** Queues one delivery for processing. */
  submit(id: number, delivered: Delivered): void;
  /**
   * Stops taking work: the messages being processed (if any) finish and their
   * outcomes are reported; the queued ones are not processed. Resolves with their
   * ids, in order, once every one in flight is done.
   */
  drain(): Promise<number[]>;
  /**
   * Forgets queued deliveries at once, because their link is gone and the broker
   * will redeliver them: processing them now would only make duplicates.
   */
  discardQueued(): void;
  /** The queue's counters, counted by whichever thread runs the callback. */
  readonly stats: SharedStats;
  /** How many callbacks may be in flight at once (the config's `callback_concurrency`). */
  readonly concurrency: number;
  /** True while every slot is taken (with concurrency 1: while a callback is running). */
  readonly busy: boolean;
  /** Releases the thread or other resources. */
  close(): Promise<void>;
}
