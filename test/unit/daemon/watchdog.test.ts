import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { QueueConsumer } from "../../../src/consumer/queue-consumer.js";
import { startWatchdog } from "../../../src/daemon/watchdog.js";
import { setLevel } from "../../../src/log.js";
import { until } from "../../support/wait.js";

setLevel("fedora_messaging", 50);

/** A consumer that has been silent for `silentMs` and received `received` messages on its link. */
function consumer(silentMs: number, awaitingDeliveries = true, received = 0): QueueConsumer {
  return { queue: "q", lastActivity: Date.now() - silentMs, awaitingDeliveries, received } as unknown as QueueConsumer;
}

interface Scenario {
  silentMs: number;
  ready: number;
  busy?: boolean;
  awaiting?: boolean;
  timeoutSeconds?: number;
  /** The queue is declared with x-single-active-consumer. */
  singleActive?: boolean;
  /** Consumers the broker counts on the queue (default 1: ours). */
  consumers?: number;
  /** Messages received on our link so far. */
  received?: number;
}

/** Runs a watchdog over one consumer; `restarted()` tells whether it restarted the connection yet. */
function watch(options: Scenario): { restarted: () => boolean; stop: () => void } {
  let restarted = false;
  const stop = startWatchdog({
    timeoutSeconds: options.timeoutSeconds ?? 1,
    consumers: () => [
      {
        consumer: consumer(options.silentMs, options.awaiting ?? true, options.received ?? 0),
        busy: options.busy ?? false,
        singleActive: options.singleActive ?? false,
      },
    ],
    management: { checkQueue: async () => ({ message_count: options.ready, consumer_count: options.consumers ?? 1 }) as never },
    restart: async () => {
      restarted = true;
    },
  });
  return { restarted: () => restarted, stop };
}

/** It checks every second at the fastest: a positive case waits for the restart (a busy machine delays timers). */
async function restarts(options: Scenario): Promise<void> {
  const watchdog = watch(options);
  try {
    await until(watchdog.restarted, { timeoutMs: 15_000, what: "a restart" });
  } finally {
    watchdog.stop();
  }
}

/** A negative case can only watch for a while: long enough for two checks on a quiet machine. */
async function staysQuiet(options: Scenario): Promise<boolean> {
  const watchdog = watch(options);
  await sleep(2_500);
  watchdog.stop();
  return !watchdog.restarted();
}

describe("watchdog", { concurrency: true }, () => {
  it("restarts a silent consumer whose queue has ready messages", async () => {
    await restarts({ silentMs: 5000, ready: 3 });
  });
  it("leaves alone a consumer whose queue is empty", async () => {
    assert.equal(await staysQuiet({ silentMs: 5000, ready: 0 }), true);
  });
  it("leaves alone a consumer whose callback is running", async () => {
    assert.equal(await staysQuiet({ silentMs: 5000, ready: 3, busy: true }), true);
  });
  it("leaves alone a consumer without credit to spare (prefetch full)", async () => {
    assert.equal(await staysQuiet({ silentMs: 5000, ready: 3, awaiting: false }), true);
  });
  it("leaves alone a consumer that received recently", async () => {
    assert.equal(await staysQuiet({ silentMs: 0, ready: 3, timeoutSeconds: 5 }), true);
  });
  it("leaves alone a single-active-consumer standby: nothing received on its link, other consumers attached", async () => {
    assert.equal(await staysQuiet({ silentMs: 5000, ready: 3, singleActive: true, consumers: 2 }), true);
  });
  it("restarts the silent active consumer of a single-active-consumer queue (it received before)", async () => {
    await restarts({ silentMs: 5000, ready: 3, singleActive: true, consumers: 2, received: 4 });
  });
  it("restarts the only consumer of a single-active-consumer queue, which cannot be a standby", async () => {
    await restarts({ silentMs: 5000, ready: 3, singleActive: true, consumers: 1 });
  });
  it("restarts a silent consumer that never received on a queue without single active consumer", async () => {
    await restarts({ silentMs: 5000, ready: 3, consumers: 2 });
  });
  it("is off with watchdog_timeout = 0", async () => {
    assert.equal(await staysQuiet({ silentMs: 5000, ready: 3, timeoutSeconds: 0 }), true);
  });
});
