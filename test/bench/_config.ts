/** The benchmarks' daemon configuration: one pre-filled queue, the no-op callback, the given mode. */
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "../..");

export interface BenchConfig {
  readonly amqpUrl: string;
  readonly queue: string;
  readonly mode: "worker" | "in-process";
  readonly prefetch: number;
  /** Log warnings only (what the two INFO lines per message cost, or to keep large runs quiet). */
  readonly quiet: boolean;
  /** `file:Name` of the callback (default: the no-op one). */
  readonly callback?: string;
  /** `callback_concurrency` (default: unset, 1). */
  readonly concurrency?: number;
}

/** Writes `<dir>/<mode>.toml` and returns its path. */
export function writeBenchConfig(dir: string, c: BenchConfig): string {
  const path = join(dir, `${c.mode}.toml`);
  writeFileSync(
    path,
    [
      `amqp_url = ${JSON.stringify(c.amqpUrl)}`,
      `callback = ${JSON.stringify(c.callback ?? `${join(root, "test/bench/noop-callback.mjs")}:noop`)}`,
      `callback_mode = "${c.mode}"`,
      ...(c.concurrency ? [`callback_concurrency = ${c.concurrency}`] : []),
      "bindings = []", // the queue is bound when it is filled; top-level keys come before tables
      `[queues.${JSON.stringify(c.queue)}]`,
      "durable = true\nauto_delete = false\nexclusive = false\narguments = {}",
      `[qos]\nprefetch_count = ${c.prefetch}`,
      ...(c.quiet ? ['[log_config]\nversion = 1\n[log_config.loggers.fedora_messaging]\nlevel = "WARNING"'] : []),
    ].join("\n") + "\n",
  );
  return path;
}
