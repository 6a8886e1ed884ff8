/** The benchmarks' daemon configuration: one pre-filled queue, the no-op callback, the given mode. */
import { join, resolve } from "node:path";
import { writeConsumerConfig } from "../support/consumer-config.js";

const root = resolve(import.meta.dirname, "../..");

export interface BenchConfig {
  /** One broker, or the nodes of a cluster. */
  readonly amqpUrl: string | readonly string[];
  readonly queue: string;
  /** The queue's arguments as it was declared (e.g. a quorum queue's); default a classic queue. */
  readonly queueArguments?: Readonly<Record<string, unknown>>;
  readonly mode: "worker" | "in-process";
  readonly prefetch: number;
  /** Log warnings only (what the two INFO lines per message cost, or to keep large runs quiet). */
  readonly quiet: boolean;
  /** The file's name without `.toml` (default the mode): several daemons of one run need one each. */
  readonly name?: string;
  /** `file:Name` of the callback (default: the no-op one). */
  readonly callback?: string;
  /** `callback_concurrency` (default: unset, 1). */
  readonly concurrency?: number;
}

/** Writes `<dir>/<name or mode>.toml` and returns its path. The queue is bound when it is filled. */
export function writeBenchConfig(dir: string, c: BenchConfig): string {
  return writeConsumerConfig(join(dir, `${c.name ?? c.mode}.toml`), {
    amqpUrl: c.amqpUrl,
    callback: c.callback ?? `${join(root, "test/bench/noop-callback.mjs")}:noop`,
    callbackMode: c.mode,
    ...(c.concurrency ? { extra: `callback_concurrency = ${c.concurrency}` } : {}),
    queue: c.queue,
    ...(c.queueArguments ? { queueArguments: c.queueArguments } : {}),
    prefetch: c.prefetch,
    quiet: c.quiet,
  });
}
