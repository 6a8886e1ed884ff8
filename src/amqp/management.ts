/**
 * Client of RabbitMQ 4's `/management` node: HTTP-style requests (method in
 * `subject`, path in `to`, amqp-value body) over an AMQP link pair.
 *
 * It runs on a session of its own: RabbitMQ ends the whole session on a
 * request it does not support (PATCH, `GET /exchanges/X`, ...), and we do not
 * want that to take a consumer down with it. When the session or connection
 * ends, every pending request fails at once instead of hanging.
 *
 * Only the requests the daemon needs are wrapped; each maps a refusal to the
 * error the CLI turns into Python's exit code.
 */
import type { Connection, EventContext, Message as AmqpMessage, Session } from "rhea";
import { BadDeclarationError, FedoraMessagingError } from "../errors.js";
import { openLinkPair, type LinkPair } from "./link-pair.js";
import { queueAddress } from "./address.js";
import { isManagementForbidden, toError } from "./errors.js";
import { pyRepr } from "../python/pyrepr.js";
import type { JsonValue } from "../config/types.js";

const MANAGEMENT_ADDRESS = "/management";
const LINK_NAME = "fedora-messaging-management";
/** RabbitMQ grants 8 credits on the request link; we answer with the same window. */
const RESPONSE_CREDIT = 8;
/** A management request that takes longer than this is treated as lost. */
export const MANAGEMENT_TIMEOUT_MS = 30_000;

export interface ManagementResponse {
  readonly status: number;
  readonly body: unknown;
}

/** A non-2xx answer of the management node, with RabbitMQ's text. */
export class ManagementError extends FedoraMessagingError {
  override name = "ManagementError";
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly text: string,
  ) {
    super(`${method} ${path} answered ${status}: ${text}`);
  }
}

/** Queue declaration settings as the management node takes them. */
export interface QueueDeclaration {
  readonly durable: boolean;
  readonly exclusive: boolean;
  readonly auto_delete: boolean;
  readonly arguments: Readonly<Record<string, JsonValue>>;
}

export interface QueueInfo {
  readonly name: string;
  readonly durable: boolean;
  readonly exclusive: boolean;
  readonly auto_delete: boolean;
  readonly type: string;
  readonly message_count: number;
  readonly consumer_count: number;
}

/**
 * The management session or link ended under a request. RabbitMQ does that,
 * instead of answering 403, when a binding needs a permission the user lacks.
 */
export class ManagementSessionEnded extends FedoraMessagingError {
  override name = "ManagementSessionEnded";
  constructor(
    readonly condition: string | undefined,
    readonly description: string | undefined,
    what: string,
  ) {
    super(`the management ${what} ended${condition || description ? `: ${[condition, description].filter(Boolean).join(" ")}` : ""}`);
  }
}

interface Pending {
  resolve(response: ManagementResponse): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

export class ManagementClient {
  private readonly pending = new Map<string, Pending>();
  private nextId = 0;
  private failure: Error | undefined;

  private constructor(
    private readonly session: Session,
    private readonly pair: LinkPair,
  ) {
    pair.receiver.on("message", (context: EventContext) => {
      if (context.message) this.onResponse(context.message);
    });
    const fail = (context: EventContext, what: string) => {
      const error = (context.session?.error ?? context.receiver?.error ?? context.sender?.error) as
        | { condition?: string; description?: string }
        | undefined;
      this.failAll(new ManagementSessionEnded(error?.condition, error?.description, what));
    };
    session.on("session_close", (c: EventContext) => fail(c, "session"));
    session.on("session_error", (c: EventContext) => fail(c, "session"));
    pair.receiver.on("receiver_close", (c: EventContext) => fail(c, "link"));
    pair.sender.on("sender_close", (c: EventContext) => fail(c, "link"));
  }

  /** Opens the link pair on a new session of `connection`; resolves once both links are attached. */
  static open(connection: Connection, timeoutMs = MANAGEMENT_TIMEOUT_MS): Promise<ManagementClient> {
    const session = connection.create_session();
    session.begin();
    const pair = openLinkPair(session, LINK_NAME, MANAGEMENT_ADDRESS);
    const client = new ManagementClient(session, pair);
    return new Promise((resolve, reject) => {
      let open = 0;
      const timer = setTimeout(() => reject(new Error("the management link pair did not attach in time")), timeoutMs);
      const done = () => {
        if (++open < 2) return;
        clearTimeout(timer);
        pair.receiver.add_credit(RESPONSE_CREDIT);
        resolve(client);
      };
      pair.sender.once("sender_open", done);
      pair.receiver.once("receiver_open", done);
      const failed = (context: EventContext) => {
        clearTimeout(timer);
        const error = context.session?.error ?? context.sender?.error ?? context.receiver?.error;
        reject(new Error(`the management link pair was refused${error ? `: ${toError(error)?.message}` : ""}`));
      };
      session.once("session_error", failed);
      pair.sender.once("sender_error", failed);
      pair.receiver.once("receiver_error", failed);
    });
  }

