/** `record`'s callback: Python's line per message, halts at the limit, progress on a terminal or in plain lines. */
import assert from "node:assert/strict";
import { closeSync, mkdtempSync, openSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { Recorder } from "../../../src/cli/_recorder.js";
import { Message } from "../../../src/message/message.js";

function recorder(limit: number | undefined, isTTY: boolean) {
  const file = join(mkdtempSync(join(tmpdir(), "fm-recorder-")), "out.jsonl");
  const fd = openSync(file, "w");
  let printed = "";
  let clock = 0;
  const r = new Recorder({ fd, limit, out: { write: (text: string) => (printed += text), isTTY }, now: () => (clock += 500) });
  return { r, file, fd, printed: () => printed };
}

function message(n: number): Message {
  return new Message({ topic: `t.${n}`, body: { n }, id: `id-${n}` });
}

test("each message is one dumps() line; without a limit nothing halts and nothing is printed", () => {
  const { r, file, fd, printed } = recorder(undefined, false);
  for (let n = 0; n < 3; n++) r.collect(message(n));
  closeSync(fd);
  const lines = readFileSync(file, "utf8").split("\n");
  assert.equal(lines.length, 4);
  assert.match(lines[0]!, /^\{"body": \{"n": 0\}, "headers": \{.*\}, "id": "id-0", "priority": 0, "queue": null, "topic": "t\.0"\}$/);
  assert.equal(printed(), "");
});

test("at the limit: the last message is written, then HaltConsumer(0) without requeue", () => {
  const { r, file, fd, printed } = recorder(2, false);
  r.collect(message(1));
  assert.throws(() => r.collect(message(2)), (halt: { exitCode: number; requeue: boolean }) => halt.exitCode === 0 && halt.requeue === false);
  closeSync(fd);
  assert.equal(readFileSync(file, "utf8").split("\n").filter(Boolean).length, 2);
  assert.equal(printed(), "Recorded 1 of 2 messages\nRecorded 2 of 2 messages\n");
});

test("on a terminal: click's bar redrawn in place (progress-bar.test.ts has its bytes), the cursor shown again at the end", () => {
  const { r, printed } = recorder(4, true);
  r.collect(message(1));
  assert.equal(printed(), "\r\x1b[?25l  [#########---------------------------]   25%");
  r.finish();
  assert.ok(printed().endsWith("\x1b[?25h"));
});

test("a message that cannot be serialised: Python's line, HaltConsumer(1), nothing written", () => {
  const { r, file, fd, printed } = recorder(undefined, false);
  const bad = message(1);
  bad.headers["fedora_messaging_severity"] = 99;
  assert.throws(() => r.collect(bad), (halt: { exitCode: number }) => halt.exitCode === 1);
  closeSync(fd);
  assert.equal(readFileSync(file, "utf8"), "");
  assert.match(printed(), /^Unable to save messages to file: /);
});
