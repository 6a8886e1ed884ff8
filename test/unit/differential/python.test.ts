/**
 * The differential test: ours against Python fedora-messaging on the same
 * inputs (test/differential/cases.json), byte for byte — the consumer's log
 * lines for one delivery (decoding, validation, the callback's outcome),
 * `str()`, `repr()`, `dumps()`, `summary`, the ValidationError summary, and
 * every configuration error sentence.
 *
 * Python's answers are committed in test/differential/expected.json, so this
 * runs everywhere. Where Python fedora-messaging is installed
 * (/work/shared/notes/python-reference-howto.md), the last test also runs it
 * and checks that the committed answers are still what it says; after a
 * Python update, rerun the one command it names.
 *
 * Known, documented differences are listed in KNOWN_DIFFERENCES with the reason.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { createConsola } from "consola";
import { parseConfig } from "../../../src/config/load.js";
import type { RawDelivery } from "../../../src/consumer/delivery.js";
import { processDelivery } from "../../../src/runner/process.js";
import { SharedStats } from "../../../src/consumer/stats.js";
import { Drop, HaltConsumer, Nack, ValidationError } from "../../../src/errors.js";
import { setSink } from "../../../src/log.js";
import { decodeMessage, dumps } from "../../../src/message/index.js";
import type { ReceiveCase } from "../message/_fixtures.js";

const dir = fileURLToPath(new URL("../../differential/", import.meta.url));
const REGENERATE = "/usr/bin/python3 test/differential/python-reference.py";

/** A delivery as message-cases.json describes one, plus what the callback does. */
type MessageCase = Pick<ReceiveCase, "name" | "routingKey" | "headers" | "contentEncoding" | "messageId" | "priority" | "bodyHex"> & {
  action: "return" | "nack" | "drop" | "halt" | "fail";
};
interface ConfigCase {
  name: string;
  toml: string;
}
interface MessageAnswer {
  name: string;
  logs: string[];
  str?: string;
  repr?: string;
  dumps?: string;
  summary?: string;
  error?: string;
}
interface ConfigAnswer {
  name: string;
  error: string | null;
}
interface Answers {
  messages: MessageAnswer[];
  configs: ConfigAnswer[];
}

const cases = JSON.parse(readFileSync(`${dir}cases.json`, "utf8")) as { messages: MessageCase[]; configs: ConfigCase[] };
const expected = JSON.parse(readFileSync(`${dir}expected.json`, "utf8")) as Answers;

/**
 * Where ours differs from Python on purpose, by case name: what is compared
 * instead is written in the test below.
 */
const KNOWN_DIFFERENCES: Readonly<Record<string, string>> = {
  // JSON (this table) and AMQP 1.0 (rhea) both give a double header 1.0 as the JS number 1.
  "float header 1.0": "a header holding the float 1.0 prints as 1",
  // Python's sentence names the file once, at the start ("Configuration error: in FILE: ..." is ours).
  // Our TOML parser (confbox) words syntax errors its own way; both say "Failed to parse FILE:" and the position.
  "TOML: missing value": "TOML syntax errors are worded by our parser",
  "TOML: unterminated string": "TOML syntax errors are worded by our parser",
  "TOML: duplicate key": "TOML syntax errors are worded by our parser",
  "TOML: bad table": "TOML syntax errors are worded by our parser",
};

let lines: string[] = [];
beforeEach(() => {
  lines = [];
  // One entry per log call; an exception's stack follows its first line (Python's traceback is left out too).
  setSink(createConsola({ level: 5, reporters: [{ log: (entry) => { lines.push(entry.args.join(" ").split("\n")[0]!); } }] }));
});
afterEach(() => setSink(createConsola({ level: 5, reporters: [{ log: () => {} }] })));

function headersOf(c: MessageCase): Record<string, unknown> | undefined {
  return c.headers === null ? undefined : (JSON.parse(c.headers) as Record<string, unknown>);
}

function delivery(c: MessageCase): RawDelivery {
  return {
    annotations: { "x-routing-key": c.routingKey },
    applicationProperties: headersOf(c),
    messageId: c.messageId ?? undefined,
    subject: undefined,
    contentType: "application/json",
    contentEncoding: c.contentEncoding ?? undefined,
    priority: c.priority ?? undefined,
    data: Buffer.from(c.bodyHex, "hex"),
  } as RawDelivery;
}

