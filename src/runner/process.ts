/**
 * Processing of one delivery: decode, call the user's callback, classify the
 * result, log Python's lines. Runs wherever the callback runs: in the worker
 * thread by default, or on the main thread in in-process mode.
 */
import { ValidationError } from "../errors.js";
import { getLogger } from "../log.js";
import { decodeMessage } from "../message/decode.js";
import type { Message } from "../message/message.js";
import { pyStr } from "../python/pyrepr.js";
import { amqpMessageOf, rawDeliveryOf, type Delivered, type RawDelivery } from "../consumer/delivery.js";
import { ACCEPTED, INVALID, outcomeOfError, type Outcome } from "../consumer/outcome.js";
import type { RedeliveryLog } from "./redelivery-log.js";
import type { SharedStats } from "../consumer/stats.js";
import { noteBody } from "../consumer/large-bodies.js";
import { isMainThread } from "node:worker_threads";

/** The user's callback, normalised: a function, or a class instance's `call`. */
export type MessageHandler = (message: Message) => unknown;

/** Python's logger name for these lines (`fedora_messaging/twisted/consumer.py`). */
const log = getLogger("fedora_messaging.twisted.consumer");

export interface ProcessContext {
  readonly queue: string;
  readonly handler: MessageHandler;
  /** Python's `repr(consumer)`: `Consumer(queue=q, callback=<function printer>)`. */
  readonly consumerRepr: string;
  /** Counted before each line that tells of it (see stats.ts). */
  readonly stats: SharedStats;
  /** Quietens a message returned over and over; without it every delivery is logged, like Python. */
  readonly redeliveries?: RedeliveryLog;
}

export async function processDelivery(context: ProcessContext, delivered: Delivered): Promise<Outcome> {
  // The main thread counts bodies as they arrive (consumer/queue-consumer.ts); a worker counts its copies.
  if (!isMainThread) noteBody(delivered instanceof Uint8Array ? delivered.byteLength : (delivered.data?.byteLength ?? 0));
  let raw: RawDelivery;
  try {
    raw = rawDeliveryOf(delivered);
  } catch (error) {
    // Not a well-formed AMQP message (damaged, or a decompression bomb refused by
    // build/patch-rhea.mjs): it can never become a Message, like one that fails
    // validation, and is rejected the same way rather than sent back to crash us again.
    return invalid(undefined, `the message's AMQP encoding cannot be decoded (${error instanceof Error ? error.message : String(error)})`);
  }
  let message: Message;
  try {
    message = decodeMessage(amqpMessageOf(raw), context.queue);
    message.deliveryCount = raw.deliveryCount ?? 0;
    message.redelivered = message.deliveryCount > 0 || raw.firstAcquirer === false;
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return invalid(raw.messageId, error.summary);
  }
  // Python's `%s` of a missing id is "None", never "null".
  const id = pyStr(message.id);
  const loud = context.redeliveries?.isLoud(id) ?? true;
  context.stats.add("received");
  if (loud) log.info(`Consuming message from topic ${message.topic} (message id ${id})`);
  const started = performance.now();
  try {
    const result = context.handler(message);
    if (result !== null && typeof result === "object" && typeof (result as PromiseLike<unknown>).then === "function") await result;
  } catch (thrown) {
    const outcome = { ...outcomeOfError(thrown), durationMs: performance.now() - started };
    if (outcome.counter) context.stats.add(outcome.counter);
    switch (outcome.counter) {
      case "rejected":
        if (outcome.stop) log.info("Consumer indicated it wishes consumption to halt, shutting down");
        else if (loud) log.warning(`Returning message id ${id} to the queue`);
        if (!outcome.stop) context.redeliveries?.returned(id);
        break;
      case "dropped":
        log.warning(`Consumer requested message id ${id} be dropped`);
        break;
      case "processed":
        log.info("Consumer indicated it wishes consumption to halt, shutting down");
        break;
      case "failed":
        log.exception(`Received unexpected exception from consumer ${context.consumerRepr}`, thrown);
        break;
      default:
        break;
    }
    if (outcome.counter !== "rejected" || outcome.stop) context.redeliveries?.settled(id);
    return outcome;
  }
  const durationMs = performance.now() - started;
  context.stats.add("processed");
  context.redeliveries?.settled(id);
  log.info(`Successfully consumed message from topic ${message.topic} (message id ${id})`);
  return { ...ACCEPTED, durationMs };
}

/** Python's lines for a message that cannot become a Message: rejected, the callback not called. */
function invalid(messageId: unknown, reason: string): Outcome {
  log.warning(`Message id ${idText(messageId)} did not pass validation; ignoring message`);
  log.debug(`Validation failure: ${reason}`);
  return INVALID;
}

function idText(id: unknown): string {
  if (id === undefined || id === null) return "None";
  if (id instanceof Uint8Array) return Buffer.from(id).toString("hex");
  return String(id);
}

/** Python-style repr of a callback, for `Consumer(queue=..., callback=...)`. */
export function callbackRepr(callback: unknown, className?: string): string {
  if (className) return `<${className} object>`;
  if (typeof callback === "function") return `<function ${callback.name || "anonymous"}>`;
  return String(callback);
}
