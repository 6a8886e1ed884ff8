/**
 * Where a plugin's SyntaxError is, for the loader's error line (Python says
 * `invalid syntax (plugin.py, line 2)`).
 *
 * Node puts `/path/file.js:2` on the first stack line of a CommonJS syntax
 * error, but Node 20 gives an ES module's syntax error no position at all
 * (the stack starts in Node's loader). For those we compile the file again as
 * a classic script, after blanking what only a module may contain (`import`
 * and `export` declarations, `import.meta`) with spaces so that every line
 * stays where it was, inside an async function so that top-level `await`
 * parses. The position is trusted only when that compile fails with the very
 * same message; otherwise we report none rather than a wrong one.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import vm from "node:vm";

/** The file and 1-based line of a syntax error thrown while importing `file`, if they can be known. */
export function syntaxErrorLine(error: SyntaxError, file: string): { file: string; line: number } | undefined {
  const fromStack = stackPosition(error);
  if (fromStack !== undefined) return fromStack;
  let source: string;
  try {
    source = readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
  try {
    // One line of prefix, on the file's first line: lines keep their numbers.
    new vm.Script(`(async function () {"use strict";${blankModuleSyntax(source)}\n})`, { filename: file });
  } catch (again) {
    if (again instanceof SyntaxError && again.message === error.message) return stackPosition(again);
  }
  return undefined;
}

// --- internal ---

/** `/path/x.js:2` or `file:///path/x.mjs:2`, the first stack line of a syntax error that has a position. */
function stackPosition(error: SyntaxError): { file: string; line: number } | undefined {
  const match = /^((?:file:\/\/|\/).*):(\d+)$/.exec(error.stack?.split("\n", 1)[0] ?? "");
  if (match === null) return undefined;
  const where = match[1]!;
  return { file: where.startsWith("file://") ? fileURLToPath(where) : where, line: Number(match[2]) };
}

const IMPORT_DECLARATION = /^[ \t]*import\s*(?:[\w${},*\s]+?\s*from\s*)?(["'])[^"'\n]*\1[ \t]*;?/gm;
const EXPORT_FROM = /^[ \t]*export\s*(?:\*|\{[^}]*\})(?:\s*as\s+[\w$]+)?\s*from\s*(["'])[^"'\n]*\1[ \t]*;?/gm;
const EXPORT_LIST = /^[ \t]*export\s*\{[^}]*\}[ \t]*;?/gm;
const EXPORT_DEFAULT = /^([ \t]*)export\s+default\s+/gm;
const EXPORT_KEYWORD = /^([ \t]*)export\s+/gm;

/** Module-only syntax replaced by spaces (newlines kept), so a script parser reads the rest at the same positions. */
function blankModuleSyntax(source: string): string {
  const blank = (text: string): string => text.replace(/[^\n]/g, " ");
  return source
    .replace(IMPORT_DECLARATION, blank)
    .replace(EXPORT_FROM, blank)
    .replace(EXPORT_LIST, blank)
    // `export default function () {}` must stay an expression: `void function () {}`.
    .replace(EXPORT_DEFAULT, (whole, indent: string) => `${indent}void${" ".repeat(whole.length - indent.length - 4)}`)
    .replace(EXPORT_KEYWORD, (whole, indent: string) => indent + " ".repeat(whole.length - indent.length))
    .replace(/\bimport\.meta\b/g, "_mport_meta");
}
