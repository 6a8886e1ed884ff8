/** Pure parts of publishing: Python's routing key with topic_prefix, the address in `to`, the errors column. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { routingKey } from "../../../src/api/publish.js";
import { publishLinkEnd } from "../../../src/amqp/errors.js";
import { messageAddress } from "../../../src/amqp/publisher.js";

test("topic_prefix: prefix without its trailing dots, a dot, the topic (Python's _encoded_routing_key)", () => {
  assert.equal(routingKey("a.b", { topic_prefix: "" }), "a.b");
  assert.equal(routingKey("a.b", { topic_prefix: "org.fedoraproject.prod" }), "org.fedoraproject.prod.a.b");
  assert.equal(routingKey("a.b", { topic_prefix: "org.fedoraproject.prod.." }), "org.fedoraproject.prod.a.b");
});

test("the `to` address names exchange and key, strictly percent-encoded; the default exchange is the queue", () => {
  assert.equal(messageAddress("amq.topic", "org.x.y"), "/exchanges/amq.topic/org.x.y");
  assert.equal(messageAddress("my ex", "a/b*"), "/exchanges/my%20ex/a%2Fb%2A");
  assert.equal(messageAddress("", "q"), "/queues/q");
});

test("a publisher's link or message refused: forbidden, missing (retried), or lost", () => {
  const withCondition = (condition: string) => Object.assign(new Error(condition), { condition });
  assert.equal(publishLinkEnd(withCondition("amqp:unauthorized-access")), "forbidden");
  assert.equal(publishLinkEnd(withCondition("amqp:not-found")), "missing");
  assert.equal(publishLinkEnd(withCondition("amqp:internal-error")), "lost");
  assert.equal(publishLinkEnd(new Error("socket hang up")), "lost");
});
