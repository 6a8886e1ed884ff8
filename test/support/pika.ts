/**
 * The AMQP 0-9-1 side of the wire-format tests: what pika (the client Python
 * fedora-messaging consumes with) receives, through test/fixtures/python/pika_dump.py,
 * and Python fedora-messaging's own publish (fm_publish.py) when it is installed.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { join } from "node:path";
import { brokerUrls } from "./broker.js";

const PYTHON = "/usr/bin/python3";
const FIXTURES = join(import.meta.dirname, "../fixtures/python");

/** What pika received of one message: exchange, routing key, basic properties, body text. */
export interface PikaDump {
  readonly exchange: string;
  readonly routing_key: string;
  readonly properties: Record<string, unknown> & { headers: Record<string, [string, string]> | null; message_id: string | null };
  readonly body: string;
}

/** Declares `queue` (non-durable) with pika and binds it to `exchange` with `bindingKey`. */
export function pikaDeclare(queue: string, exchange: string, bindingKey: string): void {
  execFileSync(PYTHON, [join(FIXTURES, "pika_dump.py"), "declare", brokerUrls().amqpUrl, queue, exchange, bindingKey]);
}

/** Takes `count` messages from `queue` with pika (waiting up to `timeoutS`), then deletes the queue. */
export function pikaGet(queue: string, count: number, timeoutS = 10): PikaDump[] {
  const out = execFileSync(PYTHON, [join(FIXTURES, "pika_dump.py"), "get", brokerUrls().amqpUrl, queue, String(count), String(timeoutS)], {
    encoding: "utf8",
  });
  return out.trim().split("\n").filter(Boolean).map((line) => JSON.parse(line) as PikaDump);
}

/** True when Python fedora-messaging can be imported (python-reference-howto.md installs it). */
export function pythonFedoraMessagingInstalled(): boolean {
  return spawnSync(PYTHON, ["-c", "import fedora_messaging.api"], { stdio: "ignore" }).status === 0;
}

/** Publishes with Python fedora-messaging's api.publish, configured by `conf`. */
export function pythonPublish(conf: string, topic: string, body: unknown, headers: Record<string, unknown>, exchange?: string): void {
  const args = [join(FIXTURES, "fm_publish.py"), topic, JSON.stringify(body), JSON.stringify(headers), ...(exchange ? [exchange] : [])];
  execFileSync(PYTHON, args, { env: { ...process.env, FEDORA_MESSAGING_CONF: conf }, stdio: ["ignore", "pipe", "pipe"] });
}

const UUID4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const SENT_AT = /^'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00'$/;

/**
 * The dump with what differs between two publishes of the same message (the
 * uuid4 id, the second of `sent-at`) replaced by placeholders, after checking
 * their shape.
 * @throws Error when the id is not a uuid4 or sent-at is not Python's isoformat.
 */
export function normalised(dump: PikaDump): PikaDump {
  const id = dump.properties.message_id;
  if (!id || !UUID4.test(id)) throw new Error(`message_id ${id} is not a uuid4`);
  const headers = { ...dump.properties.headers };
  const sentAt = headers["sent-at"];
  if (!sentAt || sentAt[0] !== "str" || !SENT_AT.test(sentAt[1])) throw new Error(`sent-at ${JSON.stringify(sentAt)} is not Python's UTC isoformat`);
  headers["sent-at"] = ["str", "<sent-at>"];
  return { ...dump, properties: { ...dump.properties, message_id: "<uuid4>", headers } };
}
