/**
 * `record`'s bar on a terminal is click 8.1's, byte for byte. The expected
 * bytes are those Python's `fedora-messaging record --limit 3` wrote under a
 * pty (`script -qfec`), for messages 4 s, 5.5 s and 9 s after it started.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { ClickProgressBar } from "../../../src/cli/_progress-bar.js";

test("Python's bytes: hide the cursor, the bar, the percentage, the ETA once a second has passed, spaces over a longer line", () => {
  const writes: string[] = [];
  const clock = [0, 4, 5.5, 9];
  const b = new ClickProgressBar(3, { write: (text: string) => writes.push(text) }, () => clock.shift()! * 1000);
  b.update(1);
  b.update(1);
  b.update(1);
  b.restoreCursor();
  assert.deepEqual(writes, [
    "\r\x1b[?25l  [############------------------------]   33%  00:00:08",
    "\r\x1b[?25l  [########################------------]   66%  00:00:03",
    `\r\x1b[?25l  [####################################]  100%${" ".repeat(10)}`,
    "\x1b[?25h",
  ]);
});

test("steps less than a second apart: no ETA yet; a line like the last is not redrawn", () => {
  const writes: string[] = [];
  let now = 0;
  const b = new ClickProgressBar(1000, { write: (text: string) => writes.push(text) }, () => now);
  now = 100;
  b.update(1);
  now = 200;
  b.update(1); // 0% still: the same line
  assert.deepEqual(writes, [`\r\x1b[?25l  [${"-".repeat(36)}]    0%`]);
});

test("an ETA past a day, as click formats it", () => {
  let now = 0;
  const b = new ClickProgressBar(100_000, { write: () => undefined }, () => now);
  now = 2000;
  b.update(1); // 2 s a message, 99,999 left
  assert.equal(b.line(), `  [${"-".repeat(36)}]    0%  2d 07:33:18`);
});

test("nothing hidden, nothing restored", () => {
  const writes: string[] = [];
  new ClickProgressBar(3, { write: (text: string) => writes.push(text) }).restoreCursor();
  assert.deepEqual(writes, []);
});
