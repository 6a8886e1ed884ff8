/**
 * The Message model, mirroring Python's `fedora_messaging.message.Message`:
 * same fields, same headers when built for publishing, same `str()` (what the
 * printer callback prints), same validation. Schema packages subclass it and
 * override the getters (`summary`, `usernames`, `agentName`, …), the static
 * schemas, or `toString()`.
 */
import { createHash, randomUUID } from "node:crypto";
import { ValidationError } from "../errors.js";
import { getLogger } from "../log.js";
import type { NumberShapes } from "../python/_shapes.js";
import { pyDumps } from "../python/pyjson.js";
import { pyRepr, pyStr } from "../python/pyrepr.js";
import { BASE_SCHEMA_NAME, getName, getPackage, hasSchema, registerAlias, registerMessageClass } from "./registry.js";
import { schemaError, type JsonSchema } from "./schema.js";

const log = getLogger("fedora_messaging.message");

export const DEBUG = 10;
export const INFO = 20;
export const WARNING = 30;
export const ERROR = 40;
export const SEVERITIES = [DEBUG, INFO, WARNING, ERROR] as const;

/** The AMQP properties of a received message, kept verbatim (Python's `properties=`). */
export interface WireProperties {
  headers: Record<string, unknown>;
  id: string | null;
  priority?: number | null;
}

/** Arguments of `new Message(...)`; all optional. */
export interface MessageInit {
  /** The JSON body; a Python-falsy value (null, [], "", 0, false) becomes `{}` as in Python. */
  body?: unknown;
  /** Headers to send; the fedora_messaging_* headers are added on top. */
  headers?: Record<string, unknown> | null;
  /** Overrides the class's `defaultTopic` when non-empty. */
  topic?: string | null;
  /** Overrides the class's `defaultSeverity` when truthy. */
  severity?: number | null;
  id?: string | null;
  priority?: number | null;
  queue?: string | null;
  /** Received messages only: the wire headers, id and priority, used as they are. */
  properties?: WireProperties;
  /** Number shapes of the parsed body/headers, so that `1.0` prints as `1.0`. */
  shapes?: NumberShapes | null;
}

const FILTER_HEADERS = [
  ["user", "usernames"], ["group", "groups"], ["rpm", "packages"],
  ["container", "containers"], ["module", "modules"], ["flatpak", "flatpaks"],
] as const;

/** Python's `body or {}`: falsy bodies (including an empty list) become an empty object. */
function pyTruthy(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (v !== null && typeof v === "object") return Object.keys(v).length > 0;
  return Boolean(v) || (typeof v === "number" && Number.isNaN(v));
}

/** Marks a Message of any copy of this module (see `Message[Symbol.hasInstance]`). */
const MESSAGE_BRAND = Symbol.for("fedora-messaging.message");

/**
 * A Fedora message. Subclasses describe one schema; register them with
 * `registerMessageClass` or `registerSchemaModule`.
 *
 * Getters that subclasses override run while the base constructor builds the
 * filter headers, before subclass field initialisers: compute from `this.body`.
 * To narrow a field's type in a subclass write `declare body: MyBody;` — a
 * plain redeclaration would reset the field after the base constructor ran.
 */
export class Message {
  static readonly DEBUG = DEBUG;
  static readonly INFO = INFO;
  static readonly WARNING = WARNING;
  static readonly ERROR = ERROR;
  static readonly SEVERITIES = SEVERITIES;

  /**
   * `message instanceof Message` holds for a message made by another copy of
   * this module, as `isinstance` does in Python: the daemon decodes with the
   * Message of its own bundle while a plugin imports the package's. Subclasses
   * keep the ordinary prototype check.
   */
  static [Symbol.hasInstance](value: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    return this === Message && typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[MESSAGE_BRAND] === true;
  }

  /** Schema name for `registerSchemaModule` (an own static of each subclass). */
  declare static schemaName: string | undefined;
  /** Package name written to `fedora_messaging_schema_package` (own static, optional). */
  declare static schemaPackage: string | undefined;
  /** Python's class attribute `topic`. */
  static defaultTopic = "";
  /** Python's class attribute `severity`. */
  static defaultSeverity: number = INFO;
  /** Receiving a message of a deprecated class logs a WARNING. */
  static deprecated = false;
  static headersSchema: JsonSchema = {
    $schema: "http://json-schema.org/draft-04/schema#",
    description: "Schema for message headers",
    type: "object",
    properties: {
      fedora_messaging_severity: { type: "number", enum: [DEBUG, INFO, WARNING, ERROR] },
      fedora_messaging_schema: { type: "string" },
      fedora_messaging_schema_package: { type: "string" },
      "sent-at": { type: "string" },
    },
  };
  static bodySchema: JsonSchema = {
    $schema: "http://json-schema.org/draft-04/schema#",
    description: "Schema for message body",
    type: "object",
  };

