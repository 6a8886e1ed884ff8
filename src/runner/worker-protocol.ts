/**
 * Messages between the main thread and a callback worker thread. Everything is
 * plain data (structured clone). Deliveries and outcomes travel in batches: a
 * postMessage costs far more than processing a small message, so the main
 * thread sends every delivery that arrived in one event-loop turn together, and
 * the worker reports outcomes together unless a callback is slow.
 */
import type { Config } from "../config/types.js";
import type { DeliveryBatch } from "./delivery-batch.js";
import type { Outcome } from "../consumer/outcome.js";
import type { CallbackSource } from "../callback/spec.js";

export type ToWorker =
  | {
      readonly t: "init";
      readonly queue: string;
      readonly source: CallbackSource;
      readonly config: Config;
      /** The queue's counters (consumer/stats.ts), shared with the main thread. */
      readonly stats: SharedArrayBuffer;
    }
  | { readonly t: "deliver"; readonly ids: number[]; readonly batch: DeliveryBatch }
  | { readonly t: "drain" }
  | { readonly t: "discard" };

export type FromWorker =
  | { readonly t: "ready" }
  | { readonly t: "load-failed"; readonly name: string; readonly message: string; readonly exitCode: number }
  | { readonly t: "outcomes"; readonly ids: number[]; readonly outcomes: Outcome[] }
  | { readonly t: "drained"; readonly ids: number[] }
  /** The queued deliveries a "discard" dropped: never reported, no longer outstanding. */
  | { readonly t: "discarded"; readonly count: number };
