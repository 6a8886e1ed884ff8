/**
 * A small client for RabbitMQ's management HTTP API, vhost `/`, for the integration tests.
 *
 * Freshness, measured on RabbitMQ 4.0.5: the default queue view
 * (`GET /api/queues/%2F/NAME`) shows message counts from the statistics database, which
 * lags about 5 s behind the queue even with `collect_statistics_interval = 500`. With
 * `?disable_stats=true&enable_queue_totals=true` the same endpoint returns the queue's own
 * counts at once (but no `consumers`). Consumers and connections appear in the statistics
 * within about 1 s with that interval. `getQueue` therefore combines both views.
 */
import { percentEncode as encodePathSegment } from "../../src/amqp/address.js";
import { brokerUrls } from "./broker.js";

/** What the tests read about a queue. */
export interface QueueInfo {
  readonly name: string;
  readonly messages: number;
  readonly messages_ready: number;
  readonly messages_unacknowledged: number;
  /** From the statistics: up to about 1 s late. */
  readonly consumers: number;
  readonly durable: boolean;
  readonly auto_delete: boolean;
  readonly exclusive: boolean;
  readonly arguments: Readonly<Record<string, unknown>>;
}

export interface QueueDeclaration {
  readonly durable?: boolean;
  readonly auto_delete?: boolean;
  readonly arguments?: Readonly<Record<string, unknown>>;
}

/** One message as `POST /api/queues/%2F/NAME/get` returns it. */
export interface PeekedMessage {
  readonly payload: string;
  readonly payload_encoding: "string" | "base64";
  readonly payload_bytes: number;
  readonly redelivered: boolean;
  readonly exchange: string;
  readonly routing_key: string;
  readonly message_count: number;
  readonly properties: Readonly<Record<string, unknown>>;
}

export type AckMode = "ack_requeue_true" | "ack_requeue_false" | "reject_requeue_true" | "reject_requeue_false";

/** A connection as `GET /api/connections` lists it (the fields tests use). */
export interface ConnectionInfo {
  /** The broker's name for it, e.g. `127.0.0.1:37602 -> 127.0.0.1:5682`. */
  readonly name: string;
  readonly user: string;
  readonly protocol: string;
  readonly user_provided_name?: string;
  readonly client_properties: Readonly<Record<string, unknown>>;
}

/** A consumer as `GET /api/consumers/%2F` lists it. */
export interface ConsumerInfo {
  readonly consumer_tag: string;
  readonly queue: { readonly name: string; readonly vhost: string };
  readonly channel_details: { readonly connection_name: string; readonly name: string };
  readonly ack_required: boolean;
  readonly prefetch_count: number;
  readonly active: boolean;
  readonly arguments: Readonly<Record<string, unknown>>;
}

export interface Permissions {
  readonly configure: string;
  readonly write: string;
  readonly read: string;
}

const VHOST = "%2F";
const POLL_INTERVAL_MS = 100;

/** A name as a URL path segment: the same strict percent-encoding as AMQP addresses. */
export { percentEncode as encodePathSegment } from "../../src/amqp/address.js";

/** Overview of the broker: `rabbitmq_version`, `management_version`, `node`, ... */
export async function getOverview(): Promise<Record<string, unknown> & { rabbitmq_version: string }> {
  return (await api("GET", "/api/overview")) as Record<string, unknown> & { rabbitmq_version: string };
}

/** The queue's counters and settings, or null when it does not exist. */
export async function getQueue(name: string): Promise<QueueInfo | null> {
  const path = `/api/queues/${VHOST}/${encodePathSegment(name)}`;
  const [totals, stats] = await Promise.all([
    api("GET", `${path}?disable_stats=true&enable_queue_totals=true`, undefined, { allow404: true }),
    api("GET", path, undefined, { allow404: true }),
  ]);
  if (totals === null) return null;
  const q = totals as Record<string, unknown>;
  const s = (stats ?? {}) as Record<string, unknown>;
  return {
    name: String(q["name"]),
    messages: Number(q["messages"] ?? 0),
    messages_ready: Number(q["messages_ready"] ?? 0),
    messages_unacknowledged: Number(q["messages_unacknowledged"] ?? 0),
    consumers: Number(s["consumers"] ?? 0),
    durable: Boolean(q["durable"]),
    auto_delete: Boolean(q["auto_delete"]),
    exclusive: Boolean(q["exclusive"]),
    arguments: (q["arguments"] ?? {}) as Record<string, unknown>,
  };
}