  /** The message id (a UUID4 string when built here; `null` if a received message had none). */
  id: string | null;
  topic: string;
  /** The AMQP headers: built for publishing, or the wire headers verbatim when received. */
  headers: Record<string, unknown>;
  /** The JSON body (an object once validated); `any` members because each schema describes its own. */
  body: Record<string, any>;
  severity: number;
  /** The queue the message arrived on; null unless received. */
  queue: string | null = null;
  /**
   * Ours (not in Python): how many earlier deliveries of this message failed,
   * as the broker counts them (the AMQP header's delivery-count; 0 on the
   * first delivery and for messages built here). On a quorum queue a callback
   * can drop a poison message after N attempts; `x-delivery-limit` does it
   * broker-side.
   */
  deliveryCount = 0;
  /**
   * Ours: true when the broker delivered this message before (to this or
   * another consumer, e.g. one whose connection died before it settled): a
   * duplicate is possible. False on a first delivery and for messages built here.
   */
  redelivered = false;
  /** Number shapes of the parsed body/headers (null for messages built in JS). */
  shapes: NumberShapes | null;
  #priority: number | null | undefined;

  constructor(init: MessageInit = {}) {
    const cls = this.constructor as typeof Message;
    this.body = (pyTruthy(init.body) ? init.body : {}) as Record<string, unknown>;
    this.topic = init.topic ? init.topic : cls.defaultTopic;
    this.severity = init.severity ? init.severity : cls.defaultSeverity;
    this.shapes = init.shapes ?? null;
    if (init.properties !== undefined) {
      this.headers = init.properties.headers;
      this.id = init.properties.id;
      this.#priority = init.properties.priority;
    } else {
      this.headers = this.#buildHeaders(init.headers ?? {});
      this.id = randomUUID();
      this.#priority = null;
    }
    if (init.id !== undefined && init.id !== null) this.id = init.id;
    if (init.priority !== undefined && init.priority !== null) this.priority = init.priority;
    if (init.queue !== undefined) this.queue = init.queue;
  }

  /** Python's `_build_properties`: caller headers first, then ours. */
  #buildHeaders(callerHeaders: Record<string, unknown>): Record<string, unknown> {
    const headers = { ...callerHeaders };
    const name = getName(this.constructor as typeof Message);
    headers["fedora_messaging_schema"] = name;
    const pkg = getPackage(name);
    if (pkg) headers["fedora_messaging_schema_package"] = pkg;
    headers["sent-at"] = new Date().toISOString().replace(/\.\d+Z$/, "+00:00");
    headers["fedora_messaging_severity"] = this.severity;
    headers["priority"] = 0;
    for (const [header, getter] of FILTER_HEADERS) {
      let items: readonly string[];
      try {
        items = this[getter];
      } catch {
        log.warning(`Header ${getter} not found in message`);
        continue;
      }
      for (const item of items) headers[`fedora_messaging_${header}_${item}`] = true;
    }
    return headers;
  }

  /**
   * @internal The AMQP priority property as it stands: null on a message built
   * here whose priority was never set (publishing applies `publish_priority`,
   * as Python's constructor does), undefined on a received message that had
   * none (sent again without one), else the number set or received.
   */
  get priorityProperty(): number | null | undefined {
    return this.#priority;
  }

  /** AMQP priority (0 when unset). Setting it also mirrors it into the `priority` header, as Python does. */
  get priority(): number {
    return this.#priority || 0;
  }
  set priority(value: number | null | undefined) {
    const p = value || 0;
    this.#priority = p;
    this.headers["priority"] = p;
  }

  /** The `sent-at` header (UTC ISO-8601), if present. */
  get sentAt(): string | null {
    const v = this.headers["sent-at"];
    return typeof v === "string" ? v : null;
  }

  /** A short human-readable summary; subclasses override. Default: the topic. */
  get summary(): string {
    return this.topic;
  }
  get url(): string | null {
    return null;
  }
  /** The application that sent the message; also `app_name`. */
  get appName(): string | null {
    return overridesSnake(this, "app_name") ? this.app_name : null;
  }
  /** URL of the application's icon; also `app_icon`. */
  get appIcon(): string | null {
    return overridesSnake(this, "app_icon") ? this.app_icon : null;
  }
  /** The user who caused the message; also `agent_name`. */
  get agentName(): string | null {
    return overridesSnake(this, "agent_name") ? this.agent_name : null;
  }
  /** Libravatar URL of `agentName`'s Fedora OpenID (Python's `user_avatar_url`); also `agent_avatar`. */
  get agentAvatar(): string | null {
    if (overridesSnake(this, "agent_avatar")) return this.agent_avatar;
    const agent = this.agentName;
    return agent === null || agent === undefined ? null : userAvatarUrl(agent);
  }

  // Python's names, for callbacks and schemas ported from Python. A subclass
  // may override either spelling: the other one follows (see overridesSnake).
  /** Python's `app_name`: the same as `appName`. */
  get app_name(): string | null {
    return this.appName;
  }
  /** Python's `app_icon`: the same as `appIcon`. */
  get app_icon(): string | null {
    return this.appIcon;
  }
  /** Python's `agent_name`: the same as `agentName`. */
  get agent_name(): string | null {
    return this.agentName;
  }
  /** Python's `agent_avatar`: the same as `agentAvatar`. */
  get agent_avatar(): string | null {
    return this.agentAvatar;
  }
  get usernames(): string[] {
    return [];
  }
  get groups(): string[] {
    return [];
  }
  get packages(): string[] {
    return [];
  }
  get containers(): string[] {
    return [];
  }
  get modules(): string[] {
    return [];
  }
  get flatpaks(): string[] {
    return [];
  }

  /**
   * Check the headers and body against this class's schemas, then the base
   * schemas (Python's order).
   * @throws ValidationError whose `summary` is jsonschema's message.
   */
  validate(): void {
    const cls = this.constructor as typeof Message;
    for (const [value, schemas] of [[this.headers, [cls.headersSchema, Message.headersSchema]], [this.body, [cls.bodySchema, Message.bodySchema]]] as const) {
      for (const schema of new Set(schemas)) {
        const summary = schemaError(value, schema, this.shapes);
        if (summary !== null) throw new ValidationError(summary);
      }
    }
  }

  /** Python's `str(message)`: id, topic, then headers and body as sorted, 4-space-indented, ASCII JSON. */
  toString(): string {
    const json = (v: unknown): string => pyDumps(v, { sortKeys: true, indent: 4, shapes: this.shapes });
    return `Id: ${this.id === null || this.id === undefined ? "None" : pyStr(this.id)}\nTopic: ${this.topic}\nHeaders: ${json(this.headers)}\nBody: ${json(this.body)}`;
  }

  /** Python's `repr(message)`: `Message(id='…', topic='…', body={…})`. */
  repr(): string {
    return `${this.constructor.name}(id=${pyRepr(this.id)}, topic=${pyRepr(this.topic)}, body=${pyRepr(this.body, this.shapes)})`;
  }

  /** Python's `==`: same class, topic, body and headers, ignoring `sent-at`. */
  equals(other: unknown): boolean {
    if (!(other instanceof Message) || other.constructor !== this.constructor) return false;
    const strip = (h: Record<string, unknown>): Record<string, unknown> => {
      const { ["sent-at"]: _sentAt, ...rest } = h;
      return rest;
    };
    return this.topic === other.topic && sameJson(this.body, other.body) && sameJson(strip(this.headers), strip(other.headers));
  }
}

