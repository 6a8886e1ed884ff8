/**
 * The `/management` node of the in-process AMQP peer: RabbitMQ 4.0.5's
 * HTTP-over-AMQP answers, as measured (facts note §2), for the requests the
 * daemon makes: PUT/GET/DELETE `/queues/<name>` and POST `/bindings`.
 * Anything else makes RabbitMQ end the whole session with
 * `amqp:internal-error`, and so does the peer.
 */
import { percentEncode } from "../../src/amqp/address.js";
import type { PeerQueue, QueueSettings } from "./amqp-peer-queue.js";

export interface ManagementRequest {
  readonly method: string;
  readonly path: string;
  readonly body: unknown;
}

export interface ManagementAnswer {
  readonly status: number;
  readonly body: unknown;
}

/** What the node answers; `"end-session"` ends the session the request came on, `"no-answer"` answers nothing. */
export type ManagementResult = ManagementAnswer | "end-session" | "no-answer";

export interface BindingRecord {
  readonly source: string;
  readonly destination_queue: string;
  readonly binding_key: string;
  readonly arguments: Readonly<Record<string, unknown>>;
}

/** The state the node reads and changes: the peer's queues and bindings. */
export interface ManagementState {
  readonly queues: Map<string, PeerQueue>;
  readonly bindings: BindingRecord[];
  createQueue(name: string, settings: QueueSettings): PeerQueue;
}

const QUEUE_PATH = /^\/queues\/([^/]+)$/;

export function answerManagement(state: ManagementState, request: ManagementRequest): ManagementResult {
  const queueMatch = QUEUE_PATH.exec(request.path);
  if (queueMatch) {
    const name = decodeURIComponent(queueMatch[1]!);
    if (request.method === "PUT") return declareQueue(state, name, request.body);
    if (request.method === "GET") {
      const queue = state.queues.get(name);
      return queue ? { status: 200, body: queueInfo(queue) } : notFound(`no queue '${name}' in vhost '/'`);
    }
    if (request.method === "DELETE") {
      const queue = state.queues.get(name);
      state.queues.delete(name);
      return { status: 200, body: { message_count: queue?.ready.length ?? 0 } };
    }
  }
  if (request.path === "/bindings" && request.method === "POST") return bind(state, request.body);
  return "end-session";
}

/** `queueInfo` is also what PUT answers: RabbitMQ's queue map. */
export function queueInfo(queue: PeerQueue): Record<string, unknown> {
  return {
    name: queue.name,
    vhost: "/",
    durable: queue.settings.durable,
    auto_delete: queue.settings.auto_delete,
    exclusive: queue.settings.exclusive,
    type: "classic",
    arguments: queue.settings.arguments,
    leader: "fmpeer@localhost",
    replicas: ["fmpeer@localhost"],
    message_count: queue.ready.length,
    consumer_count: queue.consumers.size,
  };
}

// --- internal ---

function declareQueue(state: ManagementState, name: string, body: unknown): ManagementAnswer {
  const map = (body ?? {}) as Record<string, unknown>;
  const settings: QueueSettings = {
    durable: Boolean(map["durable"]),
    exclusive: Boolean(map["exclusive"]),
    auto_delete: Boolean(map["auto_delete"]),
    arguments: (map["arguments"] ?? {}) as Record<string, unknown>,
  };
  const existing = state.queues.get(name);
  if (!existing) return { status: 201, body: queueInfo(state.createQueue(name, settings)) };
  const same =
    existing.settings.durable === settings.durable &&
    existing.settings.exclusive === settings.exclusive &&
    existing.settings.auto_delete === settings.auto_delete &&
    JSON.stringify(existing.settings.arguments) === JSON.stringify(settings.arguments);
  if (!same) {
    return { status: 409, body: `PRECONDITION_FAILED - inequivalent arg 'durable' for queue '${name}' in vhost '/'` };
  }
  return { status: 200, body: queueInfo(existing) };
}

function bind(state: ManagementState, body: unknown): ManagementAnswer {
  const map = (body ?? {}) as Record<string, unknown>;
  const keys = ["source", "destination_queue", "binding_key", "arguments"];
  const missing = keys.filter((key) => !(key in map));
  if (missing.length > 0) return { status: 400, body: `missing ${missing.join(", ")}` };
  const queue = String(map["destination_queue"]);
  if (!state.queues.has(queue)) return notFound(`no queue '${queue}' in vhost '/'`);
  state.bindings.push({
    source: String(map["source"]),
    destination_queue: queue,
    binding_key: String(map["binding_key"]),
    arguments: (map["arguments"] ?? {}) as Record<string, unknown>,
  });
  return { status: 204, body: null };
}

function notFound(text: string): ManagementAnswer {
  return { status: 404, body: text };
}

/** The path of a queue, as the daemon sends it (re-exported for tests that script answers). */
export function queuePath(name: string): string {
  return `/queues/${percentEncode(name)}`;
}
