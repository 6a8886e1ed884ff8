/**
 * The parts of a received AMQP message that decoding needs, as plain data that
 * can cross to the worker thread with `postMessage` (rhea's message objects
 * carry methods and Buffers views of frame buffers; this copies the body once).
 */
import type { Message as AmqpMessage } from "rhea";

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
  const priority = (message as { priority?: unknown }).priority;
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
  };
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
