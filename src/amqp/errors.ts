/**
 * The one translator from what rhea and Node hand us (AMQP error conditions,
 * socket errors, TLS failures) to this library's errors. The same condition
 * means different things in different places, so the table has one column a
 * place:
 *
 * | condition                | opening       | attaching a consumer | live consumer link | management request |
 * |--------------------------|---------------|----------------------|--------------------|--------------------|
 * | amqp:unauthorized-access | refused (14)  | PermissionError (15) | lost: reconnect    | BadDeclaration 403 (10) |
 * | amqp:not-found           | refused (14)  | ConnectionError (14) | canceled (12)      | (HTTP status)      |
 * | amqp:resource-deleted    | refused (14)  | unexpected (11)      | canceled (12)      | (HTTP status)      |
 * | anything else            | refused (14)  | unexpected (11)      | lost: reconnect    | (HTTP status)      |
 *
 * A publisher's link to an exchange (amqp/publisher.ts) has a column of its own:
 * unauthorized-access is PublishForbidden at once (Python: a 403 channel
 * close); not-found (no such exchange) is retried until the timeout, as Python
 * re-opens its channel and retries a 404; anything else is a lost link, sent
 * again on a new link or connection.
 *
 * Before the AMQP open: no TCP connection (refused, unreachable, timed out) is
 * BrokerUnreachableError, retried by the supervisor; a TLS failure, or a TCP
 * connection dropped during the handshake (RabbitMQ resets the socket for an
 * unknown vhost), is a ConnectionError (14) with Python's sentence.
 * RabbitMQ's delivery acknowledgement timeout ends a live link like any other
 * loss; `isAckTimeout` tells it apart for Python's warning.
 */
import { ConnectionError, PermissionError, UnexpectedRegistrationError } from "../errors.js";

/** The broker could not be reached at all (refused, unreachable, timed out): worth retrying. */
export class BrokerUnreachableError extends Error {
  override name = "BrokerUnreachableError";
}

/** Python's sentence for a failed handshake (bad credentials, vhost, TLS). */
export const HANDSHAKE_FAILED =
  "The TCP connection appears to have started, but the TLS or AMQP handshake with the broker failed; " +
  "check your connection and authentication parameters and ensure your user has permission to access the vhost";

type AttachMeaning = "permission" | "missing" | "unexpected";
/** What the end of a live consumer link means. */
export type LinkEnd = "canceled" | "lost";
/** What a publisher's failed link means (see the table above). */
export type PublishLinkEnd = "forbidden" | "missing" | "lost";

/** The table above, for the places where the condition decides. */
const CONDITIONS: Readonly<
  Record<string, { readonly attach: AttachMeaning; readonly link: LinkEnd; readonly publish: PublishLinkEnd; readonly management?: "forbidden" }>
> = {
  "amqp:unauthorized-access": { attach: "permission", link: "lost", publish: "forbidden", management: "forbidden" },
  "amqp:not-found": { attach: "missing", link: "canceled", publish: "missing" },
  // RabbitMQ detaches consumers of a deleted queue with resource-deleted.
  "amqp:resource-deleted": { attach: "unexpected", link: "canceled", publish: "missing" },
};
const OTHER = { attach: "unexpected", link: "lost", publish: "lost" } as const;

/** How RabbitMQ words a delivery acknowledgement timeout when it ends a consumer's session. */
const ACK_TIMEOUT = /acknowledgement .*timed out|consumer.?timeout/i;

/** rhea hands out AMQP error maps, ConnectionErrors and socket errors; make them Errors with the condition. */
export function toError(value: unknown): Error | undefined {
  if (value === undefined || value === null) return undefined;
  if (value instanceof Error) {
    const condition = (value as { condition?: string }).condition;
    return condition && !value.message.includes(condition) ? Object.assign(new Error(`${condition}: ${value.message}`, { cause: value }), { condition }) : value;
  }
  if (typeof value === "object") {
    const { condition, description } = value as { condition?: string; description?: string };
    return Object.assign(new Error([condition, description].filter(Boolean).join(": ") || "unknown AMQP error"), { condition });
  }
  return new Error(String(value));
}

/** The AMQP condition an error carries ("" when none). */
export function conditionOf(error: unknown): string {
  const condition = (error as { condition?: unknown } | null | undefined)?.condition;
  return typeof condition === "string" ? condition : "";
}

