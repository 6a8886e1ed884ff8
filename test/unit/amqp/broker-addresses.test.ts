/**
 * The broker pool's addresses made from `amqp_url`: one per URL, in order,
 * each with its own host, credentials and masked display URL; `[tls]` applies
 * to every `amqps://` entry and to no `amqp://` one.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TlsFileError, brokerAddresses, connectionSettings } from "../../../src/amqp/settings.js";
import { defaultConfig } from "../../../src/config/defaults.js";
import type { Config } from "../../../src/config/types.js";

function configWith(amqpUrl: Config["amqp_url"], tls: Partial<Config["tls"]> = {}): Config {
  const config = defaultConfig();
  return { ...config, amqp_url: amqpUrl, tls: { ...config.tls, ...tls } };
}

describe("brokerAddresses", () => {
  it("one address per URL, in the order of the list", () => {
    const addresses = brokerAddresses(configWith(["amqp://u:pw1@node-a:7001/v", "amqp://node-b:7002", "amqp://w:pw3@[::1]:7003/%2F?heartbeat=10"]));
    assert.deepEqual(
      addresses.map((a) => [a.host, a.port, a.vhost, a.username, a.password, a.idleTimeoutMs, a.displayUrl]),
      [
        ["node-a", 7001, "v", "u", "pw1", 30_000, "amqp://u:****@node-a:7001/v"],
        ["node-b", 7002, "/", undefined, undefined, 30_000, "amqp://node-b:7002"],
        ["::1", 7003, "/", "w", "pw3", 5_000, "amqp://w:****@[::1]:7003/%2F?heartbeat=10"],
      ],
    );
  });
  it("a single URL (Python's string) is a pool of one, the same as connectionSettings", () => {
    const config = configWith("amqp://u:pw@h/");
    assert.deepEqual(brokerAddresses(config), [connectionSettings(config)]);
  });
  it("[tls] applies to every amqps:// entry and to no amqp:// one", () => {
    const addresses = brokerAddresses(configWith(["amqps://a/", "amqp://b/", "amqps://c:7999/"]));
    // Without ca_cert, the trusted roots are Node's and the system's (amqp/system-ca.ts): only whether TLS is on is compared.
    assert.deepEqual(addresses.map((a) => a.tls?.external), [false, undefined, false]);
    assert.deepEqual(addresses.map((a) => a.tls !== undefined), [true, false, true]);
  });
  it("a [tls] file that cannot be read fails at start when any entry is amqps://", () => {
    const missing = "/nonexistent/fm-ca.pem";
    assert.deepEqual(brokerAddresses(configWith(["amqp://a/", "amqp://b/"], { ca_cert: missing })).map((a) => a.tls), [undefined, undefined]);
    assert.throws(() => brokerAddresses(configWith(["amqp://a/", "amqps://b/"], { ca_cert: missing })), (e: unknown) => e instanceof TlsFileError && e.message.includes(missing));
  });
});