  /** Sends one request; resolves with any status (callers decide what is an error). */
  request(method: string, path: string, body: unknown = null, timeoutMs = MANAGEMENT_TIMEOUT_MS): Promise<ManagementResponse> {
    if (this.failure) return Promise.reject(this.failure);
    const id = `fm-${process.pid}-${++this.nextId}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${method} ${path}: no answer from the management node in ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.pair.sender.send({ message_id: id, to: path, subject: method, reply_to: "$me", body } as AmqpMessage);
    });
  }

  /** `request`, but a status outside 2xx becomes a ManagementError. */
  async call(method: string, path: string, body: unknown = null): Promise<unknown> {
    const response = await this.request(method, path, body);
    if (response.status >= 200 && response.status < 300) return response.body;
    throw new ManagementError(method, path, response.status, bodyText(response.body));
  }

  /** PUT /queues/NAME. 201 created, 200 already there and equivalent; 409 inequivalent; 403 refused. */
  async declareQueue(name: string, settings: QueueDeclaration): Promise<QueueInfo> {
    const body = {
      durable: settings.durable,
      exclusive: settings.exclusive,
      auto_delete: settings.auto_delete,
      arguments: settings.arguments,
    };
    try {
      return normaliseQueue(await this.call("PUT", queueAddress(name), body));
    } catch (error) {
      throw declarationError("queue", { queue: name, ...body }, error);
    }
  }

  /** GET /queues/NAME: the passive declare. A missing queue is a BadDeclarationError. */
  async checkQueue(name: string): Promise<QueueInfo> {
    try {
      return normaliseQueue(await this.call("GET", queueAddress(name)));
    } catch (error) {
      throw declarationError("queue", { queue: name, passive: true }, error);
    }
  }

  /** POST /bindings binding `queue` to `exchange` with one routing key. */
  async bindQueue(queue: string, exchange: string, routingKey: string, args: Readonly<Record<string, JsonValue>> = {}): Promise<void> {
    const body = { source: exchange, destination_queue: queue, binding_key: routingKey, arguments: args };
    try {
      await this.call("POST", "/bindings", body);
    } catch (error) {
      throw declarationError("binding", { exchange, queue, routing_key: routingKey, arguments: args }, error);
    }
  }

  async deleteQueue(name: string): Promise<void> {
    await this.call("DELETE", queueAddress(name));
  }

  /** Ends the management session; pending requests fail. */
  close(): void {
    this.failAll(new Error("the management client was closed"));
    try {
      this.session.close();
    } catch {
      // the connection may already be gone; nothing to release then
    }
  }

  // --- internal ---

  private onResponse(message: AmqpMessage): void {
    const id = message.correlation_id === undefined ? undefined : String(message.correlation_id);
    const pending = id === undefined ? undefined : this.pending.get(id);
    this.pair.receiver.add_credit(1);
    if (!pending || id === undefined) return;
    this.pending.delete(id);
    clearTimeout(pending.timer);
    pending.resolve({ status: Number(message.subject), body: message.body });
  }

  private failAll(error: Error): void {
    this.failure ??= error;
    for (const [id, pending] of this.pending) {
      this.pending.delete(id);
      clearTimeout(pending.timer);
      pending.reject(error);
    }
  }
}

function declarationError(objType: "queue" | "binding", description: Record<string, unknown>, error: unknown): Error {
  if (error instanceof ManagementSessionEnded && isManagementForbidden(error.condition)) {
    return new BadDeclarationError(objType, pyRepr(description), `403: ${error.description ?? "access refused"}`, { cause: error });
  }
  if (!(error instanceof ManagementError)) return error instanceof Error ? error : new Error(String(error));
  const reason = `${error.status}: ${error.text}`;
  // Python raises BadDeclaration (a PermissionException) for refused declares too: exit 10.
  return new BadDeclarationError(objType, pyRepr(description), reason, { cause: error });
}

function bodyText(body: unknown): string {
  if (typeof body === "string") return body;
  if (Buffer.isBuffer(body)) return body.toString("utf8");
  return JSON.stringify(body);
}

function normaliseQueue(body: unknown): QueueInfo {
  const map = (body ?? {}) as Record<string, unknown>;
  // RabbitMQ's booleans (0x56) arrive from rhea as 0/1.
  return {
    name: String(map["name"] ?? ""),
    durable: Boolean(map["durable"]),
    exclusive: Boolean(map["exclusive"]),
    auto_delete: Boolean(map["auto_delete"]),
    type: String(map["type"] ?? ""),
    message_count: Number(map["message_count"] ?? 0),
    consumer_count: Number(map["consumer_count"] ?? 0),
  };
}
