/**
 * Sets the daemon's V8 flags (daemon-v8-flags.ts) as this module is evaluated.
 * cli-entry.ts imports it before anything else: ES modules run in import
 * order, so the flags precede every other module's start-up allocations and
 * compilations. Called from cli-entry's body instead, the young-generation pin
 * ran after the whole library had started (the library hand-over imports all
 * of it), and by then V8 had already grown the new space to 4 MiB
 * (young-generation.test.ts and sea.test.ts caught it).
 */
import { setDaemonFlags } from "./daemon-v8-flags.js";
import { tierUpFlags } from "./tier-up.js";
import { youngGenerationFlags } from "./young-generation.js";

setDaemonFlags([...youngGenerationFlags(), ...tierUpFlags()]);
