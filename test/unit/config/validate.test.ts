import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { parseConfig } from "../../../src/config/load.js";
import { defaultConfig } from "../../../src/config/defaults.js";
import { validateConfig } from "../../../src/config/validate.js";
import type { Config } from "../../../src/config/types.js";
import { ConfigurationError } from "../../../src/errors.js";
import { captureLines, resetLogging } from "./_capture.js";

const FILE = "/etc/fedora-messaging/x.toml";
const load = (toml: string): Config => parseConfig(toml, FILE);

/** The message of the ConfigurationError that loading `toml` throws. */
function errorOf(toml: string): string {
  try {
    load(toml);
  } catch (error) {
    assert.ok(error instanceof ConfigurationError, `expected a ConfigurationError, got ${String(error)}`);
    return error.message;
  }
  assert.fail(`expected ${JSON.stringify(toml)} to be rejected`);
}
/** Asserts the exact sentence, after "Configuration error: in {file}: ". */
function rejects(toml: string, sentence: string): void {
  assert.equal(errorOf(toml), `Configuration error: in ${FILE}: ${sentence}`);
}

const VALID_KEYS =
  "['amqp_url', 'client_properties', 'publish_exchange', 'topic_prefix', 'publish_priority', 'passive_declares', " +
  "'exchanges', 'queues', 'bindings', 'qos', 'callback', 'monitoring', 'consumer_config', 'tls', 'log_config', " +
  "'plugin_dir', 'callback_mode', 'callback_concurrency', 'reconnect_max_delay', 'watchdog_timeout']";

afterEach(() => resetLogging());

describe("top-level keys", () => {
  it("rejects an unknown key with Python's sentence and list", () => {
    rejects("foo = 1", `Unknown configuration key 'foo'! Valid configuration keys are ${VALID_KEYS}`);
  });
  it("lower-cases keys like Python, before checking them", () => {
    rejects("FOO = 1", `Unknown configuration key 'foo'! Valid configuration keys are ${VALID_KEYS}`);
    assert.equal(load('AMQP_URL = "amqp://h"').amqp_url, "amqp://h");
    assert.equal(load("[QOS]\nprefetch_count = 3").qos.prefetch_count, 3);
  });
  it("quotes an unknown key the way Python's repr does", () => {
    rejects(`"it's" = 1`, `Unknown configuration key "it's"! Valid configuration keys are ${VALID_KEYS}`);
  });
  it("keeps the later of two keys that lower-case alike", () => {
    assert.equal(load('amqp_url = "amqp://a"\nAmqp_Url = "amqp://b"').amqp_url, "amqp://b");
  });
  it("rejects input that is not a table (library callers)", () => {
    assert.throws(() => validateConfig([], "lib"), { message: "Configuration error: in lib: the configuration must be a table of settings, got []" });
  });
  it("throws ConfigurationError with the problem as cause", () => {
    assert.throws(() => load("foo = 1"), (e: unknown) => e instanceof ConfigurationError && e.cause instanceof Error);
  });
  it("returns a deeply frozen config", () => {
    const config = load('[consumer_config]\na = { b = [1, { c = 2 }] }\n[[bindings]]\nexchange = "x"\nrouting_keys = ["k"]');
    const deep = (config.consumer_config.a as { b: [number, { c: number }] }).b[1];
    assert.ok(Object.isFrozen(deep));
    assert.throws(() => { (config.qos as { prefetch_count: number }).prefetch_count = 1; }, TypeError);
    assert.throws(() => { (config.bindings[0]!.routing_keys as string[]).push("y"); }, TypeError);
  });
});

describe("amqp_url", () => {
  it("accepts Python's URLs", () => {
    assert.equal(load('amqp_url = "amqps://fedora:@rabbitmq.fedoraproject.org/%2Fpublic_pubsub"').amqp_url,
      "amqps://fedora:@rabbitmq.fedoraproject.org/%2Fpublic_pubsub");
  });
  it("must be a string", () => rejects("amqp_url = 5", "'amqp_url' must be a string, got 5"));
  it("must parse, and the error names the key and masks the password", () => {
    rejects('amqp_url = "amqps://u:secret@h:99999/"',
      `'amqp_url' is not a valid AMQP URL ("amqps://u:****@h:99999/"): the port must be a number from 1 to 65535`);
    rejects('amqp_url = "http://h"', `'amqp_url' is not a valid AMQP URL ("http://h"): unsupported scheme "http"; supported schemes are amqp and amqps`);
  });
});

