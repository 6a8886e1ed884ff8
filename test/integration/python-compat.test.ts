/**
 * A message published by Python's pika exactly as Python fedora-messaging
 * publishes it is printed by our printer callback byte for byte as Python's
 * `str(message)` prints it (floats, big integers, unicode, sorted keys).
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { brokerUrls } from "../support/broker.js";
import { waitForQueue } from "../support/management.js";
import { ROOT, runCli, testQueue, writeConfig, type TestQueue } from "./_harness.js";

let queue: TestQueue | undefined;
after(() => queue?.cleanup());

test("a pika-published fedora-messaging message prints exactly like Python's str(message)", async () => {
  queue = await testQueue("pika");
  const expectedFile = join(queue.dir, "expected.txt");
  const amqpUrl = brokerUrls().amqpUrl;
  execFileSync("/usr/bin/python3", [join(ROOT, "test/fixtures/python/pika_publish.py"), amqpUrl, "amq.topic", queue.routingKey, expectedFile]);
  const expected = readFileSync(expectedFile, "utf8");

  const config = writeConfig(queue, { callback: "fedora_messaging.example:printer" });
  const run = runCli(["--conf", config, "consume"]);
  await run.waitFor("Successfully consumed message");
  run.child.kill("SIGTERM");
  assert.equal(await run.exited, 0);
  const printed = run.stdout().split("\n").filter((line) => !line.startsWith("[fedora_messaging")).join("\n");
  assert.equal(printed.trim(), expected.trim());
  await waitForQueue(queue.name, (q) => q.messages === 0, 10_000);
});
