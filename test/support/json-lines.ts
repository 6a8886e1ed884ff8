/**
 * The records a callback has appended to a JSON-lines file so far. A test may
 * read while the callback appends: a last line without its "\n" is not written
 * yet, and is left for the next read (the cluster tests once failed parsing one).
 */
import { existsSync, readFileSync } from "node:fs";

export function completeJsonLines<T = Record<string, unknown>>(file: string): T[] {
  if (!existsSync(file)) return [];
  const lines = readFileSync(file, "utf8").split("\n");
  lines.pop(); // "" after the last "\n", or a line still being written
  return lines.filter(Boolean).map((line) => JSON.parse(line) as T);
}