describe("client_properties", () => {
  it("fills product, information and version, and keeps extra keys", () => {
    const props = load('[client_properties]\napp = "A"\napp_url = "https://x"\napp_contacts_email = ["a@b"]').client_properties;
    const d = defaultConfig().client_properties;
    assert.deepEqual(props, { app: "A", app_url: "https://x", app_contacts_email: ["a@b"], version: d.version, information: d.information, product: d.product });
  });
  it("fills app with \"Unknown\" when the table has none (Python would send none)", () => {
    assert.equal(load('[client_properties]\napp_url = "u"').client_properties.app, "Unknown");
  });
  for (const key of ["product", "information", "version"]) {
    it(`rejects another ${key} with Python's sentence`, () => rejects(`[client_properties]\n${key} = "mine"`, `"${key}" is a reserved keyword in client_properties`));
  }
  it("checks version first, like Python", () => {
    rejects('[client_properties]\nproduct = "p"\nversion = "v"', '"version" is a reserved keyword in client_properties');
  });
  it("accepts the reserved keys set to our own values", () => {
    const d = defaultConfig().client_properties;
    assert.equal(load(`[client_properties]\nproduct = ${JSON.stringify(d.product)}`).client_properties.product, d.product);
  });
  it("must be a table", () => {
    rejects('client_properties = "x"', `'client_properties' must be a table, got "x"`);
  });
});

describe("publish_exchange, topic_prefix, publish_priority, passive_declares, callback", () => {
  it("take their values", () => {
    const c = load('publish_exchange = "e"\ntopic_prefix = "org.fedoraproject.prod"\npublish_priority = 5\npassive_declares = true\ncallback = "m:f"');
    assert.deepEqual([c.publish_exchange, c.topic_prefix, c.publish_priority, c.passive_declares, c.callback],
      ["e", "org.fedoraproject.prod", 5, true, "m:f"]);
  });
  it("reject wrong types", () => {
    rejects("callback = [\"m:f\"]", `'callback' must be a string, got ["m:f"]`);
  });
  it("publish_priority is an integer from 0 to 255", () => {
    assert.equal(load("publish_priority = 0").publish_priority, 0);
    assert.equal(load("publish_priority = 255").publish_priority, 255);
  });
  it("an empty callback means none, as in Python's CLI", () => {
    assert.equal(load('callback = ""').callback, null);
  });
});

describe("exchanges", () => {
  it("replaces the default wholesale and completes entries with AMQP's declare defaults", () => {
    assert.deepEqual(load('[exchanges.x]\ntype = "fanout"\n[exchanges.y]\ndurable = true').exchanges, {
      x: { type: "fanout", durable: false, auto_delete: false, arguments: {} },
      y: { type: "direct", durable: true, auto_delete: false, arguments: {} },
    });
  });
  it("ignores other keys with a warning (Python never reads exchanges)", () => {
    const lines = captureLines();
    assert.deepEqual(load("[exchanges.x]\ninternal = true").exchanges.x, { type: "direct", durable: false, auto_delete: false, arguments: {} });
    assert.deepEqual(lines, [`[fedora_messaging.config WARNING] in ${FILE}: 'exchanges.x.internal' is not a setting; Python never reads 'exchanges' and neither does the consumer, so ours ignores it`]);
  });
});

