/**
 * A received message on its way to the callback. The consumer's receiver takes
 * messages undecoded (`raw_transfers`, see build/patch-rhea.mjs): the bytes of
 * their AMQP sections travel to the callback's thread, which decodes them into
 * a RawDelivery, the parts of the message that decoding a fedora-messaging
 * Message needs.
 */
import rhea, { type Message as AmqpMessage } from "rhea";
import { readDelivery } from "./section-reader.js";

/** A message as it came off the wire (its AMQP sections), or already taken apart. */
export type Delivered = Uint8Array | RawDelivery;

/** Takes a delivered message apart, decoding its bytes when it came undecoded. */
export function rawDeliveryOf(delivered: Delivered): RawDelivery {
  if (!(delivered instanceof Uint8Array)) return delivered;
  const bytes = Buffer.isBuffer(delivered) ? delivered : Buffer.from(delivered.buffer, delivered.byteOffset, delivered.byteLength);
  return readDelivery(bytes) ?? rawDelivery(rhea.message.decode(bytes) as unknown as AmqpMessage);
}

export interface RawDelivery {
  readonly annotations: Record<string, unknown> | undefined;
  readonly applicationProperties: Record<string, unknown> | undefined;
  readonly messageId: unknown;
  readonly subject: string | undefined;
  readonly contentType: string | undefined;
  readonly contentEncoding: string | undefined;
  readonly priority: number | undefined;
  /** The body bytes of the data section(s), or `undefined` for an amqp-value body. */
  readonly data: Uint8Array | undefined;
  /** An amqp-value body as rhea decoded it (publishers over AMQP 1.0 may send one). */
  readonly value?: unknown;
  /** Earlier failed deliveries as the broker counts them (0 at first): see `deliveryCountOf`. */
  readonly deliveryCount?: number;
  /** False when the header says another consumer (or an earlier link) acquired the message before. */
  readonly firstAcquirer?: boolean;
}

const DATA_SECTION = 0x75;

interface Section {
  typecode?: number;
  content?: unknown;
  multiple?: boolean;
}

export function rawDelivery(message: AmqpMessage): RawDelivery {
  const body = message.body as Section | undefined;
  let data: Uint8Array | undefined;
  let value: unknown;
  if (body && typeof body === "object" && body.typecode === DATA_SECTION) {
    data = body.multiple && Array.isArray(body.content) ? Buffer.concat(body.content as Buffer[]) : (body.content as Uint8Array);
  } else {
    value = body;
  }
  const { priority, delivery_count: deliveryCount, first_acquirer: firstAcquirer } = message as { priority?: unknown; delivery_count?: unknown; first_acquirer?: unknown };
  return {
    annotations: message.message_annotations as Record<string, unknown> | undefined,
    applicationProperties: message.application_properties as Record<string, unknown> | undefined,
    messageId: message.message_id,
    subject: message.subject,
    contentType: message.content_type,
    contentEncoding: message.content_encoding,
    priority: typeof priority === "number" ? priority : undefined,
    data,
    ...(data === undefined ? { value } : {}),
    deliveryCount: deliveryCountOf(deliveryCount, (message.message_annotations as Record<string, unknown> | undefined)?.["x-delivery-count"]),
    // RabbitMQ sends a header on every delivery; without one, say nothing about earlier ones.
    firstAcquirer: firstAcquirer !== false,
  };
}

/**
 * RabbitMQ 4.0 counts returns in two places (measured on 4.0.5, quorum queue):
 * the header's delivery-count grows only for `modified{delivery-failed}`,
 * while the `x-delivery-count` annotation grows for every return, `released`
 * (our Nack) included, and is what `x-delivery-limit` is checked against.
 */
export function deliveryCountOf(header: unknown, annotation: unknown): number {
  const counts = [header, annotation].map((value) => (typeof value === "number" || typeof value === "bigint" ? Number(value) : 0));
  return Math.max(...counts);
}

/** Rebuilds the rhea-shaped message that `decodeMessage` reads, from a RawDelivery. */
export function amqpMessageOf(raw: RawDelivery): AmqpMessage {
  const body = raw.data !== undefined
    ? { typecode: DATA_SECTION, content: Buffer.from(raw.data.buffer, raw.data.byteOffset, raw.data.byteLength) }
    : raw.value;
  const message: Record<string, unknown> = { body };
  if (raw.annotations !== undefined) message["message_annotations"] = raw.annotations;
  if (raw.applicationProperties !== undefined) message["application_properties"] = raw.applicationProperties;
  if (raw.messageId !== undefined) message["message_id"] = raw.messageId;
  if (raw.subject !== undefined) message["subject"] = raw.subject;
  if (raw.contentType !== undefined) message["content_type"] = raw.contentType;
  if (raw.contentEncoding !== undefined) message["content_encoding"] = raw.contentEncoding;
  if (raw.priority !== undefined) message["priority"] = raw.priority;
  return message as unknown as AmqpMessage;
}
