/**
 * Publishes test messages over AMQP 1.0 that look, to a consumer on RabbitMQ 4, like those
 * of Python fedora-messaging (pika, AMQP 0-9-1) do:
 * - routing key = topic: target address `/exchanges/amq.topic/<percent-encoded topic>`,
 *   which the consumer sees as `message_annotations["x-routing-key"]`;
 * - fedora-messaging headers as `application_properties`, integers typed as pika sends them;
 * - the JSON body, serialised like Python's `json.dumps`, as one `data` section (a plain
 *   Buffer body would become an amqp-value section);
 * - `message_id` a uuid4 string, `content_type` application/json, `content_encoding`
 *   utf-8, `durable` true (delivery_mode 2; rhea's empty header would read as transient).
 */
import { randomUUID } from "node:crypto";
import rhea from "rhea";
import type { Connection, ConnectionOptions, EventContext, Message, Sender } from "rhea";
import { pyDumps } from "../../src/python/pyjson.js";
import { exchangeAddress, queueAddress } from "../../src/amqp/address.js";

export interface TestMessage {
  /** The routing key, as fedora-messaging's topic. */
  readonly topic: string;
  /** JSON body (default `{}`); ignored when `rawBody` is given. */
  readonly body?: unknown;
  /** Exact body bytes, e.g. invalid JSON for error-path tests. */
  readonly rawBody?: Buffer;
  /**
   * Added to (and overriding) the default fedora-messaging headers; a key set to
   * `undefined` removes that default header, e.g. `{ fedora_messaging_schema: undefined }`.
   */
  readonly headers?: Readonly<Record<string, unknown>>;
  /** `message_id`; default a fresh uuid4; `null` sends none. */
  readonly id?: string | null;
  /** The message's exact AMQP encoding (its sections), sent as is: for messages no encoder writes; the other fields but `topic` are ignored. */
  readonly encoded?: Buffer;
}

