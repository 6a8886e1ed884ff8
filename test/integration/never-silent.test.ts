/**
 * Never silent: whatever kills the code that runs callbacks, the daemon says
 * so at once, puts every unsettled message back and ends like a callback
 * error (exit 13), instead of taking messages it will never process while
 * /ready answers 200.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { waitForQueue } from "../support/management.js";
import { until } from "../support/wait.js";
import { ROOT, runCli, testQueues, writeConfig } from "./_harness.js";

const freshQueue = testQueues();
const DYING = join(ROOT, "test/fixtures/consumer/dying-plugin.mjs");

const CASES = [
  { mode: "worker", how: "throw", says: /a plugin timer failed outside the callback/ },
  { mode: "worker", how: "reject", says: /a plugin promise failed outside the callback/ },
  { mode: "worker", how: "exit", says: /the callback worker thread exited/ },
  { mode: "in-process", how: "throw", says: /a plugin timer failed outside the callback/ },
  { mode: "in-process", how: "reject", says: /a plugin promise failed outside the callback/ },
] as const;

describe("the code running callbacks dies between messages", () => {
  for (const { mode, how, says } of CASES) {
    test(`${mode}, plugin ${how === "exit" ? "calls process.exit" : `${how}s`} outside its callback: ERROR with the cause, messages back, exit 13`, async () => {
      const queue = await freshQueue(`dies-${mode}-${how}`);
      const dieFile = join(queue.dir, "die");
      const config = writeConfig(queue, {
        callback: `${DYING}:accept`,
        callbackMode: mode,
        consumerConfig: { die_file: dieFile, die_how: how },
      });
      const run = runCli(["--conf", config, "consume"], { timeoutMs: 60_000 });
      await queue.publish([{ n: 1 }, { n: 2 }]);
      await until(() => queue.records().length === 2, { what: "two messages consumed before the plugin dies" });
      writeFileSync(dieFile, "");
      // Messages that arrive now must not be taken and forgotten.
      await queue.publish([{ n: 3 }, { n: 4 }, { n: 5 }]);
      const code = await run.exited;
      const stdout = run.stdout();
      assert.equal(code, 13, `${stdout}\n${run.stderr()}`);
      assert.match(stdout, /ERROR\] The code running the callbacks of queue \S+ died outside a callback/);
      assert.match(stdout, says);
      assert.doesNotMatch(run.stderr(), /node:internal|Node\.js v/, "no raw Node crash");
      assert.equal(queue.records().length, 2, "nothing processed after the death");
      await waitForQueue(queue.name, (q) => q.messages_ready === 3 && q.messages_unacknowledged === 0, 15_000);
    });
  }
});
