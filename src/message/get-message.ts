/**
 * Python's `fedora_messaging.message.get_message(routing_key, properties, body)`
 * for library users: decode a message from its parts exactly as the daemon
 * decodes a delivery (same class lookup, log lines, validation and errors).
 * Useful to test a callback with recorded messages, or to decode messages
 * received by other means.
 */
import { decodeMessage, type AmqpMessageLike } from "./decode.js";
import type { Message } from "./message.js";

/**
 * The AMQP properties that matter, named as pika's `BasicProperties` names them
 * (`content_encoding`, `message_id`) or in camelCase.
 */
export interface MessageProperties {
  /** The headers; `null`/absent is a message "without headers" (logged, as Python does). */
  readonly headers?: Readonly<Record<string, unknown>> | null;
  readonly content_encoding?: string | null;
  readonly contentEncoding?: string | null;
  readonly message_id?: string | null;
  readonly messageId?: string | null;
  readonly priority?: number | null;
}

/** Python's AMQP data section type code: the body is passed on as raw bytes. */
const DATA_SECTION = 0x75;

/**
 * Builds the Message a consumer would get for this topic, properties and body.
 *
 * @param routingKey the topic.
 * @param body the encoded body: bytes, or a string (encoded as UTF-8).
 * @throws ValidationError (with Python's `summary`) for a body that cannot be
 *   decoded or parsed, or a message its schema refuses.
 */
export function getMessage(routingKey: string, properties: MessageProperties, body: Uint8Array | string): Message {
  const amqp: AmqpMessageLike = {
    message_annotations: { "x-routing-key": routingKey },
    application_properties: properties.headers ? { ...properties.headers } : null,
    content_encoding: properties.content_encoding ?? properties.contentEncoding ?? null,
    message_id: properties.message_id ?? properties.messageId ?? null,
    priority: properties.priority ?? null,
    body: { typecode: DATA_SECTION, content: typeof body === "string" ? Buffer.from(body, "utf8") : body },
  };
  return decodeMessage(amqp, null);
}
