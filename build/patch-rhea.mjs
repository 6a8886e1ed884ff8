#!/usr/bin/env node
/**
 * Fixes three bugs of rhea 3.0.5, in node_modules, at install time, and adds an option.
 *
 * 1. Lost messages. 
 * rhea's `write_dispositions()` (lib/session.js) merges consecutive deliveries
 * into one DISPOSITION frame while their outcomes are equivalent, but its guard
 * `first !== last && !are_outcomes_equivalent(...)` skips the comparison while
 * the range still holds a single delivery. So `accept(d0); release(d1)` in one
 * event-loop turn goes out as `{first: 0, last: 1, state: accepted}`: d1 is
 * acknowledged and lost. The comparison must run whenever the next delivery is
 * not the range's last one: `last !== delivery`.
 *
 * 2. Prefetch overrun. A receiver never adopts the sender's
 * `initial-delivery-count` from its ATTACH and counts deliveries from 0, but
 * link credit is relative to the sender's count. RabbitMQ 4 starts at
 * 2^32 - 5, so every FLOW we send grants 5 more messages than we asked for
 * (prefetch 1 means 6 unsettled messages, and rhea prints "Received transfer
 * when credit was 0"). The receiver must start from the sender's count, and
 * the count must wrap at 2^32 like the serial number it is.
 *
 * 3. Not a bug: an option. A receiver opened with `raw_transfers: true` gets
 * each message as the bytes of its sections instead of rhea's decoded object,
 * as rhea already does for message formats other than 0. The daemon decodes
 * where the callback runs (the worker thread), so the thread that talks to the
 * broker never spends time decoding, and hands one buffer across instead of a
 * tree of objects to clone.
 *
 * 4. A decompression bomb. rhea's decoder builds as many elements as an
 * AMQP array's 4-byte count says, without checking that they fit in the
 * bytes: elements of a zero-width type (null, true, uint0...) take none, and
 * fixed-width types read without bounds checks (decimal, uuid) read empty
 * slices past the end. A message of a few bytes made it allocate until the
 * heap ran out (found by the section reader's fuzz test: one flipped byte
 * turned a section's descriptor into such an array); a publisher could send
 * one to crash every consumer of the queue. The decoder now refuses an array
 * whose elements cannot fit in the bytes left (at least their width each;
 * zero-width ones at most one per byte of the buffer: no encoder writes more
 * for real data).
 *
 * The patch is tied to the exact rhea version and the exact original line: any
 * other version fails the install loudly instead of running unpatched (see
 * test/integration/rhea-fixes.test.ts, which proves the fixes on a real
 * broker). `--check` only verifies; `--revert` restores the original (used to
 * show that the regression test fails without the fix).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const EXPECTED_VERSION = "3.0.5";

/** Each fix: a file of rhea, its original text, and the fixed text. */
const FIXES = [
  {
    file: "lib/session.js",
    broken: "if ((first !== last && !message.are_outcomes_equivalent(last.state, delivery.state))",
    fixed: "if ((last !== delivery && !message.are_outcomes_equivalent(last.state, delivery.state))",
  },
  {
    file: "lib/session.js",
    broken: "            receiver.delivery_count++;\n",
    fixed: "            receiver.delivery_count = (receiver.delivery_count + 1) >>> 0; // fedora-messaging: serial number, wraps at 2^32\n",
  },
  {
    file: "lib/link.js",
    broken: "        this.remote.attach = frame.performative;\n        this.open();\n",
    fixed:
      "        this.remote.attach = frame.performative;\n" +
      "        // fedora-messaging: a receiver counts deliveries from the sender's initial-delivery-count.\n" +
      "        if (this.is_receiver() && typeof frame.performative.initial_delivery_count === 'number') this.delivery_count = frame.performative.initial_delivery_count >>> 0;\n" +
      "        this.open();\n",
  },
  {
    file: "lib/session.js",
    broken: "            var msgctxt = current.format === 0 ? {'message':message.decode(data), 'delivery':current}",
    fixed:
      "            // fedora-messaging: a receiver opened with raw_transfers gets the encoded message, decoded on the callback's thread.\n" +
      "            var msgctxt = current.format === 0 && !receiver.options.raw_transfers ? {'message':message.decode(data), 'delivery':current}",
  },
  {
    file: "lib/types.js",
    broken: "types.Reader.prototype.read_array_items = function (n, type) {\n    var items = [];\n",
    fixed:
      "types.Reader.prototype.read_array_items = function (n, type) {\n" +
      "    // fedora-messaging: an array's count must fit its bytes (zero-width elements: at most one per byte of the buffer).\n" +
      "    if (n > (type.width === 0 ? this.buffer.length : (this.buffer.length - this.position) / type.width)) throw new errors.TypeError('an array of ' + n + ' elements does not fit in ' + (this.buffer.length - this.position) + ' bytes');\n" +
      "    var items = [];\n",
  },
];

const require = createRequire(import.meta.url);
const rheaDir = dirname(require.resolve("rhea/package.json"));
const { version } = JSON.parse(readFileSync(join(rheaDir, "package.json"), "utf8"));
const mode = process.argv[2] ?? "--apply";

function fail(message) {
  console.error(`patch-rhea: ${message}`);
  process.exit(1);
}

if (version !== EXPECTED_VERSION) {
  fail(`rhea ${version} is installed, but the disposition fix is written for ${EXPECTED_VERSION}; check whether the new version still merges dispositions of different outcomes, then update build/patch-rhea.mjs`);
}
if (!["--check", "--apply", "--revert"].includes(mode)) fail(`unknown option ${mode}`);
let changed = 0;
for (const { file, broken, fixed } of FIXES) {
  const path = join(rheaDir, file);
  const source = readFileSync(path, "utf8");
  const patched = source.includes(fixed);
  if (mode === "--check") {
    if (!patched) fail(`${path} is not patched; run: node build/patch-rhea.mjs`);
  } else if (mode === "--revert") {
    if (patched) writeFileSync(path, source.replace(fixed, broken));
    changed++;
  } else if (!patched) {
    if (!source.includes(broken)) fail(`the code to fix was not found in ${path}`);
    writeFileSync(path, source.replace(broken, fixed));
    changed++;
  }
}
if (mode === "--revert") console.error("patch-rhea: reverted to rhea's original code (loses messages, overruns prefetch, decodes array bombs)");
else if (changed > 0) console.error(`patch-rhea: applied ${changed} fix(es) to rhea (disposition merging, receiver delivery-count, raw transfers, array bombs)`);
