/**
 * A queue of deliveries processed in arrival order with at most `concurrency`
 * callbacks in flight at once. The engine inside both runners (main thread and
 * worker thread).
 *
 * With concurrency 1 (the default, Python's serial consumer) each delivery
 * starts when the one before it is done, and outcomes are reported in
 * submission order. With N > 1, up to N run interleaved in the one thread
 * (async callbacks overlap while they await; a sync callback still runs
 * alone, start to finish), and each outcome is reported as soon as its
 * delivery is done, in completion order.
 *
 * After an outcome that stops the consumer (HaltConsumer, unexpected error) it
 * starts nothing more: the ones already in flight finish and are reported,
 * the rest stays queued for the owner to release.
 */
import type { Delivered } from "../consumer/delivery.js";
import { outcomeOfError, type Outcome } from "../consumer/outcome.js";
import { getLogger } from "../log.js";
import { processDelivery, type ProcessContext } from "./process.js";
import { QUIET_WINDOW_MS, RedeliveryLog } from "./redelivery-log.js";

const log = getLogger("fedora_messaging.twisted.consumer");

interface Item {
  readonly id: number;
  readonly raw: Delivered;
}

export class CallbackProcessor {
  /** Deliveries in arrival order; those before `head` are started and cleared (a 4 MB body must not outlive its turn). */
  private queue: Array<Item | undefined> = [];
  private head = 0;
  private inFlight = 0;
  private stopped = false;
  private idleWaiters: Array<() => void> = [];

  private readonly context: ProcessContext;

  constructor(
    context: ProcessContext,
    private readonly report: (id: number, outcome: Outcome) => void,
    /** Callbacks allowed in flight at once (the config's `callback_concurrency`). */
    readonly concurrency = 1,
  ) {
    const redeliveries = context.redeliveries ?? new RedeliveryLog(summariseReturns);
    this.context = { ...context, redeliveries };
    // Summaries of a message that stopped coming back unseen (dead-lettered by a delivery limit).
    setInterval(() => redeliveries.tick(), QUIET_WINDOW_MS).unref();
  }

  /** Deliveries being processed right now. */
  get running(): number {
    return this.inFlight;
  }

  /** True while every slot is taken (with concurrency 1: while a callback runs). */
  get busy(): boolean {
    return this.inFlight >= this.concurrency;
  }

  /** Deliveries waiting for a slot. */
  get queued(): number {
    return this.queue.length - this.head;
  }

  submit(id: number, raw: Delivered): void {
    this.queue.push({ id, raw });
    this.startWaiting();
  }

  /** Starts nothing more; resolves, once every delivery in flight is done and reported, with the ids left unprocessed. */
  async drain(): Promise<number[]> {
    this.stopped = true;
    if (this.inFlight > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    return this.discardQueued();
  }

  discardQueued(): number[] {
    const ids = this.queue.slice(this.head).map((item) => item!.id);
    this.queue = [];
    this.head = 0;
    return ids;
  }

  // --- internal ---

  /** Fills the free slots from the queue, in arrival order. */
  private startWaiting(): void {
    while (!this.stopped && this.inFlight < this.concurrency && this.head < this.queue.length) {
      const item = this.queue[this.head]!;
      this.queue[this.head++] = undefined;
      if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue = this.queue.slice(this.head);
        this.head = 0;
      }
      this.inFlight++;
      void this.process(item);
    }
  }

  private async process(item: Item): Promise<void> {
    let outcome: Outcome;
    try {
      outcome = await processDelivery(this.context, item.raw);
    } catch (error) {
      // Decoding itself failed in an unforeseen way: treat like a callback error.
      outcome = outcomeOfError(error);
      this.context.stats.add("received");
      this.context.stats.add("failed");
    }
    this.inFlight--;
    if (outcome.stop) this.stopped = true;
    try {
      this.report(item.id, outcome);
    } finally {
      if (this.inFlight === 0) this.wakeIdleWaiters();
      this.startWaiting();
    }
  }

  private wakeIdleWaiters(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

function summariseReturns(id: string, count: number, seconds: number): void {
  log.warning(
    `Message id ${id} was returned to the queue ${count} more times in ${seconds} s (not logged one by one); ` +
      "a message returned every time is redelivered forever: give the queue a delivery limit " +
      "(a quorum queue with x-delivery-limit) and a dead-letter exchange",
  );
}
