import assert from "node:assert/strict";
import { test } from "node:test";
import { tierUpFlags, INTERRUPT_BUDGET } from "../../src/tier-up.js";
import { semiSpaceChosen, youngGenerationFlags } from "../../src/young-generation.js";

test("semiSpaceChosen sees a semi-space flag on node's command line or in NODE_OPTIONS, in either spelling", () => {
  assert.equal(semiSpaceChosen([], ""), false);
  assert.equal(semiSpaceChosen(["--import", "tsx", "--max-old-space-size=100"], "--enable-source-maps"), false);
  assert.equal(semiSpaceChosen(["--max-semi-space-size=1"], ""), true);
  assert.equal(semiSpaceChosen([], "--enable-source-maps --max_semi_space_size=8"), true);
  assert.equal(semiSpaceChosen(["--min-semi-space-size=2"], ""), true);
  assert.equal(semiSpaceChosen([], "--semi-space-growth-factor=2"), true);
});

test("the young generation is pinned unless node's flags size it", () => {
  assert.deepEqual(youngGenerationFlags([], ""), ["--semi-space-growth-factor=1"]);
  assert.deepEqual(youngGenerationFlags(["--max-semi-space-size=1"], ""), []);
});

test("the interrupt budget is lowered unless node's command line sets one (other budget flags do not count)", () => {
  assert.deepEqual(tierUpFlags([], ""), [`--interrupt-budget=${INTERRUPT_BUDGET}`]);
  assert.deepEqual(tierUpFlags(["--interrupt-budget=100000"], ""), []);
  assert.deepEqual(tierUpFlags(["--interrupt_budget", "100000"], ""), []);
  assert.deepEqual(tierUpFlags(["--interrupt-budget-for-feedback-allocation=940"], "--max-semi-space-size=1"), [`--interrupt-budget=${INTERRUPT_BUDGET}`]);
});
