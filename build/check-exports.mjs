#!/usr/bin/env node
/**
 * Checks what a user of the package gets, the way they get it: every file
 * `package.json` points at (`bin`, `main`, `types`, each condition of
 * `exports`) exists, and `import`/`require` of the package *by its name*
 * (Node's self-reference, which goes through `exports` exactly like an
 * installed package) give the public API.
 *
 * Why: the ESM entry once pointed at dist/index.js while the build wrote
 * dist/index.mjs; every test imported from src/, so nothing noticed until a
 * plugin written like the README's example failed to load. build.mjs runs
 * this last, so a missing entry fails the build.
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const pkg = JSON.parse(readFileSync(`${root}package.json`, "utf8"));

/** What every entry must export (the README's examples use these). */
const PUBLIC_NAMES = ["consume", "Nack", "Drop", "HaltConsumer", "Message", "currentConfig", "dumps", "loads"];

/** Every file path package.json names, with where it was named. */
function namedFiles() {
  const files = [];
  const bins = typeof pkg.bin === "string" ? { [pkg.name]: pkg.bin } : (pkg.bin ?? {});
  for (const [name, path] of Object.entries(bins)) files.push([`bin.${name}`, path]);
  if (pkg.main) files.push(["main", pkg.main]);
  if (pkg.types) files.push(["types", pkg.types]);
  const walk = (value, where) => {
    if (typeof value === "string") files.push([where, value]);
    else if (value && typeof value === "object") for (const [key, inner] of Object.entries(value)) walk(inner, `${where}["${key}"]`);
  };
  walk(pkg.exports, "exports");
  return files;
}

const problems = [];
for (const [where, path] of namedFiles()) {
  if (!existsSync(`${root}${path}`)) problems.push(`package.json ${where} names ${path}, which the build did not write`);
}

if (problems.length === 0) {
  const viaImport = await import(pkg.name);
  const viaRequire = createRequire(import.meta.url)(pkg.name);
  for (const [how, api] of [["import", viaImport], ["require", viaRequire]]) {
    const missing = PUBLIC_NAMES.filter((name) => api[name] === undefined);
    if (missing.length > 0) problems.push(`${how}("${pkg.name}") lacks ${missing.join(", ")}`);
  }
  if (viaImport.Nack === viaRequire.Nack) {
    // Not a problem in itself, but it would mean both conditions resolve to one file.
    problems.push(`import and require of "${pkg.name}" resolve to the same module: check the exports conditions`);
  }
}

if (problems.length > 0) {
  for (const problem of problems) console.error(`check-exports: ${problem}`);
  process.exit(1);
}
