/**
 * `fedora-messaging publish` (the built CLI) against the real broker: a file
 * written by Python's `record` (message.dumps) reaches a pika consumer exactly
 * as Python's own `fedora-messaging publish` of that file delivers it (ids,
 * sent-at, priorities, number shapes kept; fixture made with the real Python),
 * from a file or stdin; and the bad inputs with Python's exit codes and one line.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { brokerUrls, uniqueName } from "../support/broker.js";
import { usersWithoutWrite } from "../support/users.js";
import { pikaDeclare, pikaGet } from "../support/pika.js";
import { CLI, ROOT, runCli } from "./_harness.js";

const RECORDED = join(ROOT, "test/fixtures/python/recorded.jsonl");
const EXPECTED = JSON.parse(readFileSync(join(ROOT, "test/fixtures/python/recorded-published.json"), "utf8")) as unknown[];
const TOPICS = ["org.fedoraproject.test.recorded.one", "org.fedoraproject.test.recorded.two"];
const dir = mkdtempSync(join(tmpdir(), "fm-publish-cli-"));
const userWithoutWrite = usersWithoutWrite();

function conf(amqpUrl = brokerUrls().amqpUrl): string {
  const path = join(dir, `${uniqueName("conf")}.toml`);
  writeFileSync(path, `amqp_url = ${JSON.stringify(amqpUrl)}\n`);
  return path;
}

async function publishCli(args: readonly string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  if (stdin === undefined) {
    const run = runCli(args);
    const code = await run.exited;
    return { code, stdout: run.stdout(), stderr: run.stderr() };
  }
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(stdin);
  const code = await new Promise<number>((resolve) => child.on("exit", (c) => resolve(c ?? 1)));
  return { code, stdout, stderr };
}

/** The "Publishing message with topic X" lines, without log lines. */
function echoed(stdout: string): string[] {
  return stdout.split("\n").filter((line) => line && !line.startsWith("[fedora_messaging"));
}

test("a file recorded by Python is published exactly as Python's fedora-messaging publish does", async () => {
  const queue = uniqueName("cli-recorded");
  pikaDeclare(queue, "amq.topic", "org.fedoraproject.test.recorded.*");
  const run = await publishCli(["--conf", conf(), "publish", RECORDED]);
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(echoed(run.stdout), TOPICS.map((t) => `Publishing message with topic ${t}`));
  assert.deepEqual(pikaGet(queue, 2), EXPECTED);
});

test("FILE '-' reads stdin; --exchange chooses the exchange", async () => {
  const queue = uniqueName("cli-stdin");
  pikaDeclare(queue, "amq.direct", TOPICS[1]!);
  const run = await publishCli(["--conf", conf(), "publish", "--exchange", "amq.direct", "-"], readFileSync(RECORDED, "utf8"));
  assert.equal(run.code, 0, run.stderr);
  const [received] = pikaGet(queue, 1);
  assert.deepEqual(received, { ...(EXPECTED[1] as object), exchange: "amq.direct" });
});

test("an invalid line: exit 2 naming its line number, the lines before it published", async () => {
  const queue = uniqueName("cli-invalid");
  pikaDeclare(queue, "amq.topic", TOPICS[0]!);
  const file = join(dir, "invalid.jsonl");
  writeFileSync(file, `${readFileSync(RECORDED, "utf8").split("\n")[0]}\n{"topic": "t"}\n`);
  const run = await publishCli(["--conf", conf(), "publish", file]);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /^Error: Unable to validate message on line 2: 'body' is a required property$/m);
  assert.equal(pikaGet(queue, 1).length, 1);
});

test("a blank line is invalid too (Python: exit 2)", async () => {
  const file = join(dir, "blank.jsonl");
  writeFileSync(file, "\n");
  const run = await publishCli(["--conf", conf(), "publish", file]);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /Unable to validate message on line 1: Expecting value/);
});

test("a FILE that does not exist, or no FILE: exit 2 before connecting", async () => {
  const missing = await publishCli(["--conf", conf(), "publish", join(dir, "nope.jsonl")]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /^Error: Invalid value for 'FILE': '.*nope\.jsonl': No such file or directory$/m);
  const none = await publishCli(["--conf", conf(), "publish"]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /^Error: Missing argument 'FILE'\.$/m);
});

test("no write permission: exit 121, 'Unable to publish message: ...'", async () => {
  const url = await userWithoutWrite("cli-nowrite");
  const run = await publishCli(["--conf", conf(url), "publish", RECORDED]);
  assert.equal(run.code, 121, run.stdout + run.stderr);
  assert.match(run.stdout, /^Unable to publish message: amqp:unauthorized-access: write access to exchange 'amq\.topic'/m);
});

test("credentials refused: exit 1 with one line", async () => {
  const url = new URL(brokerUrls().amqpUrl);
  url.password = "wrong";
  const run = await publishCli(["--conf", conf(url.toString()), "publish", RECORDED]);
  assert.equal(run.code, 1, run.stdout + run.stderr);
  assert.match(run.stdout, /^A general publish exception occurred: The TCP connection appears to have started/m);
});
