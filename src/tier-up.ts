/**
 * The daemon's hot paths are optimised sooner. V8 optimises a function with
 * TurboFan once it has run a budget of bytecode (`--interrupt-budget`, 66 KB on
 * Node 20); the daemon's per-message path is many small functions across two
 * threads, and with that budget a drain of 20,000 messages spent much of its
 * CPU before they were optimised (worker mode: the first 2,000 messages 0.21 ms
 * of CPU each, the last 10,000 0.054). With 8 KB, measured with npm run bench
 * in the same rounds (given on node's command line): in-process 0.84 of the
 * bare consumer against 0.71, 0.061 ms of CPU per message against 0.069 (0.034
 * against 0.042 once warm), 2.5 MiB less peak RSS; worker mode 0.085 ms against
 * 0.095, and still 0.053 against 0.056 over 80,000 messages. 16 KB and 4 KB
 * did less. The price: the single binary reaches its first message 0.23 s
 * after exec instead of 0.20 (the bundle stays at 0.20). Set at run time by
 * daemon-v8-flags.ts (in each thread).
 *
 * A budget given on node's command line is left alone.
 */
import { nodeFlagGiven } from "./daemon-v8-flags.js";

/** V8's bytecode budget before a function is considered for optimisation, bytes. */
export const INTERRUPT_BUDGET = 8 * 1024;

const BUDGET_FLAG = /^--interrupt[-_]budget(?:=|$)/;

/** The flag that makes V8 optimise sooner, unless node's flags set the budget. */
export function tierUpFlags(execArgv: readonly string[] = process.execArgv, nodeOptions = process.env["NODE_OPTIONS"] ?? ""): string[] {
  return nodeFlagGiven(BUDGET_FLAG, execArgv, nodeOptions) ? [] : [`--interrupt-budget=${INTERRUPT_BUDGET}`];
}
