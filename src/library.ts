/**
 * The library as bundled (dist/library.mjs, dist/library.cjs, and the copy the
 * daemon hands over to plugins): the public API of index.ts, its classes and
 * functions named after their exports (see public-names.ts).
 */
import * as library from "./index.js";
import { restorePublicNames } from "./public-names.js";

restorePublicNames(library);

export * from "./index.js";
