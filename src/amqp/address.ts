/**
 * RabbitMQ 4 "v2" AMQP addresses. Every name in an address must be
 * percent-encoded (RFC 3986); RabbitMQ decodes them with cow_uri. JS's
 * `encodeURIComponent` leaves `!'()*` alone, which RabbitMQ accepts in most
 * places but not in binding paths, so we escape everything but the unreserved
 * characters, like RabbitMQ's own clients do.
 */

export function percentEncode(segment: string): string {
  return encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Source (consume) or target (publish to the default exchange) address of a queue. */
export function queueAddress(queue: string): string {
  return `/queues/${percentEncode(queue)}`;
}

/** Target address for publishing to `exchange` with `routingKey`. */
export function exchangeAddress(exchange: string, routingKey?: string): string {
  const base = `/exchanges/${percentEncode(exchange)}`;
  return routingKey === undefined ? base : `${base}/${percentEncode(routingKey)}`;
}
