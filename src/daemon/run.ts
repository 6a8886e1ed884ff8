/**
 * Runs consumers for the CLI. The real implementation lands with the consumer
 * (issue 4); this signature is what the CLI codes against.
 */
import type { Config } from "../config/types.js";

export interface RunConsumerOptions {
  readonly config: Config;
  /** `path:Name` as given by --callback-file, --callback or the config's `callback`. */
  readonly callbackSpec: string;
  /** Which of those it came from, for error sentences ("--callback argument" / "configuration file"). */
  readonly callbackSource: "--callback-file" | "--callback" | "configuration file";
}

/** How a run ended; the CLI maps it to an exit code in `cli/exit-codes.ts`. */
export type RunOutcome =
  | { readonly kind: "stopped" } // all consumers stopped gracefully (signal, cancel)
  | { readonly kind: "halted"; readonly exitCode: number; readonly reason: string | undefined }
  | { readonly kind: "failed"; readonly error: unknown };

export async function runConsumer(_options: RunConsumerOptions): Promise<RunOutcome> {
  throw new Error("runConsumer: the consumer is not wired yet");
}
