/**
 * The old name of repinYoungGeneration (src/young-generation.ts), whose pin
 * now holds however the daemon is started, not only in a SEA. Kept only for
 * src/runner/callback-worker.ts, which is being reworked on another branch:
 * point that import at young-generation.js and delete this file.
 */
export { repinYoungGeneration as pinYoungGenerationInSea } from "./young-generation.js";