function callback(action: MessageCase["action"]): () => void {
  return function callback() {
    if (action === "nack") throw new Nack();
    if (action === "drop") throw new Drop();
    if (action === "halt") throw new HaltConsumer(3, "enough");
    if (action === "fail") throw new Error("the callback failed");
  };
}

/** What ours answers for one message case, in expected.json's shape. */
async function ours(c: MessageCase): Promise<MessageAnswer> {
  lines = [];
  await processDelivery({ queue: "q1", handler: callback(c.action), consumerRepr: "Consumer(queue=q1, callback=<function callback>)", stats: new SharedStats() }, delivery(c));
  const answer: MessageAnswer = { name: c.name, logs: lines };
  lines = [];
  const amqp = {
    message_annotations: { "x-routing-key": c.routingKey },
    application_properties: headersOf(c),
    content_encoding: c.contentEncoding,
    message_id: c.messageId,
    priority: c.priority,
    body: { typecode: 0x75, content: Buffer.from(c.bodyHex, "hex") },
  };
  try {
    const message = decodeMessage(amqp, "q1");
    Object.assign(answer, { str: message.toString(), repr: message.repr(), dumps: dumps(message), summary: message.summary });
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    answer.error = error.summary;
  }
  return answer;
}

describe("messages: ours and Python's consumer agree", () => {
  test("the table is big enough to mean something", () => assert.ok(cases.messages.length >= 50 && expected.messages.length === cases.messages.length));
  for (const [i, c] of cases.messages.entries()) {
    test(c.name, async () => {
      const python = expected.messages[i]!;
      assert.equal(python.name, c.name, `expected.json is stale: rerun ${REGENERATE}`);
      const answer = await ours(c);
      if (KNOWN_DIFFERENCES[c.name] !== undefined) {
        // Everything but the known difference: same fields, same log lines.
        assert.deepEqual(Object.keys(answer).sort(), Object.keys(python).sort());
        assert.deepEqual(answer.logs, python.logs);
        return;
      }
      assert.deepEqual(answer, python);
    });
  }
});

describe("configuration errors: ours says Python's sentence", () => {
  for (const [i, c] of cases.configs.entries()) {
    test(c.name, () => {
      const python = expected.configs[i]!;
      assert.equal(python.name, c.name, `expected.json is stale: rerun ${REGENERATE}`);
      let error: string | null = null;
      try {
        parseConfig(c.toml, "{file}");
      } catch (e) {
        // Ours names the file in every sentence ("in {file}: "), and lists our own five keys among the valid ones.
        error = (e as Error).message
          .replace("Configuration error: in {file}: ", "Configuration error: ")
          .replace(", 'plugin_dir', 'callback_mode', 'callback_concurrency', 'reconnect_max_delay', 'watchdog_timeout']", "]");
      }
      if (KNOWN_DIFFERENCES[c.name] !== undefined) {
        assert.ok(python.error?.startsWith("Configuration error: Failed to parse {file}: "), python.error ?? "null");
        assert.match(error ?? "", /^Configuration error: Failed to parse \{file\}: .+\(at line \d+, column \d+\)$/);
        return;
      }
      assert.equal(error, python.error);
    });
  }
});

const python = spawnSync("/usr/bin/python3", ["-c", "import fedora_messaging.twisted.consumer"], { encoding: "utf8" });
const skipLive =
  python.status === 0
    ? false
    : `Python fedora-messaging is not importable by /usr/bin/python3 (${(python.stderr || String(python.error)).trim().split("\n").at(-1)}); ` +
      "install it as /work/shared/notes/python-reference-howto.md shows to check expected.json against it";

test("expected.json is what Python fedora-messaging answers today", { skip: skipLive }, () => {
  const live = JSON.parse(execFileSync("/usr/bin/python3", [`${dir}python-reference.py`, "--stdout"], { encoding: "utf8", cwd: "/" })) as Answers;
  assert.deepEqual(live, expected, `Python's answers changed: rerun ${REGENERATE} and look at the diff`);
});
