import assert from "node:assert/strict";
import { test } from "node:test";
import { tierUpFlags, INTERRUPT_BUDGET } from "../../src/tier-up.js";
import { youngGenerationFlags } from "../../src/young-generation.js";

const PIN = ["--semi-space-growth-factor=1"];

test("the young generation is pinned unless a semi-space flag is on node's command line or in NODE_OPTIONS, in either spelling", () => {
  assert.deepEqual(youngGenerationFlags([], ""), PIN);
  assert.deepEqual(youngGenerationFlags(["--import", "tsx", "--max-old-space-size=100"], "--enable-source-maps"), PIN);
  assert.deepEqual(youngGenerationFlags(["--max-semi-space-size=1"], ""), []);
  assert.deepEqual(youngGenerationFlags([], "--enable-source-maps --max_semi_space_size=8"), []);
  assert.deepEqual(youngGenerationFlags(["--min-semi-space-size=2"], ""), []);
  assert.deepEqual(youngGenerationFlags([], "--semi-space-growth-factor=2"), []);
});

test("the interrupt budget is lowered unless node's command line sets one (other budget flags do not count)", () => {
  assert.deepEqual(tierUpFlags([], ""), [`--interrupt-budget=${INTERRUPT_BUDGET}`]);
  assert.deepEqual(tierUpFlags(["--interrupt-budget=100000"], ""), []);
  assert.deepEqual(tierUpFlags(["--interrupt_budget", "100000"], ""), []);
  assert.deepEqual(tierUpFlags(["--interrupt-budget-for-feedback-allocation=940"], "--max-semi-space-size=1"), [`--interrupt-budget=${INTERRUPT_BUDGET}`]);
});
