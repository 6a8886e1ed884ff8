import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { QueueConsumer } from "../../../src/consumer/queue-consumer.js";
import { startWatchdog } from "../../../src/daemon/watchdog.js";
import { setLevel } from "../../../src/log.js";

setLevel("fedora_messaging", 50);

/** A consumer that has been silent for `silentMs`. */
function consumer(silentMs: number, awaitingDeliveries = true): QueueConsumer {
  return { queue: "q", lastActivity: Date.now() - silentMs, awaitingDeliveries } as unknown as QueueConsumer;
}

async function restartsWithin(ms: number, options: { silentMs: number; ready: number; busy?: boolean; awaiting?: boolean; timeoutSeconds?: number }): Promise<boolean> {
  let restarted = false;
  const stop = startWatchdog({
    timeoutSeconds: options.timeoutSeconds ?? 1,
    consumers: () => [{ consumer: consumer(options.silentMs, options.awaiting ?? true), busy: options.busy ?? false }],
    management: { checkQueue: async () => ({ message_count: options.ready }) as never },
    restart: async () => {
      restarted = true;
    },
  });
  await sleep(ms);
  stop();
  return restarted;
}

describe("watchdog", () => {
  it("restarts a silent consumer whose queue has ready messages", async () => {
    assert.equal(await restartsWithin(1300, { silentMs: 5000, ready: 3 }), true);
  });
  it("leaves alone a consumer whose queue is empty", async () => {
    assert.equal(await restartsWithin(1300, { silentMs: 5000, ready: 0 }), false);
  });
  it("leaves alone a consumer whose callback is running", async () => {
    assert.equal(await restartsWithin(1300, { silentMs: 5000, ready: 3, busy: true }), false);
  });
  it("leaves alone a consumer without credit to spare (prefetch full)", async () => {
    assert.equal(await restartsWithin(1300, { silentMs: 5000, ready: 3, awaiting: false }), false);
  });
  it("leaves alone a consumer that received recently", async () => {
    assert.equal(await restartsWithin(1300, { silentMs: 0, ready: 3, timeoutSeconds: 5 }), false);
  });
  it("is off with watchdog_timeout = 0", async () => {
    assert.equal(await restartsWithin(1300, { silentMs: 5000, ready: 3, timeoutSeconds: 0 }), false);
  });
});