export interface PublishOptions {
  /** Default `amq.topic`; `""` publishes to the default exchange (address `/queues/<key>`). */
  readonly exchange?: string;
  /** Routing key for every message instead of its topic. */
  readonly routingKey?: string;
  /** Whole operation, connection to close; default 60 s. */
  readonly timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 60_000;
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/**
 * Publishes `messages` in order over one connection and resolves once the broker has
 * accepted every one of them; sends are pipelined within the link credit the broker grants.
 *
 * @throws Error when a message is released (unroutable: nothing bound for its key),
 *   rejected or modified, on a connection or link error, or after `timeoutMs`.
 */
export async function publishMessages(
  amqpUrl: string,
  messages: ReadonlyArray<TestMessage>,
  options: PublishOptions = {},
): Promise<void> {
  const publisher = new Publisher(amqpUrl, options);
  try {
    await publisher.run(messages);
  } finally {
    await publisher.close();
  }
}

/** The fedora-messaging headers of a base.message published now with severity INFO. */
export function defaultHeaders(): Record<string, unknown> {
  return {
    fedora_messaging_schema: "base.message",
    fedora_messaging_schema_package: "fedora_messaging",
    fedora_messaging_severity: 20,
    priority: 0,
    // Python: datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    "sent-at": new Date().toISOString().replace(/\.\d{3}Z$/, "+00:00"),
  };
}

/** The rhea message for one test message, as fedora-messaging would put it on the wire. */
export function toAmqpMessage(message: TestMessage): Message {
  const bytes = message.rawBody ?? Buffer.from(pyDumps(message.body ?? {}), "utf8");
  return {
    ...(message.id === null ? {} : { message_id: message.id ?? randomUUID() }),
    content_type: "application/json",
    content_encoding: "utf-8",
    durable: true,
    application_properties: typedHeaders({ ...defaultHeaders(), ...message.headers }),
    body: rhea.message.data_section(bytes),
  };
}

/** The v2 target address for an exchange and routing key, strictly percent-encoded. */
export function targetAddress(exchange: string, routingKey: string): string {
  if (exchange === "") return queueAddress(routingKey);
  return exchangeAddress(exchange, routingKey === "" ? undefined : routingKey);
}

/**
 * rhea connection options for an `amqp://user:pass@host:port/vhost` URL, always explicit
 * (without options rhea would look for a connect.json) and without reconnection.
 * `name` is the client-provided connection name (`connection_name` client property).
 */
export function amqpConnectionOptions(amqpUrl: string, name = "fm-test-publisher"): ConnectionOptions {
  const url = new URL(amqpUrl);
  const tls = url.protocol === "amqps:";
  const path = decodeURIComponent(url.pathname.replace(/^\//, ""));
  const common = {
    host: url.hostname,
    port: url.port ? Number(url.port) : tls ? 5671 : 5672,
    username: decodeURIComponent(url.username) || "guest",
    password: decodeURIComponent(url.password) || "guest",
    hostname: `vhost:${path || "/"}`,
    reconnect: false,
    properties: { connection_name: name },
  };
  return tls ? { ...common, transport: "tls" } : { ...common, transport: "tcp" };
}

// --- internal ---

/**
 * pika sends an int as a 32-bit `I` or else a 64-bit `l`, which RabbitMQ turns into AMQP
 * int or long; rhea on its own would pick uint for positive numbers.
 */
function typedHeaders(headers: Record<string, unknown>): Record<string, unknown> {
  const typed: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    if (typeof value === "number" && Number.isInteger(value)) {
      typed[key] = value >= INT32_MIN && value <= INT32_MAX ? rhea.types.wrap_int(value) : rhea.types.wrap_long(value);
    } else {
      typed[key] = value;
    }
  }
  return typed;
}

/** One publishing run: a connection, a sender per target address, and the pending count. */
class Publisher {
  private readonly container = rhea.create_container({ id: `fm-test-publisher-${randomUUID()}` });
  private readonly connection: Connection;
  private readonly senders = new Map<string, Sender>();
  private readonly timer: NodeJS.Timeout;
  private failure: Error | undefined;
  private failureListeners: Array<(error: Error) => void> = [];
  private pending = 0;
  private allAccepted: (() => void) | undefined;

  constructor(
    amqpUrl: string,
    private readonly options: PublishOptions,
  ) {
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.timer = setTimeout(() => this.fail(new Error(`publishing did not finish within ${timeoutMs} ms`)), timeoutMs);
    // Every failure path ends up in fail(): an unhandled rhea `error` would end the process.
    this.container.on("error", (context: EventContext) => this.fail(errorOf(context, "error")));
    this.connection = this.container.connect(amqpConnectionOptions(amqpUrl));
    this.connection.on("connection_error", (context: EventContext) => this.fail(errorOf(context, "connection error")));
    this.connection.on("session_error", (context: EventContext) => this.fail(errorOf(context, "session error")));
    this.connection.on("sender_error", (context: EventContext) => this.fail(errorOf(context, "sender error")));
    // Handled so that rhea does not warn; after a successful run fail() changes nothing.
    this.connection.on("disconnected", (context: EventContext) => this.fail(errorOf(context, "disconnected")));
  }

  async run(messages: ReadonlyArray<TestMessage>): Promise<void> {
    const exchange = this.options.exchange ?? "amq.topic";
    for (const [index, message] of messages.entries()) {
      const sender = this.senderFor(targetAddress(exchange, this.options.routingKey ?? message.topic));
      if (!sender.sendable()) await this.until(sender, "sendable");
      this.throwIfFailed();
      const delivery = message.encoded ? sender.send(message.encoded as never, undefined, 0) : sender.send(toAmqpMessage(message));
      this.pending++;
      (delivery as unknown as { fmIndex: number }).fmIndex = index;
    }
    if (this.pending > 0) {
      await new Promise<void>((resolve, reject) => {
        this.allAccepted = resolve;
        this.onFailure(reject);
      });
    }
    this.throwIfFailed();
  }

  /** Closes the connection and waits for the broker's close (bounded), whatever happened. */
  async close(): Promise<void> {
    clearTimeout(this.timer);
    if (!this.connection.is_open()) {
      this.connection.close();
      return;
    }
    await new Promise<void>((resolve) => {
      const done = setTimeout(resolve, 2_000);
      this.connection.once("connection_close", () => {
        clearTimeout(done);
        resolve();
      });
      this.connection.close();
    });
  }

  private senderFor(address: string): Sender {
    let sender = this.senders.get(address);
    if (sender === undefined) {
      sender = this.connection.open_sender({ target: { address }, autosettle: true });
      sender.on("accepted", () => this.settled());
      for (const outcome of ["released", "rejected", "modified"] as const) {
        sender.on(outcome, (context: EventContext) => this.fail(outcomeError(outcome, address, context)));
      }
      this.senders.set(address, sender);
    }
    return sender;
  }

  private settled(): void {
    this.pending--;
    if (this.pending === 0 && this.allAccepted !== undefined) this.allAccepted();
  }

  /** Resolves on the sender's next `event`, or rejects on the run's first failure. */
  private until(sender: Sender, event: "sendable"): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      sender.once(event, () => resolve());
      this.onFailure(reject);
    });
  }

  private onFailure(listener: (error: Error) => void): void {
    if (this.failure) listener(this.failure);
    else this.failureListeners.push(listener);
  }

  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    for (const listener of this.failureListeners) listener(error);
    this.failureListeners = [];
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }
}

function errorOf(context: EventContext, what: string): Error {
  const error: unknown = context.error ?? context.session?.error ?? context.sender?.error ?? context.connection?.error;
  if (!error || typeof error !== "object") return new Error(`publisher ${what}: ${String(error ?? "unknown cause")}`);
  // AMQP errors carry `condition` and `description`; socket errors a `message`.
  const { condition, description, message } = error as { condition?: unknown; description?: unknown; message?: unknown };
  const text = typeof description === "string" ? description : typeof message === "string" ? message : JSON.stringify(error);
  return new Error(`publisher ${what}: ${condition ? `${String(condition)}: ` : ""}${text}`);
}

function outcomeError(outcome: string, address: string, context: EventContext): Error {
  const index = (context.delivery as unknown as { fmIndex?: number } | undefined)?.fmIndex;
  const which = index === undefined ? "a message" : `message #${index}`;
  const why = outcome === "released" ? " (unroutable: no queue is bound for its routing key)" : "";
  return new Error(`${which} to ${address} was ${outcome} by the broker${why}`);
}