describe("queues", () => {
  const full = "durable = true\nauto_delete = false\nexclusive = false\narguments = { x-queue-type = \"quorum\" }";
  it("replaces the default queues wholesale, like Python", () => {
    assert.deepEqual(load(`[queues.q1]\n${full}`).queues, {
      q1: { durable: true, auto_delete: false, exclusive: false, arguments: { "x-queue-type": "quorum" } },
    });
  });
  it("keeps an optional passive flag", () => {
    assert.equal(load(`[queues.q1]\n${full}\npassive = true`).queues.q1!.passive, true);
    assert.equal("passive" in load(`[queues.q1]\n${full}`).queues.q1!, false);
  });
  it("uses Python's sentences", () => {
    rejects("queues = 3", "'queues' must be a dictionary mapping queue names to settings.");
    rejects('[queues]\na = "x"', "the a queue in the 'queues' setting has a value of type <class 'str'>, but it should be a dictionary of settings.");
    rejects('[queues]\n"" = [1]', "the  queue in the 'queues' setting has a value of type <class 'list'>, but it should be a dictionary of settings.");
    rejects("[queues]\na = 1.5", "the a queue in the 'queues' setting has a value of type <class 'float'>, but it should be a dictionary of settings.");
    rejects("[queues]\na = 1979-05-27", "the a queue in the 'queues' setting has a value of type <class 'datetime.date'>, but it should be a dictionary of settings.");
    rejects("[queues.a]\ndurable = true", "the a queue is missing the following keys from its settings value: ['auto_delete', 'exclusive', 'arguments']");
  });
  it("type-checks every field and rejects unknown ones", () => {
    rejects("[queues.a]\ndurable = true\nauto_delete = false\nexclusive = false\narguments = []", "'queues.a.arguments' must be a table, got []");
    rejects(`[queues.a]\n${full}\ndurible = true`,
      "'queues.a' has an unknown key 'durible'; valid keys are ['durable', 'auto_delete', 'exclusive', 'arguments', 'passive']");
  });
  it("allows an empty table (no queue to consume)", () => {
    assert.deepEqual(load("[queues]").queues, {});
  });
});

describe("bindings", () => {
  it("completes a binding: queue \"\" and arguments {}", () => {
    assert.deepEqual(load('[[bindings]]\nexchange = "amq.topic"\nrouting_keys = ["a.#", "b"]').bindings,
      [{ queue: "", exchange: "amq.topic", routing_keys: ["a.#", "b"], arguments: {} }]);
  });
  it("keeps queue and arguments, and several bindings in order", () => {
    const toml = '[[bindings]]\nqueue = "q"\nexchange = "e"\nrouting_keys = []\narguments = { x-match = "all" }\n[[bindings]]\nexchange = "f"\nrouting_keys = ["#"]';
    assert.deepEqual(load(toml).bindings, [
      { queue: "q", exchange: "e", routing_keys: [], arguments: { "x-match": "all" } },
      { queue: "", exchange: "f", routing_keys: ["#"], arguments: {} },
    ]);
  });
  it("may be empty", () => assert.deepEqual(load("bindings = []").bindings, []));
  it("uses Python's sentences", () => {
    rejects("bindings = {}", "bindings must be a list or tuple of dictionaries, but was a <class 'dict'>");
    rejects('bindings = "x"', "bindings must be a list or tuple of dictionaries, but was a <class 'str'>");
    rejects("[[bindings]]\nqueue = \"q\"", "a binding is missing the following keys from its settings value: ['exchange', 'routing_keys']");
    rejects('[[bindings]]\nexchange = "x"', "a binding is missing the following keys from its settings value: ['routing_keys']");
    rejects('[[bindings]]\nexchange = "x"\nrouting_keys = "#"', "routing_keys must be a list or tuple, but was a <class 'str'>");
    rejects('[[bindings]]\nexchange = "x"\nrouting_keys = 7', "routing_keys must be a list or tuple, but was a <class 'int'>");
  });
  it("rejects what Python would crash on later", () => {
    rejects('bindings = ["x"]', "bindings must be a list or tuple of dictionaries, but 'bindings[0]' is a <class 'str'>");
    rejects('[[bindings]]\nexchange = "x"\nrouting_keys = ["a", 1]', "'bindings[0].routing_keys[1]' must be a string, got 1");
    rejects('[[bindings]]\nexchange = 1\nrouting_keys = []', "'bindings[0].exchange' must be a string, got 1");
    rejects('[[bindings]]\nexchange = "x"\nrouting_keys = []\narguments = 1', "'bindings[0].arguments' must be a table, got 1");
    rejects('[[bindings]]\nexchange = "x"\nrouting_keys = []\n[[bindings]]\nexchange = "x"\nrouting_keys = []\nrouting_key = "a"',
      "'bindings[1]' has an unknown key 'routing_key'; valid keys are ['queue', 'exchange', 'routing_keys', 'arguments']");
  });
});

