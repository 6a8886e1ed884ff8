/**
 * Executable entry (bundled into dist/fedora-messaging.js, and the SEA's main):
 * `node --import tsx src/cli-entry.ts consume --help` runs the same from source.
 */
import { isSea } from "node:sea";
import { setFlagsFromString } from "node:v8";
import { main } from "./main.js";

// The bundle's shebang passes --max-semi-space-size=1 (see build/build.mjs); a
// SEA binary takes no Node options and V8 reads that one only at start, but
// stopping the young generation from growing beyond its initial 1 MiB
// semi-spaces has the same effect, and V8 reads this flag each time it grows.
if (isSea()) setFlagsFromString("--semi-space-growth-factor=1");

void main(process.argv.slice(2));
