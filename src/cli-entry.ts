/**
 * Executable entry (bundled into dist/fedora-messaging.js, and the SEA's main):
 * `node --import tsx src/cli-entry.ts consume --help` runs the same from source.
 */
import "./daemon-v8-flags-first.js"; // first: see there
import { main } from "./main.js";
import { handOverLibrary } from "./library-handover.js";

handOverLibrary(); // plugins that import "fedora-messaging" get this copy
void main(process.argv.slice(2));
