import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { DurationHistogram, renderPrometheus, type DaemonMetrics } from "../../../src/monitoring/metrics.js";
import { startMonitoring, type MonitoringServer } from "../../../src/monitoring/server.js";

let metrics: DaemonMetrics = {
  consuming: true,
  published: 0,
  stats: { received: 3, processed: 1, dropped: 1, rejected: 1, failed: 0 },
  reconnects: 2,
  inFlight: 4,
  durations: new DurationHistogram(),
  conversionFailures: 5,
};
let server: MonitoringServer | undefined;
after(() => server?.close());

describe("monitoring HTTP server", () => {
  it("/live and /ready answer Python's bodies; /ready is 503 while not consuming", async () => {
    server = await startMonitoring({ address: "127.0.0.1", port: 0 }, () => metrics);
    const base = `http://127.0.0.1:${server.port}`;
    const live = await fetch(`${base}/live`);
    assert.equal(live.status, 200);
    assert.equal(live.headers.get("content-type"), "application/json "); // sic: Python sends the trailing space
    assert.equal(await live.text(), '{"status": "OK"}\n');
    const ready = await fetch(`${base}/ready`);
    assert.equal(ready.status, 200);
    assert.equal(
      await ready.text(),
      '{"consuming": true, "published": 0, "consumed": {"received": 3, "processed": 1, "dropped": 1, "rejected": 1, "failed": 0}}\n',
    );
    metrics = { ...metrics, consuming: false };
    const notReady = await fetch(`${base}/ready`);
    assert.equal(notReady.status, 503);
    assert.match(await notReady.text(), /"consuming": false/);
    assert.equal((await fetch(`${base}/nope`)).status, 404);
  });

  it("/metrics renders Prometheus text", async () => {
    const durations = new DurationHistogram();
    durations.observe(3);
    durations.observe(700);
    const text = renderPrometheus({ ...metrics, durations });
    assert.match(text, /^fedora_messaging_messages_total\{outcome="processed"\} 1$/m);
    assert.match(text, /^fedora_messaging_reconnects_total 2$/m);
    assert.match(text, /^fedora_messaging_in_flight 4$/m);
    assert.match(text, /^fedora_messaging_unconvertible_message_session_ends_total 5$/m);
    assert.match(text, /^fedora_messaging_callback_duration_seconds_bucket\{le="0.005"\} 1$/m);
    assert.match(text, /^fedora_messaging_callback_duration_seconds_bucket\{le="1"\} 2$/m);
    assert.match(text, /^fedora_messaging_callback_duration_seconds_count 2$/m);
    const served = await (await fetch(`http://127.0.0.1:${server!.port}/metrics`)).text();
    assert.match(served, /# TYPE fedora_messaging_callback_duration_seconds histogram/);
  });
});
