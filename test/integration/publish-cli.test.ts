/**
 * `fedora-messaging publish` (the built CLI) against the real broker: a file
 * written by Python's `record` (message.dumps) reaches a pika consumer exactly
 * as Python's own `fedora-messaging publish` of that file delivers it (ids,
 * sent-at, priorities, number shapes kept; fixture made with the real Python),
 * from a file or stdin; and the bad inputs with Python's exit codes and one
 * line. What it prints is Python's, line for line (seen running Python
 * fedora-messaging beside ours), less Python's tracebacks and pika's warnings.
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
import { CLI, freePort, ROOT, runCli } from "./_harness.js";

const RECORDED = join(ROOT, "test/fixtures/python/recorded.jsonl");
const SHORT_TIMEOUT = join(ROOT, "test/fixtures/cli/publish-timeout.ts");
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

/** The lines Python's protocol logs at exit once it had connected (its reactor stopping). */
const HALTED = [
  "[fedora_messaging.twisted.protocol INFO] Waiting for 0 consumer(s) to finish processing before halting",
  "[fedora_messaging.twisted.protocol INFO] Finished canceling 0 consumers",
  "[fedora_messaging.twisted.protocol INFO] Disconnect requested, but AMQP connection already gone",
];

function lines(text: string): string[] {
  return text.split("\n").filter(Boolean);
}

/**
 * The CLI from source with a timeout of `seconds` instead of Python's 30
 * (fixtures/cli/publish-timeout.ts: Python's CLI has no knob for it).
 */
async function publishCliTimingOut(seconds: number, args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const run = runCli(["--import", "tsx", SHORT_TIMEOUT, String(seconds), ...args], { executable: process.execPath, cwd: ROOT });
  const code = await run.exited;
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

test("a file recorded by Python is published exactly as Python's fedora-messaging publish does", async () => {
  const queue = uniqueName("cli-recorded");
  pikaDeclare(queue, "amq.topic", "org.fedoraproject.test.recorded.*");
  const run = await publishCli(["--conf", conf(), "publish", RECORDED]);
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(lines(run.stdout), [...TOPICS.map((t) => `Publishing message with topic ${t}`), ...HALTED]);
  assert.equal(run.stderr, "");
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
  const user = new URL(url).username;
  const refused = `write access to exchange 'amq.topic' in vhost '/' refused for user '${user}'`;
  assert.deepEqual(lines(run.stdout), [
    `Publishing message with topic ${TOPICS[0]}`,
    `[fedora_messaging.twisted.protocol ERROR] Message was forbidden by the broker: ACCESS_REFUSED - ${refused}`,
    `Unable to publish message: (403, "ACCESS_REFUSED - ${refused}")`,
    ...HALTED,
  ]);
  assert.equal(run.stderr, "");
});

test("credentials refused: exit 1 with one line", async () => {
  const url = new URL(brokerUrls().amqpUrl);
  url.password = "wrong";
  const run = await publishCli(["--conf", conf(url.toString()), "publish", RECORDED]);
  assert.equal(run.code, 1, run.stdout + run.stderr);
  // Python: ConnectionException escapes, a traceback on stderr ending with its name; nothing at exit (it never connected).
  assert.deepEqual(lines(run.stdout), [`Publishing message with topic ${TOPICS[0]}`]);
  assert.match(run.stderr, /^fedora_messaging\.exceptions\.ConnectionException: The TCP connection appears to have started, but the TLS or AMQP handshake with the broker failed; .*\n$/);
});

test("a broker that is down: exit 111 once the timeout is over, Python's lines only", async () => {
  const run = await publishCliTimingOut(2, ["--conf", conf(`amqp://guest:guest@127.0.0.1:${await freePort()}/`), "publish", RECORDED]);
  assert.equal(run.code, 111, run.stdout + run.stderr);
  assert.deepEqual(lines(run.stdout), [
    `Publishing message with topic ${TOPICS[0]}`,
    "Unable to connect to the message broker: Publishing timed out after waiting 2 seconds.",
  ]);
  assert.equal(run.stderr, "");
});

test("an exchange that does not exist: retried until the timeout, exit 111; the broker's answer said once", async () => {
  const exchange = uniqueName("no-such-exchange");
  const run = await publishCliTimingOut(2, ["--conf", conf(), "publish", "--exchange", exchange, RECORDED]);
  assert.equal(run.code, 111, run.stdout + run.stderr);
  assert.deepEqual(lines(run.stdout), [
    `Publishing message with topic ${TOPICS[0]}`,
    // Python: pika's "Received remote Channel.Close (404) ..." WARNING on every retry.
    `[fedora_messaging.twisted.protocol WARNING] Publishing to exchange ${exchange} failed: no exchange '${exchange}' in vhost '/'; retrying until the timeout`,
    "Unable to connect to the message broker: Publishing timed out after waiting 2 seconds.",
    ...HALTED,
  ]);
  assert.equal(run.stderr, "");
});

test("FILE '-' with stdin closed: exit 1 and one line, nothing published (Python: exit 1, an AttributeError traceback)", async () => {
  // Node reopens a closed fd 0 on /dev/null: the CLI must tell that from an empty stdin.
  const child = spawn("bash", ["-c", 'exec 0<&-; exec "$0" "$@"', process.execPath, CLI, "--conf", conf(), "publish", "-"], { stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  assert.equal(code, 1, stdout + stderr);
  assert.equal(stdout, "");
  assert.equal(stderr, "Error: Could not read FILE '-': stdin is closed\n");
  // An empty stdin is not a closed one: nothing to publish, exit 0 (as Python).
  const empty = await publishCli(["--conf", conf(), "publish", "-"], "");
  assert.equal(empty.code, 0, empty.stdout + empty.stderr);
  assert.equal(empty.stdout, "");
});
