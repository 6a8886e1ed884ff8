import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseConfig } from "../../../src/config/load.js";
import { applyCliOverrides } from "../../../src/config/overrides.js";
import { validateConfig } from "../../../src/config/validate.js";

const twoBindings = parseConfig(
  '[[bindings]]\nexchange = "amq.topic"\nrouting_keys = ["a.#"]\narguments = { x = 1 }\n' +
  '[[bindings]]\nqueue = "other"\nexchange = "e2"\nrouting_keys = ["b", "c"]',
  "two.toml",
);

describe("applyCliOverrides", () => {
  it("--queue-name: one queue with the default queue's settings, every binding on it", () => {
    const c = applyCliOverrides(twoBindings, { queueName: "my-q" });
    assert.deepEqual(c.queues, { "my-q": { durable: false, auto_delete: true, exclusive: true, arguments: {} } });
    assert.deepEqual(c.bindings.map((b) => b.queue), ["my-q", "my-q"]);
    assert.deepEqual(c.bindings[0], { queue: "my-q", exchange: "amq.topic", routing_keys: ["a.#"], arguments: { x: 1 } });
  });
  it("--queue-name takes the config's own \"\" queue settings when it has them", () => {
    const config = parseConfig('[queues.""]\ndurable = true\nauto_delete = false\nexclusive = false\narguments = { x-max-length = 5 }', "q.toml");
    assert.deepEqual(applyCliOverrides(config, { queueName: "q" }).queues,
      { q: { durable: true, auto_delete: false, exclusive: false, arguments: { "x-max-length": 5 } } });
  });
  it("--queue-name with no \"\" queue in the config uses the defaults (Python: KeyError)", () => {
    const config = parseConfig("[queues.named]\ndurable = true\nauto_delete = false\nexclusive = false\narguments = {}", "n.toml");
    assert.deepEqual(applyCliOverrides(config, { queueName: "q" }).queues,
      { q: { durable: false, auto_delete: true, exclusive: true, arguments: {} } });
  });
  it("--exchange: every binding's exchange", () => {
    assert.deepEqual(applyCliOverrides(twoBindings, { exchange: "x" }).bindings.map((b) => [b.queue, b.exchange]), [["", "x"], ["other", "x"]]);
  });
  it("--routing-key: every binding's routing keys, all of them", () => {
    const c = applyCliOverrides(twoBindings, { routingKeys: ["k1", "k2"] });
    assert.deepEqual(c.bindings.map((b) => b.routing_keys), [["k1", "k2"], ["k1", "k2"]]);
  });
  it("--app-name: client_properties.app, the rest kept", () => {
    const c = applyCliOverrides(twoBindings, { appName: "recorder" });
    assert.equal(c.client_properties.app, "recorder");
    assert.equal(c.client_properties.product, twoBindings.client_properties.product);
  });
  it("all together", () => {
    const c = applyCliOverrides(validateConfig({}, "d"), { queueName: "q", exchange: "e", routingKeys: ["r"], appName: "a" });
    assert.deepEqual(c.bindings, [{ queue: "q", exchange: "e", routing_keys: ["r"], arguments: {} }]);
    assert.deepEqual(Object.keys(c.queues), ["q"]);
    assert.equal(c.client_properties.app, "a");
  });
  it("empty values change nothing, as in Python", () => {
    const c = applyCliOverrides(twoBindings, { queueName: "", exchange: "", routingKeys: [], appName: "" });
    assert.deepEqual(c, twoBindings);
    assert.deepEqual(applyCliOverrides(twoBindings, {}), twoBindings);
  });
  it("leaves its input alone and returns a frozen config", () => {
    const before = JSON.stringify(twoBindings);
    const c = applyCliOverrides(twoBindings, { queueName: "q", exchange: "e", routingKeys: ["r"], appName: "a" });
    assert.equal(JSON.stringify(twoBindings), before);
    assert.ok(Object.isFrozen(c) && Object.isFrozen(c.bindings) && Object.isFrozen(c.bindings[0]!.routing_keys));
    assert.ok(Object.isFrozen(c.queues.q) && Object.isFrozen(c.client_properties));
  });
});
