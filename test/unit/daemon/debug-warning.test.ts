import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { debugsRhea, warnIfDebugShowsPassword } from "../../../src/daemon/debug-warning.js";
import { captureLines, resetLogging } from "../config/_capture.js";

afterEach(() => resetLogging());

describe("DEBUG and rhea's frame dumps", () => {
  it("knows which DEBUG values turn rhea's output on", () => {
    for (const on of ["*", "rhea*", "rhea:*", "rhea:frames", "foo,rhea:raw", "rhea:frames rhea:events"]) assert.equal(debugsRhea(on), true, on);
    for (const off of [undefined, "", "express:*", "-rhea*", "rhea:config"]) assert.equal(debugsRhea(off), false, String(off));
  });
  it("warns once when they are on and a password is sent, not otherwise", () => {
    const lines = captureLines();
    warnIfDebugShowsPassword("rhea*", true);
    warnIfDebugShowsPassword("rhea*", false);
    warnIfDebugShowsPassword(undefined, true);
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /\[fedora_messaging\.cli WARNING\] DEBUG turns on rhea's frame dumps, which show the broker password/);
  });
});
