/**
 * AMQP 1.0 message (as rhea delivers it from RabbitMQ 4) → Message, following
 * Python's `get_message(routing_key, properties, body)` step by step, with the
 * same log lines in the same order.
 *
 * What RabbitMQ 4 does to a pika-published message (notes §A6): the routing
 * key arrives as the message annotation `x-routing-key` (3.x: `subject`),
 * headers as application properties (those starting `x-` as message
 * annotations), the body as one data section, `priority` in the header
 * section, booleans as AMQP `boolean` (0x56), which rhea decodes as 0/1.
 */
import { ValidationError } from "../errors.js";
import { getLogger, LEVELS } from "../log.js";
import { decodeBytes, PyLookupError, PyUnicodeDecodeError } from "../python/_codec.js";
import { INFO, type Message } from "./message.js";
import { pyParse, PyJSONDecodeError, type PyParsed } from "../python/pyjson.js";
import { pyBytesRepr, pyRepr, pyStrRepr } from "../python/pyrepr.js";
import { baseClass, classForHeaders, getName, getPackage } from "./registry.js";

const log = getLogger("fedora_messaging.message");

/** The parts of a rhea `Message` we read (rhea types it as `{[x: string]: any}`). */
export interface AmqpMessageLike {
  body?: unknown;
  subject?: string | null;
  message_id?: unknown;
  priority?: number | null;
  content_encoding?: string | null;
  application_properties?: Record<string, unknown> | null;
  message_annotations?: Record<string, unknown> | null;
}

