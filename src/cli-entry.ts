/**
 * Executable entry (bundled into dist/fedora-messaging.js, and the SEA's main):
 * `node --import tsx src/cli-entry.ts consume --help` runs the same from source.
 */
import { main } from "./main.js";
import { pinYoungGenerationInSea } from "./sea-memory.js";

pinYoungGenerationInSea();
void main(process.argv.slice(2));