describe("qos", () => {
  it("merges a partial table with the defaults", () => {
    assert.deepEqual(load("[qos]\nprefetch_count = 1").qos, { prefetch_size: 0, prefetch_count: 1 });
    assert.deepEqual(load("[qos]\nprefetch_size = 4096").qos, { prefetch_size: 4096, prefetch_count: 10 });
    assert.deepEqual(load("[qos]").qos, { prefetch_size: 0, prefetch_count: 10 });
  });
  it("takes both values", () => assert.deepEqual(load("[qos]\nprefetch_size = 0\nprefetch_count = 25").qos, { prefetch_size: 0, prefetch_count: 25 }));
  it("wants non-negative integers", () => {
    rejects('[qos]\nprefetch_count = "ten"', `'qos.prefetch_count' must be an integer from 0 to 65535, got "ten"`);
    rejects("[qos]\nprefetch_count = -1", "'qos.prefetch_count' must be an integer from 0 to 65535, got -1");
    rejects("[qos]\nprefetch_size = 1.5", "'qos.prefetch_size' must be an integer from 0 to 4294967295, got 1.5");
  });
  it("refuses values past what AMQP 0-9-1's basic.qos carries (Python would fail sending them)", () => {
    rejects("[qos]\nprefetch_count = 4294967296", "'qos.prefetch_count' must be an integer from 0 to 65535, got 4294967296");
    rejects("[qos]\nprefetch_count = 65536", "'qos.prefetch_count' must be an integer from 0 to 65535, got 65536");
    rejects("[qos]\nprefetch_size = 4294967296", "'qos.prefetch_size' must be an integer from 0 to 4294967295, got 4294967296");
    assert.equal(load("[qos]\nprefetch_count = 65535").qos.prefetch_count, 65535);
  });
  it("rejects non-tables", () => {
    rejects("qos = 1", "'qos' must be a table, got 1");
  });
});

describe("monitoring", () => {
  it("is off when absent or empty", () => {
    assert.equal(load("").monitoring, null);
    assert.equal(load("[monitoring]").monitoring, null);
  });
  it("defaults address to all interfaces", () => assert.deepEqual(load("[monitoring]\nport = 8070").monitoring, { address: "", port: 8070 }));
  it("takes address and port", () => assert.deepEqual(load('[monitoring]\naddress = "127.0.0.1"\nport = 1').monitoring, { address: "127.0.0.1", port: 1 }));
  it("needs a port, in Python's words", () => rejects('[monitoring]\naddress = "::"', "The port must be defined in [monitoring] to activate it"));
  it("checks the port and address", () => {
    assert.equal(load("[monitoring]\nport = 65535").monitoring?.port, 65535);
    rejects("monitoring = 1", "'monitoring' must be a table, got 1");
  });
});

