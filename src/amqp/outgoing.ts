/**
 * A Message as fedora-messaging puts it on the wire, in AMQP 1.0 terms that
 * RabbitMQ 4 turns into exactly what Python's pika publish gives an AMQP 0-9-1
 * consumer (docs/api/wire-format.rst, `Message._build_properties`):
 * - the body: `json.dumps(body)` (ASCII-escaped, Python's separators) in UTF-8,
 *   as one data section (a plain Buffer body would be an amqp-value section);
 * - content type `application/json`, encoding `utf-8`, the message id, durable
 *   (delivery_mode 2); the AMQP priority only when one is set (Python leaves it
 *   out when `publish_priority` is unset);
 * - the headers as application properties, integers typed as pika sends them
 *   (32-bit signed `I`, else 64-bit `l`): left to itself rhea would send a
 *   positive number as an unsigned int, which 0-9-1 consumers see retyped.
 */
import rhea, { type Message as AmqpMessage } from "rhea";
import type { Message } from "../message/message.js";
import { pyDumps } from "../python/pyjson.js";

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/** The AMQP 1.0 message for `message`; `priority` is the AMQP priority to send (undefined: none). */
export function toAmqpMessage(message: Message, priority: number | undefined): AmqpMessage {
  const body = Buffer.from(pyDumps(message.body, { shapes: message.shapes }), "utf8");
  const amqp: AmqpMessage = {
    content_type: "application/json",
    content_encoding: "utf-8",
    durable: true,
    application_properties: typedHeaders(message.headers),
    body: rhea.message.data_section(body),
  };
  if (message.id !== null) amqp.message_id = message.id;
  if (priority !== undefined) amqp.priority = priority;
  return amqp;
}

// --- internal ---

function typedHeaders(headers: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const typed: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    if (typeof value === "number" && Number.isInteger(value)) {
      typed[key] = value >= INT32_MIN && value <= INT32_MAX ? rhea.types.wrap_int(value) : rhea.types.wrap_long(value);
    } else if (typeof value === "number") {
      typed[key] = rhea.types.wrap_double(value);
    } else {
      typed[key] = value;
    }
  }
  return typed;
}
