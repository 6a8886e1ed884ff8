import { setLevel } from "../../../src/log.js";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, afterEach, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { defaultConfig } from "../../../src/config/defaults.js";
import { loadConfig, parseConfig } from "../../../src/config/load.js";
import { ConfigurationError } from "../../../src/errors.js";
import { captureLines, resetLogging } from "./_capture.js";

const fixtures = fileURLToPath(new URL("../../fixtures/config/", import.meta.url));
let dir: string;
let conf: string; // a file given as --conf
let envFile: string; // a file named by FEDORA_MESSAGING_CONF
let defaultFile: string; // stands in for /etc/fedora-messaging/config.toml
let missing: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), "fm-config-"));
  conf = join(dir, "conf.toml");
  envFile = join(dir, "env.toml");
  defaultFile = join(dir, "default.toml");
  missing = join(dir, "missing.toml");
  writeFileSync(conf, 'callback = "from:conf"\n');
  writeFileSync(envFile, 'callback = "from:env"\n');
  writeFileSync(defaultFile, 'callback = "from:default"\n');
  mkdirSync(join(dir, "a-directory"));
});
after(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => resetLogging());

describe("which file loadConfig reads", () => {
  it("--conf wins over the environment and the default file", () => {
    const config = loadConfig({ path: conf, env: { FEDORA_MESSAGING_CONF: envFile }, defaultPath: defaultFile });
    assert.equal(config.callback, "from:conf");
  });
  it("FEDORA_MESSAGING_CONF wins over the default file", () => {
    assert.equal(loadConfig({ env: { FEDORA_MESSAGING_CONF: envFile }, defaultPath: defaultFile }).callback, "from:env");
  });
  it("reads the default file otherwise", () => {
    assert.equal(loadConfig({ env: {}, defaultPath: defaultFile }).callback, "from:default");
  });
  it("treats an empty FEDORA_MESSAGING_CONF as unset", () => {
    assert.equal(loadConfig({ env: { FEDORA_MESSAGING_CONF: "" }, defaultPath: defaultFile }).callback, "from:default");
  });
  it("reads process.env when no env is given", () => {
    const saved = process.env.FEDORA_MESSAGING_CONF;
    process.env.FEDORA_MESSAGING_CONF = envFile;
    try {
      assert.equal(loadConfig({ defaultPath: defaultFile }).callback, "from:env");
    } finally {
      if (saved === undefined) delete process.env.FEDORA_MESSAGING_CONF;
      else process.env.FEDORA_MESSAGING_CONF = saved;
    }
  });
  it("logs which file it loads, at DEBUG (Python's CLI never shows it)", () => {
    const lines = captureLines();
    setLevel("fedora_messaging.config", 10);
    loadConfig({ path: conf });
    setLevel("fedora_messaging.config", 20);
    assert.deepEqual(lines, [`[fedora_messaging.config DEBUG] Loading configuration from ${conf}`]);
  });
});

describe("missing files", () => {
  it("a missing default file means the defaults, said at DEBUG (Python's CLI shows nothing)", () => {
    const lines = captureLines();
    const config = loadConfig({ env: {}, defaultPath: missing });
    assert.deepEqual(config, defaultConfig());
    assert.ok(Object.isFrozen(config));
    assert.deepEqual(lines, []);
    setLevel("fedora_messaging.config", 10);
    loadConfig({ env: {}, defaultPath: missing });
    setLevel("fedora_messaging.config", 20);
    assert.deepEqual(lines, [`[fedora_messaging.config DEBUG] The configuration file, ${missing}, does not exist.`]);
  });
  it("a --conf that is not a file is a ConfigurationError", () => {
    assert.throws(() => loadConfig({ path: missing, env: {} }), (e: unknown) =>
      e instanceof ConfigurationError && e.message === `Configuration error: ${missing} is not a file`);
    const directory = join(dir, "a-directory");
    assert.throws(() => loadConfig({ path: directory }), { message: `Configuration error: ${directory} is not a file` });
  });
  it("a FEDORA_MESSAGING_CONF that is not a file is a ConfigurationError", () => {
    assert.throws(() => loadConfig({ env: { FEDORA_MESSAGING_CONF: missing }, defaultPath: defaultFile }),
      { name: "ConfigurationError", message: `Configuration error: ${missing} is not a file` });
  });
});

