/**
 * Registering the consumers on one connection, and what a failed
 * registration means. On every new connection the daemon declares its
 * queues and bindings and attaches one consumer per queue; after a
 * reconnection, a failure the broker's passing state explains is retried on
 * a new connection, anything else ends the run with its exit code.
 */
import { randomUUID } from "node:crypto";
import type { BrokerConnection } from "../amqp/connection.js";
import { ManagementClient, ManagementSessionEnded } from "../amqp/management.js";
import { declareTopology } from "../amqp/topology.js";
import type { Config } from "../config/types.js";
import { QueueConsumer } from "../consumer/queue-consumer.js";
import type { CallbackRunner } from "../consumer/runner.js";
import { BadDeclarationError, FedoraMessagingError, PermissionError, UnexpectedRegistrationError } from "../errors.js";
import { getLogger } from "../log.js";

/** Credit granted when `qos.prefetch_count = 0` (unlimited in AMQP 0-9-1). */
const UNLIMITED_PREFETCH = 1000;

const log = getLogger("fedora_messaging.twisted.protocol");

/** Per queue (by its configured name): the runner survives reconnections, its consumer does not. */
export interface QueueSlot {
  readonly configName: string;
  readonly runner: CallbackRunner;
  consumer: QueueConsumer | undefined;
}

export interface AttachOptions {
  readonly config: Config;
  /** Told how long each callback ran, ms. */
  readonly onDuration: (ms: number) => void;
  /** Python's repr of the callback, for the log lines. */
  readonly callbackName: string;
}

/**
 * Declares the topology and attaches one consumer per queue, each to its
 * slot; returns the management client (kept for the watchdog). A failure
 * leaves the consumers attached so far in their slots, for the caller to drop.
 */
export async function attachConsumers(connection: BrokerConnection, slots: readonly QueueSlot[], options: AttachOptions): Promise<ManagementClient> {
  const management = await ManagementClient.open(connection.raw);
  let ok = false;
  try {
    const declared = await declareTopology(management, options.config);
    for (const queue of declared) {
      const slot = slots.find((s) => s.configName === queue.configName)!;
      const consumer = new QueueConsumer({
        connection: connection.raw,
        queue: queue.name,
        prefetch: creditLimit(options.config),
        runner: slot.runner,
        tag: randomUUID(),
        onDuration: options.onDuration,
      });
      await consumer.attach();
      slot.consumer = consumer;
      log.info(`Successfully registered AMQP consumer Consumer(queue=${queue.name}, callback=${options.callbackName})`);
    }
    ok = true;
    return management;
  } finally {
    if (!ok) management.close();
  }
}

/**
 * Credit + unsettled deliveries a consumer may hold: `qos.prefetch_count`, or
 * as many as may run at once if `callback_concurrency` is higher (each
 * callback in flight holds an unsettled delivery).
 */
export function creditLimit(config: Config): number {
  // prefetch_count 0 means "no limit" in AMQP 0-9-1; AMQP 1.0 needs a number: a generous one.
  const prefetch = config.qos.prefetch_count > 0 ? config.qos.prefetch_count : UNLIMITED_PREFETCH;
  return Math.max(prefetch, config.callback_concurrency);
}

/** Logs why a registration on a new connection is about to be retried. */
export function logRetry(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  // Python 3.9.1's line for a queue missing after a broker restart (passive declares).
  if (error instanceof BadDeclarationError) log.warning(`Failed to declare queue or binding while registering: ${message}; restarting connection.`);
  else log.warning(`Registering the consumers on the new connection failed (${message}); restarting connection.`);
}

/**
 * After a reconnection, a registration failure that may be the broker's
 * passing state is retried (with backoff): the connection lost meanwhile, a
 * queue not back yet after a broker restart (404, Python 3.9.1 does the
 * same), an attach or management answer that timed out. What no retry can
 * change ends the run with the code it has at start: a permission refused
 * (a user whose read or configure permission was revoked: exit 10 or 15, and
 * under systemd the unit restarts it a minute later, saying so each time),
 * a queue declared with other arguments (409).
 */
export function retriedOnReconnection(error: unknown, connectionGone: boolean): boolean {
  // First: a refused attach or declaration may end the session or connection too.
  if (error instanceof PermissionError) return false;
  if (error instanceof BadDeclarationError) return error.reason.startsWith("404") || (connectionGone && !error.reason.startsWith("403"));
  return true;
}

/** How often a first registration that the broker failed internally is tried again before the run ends. */
export const INTERNAL_FAILURE_RETRIES_AT_START = 3;

/**
 * The broker failed, rather than refused: RabbitMQ 4.0.5's AMQP management
 * ends the session with amqp:internal-error when another client (a second
 * daemon starting at the same moment) created the same quorum queue an
 * instant before (its declare answers 200 where it expects 201). A new
 * connection declares again and finds the queue; a few tries, so that a
 * failure that is not a race still ends the run.
 */
export function brokerFailedInternally(error: unknown): boolean {
  return error instanceof ManagementSessionEnded && error.condition === "amqp:internal-error";
}

/** Anything unforeseen while registering is exit 11; our typed errors keep their code. */
export function registrationError(error: unknown): Error {
  if (error instanceof FedoraMessagingError) return error;
  return new UnexpectedRegistrationError(error);
}