/**
 * Polls the queue until `predicate` holds, and returns what satisfied it.
 *
 * @throws Error with the last state seen (or "does not exist") after `timeoutMs`.
 */
export async function waitForQueue(
  name: string,
  predicate: (queue: QueueInfo) => boolean,
  timeoutMs = 10_000,
): Promise<QueueInfo> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const queue = await getQueue(name);
    if (queue && predicate(queue)) return queue;
    if (Date.now() >= deadline) {
      const seen = queue
        ? `last seen ready=${queue.messages_ready} unacked=${queue.messages_unacknowledged} consumers=${queue.consumers}`
        : "it does not exist";
      throw new Error(`queue ${name}: condition not met within ${timeoutMs} ms; ${seen}`);
    }
    await sleep(POLL_INTERVAL_MS);
  }
}

/** Deletes the queue; a queue that does not exist is not an error. */
export async function deleteQueue(name: string): Promise<void> {
  await api("DELETE", `/api/queues/${VHOST}/${encodePathSegment(name)}`, undefined, { allow404: true });
}

/** Declares a queue (durable, not auto-delete unless told); equal redeclaration is fine. */
export async function declareQueue(name: string, declaration: QueueDeclaration = {}): Promise<void> {
  await api("PUT", `/api/queues/${VHOST}/${encodePathSegment(name)}`, {
    durable: declaration.durable ?? true,
    auto_delete: declaration.auto_delete ?? false,
    arguments: declaration.arguments ?? {},
  });
}

/** Binds `queue` to `exchange` with `routingKey`. */
export async function bindQueue(
  queue: string,
  exchange: string,
  routingKey: string,
  args: Readonly<Record<string, unknown>> = {},
): Promise<void> {
  await api("POST", `/api/bindings/${VHOST}/e/${encodePathSegment(exchange)}/q/${encodePathSegment(queue)}`, {
    routing_key: routingKey,
    arguments: args,
  });
}

/**
 * Publishes one message through the HTTP API (an AMQP 0-9-1 publish inside the broker).
 * `payload`: a string or Buffer as is, anything else as JSON. `exchange` "" is the default
 * exchange. Returns whether the message was routed to a queue.
 */
export async function publishViaHttp(
  exchange: string,
  routingKey: string,
  payload: unknown,
  properties: Readonly<Record<string, unknown>> = {},
): Promise<boolean> {
  const isBuffer = Buffer.isBuffer(payload);
  const text = isBuffer ? payload.toString("base64") : typeof payload === "string" ? payload : JSON.stringify(payload);
  const result = (await api("POST", `/api/exchanges/${VHOST}/${encodePathSegment(exchange || "amq.default")}/publish`, {
    properties,
    routing_key: routingKey,
    payload: text,
    payload_encoding: isBuffer ? "base64" : "string",
  })) as { routed: boolean };
  return result.routed;
}

/**
 * Takes up to `count` messages from the queue to look at them. The default ackmode puts
 * them back (at the head, marked redelivered).
 */
export async function getMessages(queue: string, count = 1, ackmode: AckMode = "ack_requeue_true"): Promise<PeekedMessage[]> {
  return (await api("POST", `/api/queues/${VHOST}/${encodePathSegment(queue)}/get`, {
    count,
    ackmode,
    encoding: "auto",
  })) as PeekedMessage[];
}

/** Every client connection; a new one shows up within about 1 s. */
export async function listConnections(): Promise<ConnectionInfo[]> {
  return (await api("GET", "/api/connections")) as ConnectionInfo[];
}

/** Closes a connection by the broker's name for it; gone already is not an error. */
export async function closeConnection(name: string, reason = "closed by a test"): Promise<void> {
  await api("DELETE", `/api/connections/${encodePathSegment(name)}`, undefined, {
    allow404: true,
    headers: { "X-Reason": reason },
  });
}

