/**
 * A message RabbitMQ cannot convert for AMQP 1.0 consumers. RabbitMQ 4.0.5
 * ends the AMQP 1.0 session when a message published over AMQP 0-9-1 carries
 * a header of a type AMQP 1.0 lacks (a `decimal`, in `mc_amqpl:from_091`).
 * The message stays at the head of the queue and ends every session that
 * reaches it: nothing behind it is consumed. No reconnection can fix it, and
 * the connection supervisor slows the loop down; this says what happened and
 * what an operator can do, and the daemon reports not-ready meanwhile.
 * (Python's AMQP 0-9-1 consumer never sees it: no conversion happens.)
 */
import { getLogger } from "../log.js";

const log = getLogger("fedora_messaging.twisted.protocol");

/** Whether RabbitMQ ended our session because it could not convert a message (its error names mc_amqpl's conversion). */
export function isConversionFailure(error: Error | undefined): boolean {
  return error !== undefined && /mc_amqpl\W+(from_091|to_091|convert)/.test(error.message);
}

export function logConversionFailure(queues: readonly string[]): void {
  const which = queues.length === 1 ? `queue ${queues[0]}` : `one of the queues ${queues.join(", ")}`;
  log.error(
    `RabbitMQ cannot convert the next message of ${which} for AMQP 1.0 (a header of a type AMQP 1.0 lacks, such as ` +
      "a decimal, in a message published over AMQP 0-9-1) and ended our session; the message stays at the head of the " +
      "queue and nothing behind it can be consumed. Remove it or move it away (the management UI's Get messages with " +
      "Reject requeue false, or an AMQP 0-9-1 client), or give the queue a dead-letter exchange and reject it from " +
      "there; the daemon keeps retrying, more and more slowly, and reports not ready meanwhile",
  );
}
