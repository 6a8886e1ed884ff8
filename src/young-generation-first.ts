/**
 * Pins the young generation (young-generation.ts) as this module is evaluated.
 * cli-entry.ts imports it before anything else: ES modules run in import order,
 * so the pin precedes every other module's start-up allocations. Called from
 * cli-entry's body instead, it ran after the whole library had started (the
 * library hand-over imports all of it), and by then V8 had already grown the
 * new space to 4 MiB (young-generation.test.ts and sea.test.ts caught it).
 */
import { pinYoungGeneration } from "./young-generation.js";

pinYoungGeneration();