/** The broker closed the connection before or during its OPEN: authentication, vhost, permissions. */
export function refusedOpen(error: Error | undefined): ConnectionError {
  return new ConnectionError(`${HANDSHAKE_FAILED} (${error?.message ?? "connection closed by the broker"})`, { cause: error });
}

/**
 * The socket closed before the AMQP OPEN. Retried (unreachable) unless TLS
 * failed or TCP was up: then the broker dropped us on purpose (exit 14).
 */
export function socketClosedBeforeOpen(error: Error | undefined, tcpEstablished: boolean, displayUrl: string): Error {
  if ((error && isTlsFailure(error)) || tcpEstablished) {
    const why = error ? describeHandshakeError(error) : "the broker closed the connection";
    const refused = new ConnectionError(`${HANDSHAKE_FAILED} (${why} during the handshake)`, { cause: error });
    if (!(error && isTlsFailure(error))) droppedInHandshake.set(refused, `cannot reach ${displayUrl}: the broker closed the connection during the handshake (${why}; still starting?)`);
    return refused;
  }
  return new BrokerUnreachableError(`cannot reach ${displayUrl}: ${error?.message ?? "connection closed"}`, { cause: error });
}

/** Refusals that were a TCP connection dropped before the AMQP OPEN, with what to say when it is retried. */
const droppedInHandshake = new WeakMap<Error, string>();

/**
 * A handshake the broker dropped (no TLS failure, no AMQP answer): a refusal
 * when it happens at the first connection (exit 14, like Python), a broker
 * still starting when we were connected to it before (RabbitMQ accepts TCP
 * while it boots and resets it). Returns the error to retry with in that case.
 */
export function retryableAfterConnected(error: Error): BrokerUnreachableError | undefined {
  const sentence = droppedInHandshake.get(error);
  return sentence === undefined ? undefined : new BrokerUnreachableError(sentence, { cause: error });
}

/** A consumer's ATTACH was refused. */
export function attachFailure(queue: string, error: Error): Error {
  switch ((CONDITIONS[conditionOf(error)] ?? OTHER).attach) {
    case "permission":
      return new PermissionError("queue", queue, error.message, { cause: error });
    case "missing":
      return new ConnectionError(`Unable to consume from queue ${queue}: ${error.message}`, { cause: error });
    case "unexpected":
      return new UnexpectedRegistrationError(new Error(`attaching a consumer to queue ${queue} failed: ${error.message}`, { cause: error }));
  }
}

/** What the end of a live consumer link means: the broker canceled the consumer (exit 12), or it was lost (reconnect). */
export function linkEnd(error: Error): LinkEnd {
  return (CONDITIONS[conditionOf(error)] ?? OTHER).link;
}

/** What the end of a publisher's link to an exchange means: refused for good, no such exchange (yet), or lost. */
export function publishLinkEnd(error: Error): PublishLinkEnd {
  return (CONDITIONS[conditionOf(error)] ?? OTHER).publish;
}

/** True when the management session ended because the user lacks a permission (RabbitMQ's answer instead of a 403). */
export function isManagementForbidden(condition: string | undefined): boolean {
  return CONDITIONS[condition ?? ""]?.management === "forbidden";
}

/** True when RabbitMQ ended a consumer for its delivery acknowledgement timeout (consumer_timeout). */
export function isAckTimeout(error: Error): boolean {
  return ACK_TIMEOUT.test(error.message);
}

/**
 * One line for a failed handshake. OpenSSL's messages carry an internal prefix,
 * a source path and a newline ("80EC…:error:0A000418:SSL routines:…:tlsv1 alert
 * unknown ca:../deps/…:SSL alert number 48\n"); its `reason` is the useful part.
 * An alert means the broker refused us (e.g. our client certificate), which the
 * bare OpenSSL words do not say. Exported for the unit tests.
 */
export function describeHandshakeError(error: Error): string {
  const { code = "", reason } = error as { code?: string; reason?: string };
  const text = (typeof reason === "string" && reason ? reason : error.message).replace(/\s+/g, " ").trim();
  if (/^ERR_SSL_(TLSV1|SSLV3|TLSV13)_ALERT_/.test(code)) return `the broker ended the TLS handshake: ${text}`;
  return text;
}

function isTlsFailure(error: Error): boolean {
  const code = (error as { code?: string }).code ?? "";
  return /CERT|SSL|TLS|ERR_TLS|UNABLE_TO|SELF_SIGNED|HOSTNAME|ALTNAME/i.test(code) || /certificate|ssl|tls/i.test(error.message);
}
