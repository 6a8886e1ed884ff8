import assert from "node:assert/strict";
import { test } from "node:test";
import { semiSpaceChosen } from "../../src/young-generation.js";

test("semiSpaceChosen sees a semi-space flag on node's command line or in NODE_OPTIONS, in either spelling", () => {
  assert.equal(semiSpaceChosen([], ""), false);
  assert.equal(semiSpaceChosen(["--import", "tsx", "--max-old-space-size=100"], "--enable-source-maps"), false);
  assert.equal(semiSpaceChosen(["--max-semi-space-size=1"], ""), true);
  assert.equal(semiSpaceChosen([], "--enable-source-maps --max_semi_space_size=8"), true);
  assert.equal(semiSpaceChosen(["--min-semi-space-size=2"], ""), true);
  assert.equal(semiSpaceChosen([], "--semi-space-growth-factor=2"), true);
});
