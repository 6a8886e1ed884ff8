/**
 * The built-in printer: Python's `print(str(message))`, and nothing lost or
 * reordered when stdout is a pipe whose reader is slow (a full pipe gives the
 * main thread a queued write, and a worker thread EAGAIN on fd 1).
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

/** Enough to fill a 64 KiB pipe many times over (~4.2 MB). */
const COUNT = 20_000;
/** How long the reader leaves the pipe full before reading. */
const READER_DELAY_S = 2;
const PAD = "x".repeat(200);

let dir = "";
let script = "";

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "fm-printer-"));
  script = join(dir, "print-burst.mjs");
  // Plain Node, as shipped: tsx would not load the worker thread's TypeScript.
  await build({
    entryPoints: [fileURLToPath(new URL("../../fixtures/callbacks/print-burst.ts", import.meta.url))],
    bundle: true,
    platform: "node",
    target: "node20",
    format: "esm",
    outfile: script,
    logLevel: "error",
    banner: { js: 'import { createRequire as __cr } from "node:module"; const require = __cr(import.meta.url);' },
  });
});
after(() => rmSync(dir, { recursive: true, force: true }));

function expectedLines(mode: "main" | "worker"): string[] {
  const lines: string[] = [];
  for (let i = 0; i < COUNT; i++) {
    lines.push(`message ${i} ${PAD}`);
    if (mode === "main" && i % 1000 === 999) lines.push(`[fedora_messaging.test INFO] after ${i}`);
  }
  return lines;
}

/** A shell pipe (a real FIFO pipe) into `sleep; cat`. */
async function throughShellPipe(mode: "main" | "worker"): Promise<string> {
  const out = join(dir, `shell-${mode}.txt`);
  const child = spawn(
    "bash",
    ["-c", `set -o pipefail; "${process.execPath}" "${script}" ${COUNT} ${mode} | (sleep ${READER_DELAY_S}; cat) > "${out}"`],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => void (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  assert.equal(code, 0, stderr);
  return readFileSync(out, "utf8");
}

/** A Node parent (stdio is a socket pair) that does not read for a while. */
async function throughPausedSocket(mode: "main" | "worker"): Promise<string> {
  const child = spawn(process.execPath, [script, String(COUNT), mode], { stdio: ["ignore", "pipe", "pipe"] });
  child.stdout.pause();
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => void (stderr += chunk.toString()));
  await new Promise((resolve) => setTimeout(resolve, READER_DELAY_S * 1000));
  const chunks: Buffer[] = [];
  child.stdout.on("data", (chunk: Buffer) => void chunks.push(chunk));
  child.stdout.resume();
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  assert.equal(code, 0, stderr);
  return Buffer.concat(chunks).toString("utf8");
}

describe("printer", () => {
  test("prints String(message) and a newline", () => {
    const child = spawnSync(process.execPath, [script, "2", "main"], { encoding: "utf8" });
    assert.equal(child.stdout, `message 0 ${PAD}\nmessage 1 ${PAD}\n`);
  });

  test("a slow reader loses nothing and reorders nothing", async () => {
    const [shellMain, shellWorker, socketMain, socketWorker] = await Promise.all([
      throughShellPipe("main"),
      throughShellPipe("worker"),
      throughPausedSocket("main"),
      throughPausedSocket("worker"),
    ]);
    for (const [name, output, mode] of [
      ["shell pipe, main thread", shellMain, "main"],
      ["shell pipe, worker thread", shellWorker, "worker"],
      ["socket pair, main thread", socketMain, "main"],
      ["socket pair, worker thread", socketWorker, "worker"],
    ] as const) {
      const lines = output.split("\n");
      assert.equal(lines.pop(), "", `${name}: ends with a newline`);
      assert.deepEqual(lines, expectedLines(mode), name);
    }
  });
});
