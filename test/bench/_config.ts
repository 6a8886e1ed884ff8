/** The benchmarks' daemon configuration: one pre-filled queue, the no-op callback, the given mode. */
import { rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { writeConsumerConfig } from "../support/consumer-config.js";
import { pluginDirWith } from "../support/plugin-dir.js";

const root = resolve(import.meta.dirname, "../..");

let schemaPluginDir: string | undefined;

/**
 * A plugin directory with the schema package of the sample messages
 * (test/bench/schemas) installed, made once per benchmark process: the
 * messages decode as their own classes, validated against their body
 * schemas, and log Python's two INFO lines each, as in a deployment that
 * installed its schema packages (without them each would also log the
 * "not in the schema registry" WARNING).
 */
function benchPluginDir(): string {
  if (schemaPluginDir === undefined) {
    const dir = pluginDirWith({ "fedora-bench-schemas": join(root, "test/bench/schemas") });
    schemaPluginDir = dir;
    process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  }
  return schemaPluginDir;
}

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
  /** Install the sample messages' schema package in the plugin directory (default true). */
  readonly schemas?: boolean;
}

/** Writes `<dir>/<name or mode>.toml` and returns its path. The queue is bound when it is filled. */
export function writeBenchConfig(dir: string, c: BenchConfig): string {
  return writeConsumerConfig(join(dir, `${c.name ?? c.mode}.toml`), {
    amqpUrl: c.amqpUrl,
    callback: c.callback ?? `${join(root, "test/bench/noop-callback.mjs")}:noop`,
    callbackMode: c.mode,
    extra: [
      ...(c.schemas === false ? [] : [`plugin_dir = ${JSON.stringify(benchPluginDir())}`]),
      ...(c.concurrency ? [`callback_concurrency = ${c.concurrency}`] : []),
    ].join("\n"),
    queue: c.queue,
    ...(c.queueArguments ? { queueArguments: c.queueArguments } : {}),
    prefetch: c.prefetch,
    quiet: c.quiet,
  });
}
