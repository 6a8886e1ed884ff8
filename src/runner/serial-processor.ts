/**
 * A queue of deliveries processed strictly one after another, in order. The
 * engine inside both runners (main thread and worker thread).
 *
 * After an outcome that stops the consumer (HaltConsumer, unexpected error) it
 * processes nothing more: the rest stays queued for the owner to release.
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

export class SerialProcessor {
  /** Deliveries in arrival order; those before `head` are done and cleared (a 4 MB body must not outlive its turn). */
  private queue: Array<Item | undefined> = [];
  private head = 0;
  private running = false;
  private stopped = false;
  private idleWaiters: Array<() => void> = [];

  private readonly context: ProcessContext;

  constructor(
    context: ProcessContext,
    private readonly report: (id: number, outcome: Outcome) => void,
  ) {
    const redeliveries = context.redeliveries ?? new RedeliveryLog(summariseReturns);
    this.context = { ...context, redeliveries };
    // Summaries of a message that stopped coming back unseen (dead-lettered by a delivery limit).
    setInterval(() => redeliveries.tick(), QUIET_WINDOW_MS).unref();
  }

  get busy(): boolean {
    return this.running;
  }

  /** Deliveries waiting behind the current one. */
  get queued(): number {
    return this.queue.length - this.head;
  }

  submit(id: number, raw: Delivered): void {
    this.queue.push({ id, raw });
    if (!this.running && !this.stopped) void this.run();
  }

  /** Stops after the current message; resolves with the ids left unprocessed. */
  async drain(): Promise<number[]> {
    this.stopped = true;
    if (this.running) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    return this.discardQueued();
  }

  discardQueued(): number[] {
    const ids = this.queue.slice(this.head).map((item) => item!.id);
    this.queue = [];
    this.head = 0;
    return ids;
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (!this.stopped && this.head < this.queue.length) {
        const item = this.queue[this.head]!;
        this.queue[this.head++] = undefined;
        if (this.head > 1024 && this.head * 2 > this.queue.length) {
          this.queue = this.queue.slice(this.head);
          this.head = 0;
        }
        let outcome: Outcome;
        try {
          outcome = await processDelivery(this.context, item.raw);
        } catch (error) {
          // Decoding itself failed in an unforeseen way: treat like a callback error.
          outcome = outcomeOfError(error);
          this.context.stats.add("received");
          this.context.stats.add("failed");
        }
        if (outcome.stop) this.stopped = true;
        this.report(item.id, outcome);
      }
    } finally {
      this.running = false;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }
}

function summariseReturns(id: string, count: number, seconds: number): void {
  log.warning(
    `Message id ${id} was returned to the queue ${count} more times in ${seconds} s (not logged one by one); ` +
      "a message returned every time is redelivered forever: give the queue a delivery limit " +
      "(a quorum queue with x-delivery-limit) and a dead-letter exchange",
  );
}
