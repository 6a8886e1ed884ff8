/**
 * The JSON-lines format that `record` writes and `publish` reads (Python's
 * `message.dumps`/`loads`/`load_message`): one
 * `json.dumps({body, headers, id, priority, queue, topic}, ensure_ascii=False,
 * sort_keys=True)` per line, each ending in "\n".
 */
import { ValidationError } from "../errors.js";
import { Message } from "./message.js";
import { pyDumps, pyParse, PyJSONDecodeError, type NumberShapes } from "../python/pyjson.js";
import { baseClass, classForHeaders } from "./registry.js";
import { schemaError, type JsonSchema } from "./schema.js";

/** Python's `SERIALIZED_MESSAGE_SCHEMA`: only `topic` and `body` are required. */
export const SERIALIZED_MESSAGE_SCHEMA: JsonSchema = {
  $schema: "http://json-schema.org/draft-04/schema#",
  description: "Schema for the JSON object used to represent messages in a file",
  type: "object",
  properties: {
    topic: { type: "string", description: "The message topic" },
    headers: { type: "object", properties: Message.headersSchema.properties ?? {}, description: "The message headers" },
    id: { type: "string", description: "The message's UUID." },
    body: { type: "object", description: "The message body." },
    queue: { type: ["string", "null"], description: "The queue the message arrived on, if any." },
    priority: { type: ["integer", "null"], description: "The priority that the message has been sent with." },
  },
  required: ["topic", "body"],
};

/**
 * Serialise messages, one line each (`"\n"` alone for an empty list, as Python).
 * @throws ValidationError when a message fails its own validation, or an item
 *   is not a message (Python: "'str' object has no attribute 'validate'").
 * @throws TypeError when `messages` is neither a message nor iterable (Python's
 *   "'NoneType' object is not iterable").
 */
export function dumps(messages: Message | Iterable<Message>): string {
  const lines = itemsOf(messages).map((m) => {
    if (!(m instanceof Message)) throw new ValidationError(`'${pyTypeName(m)}' object has no attribute 'validate'`);
    m.validate();
    const record = { body: m.body, headers: m.headers, id: m.id ?? null, priority: m.priority, queue: m.queue ?? null, topic: m.topic };
    return pyDumps(record, { ensureAscii: false, sortKeys: true, shapes: m.shapes });
  });
  return `${lines.join("\n")}\n`;
}

/** Python iterates what it is given: a list, a tuple, a dict (its keys), a str (its characters). */
function itemsOf(messages: unknown): unknown[] {
  if (messages instanceof Message) return [messages];
  if (typeof messages === "string" || (messages !== null && typeof messages === "object" && Symbol.iterator in messages)) {
    return [...(messages as Iterable<unknown>)];
  }
  if (messages !== null && typeof messages === "object" && Object.getPrototypeOf(messages) === Object.prototype) return Object.keys(messages);
  throw new TypeError(`'${pyTypeName(messages)}' object is not iterable`);
}

/** The Python type name of a JS value, for Python's sentences about it. */
function pyTypeName(value: unknown): string {
  if (value === null || value === undefined) return "NoneType";
  if (typeof value === "string") return "str";
  if (typeof value === "boolean") return "bool";
  if (typeof value === "number") return Number.isInteger(value) ? "int" : "float";
  if (typeof value === "bigint") return "int";
  if (Array.isArray(value)) return "list";
  if (typeof value === "function") return "function";
  const proto = Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null;
  if (proto === null || proto === Object.prototype) return "dict";
  return proto.constructor?.name || "object";
}

/**
 * Read messages written by `dumps` (or Python's `record`). Lines end at "\n",
 * "\r\n" or "\r"; unlike Python's `str.splitlines()`, U+2028, U+0085 and the
 * like inside a JSON string do not end a line (Python fails on such records).
 * @throws ValidationError naming the first bad line's problem, as Python does.
 */
export function loads(text: string): Message[] {
  if (text === "") return [];
  const lines = text.split(/\r\n|\n|\r/);
  if (lines[lines.length - 1] === "") lines.pop();
  return lines.map((line) => {
    let parsed;
    try {
      parsed = pyParse(line);
    } catch (err) {
      if (err instanceof PyJSONDecodeError) throw new ValidationError(err.message, { cause: err });
      throw err;
    }
    return loadMessage(parsed.value, parsed.numbers);
  });
}

/**
 * Python's `load_message(dict)`: validate against the serialised-message
 * schema, pick the class from `headers.fedora_messaging_schema` (unknown → base
 * class with a WARNING; absent → base class), rebuild the headers as Python
 * does (so an unknown schema name becomes "base.message"), then restore
 * `sent-at`, `id`, `queue` and `priority`.
 * @throws ValidationError when the object does not match the schema.
 */
export function loadMessage(obj: unknown, shapes?: NumberShapes | null): Message {
  const summary = schemaError(obj, SERIALIZED_MESSAGE_SCHEMA, shapes);
  if (summary !== null) throw new ValidationError(summary);
  const record = obj as {
    topic: string;
    body: Record<string, unknown>;
    headers?: Record<string, unknown>;
    id?: string;
    queue?: string | null;
    priority?: number | null;
  };
  const headers = record.headers ?? {};
  const cls = classForHeaders(headers) ?? baseClass();
  const message = new cls({
    body: record.body,
    topic: record.topic,
    headers: record.headers ?? null,
    severity: headers["fedora_messaging_severity"] as number | undefined,
    shapes: shapes && !shapes.isEmpty ? shapes : null,
  });
  if (shapes && record.headers !== undefined) shapes.adopt(message.headers, record.headers);
  if (Object.hasOwn(headers, "sent-at")) message.headers["sent-at"] = headers["sent-at"];
  if (Object.hasOwn(record, "id")) message.id = record.id as string;
  message.queue = record.queue ?? null;
  message.priority = record.priority;
  return message;
}
