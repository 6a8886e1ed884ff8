import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { maskAmqpUrl, parseAmqpUrl, type AmqpUrl } from "../../../src/config/amqp-url.js";
import { ConfigurationError } from "../../../src/errors.js";

const base: AmqpUrl = {
  scheme: "amqp", host: "localhost", port: 5672, username: "guest", password: "guest", hasCredentials: false,
  vhost: "/", heartbeat: undefined, connectionAttempts: undefined, retryDelay: undefined, query: {},
};

/** Expected values checked against pika 1.2's URLParameters where pika accepts the URL. */
const good: ReadonlyArray<readonly [string, Partial<AmqpUrl>]> = [
  ["amqp://", {}],
  ["amqp://?connection_attempts=3&retry_delay=5", { connectionAttempts: 3, retryDelay: 5 }],
  ["amqps://rabbitmq.fedoraproject.org", { scheme: "amqps", host: "rabbitmq.fedoraproject.org", port: 5671 }],
  ["amqps://fedora:@rabbitmq.fedoraproject.org/%2Fpublic_pubsub",
    { scheme: "amqps", host: "rabbitmq.fedoraproject.org", port: 5671, username: "fedora", password: "", hasCredentials: true, vhost: "/public_pubsub" }],
  ["amqp://user:p%40ss@host:1234/vh", { host: "host", port: 1234, username: "user", password: "p@ss", hasCredentials: true, vhost: "vh" }],
  ["amqp://u%3Ax:p%3A@h", { host: "h", username: "u:x", password: "p:", hasCredentials: true }],
  ["amqp://u:p:q@h", { host: "h", username: "u", password: "p:q", hasCredentials: true }],
  ["amqp://:pw@host", { host: "host", username: "", password: "pw", hasCredentials: true }],
  // pika raises a TypeError here; a user without a password means an empty one.
  ["amqp://user@host", { host: "host", username: "user", password: "", hasCredentials: true }],
  ["amqp://host/", { host: "host" }],
  ["amqp://host/%2F", { host: "host" }],
  ["amqp://host/vh%20x", { host: "host", vhost: "vh x" }],
  ["amqp:///vh", { vhost: "vh" }],
  ["amqp://h:/", { host: "h" }],
  ["amqp://host?heartbeat=10", { host: "host", heartbeat: 10 }],
  ["amqp://host?heartbeat=0", { host: "host", heartbeat: 0 }],
  ["amqp://host?heartbeat=", { host: "host" }],
  ["amqp://h?heartbeat=%31%30", { host: "h", heartbeat: 10 }],
  ["amqp://h?retry_delay=1.5", { host: "h", retryDelay: 1.5 }],
  ["amqp://h?socket_timeout=3&channel_max=10&locale=fr_FR", { host: "h", query: { socket_timeout: "3", channel_max: "10", locale: "fr_FR" } }],
  ["amqp://[::1]:5673/", { host: "::1", port: 5673 }],
  ["amqps://[2001:DB8::1]", { scheme: "amqps", host: "2001:db8::1", port: 5671 }],
  ["AMQP://HOST", { host: "host" }],
  ["amqp://h#fragment", { host: "h" }],
];

