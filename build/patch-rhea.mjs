#!/usr/bin/env node
/**
 * Fixes a message-losing bug in rhea 3.0.5, in node_modules, at install time.
 *
 * rhea's `write_dispositions()` (lib/session.js) merges consecutive deliveries
 * into one DISPOSITION frame while their outcomes are equivalent, but its guard
 * `first !== last && !are_outcomes_equivalent(...)` skips the comparison while
 * the range still holds a single delivery. So `accept(d0); release(d1)` in one
 * event-loop turn goes out as `{first: 0, last: 1, state: accepted}`: d1 is
 * acknowledged and lost. The comparison must run whenever the next delivery is
 * not the range's last one: `last !== delivery`.
 *
 * The patch is tied to the exact rhea version and the exact original line: any
 * other version fails the install loudly instead of running unpatched (see
 * test/integration/rhea-dispositions.test.ts, which proves the fix on a real
 * broker). `--check` only verifies; `--revert` restores the original (used to
 * show that the regression test fails without the fix).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const EXPECTED_VERSION = "3.0.5";
const BROKEN = "if ((first !== last && !message.are_outcomes_equivalent(last.state, delivery.state))";
const FIXED = "if ((last !== delivery && !message.are_outcomes_equivalent(last.state, delivery.state))";

const require = createRequire(import.meta.url);
const rheaDir = dirname(require.resolve("rhea/package.json"));
const { version } = JSON.parse(readFileSync(join(rheaDir, "package.json"), "utf8"));
const sessionFile = join(rheaDir, "lib", "session.js");
const source = readFileSync(sessionFile, "utf8");
const mode = process.argv[2] ?? "--apply";

function fail(message) {
  console.error(`patch-rhea: ${message}`);
  process.exit(1);
}

if (version !== EXPECTED_VERSION) {
  fail(`rhea ${version} is installed, but the disposition fix is written for ${EXPECTED_VERSION}; check whether the new version still merges dispositions of different outcomes, then update build/patch-rhea.mjs`);
}
const patched = source.includes(FIXED);
const broken = source.includes(BROKEN);

if (mode === "--check") {
  if (!patched) fail(`${sessionFile} is not patched; run: node build/patch-rhea.mjs`);
} else if (mode === "--revert") {
  if (patched) writeFileSync(sessionFile, source.replace(FIXED, BROKEN));
  console.error("patch-rhea: reverted to rhea's original (lossy) write_dispositions");
} else if (mode === "--apply") {
  if (!patched) {
    if (!broken) fail(`the line to fix was not found in ${sessionFile}`);
    writeFileSync(sessionFile, source.replace(BROKEN, FIXED));
    console.error("patch-rhea: fixed rhea's write_dispositions (merged settlements lost released messages)");
  }
} else {
  fail(`unknown option ${mode}`);
}
