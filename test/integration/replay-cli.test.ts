/**
 * `fedora-messaging replay` (the built CLI) against the real broker and a
 * local HTTP server answering like Datagrepper's `/v2/id?id=...&is_raw=true`:
 * found (published again with its id, sent-at and topic, topic_prefix off),
 * not found, 500, invalid JSON, no answer within 5 s, an empty answer.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { brokerUrls, uniqueName } from "../support/broker.js";
import { pikaDeclare, pikaGet } from "../support/pika.js";
import { freePort, ROOT, runCli } from "./_harness.js";

const RECORDED = readFileSync(join(ROOT, "test/fixtures/python/recorded.jsonl"), "utf8").split("\n");
const EXPECTED = JSON.parse(readFileSync(join(ROOT, "test/fixtures/python/recorded-published.json"), "utf8")) as unknown[];
const dir = mkdtempSync(join(tmpdir(), "fm-replay-"));
const conf = join(dir, "config.toml");
// topic_prefix must not be applied: Datagrepper's topic is complete already.
writeFileSync(conf, `amqp_url = ${JSON.stringify(brokerUrls().amqpUrl)}\ntopic_prefix = "must.not.appear"\n`);

/** What the fake Datagrepper answers for each id; "hang" never answers. */
const answers: Record<string, { status: number; body: string } | "hang"> = {
  found: { status: 200, body: RECORDED[0]! },
  missing: { status: 404, body: "not found" },
  broken: { status: 500, body: "oops" },
  garbled: { status: 200, body: "{not json" },
  empty: { status: 200, body: "{}" },
  hang: "hang",
};
let server: Server;
let url = "";
const seenPaths: string[] = [];