const bad: ReadonlyArray<readonly [string, string]> = [
  ["garbage", 'expected "amqp://" or "amqps://" followed by [user[:password]@]host[:port][/vhost][?parameters]'],
  ["", 'expected "amqp://" or "amqps://" followed by [user[:password]@]host[:port][/vhost][?parameters]'],
  ["http://x", 'unsupported scheme "http"; supported schemes are amqp and amqps'],
  ["amqp://h:99999", "the port must be a number from 1 to 65535"],
  ["amqp://h:0", "the port must be a number from 1 to 65535"],
  ["amqp://h:abc", "the port must be a number from 1 to 65535"],
  ["amqps://u:se/cret@h/", 'the port must be a number from 1 to 65535 (write "/", "?" and "#" in a password as %2F, %3F and %23)'],
  ["amqp://[::1", 'the host "[::1" has an opening "[" without its closing "]"'],
  ["amqp://[nothost]", '"nothost" in brackets is not an IPv6 address'],
  ["amqp://[::1]x", 'unexpected "x" after the IPv6 address'],
  ["amqp://host/a/b", 'the path "/a/b" must be a single vhost name (write "/" inside it as %2F) and percent-escapes must be valid'],
  ["amqp://host/%zz", 'the path "/%zz" must be a single vhost name (write "/" inside it as %2F) and percent-escapes must be valid'],
  ["amqp://u%zz:p@h", "the user or password has a malformed percent-escape"],
  ["amqps://h?heartbeat=abc", 'heartbeat must be an integer of at least 0, got "abc"'],
  ["amqp://h?heartbeat=-1", 'heartbeat must be an integer of at least 0, got "-1"'],
  ["amqp://h?heartbeat=1.5", 'heartbeat must be an integer of at least 0, got "1.5"'],
  ["amqp://h?heartbeat=65536", 'heartbeat must be at most 65535, got "65536"'],
  ["amqp://h?connection_attempts=0", 'connection_attempts must be an integer of at least 1, got "0"'],
  ["amqp://h?retry_delay=-1", 'retry_delay must be a non-negative number of seconds, got "-1"'],
  ["amqp://h?retry_delay=abc", 'retry_delay must be a non-negative number of seconds, got "abc"'],
  ["amqp://h?heartbeat=1&heartbeat=2", 'the URL parameter "heartbeat" is given more than once'],
  ["amqp://h?foo=1", 'unknown URL parameter "foo"; known parameters are blocked_connection_timeout, channel_max, client_properties, ' +
    "connection_attempts, frame_max, heartbeat, locale, retry_delay, socket_timeout, ssl_options, stack_timeout, tcp_options"],
];

describe("parseAmqpUrl", () => {
  for (const [url, expected] of good) {
    it(`reads ${JSON.stringify(url)}`, () => assert.deepEqual(parseAmqpUrl(url), { ...base, ...expected }));
  }
  for (const [url, reason] of bad) {
    it(`rejects ${JSON.stringify(url)}`, () => {
      assert.throws(() => parseAmqpUrl(url), (e: unknown) => {
        assert.ok(e instanceof ConfigurationError);
        assert.equal(e.message, `Configuration error: 'amqp_url' is not a valid AMQP URL (${JSON.stringify(maskAmqpUrl(url))}): ${reason}`);
        return true;
      });
    });
  }
  it("never puts the password in an error", () => {
    for (const url of ["amqp://user:s3cret@h:99999/", "amqps://user:s3cret@h/a/b", "amqps://u:s3/cret@h/", "amqp://user:s3cret@h?foo=1"]) {
      assert.throws(() => parseAmqpUrl(url), (e: unknown) => e instanceof Error && !e.message.includes("s3cret") && !e.message.includes("s3"));
    }
  });
  it("ignores query items without a value, like parse_qs", () => {
    assert.deepEqual(parseAmqpUrl("amqp://h?a&heartbeat=5").heartbeat, 5);
  });
});

describe("maskAmqpUrl", () => {
  const cases: ReadonlyArray<readonly [string, string]> = [
    ["amqps://user:secret@host:5671/%2Fpubsub?heartbeat=10", "amqps://user:****@host:5671/%2Fpubsub?heartbeat=10"],
    ["amqp://:pw@host", "amqp://:****@host"],
    ["amqp://u:p:q@h", "amqp://u:****@h"],
    ["amqp://a:b@c@h/", "amqp://a:****@h/"],
    // nothing to hide
    ["amqps://fedora:@rabbitmq.fedoraproject.org/%2Fpublic_pubsub", "amqps://fedora:@rabbitmq.fedoraproject.org/%2Fpublic_pubsub"],
    ["amqp://user@host", "amqp://user@host"],
    ["amqp://?connection_attempts=3&retry_delay=5", "amqp://?connection_attempts=3&retry_delay=5"],
    // a password with an unescaped "/" or "?" ends the authority early
    ["amqps://u:se/cret@h/", "amqps://u:****@h/"],
    ["amqps://u:se?cret@h/", "amqps://u:****@h/"],
    // not a URL at all
    ["amqp//u:secret@h", "amqp//u:****@h"],
    ["garbage", "garbage"],
  ];
  for (const [url, masked] of cases) it(`masks ${JSON.stringify(url)}`, () => assert.equal(maskAmqpUrl(url), masked));
});
