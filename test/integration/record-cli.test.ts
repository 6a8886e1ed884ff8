/**
 * `fedora-messaging record` (the built CLI) against the real broker: the lines
 * it writes for messages published in Python's format are byte-identical to
 * what Python's own `record` wrote for the same messages (fixture made with
 * the real Python); `--limit` ends with 0; SIGTERM leaves every recorded line
 * complete; on a terminal (a pty), click's progress bar between the log
 * lines as Python prints it; bad arguments exit 2 with click's line.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { brokerUrls, uniqueName } from "../support/broker.js";
import { listConsumers } from "../support/management.js";
import { until } from "../support/wait.js";
import { CLI, ROOT, runCli } from "./_harness.js";

const RECORDED = join(ROOT, "test/fixtures/python/recorded.jsonl");
const BY_PYTHON = readFileSync(join(ROOT, "test/fixtures/python/recorded-by-python-record.jsonl"), "utf8");
const FIXTURE_QUEUE = "recq-fixture";
const BINDING = "org.fedoraproject.test.recorded.*";
const dir = mkdtempSync(join(tmpdir(), "fm-record-"));
const conf = join(dir, "config.toml");
writeFileSync(conf, `amqp_url = ${JSON.stringify(brokerUrls().amqpUrl)}\n`);

/** Starts `record` on a queue of its own and resolves once its consumer is attached. */
async function startRecording(file: string, extra: readonly string[] = []): Promise<{ run: ReturnType<typeof runCli>; queue: string }> {
  const queue = uniqueName("record");
  const run = runCli(["--conf", conf, "record", file, "--queue-name", queue, "--routing-key", BINDING, ...extra]);
  await until(async () => (await listConsumers(queue)).length > 0 || run.child.exitCode !== null, { what: `a consumer on ${queue}` });
  assert.equal(run.child.exitCode, null, run.stdout() + run.stderr());
  return { run, queue };
}

async function publishRecorded(): Promise<void> {
  const publish = runCli(["--conf", conf, "publish", RECORDED]);
  assert.equal(await publish.exited, 0, publish.stdout() + publish.stderr());
}

test("--limit 2 writes exactly the lines Python's record wrote, then exits 0", async () => {
  const file = join(dir, "limit.jsonl");
  const { run, queue } = await startRecording(file, ["--limit", "2"]);
  await publishRecorded();
  assert.equal(await run.exited, 0, run.stdout() + run.stderr());
  assert.equal(readFileSync(file, "utf8").replaceAll(`"queue": "${queue}"`, `"queue": "${FIXTURE_QUEUE}"`), BY_PYTHON);
  assert.match(run.stdout(), /^Recorded 2 of 2 messages$/m);
});

test("SIGTERM: exit 0, every recorded message a complete line", async () => {
  const file = join(dir, "signal.jsonl");
  const { run, queue } = await startRecording(file);
  await publishRecorded();
  const lines = () => (existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean).length : 0);
  await until(() => lines() === 2, { what: "two recorded lines" });
  run.child.kill("SIGTERM");
  assert.equal(await run.exited, 0, run.stdout() + run.stderr());
  assert.equal(readFileSync(file, "utf8").replaceAll(`"queue": "${queue}"`, `"queue": "${FIXTURE_QUEUE}"`), BY_PYTHON);
});

const hasScript = spawnSync("script", ["--version"], { stdio: "ignore" }).status === 0;

test("on a terminal: click's bar, redrawn after each message's log line, as Python's record under a pty", { skip: !hasScript && "no script(1) to make a pty" }, async () => {
  const file = join(dir, "tty.jsonl");
  const queue = uniqueName("record-tty");
  const quote = (arg: string) => `'${arg.replaceAll("'", "'\\''")}'`;
  const command = [process.execPath, CLI, "--conf", conf, "record", file, "--limit", "2", "--queue-name", queue, "--routing-key", BINDING].map(quote).join(" ");
  // script(1) runs it on a pty and copies what it writes to our pipe.
  const run = runCli(["-qfec", command, "/dev/null"], { executable: "script" });
  await until(async () => (await listConsumers(queue)).length > 0 || run.child.exitCode !== null, { what: `a consumer on ${queue}` });
  await publishRecorded();
  assert.equal(await run.exited, 0, run.stdout() + run.stderr());
  const out = run.stdout();
  const consumed = (topic: string) => `\\[fedora_messaging\\.twisted\\.consumer INFO\\] Successfully consumed message from topic ${topic.replaceAll(".", "\\.")} `;
  // Python's bytes (seen under `script`): return, hide the cursor, the bar; no newline: the next log line follows on it.
  assert.match(out, new RegExp(`\\r\\x1b\\[\\?25l  \\[#{18}-{18}\\]   50%(  \\d\\d:\\d\\d:\\d\\d)?${consumed("org.fedoraproject.test.recorded.one")}`));
  assert.match(out, /\r\x1b\[\?25l  \[#{36}\]  100% *\[fedora_messaging\.twisted\.consumer INFO\] Consumer indicated it wishes consumption to halt/);
  assert.ok(out.endsWith("\x1b[?25h"), "the cursor is shown again at the end (click would leave it hidden)");
  assert.doesNotMatch(out, /Recorded \d of \d messages/);
  assert.equal(readFileSync(file, "utf8").replaceAll(`"queue": "${queue}"`, `"queue": "${FIXTURE_QUEUE}"`), BY_PYTHON);
});

test("bad arguments: exit 2 with click's line, before connecting", async () => {
  const cases: Array<[readonly string[], RegExp]> = [
    [["record"], /^Error: Missing argument 'FILE'\.$/m],
    [["record", join(dir, "x.jsonl"), "--limit", "0"], /^Error: Invalid value for '--limit': 0 is not in the range x>=1\.$/m],
    [["record", join(dir, "x.jsonl"), "--limit", "many"], /^Error: Invalid value for '--limit': 'many' is not a valid integer\.$/m],
    [["record", join(dir, "no-such-dir", "x.jsonl")], /^Error: Invalid value for 'FILE': '.*x\.jsonl': No such file or directory$/m],
  ];
  for (const [args, line] of cases) {
    const run = runCli(["--conf", conf, ...args]);
    assert.equal(await run.exited, 2, args.join(" "));
    assert.match(run.stderr(), line);
  }
});