/** AMQP data section (rhea's `Section`, typecode 0x75). */
const DATA = 0x75;
/** Annotations RabbitMQ adds for AMQP 1.0 consumers that a 0-9-1 consumer never sees as headers. */
const INTERNAL_ANNOTATION = /^x-(?:routing-key|exchange|basic-|opt-)/;
/** fedora-messaging's filter headers are always `True`; RabbitMQ sends them as AMQP boolean → rhea 0/1. */
const FILTER_HEADER = /^fedora_messaging_(?:user|group|rpm|container|module|flatpak)_/;
const utf8Strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Build the Message a Python consumer would have built from the same delivery.
 *
 * Accepted bodies: data section(s) (concatenated); an amqp-value string or
 * binary, for AMQP 1.0 publishers. Any other amqp-value (a map, a list) or an
 * amqp-sequence is refused: a Python consumer gets such a body AMQP-encoded,
 * fails to parse it as JSON and rejects it, and the two must agree.
 *
 * As in Python, a JSON body that is falsy in Python (`null`, `[]`, `0`, `""`,
 * `false`) becomes `{}` and passes; other non-objects fail validation.
 *
 * @param queue the queue it arrived on (`message.queue`).
 * @throws ValidationError (`summary` = Python's) for undecodable bytes, non-JSON,
 *   a refused body kind or a schema failure.
 */
export function decodeMessage(amqp: AmqpMessageLike, queue: string | null): Message {
  const raw = rawBody(amqp.body);
  let headers = wireHeaders(amqp);
  if (headers === undefined) {
    log.error(`Message (body=${bodyRepr(raw)}) arrived without headers. A publisher is misbehaving!`);
    headers = {};
  }
  let cls = classForHeaders(headers);
  if (cls === undefined) {
    log.error(`Message (headers=${pyRepr(headers)}, body=${bodyRepr(raw)}) arrived without a schema header. A publisher is misbehaving!`);
    cls = baseClass();
  }
  let severity: unknown = INFO;
  if (Object.hasOwn(headers, "fedora_messaging_severity")) severity = headers["fedora_messaging_severity"];
  else log.error(`Message (headers=${pyRepr(headers)}, body=${bodyRepr(raw)}) arrived without a severity. A publisher is misbehaving! Defaulting to INFO.`);

  let encoding = amqp.content_encoding;
  if (encoding === undefined || encoding === null) {
    log.error("Message arrived without a content encoding");
    encoding = "utf-8";
  }
  const parsed = parseBody(raw, encoding);
  const message = new cls({
    body: parsed.value,
    topic: topicOf(amqp),
    severity: severity as number,
    properties: { headers, id: messageId(amqp.message_id), priority: amqp.priority ?? null },
    shapes: parsed.numbers.isEmpty ? null : parsed.numbers,
  });
  message.queue = queue;
  try {
    message.validate();
  } catch (err) {
    // A subclass's own validate() may throw anything; Python would crash the consumer, we reject the message.
    const summary = err instanceof ValidationError ? err.summary : err instanceof Error ? err.message : String(err);
    log.error(`Message validation of ${message.repr()} failed: <ValidationError: ${pyStrRepr(summary)}>`);
    throw err instanceof ValidationError ? err : new ValidationError(summary, { cause: err });
  }
  if (log.isEnabledFor(LEVELS.DEBUG)) log.debug(`Successfully validated message ${message.repr()}`);
  if (cls.deprecated) {
    // Python names the class as module.Class; JS classes have no module, so the schema package (or name) stands in.
    const name = getName(cls);
    log.warning(
      `A message with a deprecated schema (${getPackage(name) ?? name}.${cls.name}) has been received on topic ${pyRepr(message.topic)}. ` +
        "You should check the emitting application's documentation to upgrade to the newer schema version.",
    );
  }
  return message;
}

interface RawBody {
  bytes?: Uint8Array;
  text?: string;
  /** What the body is when it is neither (for the error lines). */
  kind?: string;
}

/**
 * Python's `%r` of the body before decoding (bytes), for error lines only: a
 * function, not a closure per message (each closure costs a name in the bundle,
 * see esbuild's keepNames, on the hot path).
 */
function bodyRepr(raw: RawBody): string {
  if (raw.bytes !== undefined) return pyBytesRepr(raw.bytes);
  if (raw.text !== undefined) return pyBytesRepr(Buffer.from(raw.text, "utf8"));
  return raw.kind ?? "no body";
}

function rawBody(body: unknown): RawBody {
  if (body !== null && typeof body === "object" && (body as { typecode?: unknown }).typecode === DATA) {
    const content = (body as { content?: unknown }).content;
    const parts = Array.isArray(content) ? content : [content];
    if (parts.length === 1 && parts[0] instanceof Uint8Array) return { bytes: parts[0] };
    if (parts.every((p) => p instanceof Uint8Array)) return { bytes: Buffer.concat(parts as Uint8Array[]) };
  }
  if (body instanceof Uint8Array) return { bytes: body };
  if (typeof body === "string") return { text: body };
  const kind = body === undefined ? "no body" : Array.isArray(body) ? "an AMQP list" : body !== null && typeof body === "object" ? "an AMQP map or section" : `an AMQP ${typeof body}`;
  return { kind };
}

function parseBody(raw: RawBody, encoding: string): PyParsed {
  let text = raw.text;
  if (text === undefined) {
    if (raw.bytes === undefined) {
      // No Python counterpart: a 0-9-1 consumer would get AMQP-encoded bytes and fail in json.loads.
      const summary = `The message body is ${bodyRepr(raw)}, not JSON text (expected a data section, or an amqp-value string or binary)`;
      log.error(`Failed to load message body: ${summary}`);
      throw new ValidationError(summary);
    }
    try {
      text = decodeBytes(raw.bytes, encoding);
    } catch (err) {
      if (!(err instanceof PyUnicodeDecodeError || err instanceof PyLookupError)) throw err;
      log.error(`Unable to decode message body ${bodyRepr(raw)} with ${encoding} content encoding`);
      throw new ValidationError(err.message, { cause: err });
    }
  }
  try {
    return pyParse(text);
  } catch (err) {
    if (!(err instanceof PyJSONDecodeError)) throw err;
    log.error(`Failed to load message body ${pyStrRepr(text)}, ${err.pyRepr()}`);
    throw new ValidationError(err.message, { cause: err });
  }
}

function topicOf(amqp: AmqpMessageLike): string {
  const rk = amqp.message_annotations?.["x-routing-key"];
  if (typeof rk === "string") return rk;
  return typeof amqp.subject === "string" ? amqp.subject : "";
}

/**
 * Headers as a Python (0-9-1) consumer would see them: application
 * properties, plus the `x-` message annotations (pika headers starting `x-`
 * travel there) except RabbitMQ's own; `x-cc` is 0-9-1's `CC`. `undefined`
 * when there are none (Python: "arrived without headers").
 */
function wireHeaders(amqp: AmqpMessageLike): Record<string, unknown> | undefined {
  const props = amqp.application_properties;
  const annotations = amqp.message_annotations;
  let headers: Record<string, unknown> | undefined;
  if (props !== null && props !== undefined) {
    headers = {};
    for (const key of Object.keys(props)) setHeader(headers, key, headerValue(key, props[key]));
  }
  if (annotations !== null && annotations !== undefined) {
    for (const key of Object.keys(annotations)) {
      if (!key.startsWith("x-") || INTERNAL_ANNOTATION.test(key)) continue;
      setHeader((headers ??= {}), key === "x-cc" ? "CC" : key, headerValue(key, annotations[key]));
    }
  }
  return headers;
}

/** A publisher controls header names: "__proto__" must stay a plain key. */
function setHeader(headers: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") Object.defineProperty(headers, key, { value, writable: true, enumerable: true, configurable: true });
  else headers[key] = value;
}

/** A header value made printable the way Python would have it (see `decodeMessage`). */
function headerValue(key: string, value: unknown): unknown {
  if ((value === 1 || value === 0) && FILTER_HEADER.test(key)) return value === 1;
  if (value instanceof Date) return pyIsoFormat(value);
  if (value instanceof Uint8Array) {
    // 4.x sends a str header as binary when it holds a NUL or exceeds 4096 bytes: give the str back.
    try {
      return utf8Strict.decode(value);
    } catch {
      return Buffer.from(value).toString("utf8");
    }
  }
  if (Array.isArray(value)) return value.map((v) => headerValue("", v));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) setHeader(out, k, headerValue("", v));
    return out;
  }
  return value;
}

