/**
 * `run()` in-process, with a fake `runConsumer` (no broker): what the consume
 * command hands to the daemon (options, repeated --routing-key, precedence),
 * and how outcomes and errors come out (code, stream, log line).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { createConsola } from "consola";
import { loadCallback } from "../../../src/callback/load.js";
import type { RunConsumerOptions } from "../../../src/daemon/run.js";
import type { RunEnd } from "../../../src/ending.js";
import { BadDeclarationError } from "../../../src/errors.js";
import { resetLogging, setSink } from "../../../src/log.js";
import { run } from "../../../src/main.js";

const fixtures = fileURLToPath(new URL("../../fixtures/callbacks/", import.meta.url));
let dir = "";
let conf = "";

before(() => {
  dir = mkdtempSync(join(tmpdir(), "fm-main-"));
  conf = join(dir, "fm.toml");
  writeFileSync(
    conf,
    [
      `plugin_dir = ${JSON.stringify(`${fixtures}plugins`)}`,
      'callback = "sample:SaveMessage"',
      "[[bindings]]",
      'queue = ""',
      'exchange = "amq.topic"',
      'routing_keys = ["#"]',
      "[[bindings]]",
      'queue = ""',
      'exchange = "amq.direct"',
      'routing_keys = ["x"]',
      "",
    ].join("\n"),
  );
  // Keep the loader's INFO lines out of the test output.
  setSink(createConsola({ level: 5, reporters: [{ log: () => undefined }] }));
});
after(() => {
  rmSync(dir, { recursive: true, force: true });
  resetLogging();
});

interface Captured {
  code: number;
  stdout: string;
  stderr: string;
  logged: string[];
  calls: RunConsumerOptions[];
}

async function runWith(argv: string[], runConsumer: (o: RunConsumerOptions) => Promise<RunEnd> = async () => ({ kind: "stopped" })): Promise<Captured> {
  const captured: Captured = { code: -1, stdout: "", stderr: "", logged: [], calls: [] };
  captured.code = await run(argv, {
    env: {},
    cwd: fixtures,
    stdout: (text) => void (captured.stdout += text),
    stderr: (text) => void (captured.stderr += text),
    logError: (message) => void captured.logged.push(message),
    services: {
      runConsumer: (options: RunConsumerOptions) => {
        captured.calls.push(options);
        return runConsumer(options);
      },
    },
  });
  return captured;
}

/** What the real daemon does first: load the callback. */
async function loadingRunConsumer(options: RunConsumerOptions): Promise<RunEnd> {
  await loadCallback(options.callbackSpec, { pluginDir: options.config.plugin_dir, source: options.callbackSource, cwd: fixtures });
  return { kind: "stopped" };
}

describe("consume hands the daemon", () => {
  test("every --routing-key, in order, in every binding (either option form)", async () => {
    const { code, calls } = await runWith(["--conf", conf, "consume", "--routing-key", "a.#", "--routing-key=b.#", "--routing-key", "c"]);
    assert.equal(code, 0);
    assert.deepEqual(calls[0]?.config.bindings.map((b) => b.routing_keys), [["a.#", "b.#", "c"], ["a.#", "b.#", "c"]]);
  });

  test("the configuration's bindings when no --routing-key is given", async () => {
    const { calls } = await runWith(["--conf", conf, "consume"]);
    assert.deepEqual(calls[0]?.config.bindings.map((b) => b.routing_keys), [["#"], ["x"]]);
  });

  test("--queue-name, --exchange and --app-name", async () => {
    const { calls } = await runWith(["--conf", conf, "consume", "--queue-name", "q1", "--exchange=amq.fanout", "--app-name", "my app"]);
    const config = calls[0]?.config;
    assert.deepEqual(Object.keys(config?.queues ?? {}), ["q1"]);
    assert.deepEqual(config?.bindings.map((b) => [b.queue, b.exchange]), [["q1", "amq.fanout"], ["q1", "amq.fanout"]]);
    assert.equal(config?.client_properties.app, "my app");
  });

  test("the configuration's callback", async () => {
    const { calls } = await runWith(["--conf", conf, "consume"]);
    assert.equal(calls[0]?.callbackSpec, "sample:SaveMessage");
    assert.equal(calls[0]?.callbackSource, "configuration file");
  });

  test("--callback wins over the configuration, --callback-file over both", async () => {
    const a = await runWith(["--conf", conf, "consume", "--callback", "./esm-function.mjs:handle"]);
    assert.deepEqual([a.calls[0]?.callbackSpec, a.calls[0]?.callbackSource], ["./esm-function.mjs:handle", "--callback"]);
    const b = await runWith(["--conf", conf, "consume", "--callback=./esm-function.mjs:handle", "--callback-file", "cjs-named.cjs:handle"]);
    assert.deepEqual([b.calls[0]?.callbackSpec, b.calls[0]?.callbackSource], ["cjs-named.cjs:handle", "--callback-file"]);
  });

  test("$FEDORA_MESSAGING_CONF stands for --conf", async () => {
    const captured: string[] = [];
    const code = await run(["consume"], {
      env: { FEDORA_MESSAGING_CONF: "/nonexistent.toml" },
      stdout: () => undefined,
      stderr: (text) => void captured.push(text),
      services: { runConsumer: async () => ({ kind: "stopped" }) },
    });
    assert.equal(code, 2);
    assert.match(captured.join(""), /Error: Invalid value: \/nonexistent\.toml is not a file\n$/);
  });
});

