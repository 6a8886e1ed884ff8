/**
 * Runs the callback in a worker thread (the default), like Python runs sync
 * callbacks in a thread pool: the main thread keeps talking to the broker
 * (heartbeats, flow, settlements) however long a callback blocks.
 *
 * Deliveries that arrive from one socket read are posted together; the
 * worker processes them in order and reports outcomes in batches.
 */
import { Worker } from "node:worker_threads";
import type { Config } from "../config/types.js";
import { CallbackLoadError } from "../errors.js";
import type { Delivered } from "../consumer/delivery.js";
import { batchTransfers, packDeliveries } from "./delivery-batch.js";
import type { CallbackSource } from "../callback/spec.js";
import type { CallbackRunner, RunnerEvents } from "../consumer/runner.js";
import type { FromWorker, ToWorker } from "./worker-protocol.js";
import { workerDied } from "./death.js";
import { SharedStats } from "../consumer/stats.js";

/** Set by build/build.mjs: the bundled worker, so no file is needed beside the bundle. */
declare const __FM_WORKER_SOURCE__: string | undefined;

/**
 * Young generation of the worker's heap, MiB (V8: three semi-spaces of 1 MiB),
 * as the bundle's --max-semi-space-size=1 makes it anyway; a SEA binary,
 * which takes no node flags, relies on this limit.
 */
const WORKER_YOUNG_GENERATION_MB = 3;

function startWorker(): Worker {
  // A small young generation, as for the main thread (see the CLI's shebang in build/build.mjs).
  if (typeof __FM_WORKER_SOURCE__ === "string") {
    return new Worker(__FM_WORKER_SOURCE__, { eval: true, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } });
  }
  // Running from source (tests, under tsx): loader hooks of the main thread do
  // not reach a worker on Node 20, so the worker registers tsx itself first.
  const tsxApi = import.meta.resolve("tsx/esm/api");
  const workerFile = new URL("./callback-worker.ts", import.meta.url).href;
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(workerFile)}); });`;
  return new Worker(bootstrap, { eval: true });
}

export class WorkerRunner implements CallbackRunner {
  private worker: Worker | undefined;
  private events: RunnerEvents | undefined;
  private batchIds: number[] = [];
  private batchItems: Delivered[] = [];
  private flushScheduled = false;
  private outstanding = 0;
  private drainWaiter: ((ids: number[]) => void) | undefined;
  private crashed: Error | undefined;
  private ready = false;
  private closing = false;
  /** Counted by the worker (see stats.ts); by this thread only for a message the dead worker was on. */
  readonly stats = new SharedStats();

  constructor(
    private readonly queue: string,
    private readonly source: CallbackSource,
    private readonly config: Config,
  ) {}

  start(events: RunnerEvents): Promise<void> {
    this.events = events;
    const worker = startWorker();
    this.worker = worker;
    return new Promise((resolve, reject) => {
      const onMessage = (message: FromWorker) => {
        switch (message.t) {
          case "ready":
            this.ready = true;
            resolve();
            break;
          case "load-failed":
            reject(new CallbackLoadError(message.message, message.exitCode === 2 ? 2 : 1));
            break;
          case "outcomes":
            this.outstanding -= message.ids.length;
            for (let i = 0; i < message.ids.length; i++) events.outcome(message.ids[i]!, message.outcomes[i]!);
            break;
          case "discarded":
            this.outstanding -= message.count;
            break;
          case "drained": {
            this.outstanding -= message.ids.length;
            const waiter = this.drainWaiter;
            this.drainWaiter = undefined;
            waiter?.(message.ids);
            break;
          }
        }
      };
      worker.on("message", onMessage);
      // Whatever ends the thread (an error thrown from a plugin's timer, an
      // unhandled rejection, process.exit in the plugin), at any time: never a
      // thread that silently stopped processing while messages keep coming.
      worker.on("error", (error) => this.died(error, reject));
      worker.on("exit", (code) => {
        if (this.closing) return;
        const error = new Error(`the callback worker thread exited with code ${code} (process.exit() in plugin code?)`);
        error.stack = `Error: ${error.message}`; // our own frames would only mislead
        this.died(error, reject);
      });
      this.post({ t: "init", queue: this.queue, source: this.source, config: this.config, stats: this.stats.buffer });
    });
  }

  submit(id: number, delivered: Delivered): void {
    this.outstanding++;
    this.batchIds.push(id);
    this.batchItems.push(delivered);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      // rhea hands over every transfer of one socket read synchronously: a
      // microtask runs right after the last of them, so they travel together
      // without waiting for the next turn of the event loop.
      queueMicrotask(() => this.flushBatch());
    }
  }

  drain(): Promise<number[]> {
    this.flushBatch();
    if (this.crashed || !this.worker) return Promise.resolve([]);
    return new Promise((resolve) => {
      this.drainWaiter = resolve;
      this.post({ t: "drain" });
    });
  }

  discardQueued(): void {
    this.outstanding -= this.batchIds.length;
    this.batchIds = [];
    this.batchItems = [];
    this.post({ t: "discard" });
  }

  get concurrency(): number {
    return this.config.callback_concurrency;
  }

  /** Every slot taken: as many submitted and not yet reported as may run at once. */
  get busy(): boolean {
    return this.outstanding >= this.concurrency;
  }

  async close(): Promise<void> {
    this.closing = true;
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }

  // --- internal ---

  private flushBatch(): void {
    this.flushScheduled = false;
    if (this.batchIds.length === 0) return;
    const batch = packDeliveries(this.batchItems);
    // Moved to the worker, not copied: this thread keeps no copy of the bodies.
    this.worker?.postMessage({ t: "deliver", ids: this.batchIds, batch } satisfies ToWorker, batchTransfers(batch));
    this.batchIds = [];
    this.batchItems = [];
  }

  private post(message: ToWorker): void {
    this.worker?.postMessage(message);
  }

  /** The thread is gone. While loading, start() fails; later the run ends like a callback error. */
  private died(error: Error, failStart: (error: Error) => void): void {
    if (this.crashed) return;
    this.crashed = error;
    this.worker = undefined;
    if (!this.ready) {
      failStart(error);
      return;
    }
    // The worker fills its slots first: the first `concurrency` unreported ones were running.
    const running = Math.min(this.outstanding, this.concurrency);
    this.outstanding = 0;
    if (this.events) workerDied({ queue: this.queue, stats: this.stats, events: this.events, running }, error);
    this.drainWaiter?.([]);
    this.drainWaiter = undefined;
  }
}