/** `datetime.isoformat()` of an aware UTC datetime ("2019-07-30T19:12:22+00:00"). */
function pyIsoFormat(d: Date): string {
  if (Number.isNaN(d.getTime())) return "Invalid Date";
  const iso = d.toISOString();
  const ms = d.getUTCMilliseconds();
  return `${iso.slice(0, 19)}${ms === 0 ? "" : `.${String(ms * 1000).padStart(6, "0")}`}+00:00`;
}

/** `message_id` as the string Python would print: uuid (16 bytes) in canonical form, binary as UTF-8 or hex. */
function messageId(id: unknown): string | null {
  if (id === undefined || id === null) return null;
  if (typeof id === "string") return id;
  if (typeof id === "number" || typeof id === "bigint") return String(id);
  if (id instanceof Uint8Array) {
    const hex = Buffer.from(id).toString("hex");
    if (id.length === 16) return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    try {
      return utf8Strict.decode(id);
    } catch {
      return hex;
    }
  }
  return String(id);
}

/**
 * rhea decodes AMQP `boolean` (0x56), which RabbitMQ uses for every pika
 * `True`/`False` header, as the numbers 1/0. Call once with rhea's `types`
 * (`container.types`) to get real booleans everywhere, so that any boolean
 * header prints `true` like Python's. Without it only fedora-messaging's
 * filter headers are fixed (in `decodeMessage`). Affects the whole process.
 */
export function decodeAmqpBooleansAsBooleans(types: { by_code: Record<number, { read?: unknown }> }): void {
  const boolean = types.by_code[0x56];
  if (boolean !== undefined) boolean.read = (buffer: Buffer, offset: number): boolean => buffer.readUInt8(offset) !== 0;
}
