/**
 * A single-active-consumer queue with a short `watchdog_timeout`: the standby
 * daemon has credit and the queue holds ready messages, yet by design it
 * receives nothing. The watchdog must take it for the healthy standby it is
 * (one INFO line), not restart its connection; `/ready` answers 200 (it is
 * attached and takes over without a restart); and it does take over when the
 * active daemon stops.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { listConsumers } from "../support/management.js";
import { until } from "../support/wait.js";
import { BEHAVIOURS, freePort, runCli, testQueues, writeConfig } from "./_harness.js";

const freshQueue = testQueues();
const STANDBY_LINE = /\[fedora_messaging\.twisted\.protocol INFO\] Queue (\S+) has a single active consumer and 2 consumers; ours has received nothing since it attached: it waits as a standby/;

describe("a single-active-consumer standby", () => {
  test("is left alone by the watchdog, ready on /ready, and takes over when the active daemon stops", async () => {
    const queue = await freshQueue("sac-standby", { "x-single-active-consumer": true });
    await queue.publish([{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }, { n: 5 }]);
    const gate = join(queue.dir, "gate");
    const port = await freePort();
    const settings = { callback: `${BEHAVIOURS}:gated`, consumerConfig: { gate_file: gate }, prefetch: 1 };
    const active = runCli(["--conf", writeConfig(queue, { ...settings, file: "active.toml", extra: "watchdog_timeout = 1" }), "consume"]);
    // The active daemon holds message 1 in its callback until the gate opens: 4 stay ready.
    await until(() => queue.records().length === 1, { what: "the active daemon's first callback started" });

    const standbyConfig = writeConfig(queue, {
      ...settings,
      file: "standby.toml",
      extra: `watchdog_timeout = 1\n[monitoring]\naddress = "127.0.0.1"\nport = ${port}`,
    });
    const standby = runCli(["--conf", standbyConfig, "consume"]);
    await until(async () => (await listConsumers(queue.name)).length === 2, { what: "two consumers on the queue" });
    // Silent for longer than watchdog_timeout with credit and 4 ready messages: the watchdog looks, and says what it sees.
    await standby.waitFor(STANDBY_LINE, 20_000);
    assert.equal(STANDBY_LINE.exec(standby.stdout())![1], queue.name);
    assert.doesNotMatch(standby.stdout(), /restarting the connection/);
    assert.equal(standby.stdout().match(/Successfully registered AMQP consumer/g)?.length, 1, "registered once: never restarted");
    const ready = await fetch(`http://127.0.0.1:${port}/ready`);
    assert.equal(ready.status, 200);
    assert.match(await ready.text(), /^\{"consuming": true, /);

    active.child.kill("SIGTERM");
    writeFileSync(gate, "");
    assert.equal(await active.exited, 0, active.stdout());
    const ended = () => new Set(queue.records().filter((r) => r["phase"] === "end").map((r) => (r["body"] as { n: number }).n));
    await until(() => ended().size === 5, { timeoutMs: 30_000, what: "all 5 messages handled, the rest by the standby" });
    standby.child.kill("SIGTERM");
    assert.equal(await standby.exited, 0, standby.stdout());
    assert.doesNotMatch(standby.stdout(), /restarting the connection/);
  });
});
