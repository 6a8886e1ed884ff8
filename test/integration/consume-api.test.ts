/**
 * The outcome table through the library: `consume()` resolves or rejects
 * instead of exiting, with the same effect on the broker's queue as the CLI.
 */
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { consume, Drop, HaltConsumer, Nack, CallbackError, type Message } from "../../src/index.js";
import { loadConfig } from "../../src/config/load.js";
import { setLevel } from "../../src/log.js";
import { waitForQueue } from "../support/management.js";
import { BEHAVIOURS, testQueue, writeConfig, type TestQueue } from "./_harness.js";

setLevel("fedora_messaging", 40); // the test's own output stays readable

const queues: TestQueue[] = [];
after(() => Promise.all(queues.map((q) => q.cleanup())));

async function setup(prefix: string, bodies: Array<Record<string, unknown>>): Promise<{ queue: TestQueue; config: ReturnType<typeof loadConfig> }> {
  const queue = await testQueue(prefix);
  queues.push(queue);
  await queue.publish(bodies);
  return { queue, config: loadConfig({ path: writeConfig(queue) }) };
}

describe("consume() from JavaScript", () => {
  test("return accepts; HaltConsumer resolves { kind: 'halted' } with its code", async () => {
    const { queue, config } = await setup("api-accept", [{ n: 1 }, { n: 2 }]);
    const seen: number[] = [];
    const result = await consume((message: Message) => {
      seen.push((message.body as { n: number }).n);
      if (seen.length === 2) throw new HaltConsumer(3, "enough");
    }, { config });
    assert.deepEqual(result, { kind: "halted", exitCode: 3, reason: "enough" });
    assert.deepEqual(seen, [1, 2]);
    await waitForQueue(queue.name, (q) => q.messages === 0, 10_000);
  });

  test("Nack requeues, Drop discards", async () => {
    const { queue, config } = await setup("api-nack-drop", [{ action: "nack" }, { action: "drop" }]);
    const calls: string[] = [];
    const result = await consume(async (message: Message) => {
      const { action } = message.body as { action: string };
      calls.push(action);
      if (calls.length === 3) throw new HaltConsumer();
      if (action === "nack" && calls.filter((c) => c === "nack").length === 1) throw new Nack();
      if (action === "drop") throw new Drop();
    }, { config });
    assert.equal(result.kind, "halted");
    assert.deepEqual(calls.sort(), ["drop", "nack", "nack"]);
    await waitForQueue(queue.name, (q) => q.messages === 0, 10_000);
  });

  test("HaltConsumer(requeue) puts the message back", async () => {
    const { queue, config } = await setup("api-halt-requeue", [{ n: 1 }]);
    const result = await consume(() => {
      throw new HaltConsumer(0, undefined, true);
    }, { config });
    assert.equal(result.kind, "halted");
    await waitForQueue(queue.name, (q) => q.messages_ready === 1 && q.messages_unacknowledged === 0, 10_000);
  });

  test("an unexpected error rejects with CallbackError; every message goes back", async () => {
    const { queue, config } = await setup("api-error", [{ n: 1 }, { n: 2 }, { n: 3 }]);
    await assert.rejects(
      consume(() => {
        throw new RangeError("no");
      }, { config }),
      (error: unknown) => error instanceof CallbackError && /RangeError\('no'\)/.test(error.message),
    );
    await waitForQueue(queue.name, (q) => q.messages_ready === 3 && q.messages_unacknowledged === 0, 10_000);
  });

  test("an AbortSignal stops gracefully: the message in progress is accepted, the rest stays", async () => {
    const { queue, config } = await setup("api-abort", [{ n: 1 }, { n: 2 }, { n: 3 }]);
    const controller = new AbortController();
    const result = await consume(async () => {
      controller.abort();
      await new Promise((resolve) => setTimeout(resolve, 300));
    }, { config, signal: controller.signal });
    assert.deepEqual(result, { kind: "stopped" });
    await waitForQueue(queue.name, (q) => q.messages_ready === 2 && q.messages_unacknowledged === 0, 10_000);
  });

  test("a path:Name callback runs in a worker thread and sees consumer_config", async () => {
    const { queue, config } = await setup("api-worker", [{ n: 1 }, { n: 2 }]);
    const withHalt = { ...config, consumer_config: { ...config.consumer_config, halt_after: 2 } };
    const result = await consume(`${BEHAVIOURS}:Counter`, { config: withHalt });
    assert.deepEqual(result, { kind: "halted", exitCode: 0, reason: undefined });
    assert.deepEqual(queue.records().map((r) => r["seen"]), [1, 2]);
  });

  test("bad bindings are refused before connecting", async () => {
    await assert.rejects(
      consume(() => undefined, { bindings: { exchange: "amq.topic", routing_keys: "#" as unknown as string[] } }),
      /routing_keys must be a list or tuple, but was a/,
    );
  });
});
