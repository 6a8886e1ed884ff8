/**
 * `publish()` for JavaScript and TypeScript programs: Python's
 * `fedora_messaging.api.publish(message, exchange=None, timeout=30)`,
 * returning a promise that resolves once the broker has accepted the message.
 *
 * Connection: every `publish()` of a thread shares one connection (made by
 * the first call, from the configuration it was given or `currentConfig()`),
 * kept up and re-made by a ConnectionSupervisor, with one link per exchange.
 * It is not the connection a `consume()` in the same program consumes on: a
 * callback that publishes uses this shared publishing connection of its
 * thread (a worker-thread callback gets one of its own). The open connection
 * keeps Node running: `await closePublisher()` when done publishing.
 */
import { BrokerPool } from "../amqp/brokers.js";
import { toAmqpMessage } from "../amqp/outgoing.js";
import { Publisher, SendAborted } from "../amqp/publisher.js";
import { brokerAddresses } from "../amqp/settings.js";
import { ConnectionSupervisor } from "../amqp/supervisor.js";
import { currentConfig } from "../config/current.js";
import type { Config } from "../config/types.js";
import { PublishTimeout } from "../errors.js";
import { getLogger } from "../log.js";
import type { Message } from "../message/message.js";
import { pre_publish_signal, publish_failed_signal, publish_signal } from "./signals.js";

const log = getLogger("fedora_messaging.twisted.protocol");

/** Python's default: give up after 30 s. */
export const DEFAULT_PUBLISH_TIMEOUT_S = 30;

export interface PublishOptions {
  /** The exchange; default (undefined or null) the configuration's `publish_exchange` ("amq.topic"); "" is the default exchange. */
  readonly exchange?: string | null;
  /** Seconds to wait for the broker to accept the message; default 30. */
  readonly timeout?: number;
  /** The configuration for the shared connection when this call makes it; default `currentConfig()`. */
  readonly config?: Config;
}

/**
 * Validates `message` and publishes it to `exchange` with its topic (after
 * `topic_prefix`) as the routing key. Resolves once the broker accepted it;
 * a message no queue is bound for is dropped by the broker and resolves too,
 * as in Python. Lost connections are re-made and the message sent again
 * until `timeout`: a message may then arrive twice.
 *
 * Sends Python's publish signals (`./signals.ts`): `pre_publish_signal`
 * first (a receiver may change the message; it is validated after), then
 * `publish_signal` once accepted or `publish_failed_signal` with the error.
 *
 * @throws ValidationError (the message fails its schema; nothing is sent),
 *   PublishForbidden (no permission to publish there), PublishReturned (the
 *   broker would not keep it), PublishTimeout (not accepted within `timeout`:
 *   broker unreachable, or no such exchange), ConnectionException (the broker
 *   refused the connection: credentials, vhost, TLS).
 */
export async function publish(message: Message, options: PublishOptions = {}): Promise<void> {
  await pre_publish_signal.send(publish, { message });
  try {
    await validateAndSend(message, options);
    await publish_signal.send(publish, { message });
  } catch (error) {
    await publish_failed_signal.send(publish, { message, reason: error });
    throw error;
  }
}

/**
 * Closes the shared publishing connection (idempotent); the next `publish()`
 * opens a new one. When a connection was made, logs the three lines Python's
 * protocol logs when its reactor stops at exit (no consumers to wait for; the
 * connection was gone by the time its second halt ran).
 */
export async function closePublisher(): Promise<void> {
  const client = shared;
  shared = undefined;
  if (!client) return;
  await client.supervisor.close();
  if (!client.everConnected) return;
  log.info("Waiting for 0 consumer(s) to finish processing before halting");
  log.info("Finished canceling 0 consumers");
  log.info("Disconnect requested, but AMQP connection already gone");
}

/** Python's `_encoded_routing_key`: `topic_prefix` (without trailing dots) + "." + topic, when a prefix is set. */
export function routingKey(topic: string, config: Pick<Config, "topic_prefix">): string {
  return config.topic_prefix ? `${config.topic_prefix.replace(/\.+$/, "")}.${topic}` : topic;
}

// --- internal ---

async function validateAndSend(message: Message, options: PublishOptions): Promise<void> {
  message.validate();
  const client = sharedClient(options.config);
  const { config } = client;
  // Python: only None means publish_exchange; "" is the default exchange (the routing key names a queue).
  const exchange = options.exchange ?? config.publish_exchange;
  const timeoutS = options.timeout ?? DEFAULT_PUBLISH_TIMEOUT_S;
  const amqp = toAmqpMessage(message, priorityToSend(message, config));
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutS * 1000);
  try {
    const result = await client.publisher.send(exchange, routingKey(message.topic, config), amqp, abort.signal);
    if (result === "unroutable") log.debug(`No queue is bound for ${message.topic} on exchange ${exchange}; the broker dropped message ${message.id}`);
  } catch (error) {
    // Python's message exactly; the last problem met (no such exchange, ...) is the cause.
    if (error instanceof SendAborted) throw new PublishTimeout(`Publishing timed out after waiting ${timeoutS} seconds.`, { cause: error.cause });
    // A refused connection ends the shared client: the next publish() tries again.
    if (client.supervisorClosed || (error instanceof Error && error.name === "ConnectionError")) forget(client);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

interface Client {
  readonly config: Config;
  readonly supervisor: ConnectionSupervisor;
  readonly publisher: Publisher;
  supervisorClosed: boolean;
  everConnected: boolean;
}

let shared: Client | undefined;

function sharedClient(config: Config | undefined): Client {
  if (shared) return shared;
  const resolved = config ?? currentConfig();
  const supervisor = new ConnectionSupervisor({
    pool: new BrokerPool(brokerAddresses(resolved)), // every amqp_url of a list: publishing fails over like consuming
    maxDelayMs: resolved.reconnect_max_delay * 1000,
    connectionLogLevel: "debug", // Python says nothing about its publishing connection
  });
  const client: Client = { config: resolved, supervisor, publisher: new Publisher(supervisor), supervisorClosed: false, everConnected: false };
  void supervisor.closed().then(() => (client.supervisorClosed = true));
  supervisor.onStatus((status) => {
    if (status.kind === "connected") client.everConnected = true;
  });
  supervisor.start();
  shared = client;
  return client;
}

function forget(client: Client): void {
  if (shared === client) shared = undefined;
}

/**
 * Python builds the AMQP priority from `publish_priority` when a message is
 * made (absent when unset, the `priority` header mirroring it or 0); a
 * priority set afterwards, as `load_message` sets a record's own (0 when it
 * has none), or received with the message, is sent as it is. Ours applies
 * `publish_priority` here, where the configuration is known, to messages
 * whose priority was never set.
 */
function priorityToSend(message: Message, config: Config): number | undefined {
  const own = message.priorityProperty;
  if (own !== null) return own ?? undefined;
  if (config.publish_priority === null) return undefined;
  message.priority = config.publish_priority;
  return config.publish_priority;
}