describe("callback failures through the daemon", () => {
  test("not callable: exit 2 with the consume usage", async () => {
    const { code, stderr } = await runWith(["--conf", conf, "consume", "--callback", "./non-callable.mjs:notCallable"], loadingRunConsumer);
    assert.equal(code, 2);
    assert.equal(
      stderr,
      "Usage: fedora-messaging consume [OPTIONS]\nTry 'fedora-messaging consume --help' for help.\n\n" +
        "Error: Callback must be a class that implements call(message) or a function.\n",
    );
  });

  test("a class that cannot be instantiated: exit 1", async () => {
    const { code, stderr } = await runWith(["--conf", conf, "consume", "--callback", "./ctor-needs-args.mjs:NeedsConfig"], loadingRunConsumer);
    assert.equal(code, 1);
    assert.equal(
      stderr,
      "Error: Unable to create the NeedsConfig callback (NeedsConfig requires a config argument); a callback class is instantiated once, with no arguments\n",
    );
  });

  test("a missing export: exit 1", async () => {
    const { code, stderr } = await runWith(["--conf", conf, "consume", "--callback", "sample:Nope"], loadingRunConsumer);
    assert.equal(code, 1);
    assert.match(stderr, /^Error: Unable to import sample:Nope \(module 'sample' has no export named 'Nope'; it exports SaveMessage, default\); is the package installed\?/);
  });

  test("the module is checked before the daemon starts", async () => {
    const { code, calls } = await runWith(["--conf", conf, "consume", "--callback", "nothing-here:x"]);
    assert.equal(code, 1);
    assert.equal(calls.length, 0);
  });
});

describe("outcomes", () => {
  test("halted with a non-zero code: that code, and the reason logged", async () => {
    const { code, logged, stderr } = await runWith(["--conf", conf, "consume"], async () => ({ kind: "halted", exitCode: 42, reason: "Life, the universe, and everything" }));
    assert.equal(code, 42);
    assert.deepEqual(logged, ["Consumer halted with non-zero exit code (42): Life, the universe, and everything"]);
    assert.equal(stderr, "");
  });

  test("a thrown BadDeclarationError: 10, logged", async () => {
    const { code, logged } = await runWith(["--conf", conf, "consume"], async () => {
      throw new BadDeclarationError("binding", "b", "404 NOT_FOUND - no exchange 'nope'");
    });
    assert.equal(code, 10);
    assert.deepEqual(logged, [
      "Unable to declare the binding object on the AMQP broker. The broker responded with 404 NOT_FOUND - no exchange 'nope'. Check permissions for your user.",
    ]);
  });

  test("help goes to stdout, exit 0, and the daemon is not started", async () => {
    const { code, stdout, calls } = await runWith(["consume", "--help"]);
    assert.equal(code, 0);
    assert.match(stdout, /^Usage: fedora-messaging consume \[OPTIONS\]/);
    assert.equal(calls.length, 0);
  });

  test("help wins over other options, but not over unknown ones (like click)", async () => {
    assert.equal((await runWith(["consume", "--queue-name", "q", "--help"])).code, 0);
    assert.equal((await runWith(["consume", "--help", "--nope"])).code, 2);
  });
});
