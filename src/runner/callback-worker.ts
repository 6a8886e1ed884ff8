/**
 * The callback worker thread: imports the user's plugin here (not on the main
 * thread), processes the deliveries of one queue one at a time, and reports
 * outcomes in batches. Bundled separately and started from a string (see
 * build/build.mjs), so it also runs inside a single-file SEA binary.
 */
import { parentPort } from "node:worker_threads";
import { loadCallback } from "../callback/load.js";
import { registerSchemaPackages } from "../callback/schemas.js";
import { applyLogConfig } from "../config/logging.js";
import { setCurrentConfig } from "../config/current.js";
import { callbackRepr } from "./process.js";
import type { Outcome } from "../consumer/outcome.js";
import { CallbackProcessor } from "./callback-processor.js";
import { unpackDeliveries } from "./delivery-batch.js";
import { SharedStats } from "../consumer/stats.js";
import { flushOut, orderStdout } from "../output.js";
import { reapplyDaemonFlags } from "../daemon-v8-flags.js";
import { handOverLibrary } from "../library-handover.js";
import type { FromWorker, ToWorker } from "./worker-protocol.js";

/** Outcomes wait at most this long for company before they are sent. */
const OUTCOME_FLUSH_MS = 2;
const OUTCOME_BATCH_MAX = 64;

const port = parentPort;
if (!port) throw new Error("callback-worker must run in a worker thread");
// A plugin's console.log joins our log lines on fd 1, in order.
orderStdout();
// This thread's start reset V8's flags to node's command line: the daemon's again (daemon-v8-flags.ts).
reapplyDaemonFlags();
// The plugin's `import "fedora-messaging"` gets this thread's copy, not a second one.
handOverLibrary();


let processor: CallbackProcessor | undefined;
let pendingIds: number[] = [];
let pendingOutcomes: Outcome[] = [];
let lastFlush = Date.now();
let flushSoon = false;

function send(message: FromWorker): void {
  port!.postMessage(message);
}

function flush(): void {
  // Lines about these messages go out before the main thread acts on their outcomes.
  flushOut();
  if (pendingIds.length === 0) return;
  send({ t: "outcomes", ids: pendingIds, outcomes: pendingOutcomes });
  pendingIds = [];
  pendingOutcomes = [];
  lastFlush = Date.now();
}

function report(id: number, outcome: Outcome): void {
  pendingIds.push(id);
  pendingOutcomes.push(outcome);
  if (outcome.stop || !processor || processor.queued === 0 || pendingIds.length >= OUTCOME_BATCH_MAX || Date.now() - lastFlush >= OUTCOME_FLUSH_MS) {
    flush();
  } else if (!flushSoon) {
    // Never held until the next outcome: with several callbacks in flight (or a slow one next), that may be long.
    flushSoon = true;
    setImmediate(() => {
      flushSoon = false;
      if (pendingIds.length > 0) flush();
    });
  }
}

port.on("message", (message: ToWorker) => {
  switch (message.t) {
    case "init":
      void init(message);
      break;
    case "deliver": {
      const items = unpackDeliveries(message.batch);
      for (let i = 0; i < message.ids.length; i++) processor?.submit(message.ids[i]!, items[i]!);
      break;
    }
    case "drain":
      void processor?.drain().then((ids) => {
        flush();
        send({ t: "drained", ids });
      });
      if (!processor) send({ t: "drained", ids: [] });
      break;
    case "discard": {
      const count = processor?.discardQueued().length ?? 0;
      if (count > 0) send({ t: "discarded", count });
      break;
    }
  }
});

async function init(message: Extract<ToWorker, { t: "init" }>): Promise<void> {
  setCurrentConfig(message.config);
  applyLogConfig(message.config.log_config, { quiet: true }); // the main thread already warned about ignored parts
  try {
    const { spec, pluginDir, cwd, source } = message.source;
    await registerSchemaPackages(pluginDir); // this thread decodes: its registry needs the installed schemas
    const handler = await loadCallback(spec, { pluginDir, cwd, source });
    const consumerRepr = `Consumer(queue=${message.queue}, callback=${callbackRepr(handler)})`;
    const context = { queue: message.queue, handler: handler as (m: unknown) => unknown, consumerRepr, stats: new SharedStats(message.stats) };
    processor = new CallbackProcessor(context, report, message.config.callback_concurrency);
    send({ t: "ready" });
  } catch (error) {
    const e = error as { name?: string; message?: string; exitCode?: number };
    send({ t: "load-failed", name: e.name ?? "Error", message: e.message ?? String(error), exitCode: e.exitCode ?? 1 });
  }
}
