/**
 * `npm run bench` (publishing part): `fedora-messaging publish` of N recorded
 * Fedora-shaped messages from a file, ours beside Python's `fedora-messaging
 * publish` of the same file when it is installed (skipped otherwise). Both
 * publish one message at a time and wait for the broker's confirm, as Python
 * does. Printed: messages/s over the whole run (exec to exit) and CPU ms per
 * message (utime+stime of the process, read from /proc while it runs; the
 * zombie's last reading counts). Nothing is asserted: compare the ratio.
 *
 * Environment: FM_BENCH_PUBLISH_COUNT (default 20000).
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { sampleMessages } from "../demo/messages.js";
import { brokerUrls, uniqueName } from "../support/broker.js";
import { bindQueue, declareQueue, deleteQueue, waitForQueue } from "../support/management.js";
import { Message } from "../../src/message/message.js";
import { dumps } from "../../src/message/serialize.js";

const root = resolve(import.meta.dirname, "../..");
const COUNT = Number(process.env["FM_BENCH_PUBLISH_COUNT"] ?? 20_000);
const CLK_TCK = 100; // Linux USER_HZ, the unit of /proc/<pid>/stat times
const PYTHON_CLI = "/usr/local/bin/fedora-messaging";

const { amqpUrl } = brokerUrls();
const dir = mkdtempSync(join(tmpdir(), "fm-bench-publish-"));
const conf = join(dir, "config.toml");
writeFileSync(conf, `amqp_url = ${JSON.stringify(amqpUrl)}\n`);
const file = join(dir, "messages.jsonl");
const samples = sampleMessages();
const lines: string[] = [];
for (let i = 0; i < COUNT; i++) {
  const s = samples[i % samples.length]!;
  lines.push(dumps(new Message({ topic: s.topic, body: s.body, headers: s.headers })));
}
writeFileSync(file, lines.join(""));

function cpuMsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
  } catch {
    return 0;
  }
}

async function measure(name: string, argv: string[]): Promise<{ rate: number; cpuMs: number }> {
  const queue = uniqueName("bench-publish");
  await declareQueue(queue, { durable: true, auto_delete: false, arguments: {} });
  await bindQueue(queue, "amq.topic", "#");
  try {
    const started = Date.now();
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ["ignore", "ignore", "inherit"] });
    let cpuMs = 0;
    const poll = setInterval(() => (cpuMs = Math.max(cpuMs, cpuMsOf(child.pid!))), 20);
    const code = await new Promise<number | null>((r) => child.on("exit", (c) => r(c)));
    clearInterval(poll);
    const elapsedMs = Date.now() - started;
    if (code !== 0) throw new Error(`${name} exited with ${code}`);
    // At least: other tests may publish to amq.topic on the same broker meanwhile.
    await waitForQueue(queue, (q) => q.messages >= COUNT, 60_000);
    return { rate: (COUNT * 1000) / elapsedMs, cpuMs: cpuMs / COUNT };
  } finally {
    // A queue bound to "#" left behind would swallow every unroutable message of later tests.
    await deleteQueue(queue);
  }
}

process.stderr.write(`publish benchmark: ${COUNT} recorded messages from a file, one confirm at a time\n`);
const ours = await measure("ours", [process.execPath, join(root, "dist/fedora-messaging.js"), "--conf", conf, "publish", file]);
const rows: Array<[string, { rate: number; cpuMs: number }]> = [["fedora-messaging (ours)", ours]];
if (existsSync(PYTHON_CLI)) rows.push(["Python fedora-messaging", await measure("python", [PYTHON_CLI, "--conf", conf, "publish", file])]);
else process.stderr.write(`(${PYTHON_CLI} not installed: Python's figures skipped)\n`);
for (const [name, figures] of rows) {
  const ratio = figures === ours ? "" : `  (ours: ${(ours.rate / figures.rate).toFixed(2)}x the rate, ${(ours.cpuMs / figures.cpuMs).toFixed(2)}x the CPU)`;
  console.log(`${name.padEnd(26)} ${figures.rate.toFixed(0).padStart(6)} msgs/s  ${figures.cpuMs.toFixed(3)} ms CPU/msg${ratio}`);
}