describe("file contents", () => {
  it("a TOML syntax error is one line with the line and column", () => {
    const bad = join(dir, "bad.toml");
    writeFileSync(bad, 'amqp_url = "amqp://"\nb = \n');
    assert.throws(() => loadConfig({ path: bad }), { message: `Configuration error: Failed to parse ${bad}: Invalid value (at line 2, column 5)` });
  });
  it("names the source in parse errors from parseConfig", () => {
    assert.throws(() => parseConfig("[a]\nb = 1\n[a]\n", "inline.toml"), (e: unknown) => {
      assert.ok(e instanceof ConfigurationError);
      assert.match(e.message, /^Configuration error: Failed to parse inline\.toml: .+ \(at line 3, column \d+\)$/);
      assert.doesNotMatch(e.message, /\n/);
      return true;
    });
    assert.throws(() => parseConfig('x = "unterminated\n', "s.toml"), { message: /^Configuration error: Failed to parse s\.toml: .+ \(at line 1, column \d+\)$/ });
  });
  it("rejects a file that is not UTF-8", () => {
    const latin1 = join(dir, "latin1.toml");
    writeFileSync(latin1, Buffer.from('callback = "caf\xe9:x"\n', "latin1"));
    assert.throws(() => loadConfig({ path: latin1 }), { message: `Configuration error: Failed to parse ${latin1}: the file is not valid UTF-8` });
  });
  it("names the file in validation errors", () => {
    const wrong = join(dir, "wrong.toml");
    writeFileSync(wrong, '[qos]\nprefetch_count = "ten"\n');
    assert.throws(() => loadConfig({ path: wrong }), { message: `Configuration error: in ${wrong}: 'qos.prefetch_count' must be an integer from 0 to 65535, got "ten"` });
  });
  it("accepts an empty file", () => {
    const empty = join(dir, "empty.toml");
    writeFileSync(empty, "");
    assert.deepEqual(loadConfig({ path: empty }), defaultConfig());
  });
});

describe("Python's sample configurations load unchanged", () => {
  it("config.toml.example", () => {
    const c = loadConfig({ path: join(fixtures, "config.toml.example") });
    assert.equal(c.amqp_url, "amqp://");
    assert.equal(c.callback, "fedora_messaging.example:printer");
    assert.equal(c.passive_declares, false);
    assert.equal(c.publish_exchange, "amq.topic");
    assert.equal(c.topic_prefix, "");
    assert.deepEqual(c.tls, {
      ca_cert: "/etc/fedora-messaging/cacert.pem",
      keyfile: "/etc/fedora-messaging/fedora-key.pem",
      certfile: "/etc/fedora-messaging/fedora-cert.pem",
    });
    assert.equal(c.client_properties.app, "Example Application");
    assert.deepEqual(c.exchanges, { "amq.topic": { type: "topic", durable: true, auto_delete: false, arguments: {} } });
    assert.deepEqual(c.queues, { my_queue: { durable: true, auto_delete: false, exclusive: false, arguments: {} } });
    assert.deepEqual(c.bindings, [{ queue: "my_queue", exchange: "amq.topic", routing_keys: ["#"], arguments: {} }]);
    assert.deepEqual(c.consumer_config, { example_key: "for my consumer" });
    assert.deepEqual(c.qos, { prefetch_size: 0, prefetch_count: 25 });
    assert.equal(c.monitoring, null);
    assert.equal((c.log_config.formatters as { simple: { format: string } }).simple.format, "[%(levelname)s %(name)s] %(message)s");
    assert.equal(c.plugin_dir, "/usr/lib/fedora-messaging/plugins");
    assert.equal(c.callback_mode, "worker");
  });
  for (const [file, url, user] of [
    ["fedora.toml", "amqps://fedora:@rabbitmq.fedoraproject.org/%2Fpublic_pubsub", "fedora"],
    ["fedora.stg.toml", "amqps://fedora.stg:@rabbitmq.stg.fedoraproject.org/%2Fpublic_pubsub", "fedora.stg"],
  ] as const) {
    it(file, () => {
      const c = loadConfig({ path: join(fixtures, file) });
      assert.equal(c.amqp_url, url);
      assert.ok(c.tls.certfile?.endsWith(`${user === "fedora" ? "fedora" : "fedora.stg"}-cert.pem`));
      assert.deepEqual(c.client_properties.app_contacts_email, ["admin@fedoraproject.org"]);
      // No [queues] section: the server-named default queue stays.
      assert.deepEqual(c.queues, defaultConfig().queues);
      assert.deepEqual(c.bindings, [{ queue: "", exchange: "amq.topic", routing_keys: ["#"], arguments: {} }]);
      assert.deepEqual(c.qos, { prefetch_size: 0, prefetch_count: 25 });
    });
  }
});