describe("consumer_config", () => {
  it("is free-form plain data", () => {
    const c = load('[consumer_config]\nexample_key = "for my consumer"\nn = 1\nf = 0.5\nlist = [1, "a", { b = true }]\n[consumer_config.nested]\nx = "y"');
    assert.deepEqual(c.consumer_config, { example_key: "for my consumer", n: 1, f: 0.5, list: [1, "a", { b: true }], nested: { x: "y" } });
    assert.equal(Object.getPrototypeOf(c.consumer_config), Object.prototype);
  });
  it("turns TOML dates and times into their text", () => {
    const c = load("[consumer_config]\nat = 1979-05-27T07:32:00Z\nday = 1979-05-27\ntime = 07:32:00");
    assert.deepEqual(c.consumer_config, { at: "1979-05-27T07:32:00.000Z", day: "1979-05-27", time: "07:32:00.000" });
  });
  it("keeps a __proto__ key as a key", () => {
    const c = load('[consumer_config]\n"__proto__" = { polluted = true }');
    assert.equal(Object.getPrototypeOf(c.consumer_config), Object.prototype);
    assert.deepEqual(Object.keys(c.consumer_config), ["__proto__"]);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});

describe("tls", () => {
  it("merges a partial table with the defaults", () => {
    assert.deepEqual(load('[tls]\nca_cert = "/etc/ca.pem"').tls, { ca_cert: "/etc/ca.pem", certfile: null, keyfile: null });
  });
  it("takes all three paths without reading them", () => {
    assert.deepEqual(load('[tls]\nca_cert = "/no/a"\ncertfile = "/no/b"\nkeyfile = "/no/c"').tls, { ca_cert: "/no/a", certfile: "/no/b", keyfile: "/no/c" });
  });
  it("treats an empty path as not set", () => {
    assert.deepEqual(load('[tls]\nca_cert = ""\ncertfile = ""\nkeyfile = ""').tls, { ca_cert: null, certfile: null, keyfile: null });
  });
  it("warns when only one of certfile and keyfile is set", () => {
    const lines = captureLines();
    load('[tls]\ncertfile = "/c"');
    assert.deepEqual(lines, ["[fedora_messaging.config WARNING] Only one of 'tls.certfile' and 'tls.keyfile' is set: no client certificate will be used (set both for SASL EXTERNAL)"]);
  });
  it("rejects non-strings and non-tables with an amqps:// URL (Python reads [tls] only then)", () => {
    rejects('amqp_url = "amqps://h"\n[tls]\nca_cert = 1', "'tls.ca_cert' must be a string, got 1");
    rejects('amqp_url = "amqps://h"\ntls = []', "'tls' must be a table, got []");
  });
});

describe("log_config", () => {
  it("is kept as plain data", () => {
    const c = load('[log_config]\nversion = 1\n[log_config.loggers.x]\nlevel = "DEBUG"');
    assert.deepEqual(c.log_config, { version: 1, loggers: { x: { level: "DEBUG" } } });
  });
  it("is checked while loading, naming the key", () => {
    rejects("log_config = 1", "'log_config' must be a table, got 1");
    rejects("[log_config]\ndisable_existing_loggers = true",
      "'log_config.version' must be 1 (the only version of Python's dictConfig schema), got nothing");
    rejects('[log_config]\nversion = 1\n[log_config.root]\nlevel = "LOUD"',
      `'log_config.root.level' must be a level name (DEBUG, INFO, WARNING, ERROR, CRITICAL, NOTSET) or a non-negative integer, got "LOUD"`);
    rejects('[log_config]\nversion = 1\n[log_config.root]\nhandlers = ["nope"]',
      `'log_config.root.handlers'[0] names no handler defined in 'log_config.handlers', got "nope"`);
  });
});

describe("plugin_dir and callback_mode (ours)", () => {
  it("take their values", () => {
    const c = load('plugin_dir = "/srv/plugins"\ncallback_mode = "in-process"');
    assert.equal(c.plugin_dir, "/srv/plugins");
    assert.equal(c.callback_mode, "in-process");
    assert.equal(load('callback_mode = "worker"').callback_mode, "worker");
  });
  it("reject bad values", () => {
    rejects("plugin_dir = 1", "'plugin_dir' must be a string, got 1");
    rejects('plugin_dir = ""', `'plugin_dir' must be a directory path, got ""`);
    rejects('callback_mode = "thread"', `'callback_mode' must be "worker" or "in-process", got "thread"`);
    rejects("reconnect_max_delay = 0", `'reconnect_max_delay' must be a positive number of seconds, at most 86400, got 0`);
    rejects("reconnect_max_delay = 1e9", `'reconnect_max_delay' must be a positive number of seconds, at most 86400, got 1000000000`);
    rejects('watchdog_timeout = "5m"', `'watchdog_timeout' must be an integer from 0 to 86400, got "5m"`);
    rejects("watchdog_timeout = 86401", `'watchdog_timeout' must be an integer from 0 to 86400, got 86401`);
    assert.equal(load("reconnect_max_delay = 2.5\nwatchdog_timeout = 0").reconnect_max_delay, 2.5);
  });
});

describe("callback_concurrency (ours)", () => {
  it("is 1 unless set: Python's one callback at a time", () => {
    assert.equal(load("").callback_concurrency, 1);
    assert.equal(load("callback_concurrency = 50").callback_concurrency, 50);
    assert.equal(load("callback_concurrency = 65535").callback_concurrency, 65535);
  });
  it("must be an integer from 1 to 65535", () => {
    for (const [value, shown] of [["0", "0"], ["-3", "-3"], ["65536", "65536"], ["2.5", "2.5"], ['"10"', '"10"'], ["true", "true"]]) {
      rejects(`callback_concurrency = ${value}`, `'callback_concurrency' must be an integer from 1 to 65535, got ${shown}`);
    }
  });
});

/**
 * Drop-in: each configuration here was run with Python fedora-messaging 3.6
 * (`fedora-messaging --conf X consume` against RabbitMQ, a message published):
 * Python consumed it. Ours runs it too, with one WARNING naming the file, the
 * key and what ours does.
 */
describe("configurations Python runs: ours runs them, with one warning", () => {
  const W = `[fedora_messaging.config WARNING] in ${FILE}: `;
  const cases: Array<[string, string, (c: Config) => unknown, unknown, string]> = [
    ["an unknown key in [qos]", "[qos]\nprefetch_count = 10\nfoo = 1", (c) => c.qos, { prefetch_count: 10, prefetch_size: 0 },
      "'qos.foo' is not a setting (valid keys are ['prefetch_size', 'prefetch_count']); Python ignores it and so does ours"],
    ["a boolean prefetch_count (Python's bool is an int)", "[qos]\nprefetch_count = true", (c) => c.qos.prefetch_count, 1,
      "'qos.prefetch_count' should be a number, got true; like Python, ours takes it as 1"],
    ["a misspelt key in [tls]", '[tls]\ncacert = "/etc/ca.pem"', (c) => c.tls, { ca_cert: null, certfile: null, keyfile: null },
      "'tls.cacert' is not a setting (valid keys are ['ca_cert', 'certfile', 'keyfile']); Python ignores it and so does ours"],
    ["a non-string TLS path with an amqp:// URL", "[tls]\nca_cert = 5", (c) => c.tls.ca_cert, null,
      "'tls.ca_cert' must be a file path, got 5; the amqp_url does not use TLS, so Python never reads it and ours ignores it"],
    ["passive_declares = \"yes\"", 'passive_declares = "yes"', (c) => c.passive_declares, true,
      `'passive_declares' should be true or false, got "yes"; like Python, ours takes it as true`],
    ["passive_declares = \"no\" (Python: a non-empty string is true)", 'passive_declares = "no"', (c) => c.passive_declares, true,
      `'passive_declares' should be true or false, got "no"; like Python, ours takes it as true`],
    ["passive_declares = 0", "passive_declares = 0", (c) => c.passive_declares, false,
      "'passive_declares' should be true or false, got 0; like Python, ours takes it as false"],
    ["a queue flag given as a string", '[queues.a]\ndurable = "yes"\nauto_delete = false\nexclusive = false\narguments = {}', (c) => c.queues.a?.durable, true,
      `'queues.a.durable' should be true or false, got "yes"; like Python, ours takes it as true`],
    ["a queue flag given as 0", "[queues.a]\ndurable = true\nauto_delete = false\nexclusive = 0\narguments = {}", (c) => c.queues.a?.exclusive, false,
      "'queues.a.exclusive' should be true or false, got 0; like Python, ours takes it as false"],
    ["a string monitoring port", '[monitoring]\nport = "8070"', (c) => c.monitoring, { address: "", port: 8070 },
      `'monitoring.port' should be a number, got "8070"; ours listens on port 8070`],
    ["an unknown key in [monitoring]", "[monitoring]\nport = 8070\nhost = 1", (c) => c.monitoring, { address: "", port: 8070 },
      "'monitoring.host' is not a setting (valid keys are ['address', 'port']); Python ignores it and so does ours"],
    ["a monitoring address that is not a string", "[monitoring]\nport = 8070\naddress = 5", (c) => c.monitoring, null,
      "'monitoring.address' must be a string, got 5; like Python, ours consumes without the monitoring server"],
    ["a monitoring port out of range", "[monitoring]\nport = 65536", (c) => c.monitoring, null,
      "'monitoring.port' must be an integer from 0 to 65535, got 65536; like Python, ours consumes without the monitoring server"],
    ["consumer_config given as a string", 'consumer_config = "x"', (c) => c.consumer_config, "x",
      `'consumer_config' should be a table, got "x"; like Python, ours hands the value to the callback as it is`],
    ["client_properties.app that is not a string", "[client_properties]\napp = 3", (c) => c.client_properties.app, "3",
      `'client_properties.app' should be a string, got 3; ours sends it as the string "3"`],
    ["publish_exchange that is not a string", "publish_exchange = 5", (c) => c.publish_exchange, "amq.topic",
      "'publish_exchange' is not valid (must be a string, got 5); the consumer never reads it, and publishing uses the default instead"],
    ["topic_prefix that is not a string", "topic_prefix = true", (c) => c.topic_prefix, "",
      "'topic_prefix' is not valid (must be a string, got true); the consumer never reads it, and publishing uses the default instead"],
    ["publish_priority out of range", "publish_priority = 300", (c) => c.publish_priority, null,
      "'publish_priority' is not valid (must be an integer from 0 to 255, got 300); the consumer never reads it, and publishing uses the default instead"],
    ["exchanges that is not a table", 'exchanges = "x"', (c) => Object.keys(c.exchanges), ["amq.topic"],
      `'exchanges' must be a table, got "x"; Python never reads 'exchanges' and neither does the consumer, so ours ignores it`],
    ["an exchange field of the wrong type", "[exchanges.x]\ntype = 5", (c) => Object.keys(c.exchanges), ["amq.topic"],
      "'exchanges.x.type' must be a string, got 5; Python never reads 'exchanges' and neither does the consumer, so ours ignores it"],
    ["a binding whose queue is a number", '[[bindings]]\nqueue = 5\nexchange = "amq.topic"\nrouting_keys = ["k"]', (c) => c.bindings, [],
      "'bindings[0].queue' should be a queue name, got 5; like Python, ours applies this binding to no queue"],
  ];
  for (const [name, toml, pick, expected, warning] of cases) {
    it(name, () => {
      const lines = captureLines();
      assert.deepEqual(pick(load(toml)), expected);
      assert.deepEqual(lines, [W + warning]);
    });
  }
  it("Python's own identity in client_properties is accepted silently, and ours is sent", () => {
    const lines = captureLines();
    const props = load('[client_properties]\nproduct = "Fedora Messaging with Pika"\nversion = "fedora_messaging-3.6.0 with pika-1.2.0"\n' +
      'information = "https://fedora-messaging.readthedocs.io/en/stable/"').client_properties;
    const d = defaultConfig().client_properties;
    assert.deepEqual([props.product, props.version, props.information], [d.product, d.version, d.information]);
    assert.deepEqual(lines, []);
  });
});

/** What Python crashes on (exit 11 while registering, or at load): still refused, before connecting. */
describe("configurations Python crashes on: still refused", () => {
  it("qos values pika cannot send", () => {
    rejects('[qos]\nprefetch_count = "10"', `'qos.prefetch_count' must be an integer from 0 to 65535, got "10"`);
    rejects("[qos]\nprefetch_count = 10.5", "'qos.prefetch_count' must be an integer from 0 to 65535, got 10.5");
  });
  it("unknown keys in a queue or a binding (TypeError in queue_declare/queue_bind)", () => {
    assert.match(errorOf("[queues.a]\ndurable = true\nauto_delete = false\nexclusive = false\narguments = {}\nfoo = 1"), /'queues\.a' has an unknown key 'foo'/);
    assert.match(errorOf('[[bindings]]\nexchange = "x"\nrouting_keys = []\nfoo = 1'), /'bindings\[0\]' has an unknown key 'foo'/);
  });
  it("a reserved client property with another value", () => rejects('[client_properties]\nproduct = "mine"', '"product" is a reserved keyword in client_properties'));
});
