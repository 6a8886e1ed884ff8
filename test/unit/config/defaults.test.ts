import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { CLIENT_IDENTITY, CONFIG_KEYS, DEFAULT_CONFIG_PATH, defaultConfig, defaultLogConfig } from "../../../src/config/defaults.js";
import { validateConfig } from "../../../src/config/validate.js";

const pkg = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version: string };

describe("defaultConfig", () => {
  it("is Python's DEFAULTS, key for key, plus our two keys", () => {
    assert.deepEqual(defaultConfig(), {
      amqp_url: "amqp://?connection_attempts=3&retry_delay=5",
      client_properties: {
        app: "Unknown",
        product: "Fedora Messaging for Node",
        information: "https://fedora-messaging.readthedocs.io/en/stable/",
        version: `fedora-messaging-node-${pkg.version} with rhea-3.0.5`,
      },
      publish_exchange: "amq.topic",
      topic_prefix: "",
      publish_priority: null,
      passive_declares: false,
      exchanges: { "amq.topic": { type: "topic", durable: true, auto_delete: false, arguments: {} } },
      queues: { "": { durable: false, auto_delete: true, exclusive: true, arguments: {} } },
      bindings: [{ queue: "", exchange: "amq.topic", routing_keys: ["#"], arguments: {} }],
      qos: { prefetch_size: 0, prefetch_count: 10 },
      callback: null,
      monitoring: null,
      consumer_config: {},
      tls: { ca_cert: null, certfile: null, keyfile: null },
      log_config: {
        version: 1,
        disable_existing_loggers: false,
        formatters: { simple: { format: "[%(name)s %(levelname)s] %(message)s" } },
        handlers: { console: { class: "logging.StreamHandler", formatter: "simple", stream: "ext://sys.stdout" } },
        loggers: { fedora_messaging: { level: "INFO", propagate: false, handlers: ["console"] } },
        root: { level: "WARNING", handlers: ["console"] },
      },
      plugin_dir: "/usr/lib/fedora-messaging/plugins",
      callback_mode: "worker",
      callback_concurrency: 1,
      reconnect_max_delay: 60,
      watchdog_timeout: 300,
    });
  });

  it("returns a new, unshared object on every call", () => {
    const a = defaultConfig() as unknown as { queues: Record<string, { durable: boolean }>; bindings: unknown[] };
    const b = defaultConfig();
    assert.notEqual(a, b);
    a.queues[""]!.durable = true;
    a.bindings.push({});
    assert.equal(b.queues[""]!.durable, false);
    assert.equal(defaultConfig().bindings.length, 1);
    assert.notEqual(defaultLogConfig(), defaultLogConfig());
  });

  it("lists its keys in Python's DEFAULTS order, ours last", () => {
    assert.deepEqual([...CONFIG_KEYS], Object.keys(defaultConfig()));
    assert.deepEqual(CONFIG_KEYS.slice(-5), ["plugin_dir", "callback_mode", "callback_concurrency", "reconnect_max_delay", "watchdog_timeout"]);
  });

  it("names our product and versions, not Python's", () => {
    assert.equal(CLIENT_IDENTITY.product, "Fedora Messaging for Node");
    assert.match(CLIENT_IDENTITY.version, /^fedora-messaging-node-\d+\.\d+\.\d+\S* with rhea-3\.0\.5$/);
    assert.equal(DEFAULT_CONFIG_PATH, "/etc/fedora-messaging/config.toml");
  });

  it("is what an empty file validates to, deeply frozen", () => {
    const config = validateConfig({}, "empty.toml");
    assert.deepEqual(config, defaultConfig());
    assert.ok(Object.isFrozen(config));
    assert.ok(Object.isFrozen(config.queues[""]));
    assert.ok(Object.isFrozen(config.bindings[0]!.routing_keys));
    assert.ok(Object.isFrozen((config.log_config.loggers as Record<string, object>).fedora_messaging));
  });
});
