/**
 * `npm run demo`: the daemon's main job on a local broker, end to end.
 * Starts the project's RabbitMQ 4 (test/broker/rabbitmq.sh), runs
 * `fedora-messaging consume` with the printer callback on a sample config,
 * publishes a handful of realistic Fedora messages, shows them printed, then
 * stops the daemon with SIGTERM and the broker (if the demo started it).
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { publishMessages } from "../support/publish.js";
import { sampleMessages } from "./messages.js";

const root = resolve(import.meta.dirname, "../..");
const brokerScript = join(root, "test/broker/rabbitmq.sh");

function say(text: string): void {
  process.stderr.write(`\n\x1b[1m== ${text}\x1b[0m\n`);
}

function brokerEnv(): Record<string, string> {
  const lines = execFileSync("bash", [brokerScript, "env"], { encoding: "utf8" }).trim().split("\n");
  return Object.fromEntries(lines.map((line) => line.split(/=(.*)/s).slice(0, 2) as [string, string]));
}

const alreadyRunning = (() => {
  try {
    execFileSync("bash", [brokerScript, "status"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();
say(alreadyRunning ? "RabbitMQ 4 is already running" : "Starting a local RabbitMQ 4 (the first run builds it: about two minutes)");
execFileSync("bash", [brokerScript, "start"], { stdio: "inherit" });
const env = brokerEnv();
const amqpUrl = env["FM_TEST_AMQP_URL"]!;

if (!existsSync(join(root, "dist/fedora-messaging.js"))) {
  say("Building dist/");
  execFileSync("npm", ["run", "build"], { cwd: root, stdio: "inherit" });
}

const dir = mkdtempSync(join(tmpdir(), "fm-demo-"));
const config = join(dir, "demo.toml");
writeFileSync(
  config,
  `# The demo's configuration: Python fedora-messaging's format, the printer callback,
# a server-named queue bound to every Fedora production topic.
amqp_url = "${amqpUrl}"
callback = "fedora_messaging.example:printer"

[[bindings]]
exchange = "amq.topic"
routing_keys = ["org.fedoraproject.prod.#", "org.release-monitoring.prod.#"]

[client_properties]
app = "fedora-messaging demo"
`,
);

say(`fedora-messaging --conf ${config} consume`);
const daemon = spawn(process.execPath, [join(root, "dist/fedora-messaging.js"), "--conf", config, "consume"], {
  stdio: ["ignore", "pipe", "inherit"],
});
let output = "";
const ready = new Promise<void>((resolveReady, reject) => {
  daemon.stdout.on("data", (chunk: Buffer) => {
    process.stdout.write(chunk);
    output += chunk.toString();
    if (output.includes("Successfully registered AMQP consumer")) resolveReady();
  });
  daemon.on("exit", (code) => reject(new Error(`the daemon exited early with code ${code}`)));
});
await ready;

const messages = sampleMessages();
say(`Publishing ${messages.length} Fedora messages to amq.topic`);
await publishMessages(amqpUrl, messages);
const deadline = Date.now() + 15_000;
while ((output.match(/Successfully consumed message/g) ?? []).length < messages.length && Date.now() < deadline) {
  await new Promise((r) => setTimeout(r, 100));
}

say("Stopping the daemon with SIGTERM");
const code = await new Promise<number | null>((resolveExit) => {
  daemon.on("exit", (c) => resolveExit(c));
  daemon.kill("SIGTERM");
});
const printed = (output.match(/^Id: /gm) ?? []).length;
if (!alreadyRunning) {
  say("Stopping the broker");
  execFileSync("bash", [brokerScript, "stop"], { stdio: "inherit" });
}
say(`Done: ${printed} of ${messages.length} messages printed, daemon exit code ${code}`);
process.exitCode = printed === messages.length && code === 0 ? 0 : 1;
