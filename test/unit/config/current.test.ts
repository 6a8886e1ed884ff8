import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { currentConfig, setCurrentConfig } from "../../../src/config/current.js";
import { parseConfig } from "../../../src/config/load.js";
import { captureLines } from "./_capture.js";

// This file runs in a process of its own (node --test), so the module-level value starts unset.
const dir = mkdtempSync(join(tmpdir(), "fm-current-"));
after(() => rmSync(dir, { recursive: true, force: true }));

describe("currentConfig", () => {
  it("loads lazily, once, from FEDORA_MESSAGING_CONF when nothing was set", () => {
    const file = join(dir, "c.toml");
    writeFileSync(file, '[consumer_config]\nprint_messages = true\n');
    const saved = process.env.FEDORA_MESSAGING_CONF;
    process.env.FEDORA_MESSAGING_CONF = file;
    const lines = captureLines();
    try {
      assert.deepEqual(lines, []); // nothing loaded at import time
      assert.equal(currentConfig().consumer_config.print_messages, true);
      assert.equal(currentConfig(), currentConfig());
      assert.deepEqual(lines, []); // the load is logged at DEBUG only
    } finally {
      if (saved === undefined) delete process.env.FEDORA_MESSAGING_CONF;
      else process.env.FEDORA_MESSAGING_CONF = saved;
    }
  });
  it("returns what setCurrentConfig was given", () => {
    const config = parseConfig('[consumer_config]\nexample_key = "for my consumer"', "x.toml");
    setCurrentConfig(config);
    assert.equal(currentConfig(), config);
    assert.equal(currentConfig().consumer_config.example_key, "for my consumer");
  });
});
