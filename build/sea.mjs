#!/usr/bin/env node
/**
 * Builds the single executable dist/fedora-messaging (a Node SEA) from the
 * bundle dist/fedora-messaging.js, which `npm run build` writes first.
 *
 * - `useCodeCache: false`: with a code cache, `import()` of plugin files fails
 *   in the SEA main script on Node 20 (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING).
 * - No assets: plugins import "fedora-messaging" from the binary itself, the
 *   copy the daemon hands over (src/callback/sea-library.ts).
 * - The binary is a copy of the node running this script, with the blob
 *   injected by postject. Never strip it: a stripped SEA segfaults
 *   (nodejs/postject#90); packaging/fedora-messaging.spec turns stripping off.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const dist = join(root, "dist");
// For tests only: `--code-cache --output FILE` builds the variant whose `import()` of files
// fails on Node 20, so that the fallback in src/callback/load.ts importPlugin() runs.
const argv = process.argv.slice(2);
const codeCache = argv.includes("--code-cache");
const output = argv.includes("--output") ? argv[argv.indexOf("--output") + 1] : join(dist, "fedora-messaging");
/** The fuse every Node SEA-capable binary carries (Node's documentation). */
const SEA_FUSE = "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2";

if (!existsSync(join(dist, "fedora-messaging.js"))) {
  console.error("build/sea.mjs: dist/fedora-messaging.js is missing: run `npm run build` first");
  process.exit(1);
}

const work = mkdtempSync(join(tmpdir(), "fm-sea-"));
try {
  const blob = join(work, "sea.blob");
  const config = {
    main: join(dist, "fedora-messaging.js"),
    output: blob,
    disableExperimentalSEAWarning: true,
    useCodeCache: codeCache,
    useSnapshot: false,
  };
  writeFileSync(join(work, "sea-config.json"), JSON.stringify(config));
  // The blob must come from the same node binary that it is injected into.
  execFileSync(process.execPath, ["--experimental-sea-config", join(work, "sea-config.json")], { stdio: "ignore" });
  rmSync(output, { force: true });
  copyFileSync(process.execPath, output);
  chmodSync(output, 0o755);
  const postject = join(root, "node_modules", "postject", "dist", "cli.js");
  // postject warns "Can't find string offset for section name '.note.100'" on ELF: harmless (nodejs/postject#83).
  execFileSync(process.execPath, [postject, output, "NODE_SEA_BLOB", blob, "--sentinel-fuse", SEA_FUSE], { stdio: "ignore" });
  const help = execFileSync(output, ["--version"], { encoding: "utf8" }).trim();
  console.error(`built ${output} (Node SEA, node ${process.version}${codeCache ? ", code cache" : ""}): ${help}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
