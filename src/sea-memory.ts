/**
 * The bundle's shebang runs node with `--max-semi-space-size=1` (see
 * build/build.mjs): a small young generation, for ~20 MiB less peak RSS at
 * the same speed. A SEA binary takes no node options, and V8 reads that one
 * only when a heap is made; stopping the young generation from growing beyond
 * its initial 1 MiB semi-spaces has the same effect, and V8 reads this flag
 * each time it would grow it. Starting a worker thread resets V8's flags
 * (measured on Node 20), so the callback worker sets it again when it starts.
 * Flags are per process: this covers every thread's heap.
 */
import { isSea } from "node:sea";
import { setFlagsFromString } from "node:v8";

export function pinYoungGenerationInSea(): void {
  if (isSea()) setFlagsFromString("--semi-space-growth-factor=1");
}
