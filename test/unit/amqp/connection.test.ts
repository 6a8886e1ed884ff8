import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkBroker } from "../../../src/amqp/connection.js";
import { exchangeAddress, percentEncode, queueAddress } from "../../../src/amqp/address.js";

describe("broker check", () => {
  it("accepts RabbitMQ 4.x", () => {
    assert.equal(checkBroker({ product: "RabbitMQ", version: "4.0.5" }), undefined);
    assert.equal(checkBroker({ product: "RabbitMQ", version: "4.3.1" }), undefined);
  });
  it("refuses RabbitMQ 3.x, saying why", () => {
    assert.match(checkBroker({ product: "RabbitMQ", version: "3.13.7" }) ?? "", /RabbitMQ 3\.13\.7, but fedora-messaging headers need RabbitMQ >= 4\.0 over AMQP 1\.0/);
  });
  it("refuses other brokers", () => {
    assert.match(checkBroker({ product: "apache-activemq-artemis", version: "2.31.0" }) ?? "", /need RabbitMQ >= 4\.0/);
  });
});

describe("v2 addresses", () => {
  it("percent-encodes everything but the unreserved characters", () => {
    assert.equal(percentEncode("a/b c!'()*~._-"), "a%2Fb%20c%21%27%28%29%2A~._-");
    assert.equal(queueAddress("my queue"), "/queues/my%20queue");
    assert.equal(exchangeAddress("amq.topic", "org.fedoraproject.prod.#"), "/exchanges/amq.topic/org.fedoraproject.prod.%23");
    assert.equal(exchangeAddress("x"), "/exchanges/x");
  });
});
