import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BrokerUnreachableError, attachFailure, isAckTimeout, isManagementForbidden, linkEnd, refusedOpen, socketClosedBeforeOpen, toError } from "../../../src/amqp/errors.js";
import { ConnectionError, PermissionError, UnexpectedRegistrationError } from "../../../src/errors.js";

const amqp = (condition: string, description = "d") => toError({ condition, description })!;

describe("AMQP errors", () => {
  it("keeps the condition in the message", () => {
    const error = toError({ condition: "amqp:unauthorized-access", description: "no" });
    assert.equal(error?.message, "amqp:unauthorized-access: no");
    assert.equal((error as { condition?: string }).condition, "amqp:unauthorized-access");
  });
  it("passes undefined through", () => {
    assert.equal(toError(undefined), undefined);
  });
});

describe("the translation table", () => {
  it("attaching: unauthorized is a PermissionError (15), not-found a ConnectionError (14), anything else unexpected (11)", () => {
    assert.ok(attachFailure("q", amqp("amqp:unauthorized-access")) instanceof PermissionError);
    assert.ok(attachFailure("q", amqp("amqp:not-found")) instanceof ConnectionError);
    assert.match(attachFailure("q", amqp("amqp:not-found")).message, /^Unable to consume from queue q: amqp:not-found/);
    const unexpected = attachFailure("q", amqp("amqp:internal-error"));
    assert.ok(unexpected instanceof UnexpectedRegistrationError);
    assert.match(unexpected.message, /^An unexpected error \(Error\('attaching a consumer to queue q failed: amqp:internal-error: d'\)\)/);
  });
  it("a live link: not-found and resource-deleted mean canceled (12), the rest lost (reconnect)", () => {
    assert.equal(linkEnd(amqp("amqp:not-found")), "canceled");
    assert.equal(linkEnd(amqp("amqp:resource-deleted")), "canceled");
    assert.equal(linkEnd(amqp("amqp:unauthorized-access")), "lost");
    assert.equal(linkEnd(new Error("socket hang up")), "lost");
  });
  it("management: only unauthorized-access is a refusal", () => {
    assert.equal(isManagementForbidden("amqp:unauthorized-access"), true);
    assert.equal(isManagementForbidden("amqp:not-found"), false);
    assert.equal(isManagementForbidden(undefined), false);
  });
  it("opening: a refusal is ConnectionError; a socket closed before TCP is retried, after TCP or for TLS it is not", () => {
    assert.ok(refusedOpen(amqp("amqp:unauthorized-access")) instanceof ConnectionError);
    assert.ok(socketClosedBeforeOpen(new Error("connect ECONNREFUSED"), false, "amqp://x") instanceof BrokerUnreachableError);
    assert.ok(socketClosedBeforeOpen(undefined, true, "amqp://x") instanceof ConnectionError);
    const tls = Object.assign(new Error("self-signed certificate"), { code: "SELF_SIGNED_CERT_IN_CHAIN" });
    assert.match(socketClosedBeforeOpen(tls, false, "amqp://x").message, /handshake with the broker failed.*\(self-signed certificate during the handshake\)$/);
  });
  it("recognises RabbitMQ's delivery acknowledgement timeout", () => {
    assert.equal(isAckTimeout(new Error("amqp:precondition-failed: delivery acknowledgement on channel 1 timed out")), true);
    assert.equal(isAckTimeout(new Error("amqp:connection:forced")), false);
  });
});
