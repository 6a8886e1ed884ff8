/**
 * The bundle's memory setting (a young generation of 1 MiB semi-spaces, the
 * shebang's --max-semi-space-size=1) holds however the daemon is started:
 * through the shebang, and as `node dist/fedora-messaging.js`, which never
 * reads the shebang (src/young-generation.ts pins it at run time). A size the
 * user gives node wins. The SEA's own check is in sea.test.ts, the installed
 * package's (npm's bin shim, npx) in packed-package.test.ts. The shebang also
 * fixes glibc's mmap threshold (build/build.mjs; systemd.test.ts checks the
 * unit's same setting).
 */
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { waitForQueue } from "../support/management.js";
import { until } from "../support/wait.js";
import { CLI, ROOT, runCli, testQueues, writeConfig, type RunOptions } from "./_harness.js";

const freshQueue = testQueues();
/** Makes the garbage that grows the young generation to 32 MiB when nothing stops it, records its size, halts. */
const HEAP_PROBE = join(ROOT, "test/fixtures/sea/heap-probe.mjs:probe");
const PINNED_MAX = 2 * 1024 * 1024; // two semi-spaces of 1 MiB

type HeapProbe = {
  /** new_space's size in bytes after the probe's garbage, made on the main thread (in-process mode). */
  readonly newSpaceBytes: number;
  /** MALLOC_MMAP_THRESHOLD_ in the daemon's environment (null: unset). */
  readonly mallocMmapThreshold: string | null;
};

async function runHeapProbe(options: RunOptions): Promise<HeapProbe> {
  const queue = await freshQueue("young-gen");
  const config = writeConfig(queue, { callback: HEAP_PROBE, callbackMode: "in-process" });
  await queue.publish([{ file: queue.recordFile }]);
  const run = runCli(["--conf", config, "consume"], options);
  assert.equal(await run.exited, 0, run.stderr());
  const [probe] = queue.records() as HeapProbe[];
  return probe!;
}

async function probeNewSpace(options: RunOptions): Promise<number> {
  return (await runHeapProbe(options)).newSpaceBytes;
}

describe("the young generation stays at 1 MiB semi-spaces", () => {
  test("run as `node dist/fedora-messaging.js`, without the shebang's flags (in-process)", async () => {
    const bytes = await probeNewSpace({ env: { NODE_OPTIONS: "" } });
    assert.ok(bytes <= PINNED_MAX, `new_space grew to ${bytes} bytes`);
  });

  test("run as `node dist/fedora-messaging.js`, worker mode: the main thread's, after the worker started and 4,000 messages", async () => {
    // The callback runs in the worker (whose heap has limits of its own): the main thread's young
    // generation is read from a diagnostic report. The worker's start resets V8's flags; left
    // that way, decoding these messages grows it to 32 MiB.
    const queue = await freshQueue("young-gen-worker");
    const reports = mkdtempSync(join(tmpdir(), "fm-report-"));
    try {
      const text = "x".repeat(2000);
      for (let batch = 0; batch < 2; batch++) await queue.publish(Array.from({ length: 2000 }, (_, n) => ({ n, text })));
      const config = writeConfig(queue, { callbackMode: "worker" });
      const run = runCli(["--conf", config, "consume"], { env: { NODE_OPTIONS: `--report-on-signal --report-signal=SIGUSR2 --report-directory=${reports}` } });
      await waitForQueue(queue.name, (q) => q.messages === 0, 60_000);
      run.child.kill("SIGUSR2");
      const report = () => {
        const [file] = readdirSync(reports);
        try {
          return file ? (JSON.parse(readFileSync(join(reports, file), "utf8")) as { javascriptHeap: { heapSpaces: Record<string, { memorySize: number }> } }) : undefined;
        } catch {
          return undefined; // still being written
        }
      };
      await until(() => report() !== undefined, { what: "a diagnostic report" });
      run.child.kill("SIGTERM");
      assert.equal(await run.exited, 0, run.stderr());
      const bytes = report()!.javascriptHeap.heapSpaces["new_space"]!.memorySize;
      assert.ok(bytes <= PINNED_MAX, `new_space grew to ${bytes} bytes`);
    } finally {
      rmSync(reports, { recursive: true, force: true });
    }
  });

  test("run through the bundle's shebang (in-process), which also fixes glibc's mmap threshold", async () => {
    const probe = await runHeapProbe({ executable: CLI, env: { NODE_OPTIONS: "" } });
    assert.ok(probe.newSpaceBytes <= PINNED_MAX, `new_space grew to ${probe.newSpaceBytes} bytes`);
    // build/build.mjs says why; glibc reads it only at exec, so only the shebang (and the unit) can set it.
    assert.equal(probe.mallocMmapThreshold, "131072");
  });

  test("a semi-space size given to node wins (NODE_OPTIONS=--max-semi-space-size=4)", async () => {
    const bytes = await probeNewSpace({ env: { NODE_OPTIONS: "--max-semi-space-size=4" } });
    assert.ok(bytes > PINNED_MAX && bytes <= 8 * 1024 * 1024, `new_space is ${bytes} bytes`);
  });
});
