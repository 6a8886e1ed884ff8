/**
 * Runs the callback on the main thread (`callback_mode = "in-process"`, or a
 * function handed to `consume()` from JS, which cannot cross to a thread).
 * Fastest; a callback that blocks the thread longer than the broker's idle
 * timeout loses the connection, so only use it for callbacks that don't.
 */
import { loadCallback } from "../callback/load.js";
import { callbackRepr, type MessageHandler } from "./process.js";
import type { CallbackSource } from "../callback/spec.js";
import type { CallbackRunner, RunnerEvents } from "../consumer/runner.js";
import { CallbackProcessor } from "./callback-processor.js";
import type { Delivered } from "../consumer/delivery.js";
import { SharedStats } from "../consumer/stats.js";
import { watchMainThread } from "./death.js";

export class InProcessRunner implements CallbackRunner {
  private processor: CallbackProcessor | undefined;
  readonly stats = new SharedStats();
  private unwatch: (() => void) | undefined;

  /**
   * @param callback a plugin to load, or a handler; `fromPlugin` says a handler
   *   came from a plugin the daemon loaded (watched like one: see death.ts),
   *   not from a program's `consume()` call; `concurrency` is the config's
   *   `callback_concurrency` (default 1).
   */
  constructor(
    private readonly queue: string,
    private readonly callback: MessageHandler | CallbackSource,
    private readonly options: { readonly fromPlugin?: boolean; readonly concurrency?: number } = {},
  ) {}

  get concurrency(): number {
    return this.options.concurrency ?? 1;
  }

  async start(events: RunnerEvents): Promise<void> {
    const handler = typeof this.callback === "function" ? this.callback : await loadSource(this.callback);
    const consumerRepr = `Consumer(queue=${this.queue}, callback=${callbackRepr(handler)})`;
    const processor = new CallbackProcessor({ queue: this.queue, handler, consumerRepr, stats: this.stats }, (id, outcome) => events.outcome(id, outcome), this.concurrency);
    this.processor = processor;
    if (typeof this.callback !== "function" || this.options.fromPlugin) {
      const stats = this.stats;
      this.unwatch = watchMainThread({
        queue: this.queue,
        stats,
        get running() {
          return processor.running;
        },
        events: {
          outcome: (id, outcome) => {
            processor.discardQueued(); // nothing more runs on a thread in this state
            events.outcome(id, outcome);
          },
        },
      });
    }
  }

  submit(id: number, delivered: Delivered): void {
    this.started().submit(id, delivered);
  }

  drain(): Promise<number[]> {
    return this.started().drain();
  }

  discardQueued(): void {
    this.processor?.discardQueued();
  }

  get busy(): boolean {
    return this.processor?.busy ?? false;
  }

  async close(): Promise<void> {
    this.unwatch?.();
    this.processor?.discardQueued();
  }

  private started(): CallbackProcessor {
    if (!this.processor) throw new Error("the callback runner was used before start()");
    return this.processor;
  }
}

/**
 * Loads a callback for the main thread. The daemon calls it once and hands the
 * handler to every queue's runner, so that a class callback is instantiated
 * once per process, as Python does (a worker thread cannot share it: each
 * worker loads its own).
 */
export async function loadSource(source: CallbackSource): Promise<MessageHandler> {
  const { spec, pluginDir, cwd } = source;
  return (await loadCallback(spec, { pluginDir, cwd, source: source.source })) as MessageHandler;
}
