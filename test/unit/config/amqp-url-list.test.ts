/**
 * `amqp_url` as a TOML list of URLs (ours; a string stays Python's one URL):
 * each entry checked at start, named by its place, its password masked.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { amqpUrls } from "../../../src/config/amqp-url.js";
import { parseConfig } from "../../../src/config/load.js";
import { ConfigurationError } from "../../../src/errors.js";

const FILE = "/etc/fedora-messaging/cluster.toml";
const load = (toml: string) => parseConfig(toml, FILE);

function rejects(toml: string, sentence: string): void {
  assert.throws(() => load(toml), (error: unknown) => {
    assert.ok(error instanceof ConfigurationError, String(error));
    assert.equal(error.message, `Configuration error: in ${FILE}: ${sentence}`);
    return true;
  });
}

describe("amqp_url as a list", () => {
  it("keeps the URLs in their order", () => {
    const config = load('amqp_url = ["amqp://u:p@node-a:5672/%2F", "amqps://u:p@node-b/", "amqp://node-c:5673"]');
    assert.deepEqual(config.amqp_url, ["amqp://u:p@node-a:5672/%2F", "amqps://u:p@node-b/", "amqp://node-c:5673"]);
    assert.ok(Object.isFrozen(config.amqp_url));
  });
  it("a string stays Python's single URL", () => {
    assert.equal(load('amqp_url = "amqp://h"').amqp_url, "amqp://h");
    assert.deepEqual(amqpUrls("amqp://h"), ["amqp://h"]);
    assert.deepEqual(amqpUrls(["amqp://a", "amqp://b"]), ["amqp://a", "amqp://b"]);
  });
  it("a list of one is one broker", () => {
    assert.deepEqual(load('amqp_url = ["amqp://h"]').amqp_url, ["amqp://h"]);
  });
  it("an empty list is an error", () => {
    rejects("amqp_url = []", "'amqp_url' must be a URL or a non-empty list of URLs, got []");
  });
  it("an entry that is not a string is named by its place", () => {
    rejects('amqp_url = ["amqp://a", 5]', "'amqp_url[1]' must be a string, got 5");
  });
  it("every entry is checked, not only the first, and its password is masked", () => {
    rejects('amqp_url = ["amqp://a", "amqp://u:s3cret@b:99999/"]',
      `'amqp_url[1]' is not a valid AMQP URL ("amqp://u:****@b:99999/"): the port must be a number from 1 to 65535`);
    rejects('amqp_url = ["http://u:s3cret@a/", "amqp://b"]',
      `'amqp_url[0]' is not a valid AMQP URL ("http://u:****@a/"): unsupported scheme "http"; supported schemes are amqp and amqps`);
  });
  it("no sentence about a bad list shows a password", () => {
    for (const toml of ['amqp_url = ["amqp://u:s3cret@a/x/y"]', 'amqp_url = ["amqp://u:s3cret@a/?heartbeat=x", "amqp://b"]', 'amqp_url = ["amqp://a", "amqp://u:s3cret@b/?nope=1"]']) {
      assert.throws(() => load(toml), (e: unknown) => e instanceof ConfigurationError && !e.message.includes("s3cret"));
    }
  });
});
