/** Test helper: collects the log lines our loggers print (via log.ts `setSink`). */
import { createConsola } from "consola";
import { resetLogging, setSink } from "../../../src/log.js";

/** Starts capturing: returns the array lines are pushed to. Call `resetLogging()` between tests for default levels. */
export function captureLines(): string[] {
  const lines: string[] = [];
  setSink(createConsola({ level: 5, reporters: [{ log: (entry) => { lines.push(entry.args.join(" ")); } }] }));
  return lines;
}

export { resetLogging };