/**
 * Closes every connection whose client-provided name or client properties (`connection_name`,
 * `app`, `app_name`, `product`) equal `appName`. Waits up to `timeoutMs` for at least one to
 * appear (the list lags about 1 s) and returns how many were closed: 0 if none appeared.
 */
export async function closeConnectionsOfApp(appName: string, timeoutMs = 5_000, reason = "closed by a test"): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const matching = (await listConnections()).filter((c) => connectionMatches(c, appName));
    if (matching.length > 0) {
      await Promise.all(matching.map((c) => closeConnection(c.name, reason)));
      return matching.length;
    }
    if (Date.now() >= deadline) return 0;
    await sleep(POLL_INTERVAL_MS);
  }
}

/** Creates (or updates) a user; `tags` like "administrator" or "" for none. */
export async function createUser(name: string, password: string, tags: string | readonly string[] = ""): Promise<void> {
  await api("PUT", `/api/users/${encodePathSegment(name)}`, {
    password,
    tags: typeof tags === "string" ? tags : tags.join(","),
  });
}

/** Deletes a user; an absent user is not an error. */
export async function deleteUser(name: string): Promise<void> {
  await api("DELETE", `/api/users/${encodePathSegment(name)}`, undefined, { allow404: true });
}

/** Sets the user's configure/write/read regular expressions on vhost `/`. */
export async function setPermissions(user: string, permissions: Permissions): Promise<void> {
  await api("PUT", `/api/permissions/${VHOST}/${encodePathSegment(user)}`, { ...permissions });
}

/** Sets the user's topic permissions (routing-key regexps) for one topic exchange on vhost `/`. */
export async function setTopicPermissions(
  user: string,
  permissions: { readonly exchange?: string; readonly write: string; readonly read: string },
): Promise<void> {
  await api("PUT", `/api/topic-permissions/${VHOST}/${encodePathSegment(user)}`, {
    exchange: permissions.exchange ?? "amq.topic",
    write: permissions.write,
    read: permissions.read,
  });
}

/** The consumers of one queue (about 1 s late, like every statistic). */
export async function listConsumers(queue: string): Promise<ConsumerInfo[]> {
  const all = (await api("GET", `/api/consumers/${VHOST}`)) as ConsumerInfo[];
  return all.filter((c) => c.queue.name === queue);
}

// --- internal ---

interface RequestOptions {
  /** Return null on 404 instead of throwing. */
  readonly allow404?: boolean;
  readonly headers?: Readonly<Record<string, string>>;
}

/** The API's base URL and Basic credentials: fetch refuses URLs that carry credentials. */
function endpoint(): { base: string; authorization: string } {
  const url = new URL(brokerUrls().mgmtUrl);
  const user = decodeURIComponent(url.username) || "guest";
  const password = decodeURIComponent(url.password) || "guest";
  url.username = "";
  url.password = "";
  return {
    base: url.toString().replace(/\/+$/, ""),
    authorization: `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`,
  };
}

async function api(method: string, path: string, body?: unknown, options: RequestOptions = {}): Promise<unknown> {
  const { base, authorization } = endpoint();
  const request = () =>
    fetch(`${base}${path}`, {
      method,
      headers: {
        authorization,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...options.headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  let response: Response;
  try {
    response = await request();
  } catch (error) {
    // A kept-alive socket the broker closed while the test's event loop was blocked
    // ("other side closed"): the request never reached it, so asking again is safe.
    if ((error as { cause?: { code?: string } }).cause?.code !== "UND_ERR_SOCKET") throw error;
    response = await request();
  }
  const text = await response.text();
  if (response.status === 404 && options.allow404) return null;
  if (!response.ok) {
    throw new Error(`management API ${method} ${path}: ${response.status} ${response.statusText} ${text.slice(0, 300)}`);
  }
  return text ? (JSON.parse(text) as unknown) : undefined;
}

function connectionMatches(connection: ConnectionInfo, appName: string): boolean {
  const props = connection.client_properties ?? {};
  return [connection.user_provided_name, props["connection_name"], props["app"], props["app_name"], props["product"]].includes(
    appName,
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