/**
 * True when a subclass (not Message itself) defines the Python-named getter
 * `name`: the camelCase getter then returns it, so a schema ported from
 * Python with `get agent_name()` gives `agentName` and `agentAvatar` too.
 */
function overridesSnake(message: Message, name: string): boolean {
  for (let proto = Object.getPrototypeOf(message) as object | null; proto !== null && proto !== Message.prototype; proto = Object.getPrototypeOf(proto) as object | null) {
    if (Object.hasOwn(proto, name)) return true;
  }
  return false;
}

/** Python's `schema_utils.user_avatar_url(username, size=64, default="retro")`: the Libravatar URL of a Fedora user. */
export function userAvatarUrl(username: string, size: number = 64, defaultImage: string = "retro"): string {
  return libravatarUrl({ openid: `http://${username}.id.fedoraproject.org/`, size, default: defaultImage });
}

/** Options of `libravatarUrl`: `email` or `openid` (email wins), size 64 and default "retro" unless given. */
export interface LibravatarOptions {
  readonly email?: string | null;
  readonly openid?: string | null;
  readonly size?: number;
  readonly default?: string;
}

/**
 * Python's `schema_utils.libravatar_url(email=None, openid=None, size=64, default="retro")`.
 * @throws TypeError when neither email nor openid is given (Python's ValueError, same sentence).
 */
export function libravatarUrl(options: LibravatarOptions): string {
  const value = options.email || options.openid;
  if (!value) throw new TypeError("You must provide either the email or the openid.");
  const hash = createHash("sha256").update(value, "utf8").digest("hex");
  return `https://seccdn.libravatar.org/avatar/${hash}?s=${formEncode(String(options.size ?? 64))}&d=${formEncode(options.default ?? "retro")}`;
}

/** `libravatarUrl` with Python's positional arguments: `libravatar_url(email, openid, size, default)`. */
export function libravatar_url(email?: string | null, openid?: string | null, size: number = 64, defaultImage: string = "retro"): string {
  return libravatarUrl({ email, openid, size, default: defaultImage });
}

/** Python's `urllib.parse.quote_plus`: only letters, digits and `_.-~` stay as they are; a space is `+`. */
function formEncode(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, "+");
}

function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(rb, k) && sameJson(ra[k], rb[k]));
}

Object.defineProperty(Message.prototype, MESSAGE_BRAND, { value: true });

// The first copy of the library loaded in a thread provides the base class; a
// second copy (a plugin's) finds it registered and keeps it.
if (!hasSchema(BASE_SCHEMA_NAME)) registerMessageClass(BASE_SCHEMA_NAME, Message, { package: "fedora_messaging" });
else registerAlias(BASE_SCHEMA_NAME, Message);
