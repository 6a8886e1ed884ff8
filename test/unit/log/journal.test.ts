import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, describe, it } from "node:test";
import { isJournalStream, syslogPrefix, withPriority } from "../../../src/journal.js";

const dir = mkdtempSync(join(tmpdir(), "fm-journal-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const LOG_TS = resolve(import.meta.dirname, "../../../src/log.ts");

/** Runs a script that logs one line per level with stdout on a file; returns what the file got. */
function logToFile(journalStream: (file: string) => string | undefined): string {
  const file = join(dir, `out-${Math.random().toString(36).slice(2)}.txt`);
  const fd = openSync(file, "w");
  const script =
    `import { getLogger, setLevel } from ${JSON.stringify(LOG_TS)};\n` +
    'setLevel("fedora_messaging", 10); const log = getLogger("fedora_messaging.test");\n' +
    'log.debug("d"); log.info("i"); log.warning("w"); log.error("e"); log.exception("x", new Error("boom"));\n';
  const stream = journalStream(file);
  const env = { ...process.env };
  delete env["JOURNAL_STREAM"];
  if (stream !== undefined) env["JOURNAL_STREAM"] = stream;
  const child = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { stdio: ["ignore", fd, "pipe"], env });
  closeSync(fd);
  assert.equal(child.status, 0, child.stderr.toString());
  return readFileSync(file, "utf8");
}

const streamOf = (file: string): string => {
  const stat = statSync(file, { bigint: true });
  return `${stat.dev}:${stat.ino}`;
};

describe("syslog priority prefixes for the journal", () => {
  it("maps Python levels to sd-daemon priorities", () => {
    assert.deepEqual([50, 40, 30, 20, 10].map(syslogPrefix), ["<2>", "<3>", "<4>", "<6>", "<7>"]);
  });

  it("prefixes every line of a multi-line text", () => {
    assert.equal(withPriority("a\nb\n", 40), "<3>a\n<3>b\n");
    assert.equal(withPriority("a", 20), "<6>a");
  });

  it("honours JOURNAL_STREAM only for the stream it names", () => {
    const file = join(dir, "probe");
    const fd = openSync(file, "w");
    try {
      assert.equal(isJournalStream(fd, streamOf(file)), true);
      assert.equal(isJournalStream(fd, "1:2"), false);
      assert.equal(isJournalStream(fd, undefined), false);
      assert.equal(isJournalStream(fd, "garbage"), false);
    } finally {
      closeSync(fd);
    }
  });

  it("log lines carry their priority when stdout is the journal stream", () => {
    const text = logToFile(streamOf);
    assert.match(text, /^<7>\[fedora_messaging\.test DEBUG\] d\n<6>\[fedora_messaging\.test INFO\] i\n<4>\[fedora_messaging\.test WARNING\] w\n<3>\[fedora_messaging\.test ERROR\] e\n<3>\[fedora_messaging\.test ERROR\] x\n<3>Error: boom\n(<3>    at .*\n)+$/);
  });

  it("lines are unchanged when stdout is not the stream JOURNAL_STREAM names, or it is unset", () => {
    for (const stream of [() => "1:2", () => undefined]) {
      const text = logToFile(stream);
      assert.match(text, /^\[fedora_messaging\.test DEBUG\] d\n\[fedora_messaging\.test INFO\] i\n\[fedora_messaging\.test WARNING\] w\n/);
      assert.doesNotMatch(text, /<\d>/);
    }
  });
});