before(async () => {
  server = createServer((request, response) => {
    seenPaths.push(request.url ?? "");
    const id = new URL(request.url ?? "/", "http://x").searchParams.get("id") ?? "";
    const answer = answers[id];
    if (answer === "hang") return;
    response.statusCode = answer?.status ?? 404;
    response.statusMessage = answer?.status === 404 ? "NOT FOUND" : answer?.status === 500 ? "INTERNAL SERVER ERROR" : "OK";
    response.end(answer?.body ?? "");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

async function replay(id: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const run = runCli(["--conf", conf, "replay", id, "--datagrepper-url", url]);
  const code = await run.exited;
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

test("found: published again exactly as Python's publish of that record, and said so", async () => {
  const queue = uniqueName("replay");
  pikaDeclare(queue, "amq.topic", "org.fedoraproject.test.recorded.one");
  const run = await replay("found");
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /^Message with ID found has been successfully replayed\.$/m);
  assert.ok(seenPaths.includes("/v2/id?id=found&is_raw=true"));
  assert.deepEqual(pikaGet(queue, 1), [EXPECTED[0]]);
});

test("Datagrepper failures: exit 1, 'Failed to retrieve message from Datagrepper: ...'", async () => {
  const cases: Array<[string, RegExp]> = [
    ["missing", /^Error: Failed to retrieve message from Datagrepper: 404 Client Error: NOT FOUND for url: http:.*\/v2\/id\?id=missing&is_raw=true$/m],
    ["broken", /^Error: Failed to retrieve message from Datagrepper: 500 Server Error: INTERNAL SERVER ERROR for url: /m],
    ["garbled", /^Error: Failed to retrieve message from Datagrepper: Expecting property name enclosed in double quotes: line 1 column 2 \(char 1\)$/m],
    ["hang", /^Error: Failed to retrieve message from Datagrepper: Read timed out\. \(read timeout=5\) for url: /m],
  ];
  for (const [id, line] of cases) {
    const run = await replay(id);
    assert.equal(run.code, 1, `${id}: ${run.stdout}${run.stderr}`);
    assert.match(run.stderr, line);
  }
});

test("Datagrepper not reachable: exit 1 with the reason", async () => {
  const run = runCli(["--conf", conf, "replay", "x", "--datagrepper-url", `http://127.0.0.1:${await freePort()}`]);
  assert.equal(await run.exited, 1);
  assert.match(run.stderr(), /^Error: Failed to retrieve message from Datagrepper: .*ECONNREFUSED.* for url: /m);
});

test("an empty answer: nothing to replay, exit 0 (Python's `if message_data:`)", async () => {
  const run = await replay("empty");
  assert.equal(run.code, 0);
  assert.doesNotMatch(run.stdout, /replayed/);
});

test("reconsume: the callback gets the Datagrepper message once; exit 0, or 1 when it throws", async () => {
  const out = join(dir, "reconsumed.jsonl");
  const plugin = join(dir, "reconsume-plugin.mjs");
  writeFileSync(
    plugin,
    `import { appendFileSync } from "node:fs";\n` +
      `export function keep(message) { appendFileSync(${JSON.stringify(out)}, JSON.stringify([message.id, message.topic, message.body.score]) + "\\n"); }\n` +
      `export function fail() { throw new Error("boom"); }\n`,
  );
  const ok = runCli(["--conf", conf, "reconsume", "found", "--callback-file", `${plugin}:keep`, "--datagrepper-url", url]);
  assert.equal(await ok.exited, 0, ok.stdout() + ok.stderr());
  const first = JSON.parse(RECORDED[0]!) as { id: string; topic: string };
  assert.equal(readFileSync(out, "utf8"), `${JSON.stringify([first.id, first.topic, 1])}\n`);
  assert.equal(ok.stdout(), "", "Python logs nothing for a --callback-file callback");
  assert.equal(ok.stderr(), "");
  const failing = runCli(["--conf", conf, "reconsume", "found", "--callback-file", `${plugin}:fail`, "--datagrepper-url", url]);
  assert.equal(await failing.exited, 1);
  assert.match(failing.stderr(), /^The callback raised an exception on message .*:\n {4}at fail \(.*\n[\s\S]*\nError: boom\n$/);
  const missing = runCli(["--conf", conf, "reconsume", "missing", "--callback-file", `${plugin}:keep`, "--datagrepper-url", url]);
  assert.equal(await missing.exited, 1);
  assert.match(missing.stderr(), /^Error: Failed to retrieve message from Datagrepper: 404 Client Error/m);
});

test("reconsume: Nack, Drop and HaltConsumer (any exit code) escape as in Python: exit 1, the traceback's last line naming them", async () => {
  const plugin = join(dir, "reconsume-outcomes.mjs");
  writeFileSync(
    plugin,
    `import { Drop, HaltConsumer, Nack } from ${JSON.stringify(join(ROOT, "dist/index.mjs"))};\n` +
      `export function nack() { throw new Nack(); }\n` +
      `export function drop() { throw new Drop(); }\n` +
      `export function halt42() { throw new HaltConsumer(42, "enough"); }\n` +
      `export function halt0() { throw new HaltConsumer(); }\n`,
  );
  // Python 3.7 (seen running it): exit 1 for each, stderr ending "fedora_messaging.exceptions.<Name>", stdout empty.
  for (const [name, pythonName] of [["nack", "Nack"], ["drop", "Drop"], ["halt42", "HaltConsumer"], ["halt0", "HaltConsumer"]] as const) {
    const run = runCli(["--conf", conf, "reconsume", "found", "--callback-file", `${plugin}:${name}`, "--datagrepper-url", url]);
    assert.equal(await run.exited, 1, `${name}: ${run.stdout()}${run.stderr()}`);
    assert.equal(run.stdout(), "", name);
    assert.match(run.stderr(), new RegExp(`^The callback raised an exception on message [0-9a-f-]+:\\n {4}at ${name} \\(`), name);
    assert.ok(run.stderr().endsWith(`\nfedora_messaging.exceptions.${pythonName}\n`), `${name}: ${run.stderr()}`);
  }
});
