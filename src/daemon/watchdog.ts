/**
 * The watchdog: a consumer that holds unused credit and sees no delivery for
 * `watchdog_timeout` seconds while its queue has ready messages is on a
 * connection alive in name only (Python's consumers were seen connected but
 * silent for days: fedora-messaging #208, anitya#1993). It restarts the
 * connection; the daemon's reconnect path takes over from there.
 *
 * A standby of a single-active-consumer queue is silent by design: RabbitMQ
 * delivers to one consumer only, and before 4.3 it does not tell the others
 * that they wait (4.3 adds a `rabbitmq:active` flow property). A consumer of
 * such a queue that has received nothing on its link while other consumers are
 * attached is taken to be a standby and left alone (logged once). The active
 * one has received messages on its link, so a silent active consumer is still
 * restarted; one that went silent before its very first delivery while standbys
 * are attached is not told apart from a standby.
 */
import type { ManagementClient } from "../amqp/management.js";
import { getLogger } from "../log.js";
import type { QueueConsumer } from "../consumer/queue-consumer.js";

const log = getLogger("fedora_messaging.twisted.protocol");

export interface WatchdogOptions {
  /** 0 turns the watchdog off. */
  readonly timeoutSeconds: number;
  /**
   * The consumers to watch, read at each check; `busy` when every callback
   * slot is taken (with `callback_concurrency` 1: while a callback runs);
   * `singleActive` when the queue is declared with `x-single-active-consumer`.
   * A consumer with a free slot, credit to spare and ready messages that
   * still sees nothing arrive is stuck, however many callbacks run.
   */
  consumers(): ReadonlyArray<{ readonly consumer: QueueConsumer | undefined; readonly busy: boolean; readonly singleActive?: boolean }>;
  /** Asks the broker how many messages a queue holds ready. */
  readonly management: Pick<ManagementClient, "checkQueue">;
  /** Closes the connection. */
  restart(): Promise<void>;
}

/** Starts checking; returns the function that stops it. */
export function startWatchdog(options: WatchdogOptions): () => void {
  const timeoutMs = options.timeoutSeconds * 1000;
  if (timeoutMs <= 0) return () => undefined;
  let checking = false;
  const standbys = new WeakSet<QueueConsumer>();
  const check = async (): Promise<void> => {
    for (const { consumer, busy, singleActive } of options.consumers()) {
      if (!consumer || busy || !consumer.awaitingDeliveries || Date.now() - consumer.lastActivity < timeoutMs) continue;
      const queue = await options.management.checkQueue(consumer.queue);
      if (queue.message_count > 0 && Date.now() - consumer.lastActivity >= timeoutMs) {
        if (singleActive && consumer.received === 0 && queue.consumer_count > 1) {
          if (!standbys.has(consumer)) {
            standbys.add(consumer);
            log.info(
              `Queue ${consumer.queue} has a single active consumer and ${queue.consumer_count} consumers; ours has received ` +
                "nothing since it attached: it waits as a standby and takes over when the active one goes.",
            );
          }
          continue;
        }
        log.warning(
          `No message arrived on queue ${consumer.queue} for ${options.timeoutSeconds} s although it holds ` +
            `${queue.message_count} ready and we have credit; restarting the connection.`,
        );
        await options.restart();
        return;
      }
    }
  };
  const timer = setInterval(() => {
    if (checking) return;
    checking = true;
    check()
      .catch(async (error: unknown) => {
        log.warning(`The watchdog could not check the queues (${(error as Error).message}); restarting the connection.`);
        await options.restart();
      })
      .finally(() => (checking = false));
  }, Math.min(Math.max(timeoutMs / 4, 1_000), 30_000));
  timer.unref();
  return () => clearInterval(timer);
}
