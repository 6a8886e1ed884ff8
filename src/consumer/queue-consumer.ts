/**
 * One consumer of one queue on one connection: a receiver link on
 * `/queues/<name>`, manual settlement, and a real prefetch.
 *
 * Prefetch: rhea's `credit_window` tops credit up when a message *arrives*, so
 * it does not bound unsettled messages. We grant credit by hand so that
 * granted credit + unsettled deliveries never exceed `prefetch`
 * (`qos.prefetch_count`, or `callback_concurrency` when higher: daemon/registration.ts),
 * topping up as soon as a message is settled: rhea writes one FLOW (with the
 * latest credit) and the DISPOSITIONs of a turn together, on its next tick.
 * (This relies on the delivery-count fix in build/patch-rhea.mjs: without it
 * every FLOW granted RabbitMQ 4 five more messages.)
 *
 * Each outcome settles its own delivery as soon as the runner reports it
 * (in completion order when several callbacks run at once).
 *
 * The consumer lives as long as its link. When the link or connection dies,
 * `ended` settles with why, unsettled deliveries are forgotten (the broker
 * requeues them; settling on a dead link would be silently dropped by rhea),
 * and the daemon decides what to do next.
 */
import type { Connection, Delivery, EventContext, Receiver, Session } from "rhea";
import { UnexpectedRegistrationError } from "../errors.js";
import { getLogger } from "../log.js";
import { queueAddress } from "../amqp/address.js";
import { attachFailure, linkEnd, toError } from "../amqp/errors.js";
import { noteBody } from "./large-bodies.js";
import type { CallbackEnd } from "../ending.js";
import type { LinkEnd } from "../amqp/errors.js";
import type { Outcome } from "./outcome.js";
import type { CallbackRunner } from "./runner.js";

const log = getLogger("fedora_messaging.twisted.consumer");

/**
 * Delivery ids are unique in the process, not per consumer: a callback still
 * running for a consumer whose connection died reports its outcome after a new
 * consumer took over the runner, and must not settle one of the new deliveries.
 */
let nextDeliveryId = 0;

/** How long the broker may take to answer a consumer's ATTACH. */
const ATTACH_TIMEOUT_MS = 30_000;

/** How a consumer ended (see ending.ts). */
export type ConsumerEnd =
  | { readonly kind: "stopped" } // we stopped it (signal, halt elsewhere, shutdown)
  | { readonly kind: "callback"; readonly end: CallbackEnd } // its callback halted or failed
  | { readonly kind: LinkEnd; readonly error: Error }; // link or connection gone (lost: reconnect), or canceled (exit 12)

export interface QueueConsumerOptions {
  readonly connection: Connection;
  readonly queue: string;
  readonly prefetch: number;
  readonly runner: CallbackRunner;
  /** Link name; Python's consumer tag. */
  readonly tag: string;
  /** Told how long each callback ran, ms (for the duration histogram). */
  readonly onDuration?: (ms: number) => void;
}

export class QueueConsumer {
  readonly ended: Promise<ConsumerEnd>;
  private endedResolve!: (end: ConsumerEnd) => void;
  private finished = false;
  private session: Session | undefined;
  private receiver: Receiver | undefined;
  private readonly unsettled = new Map<number, Delivery>();
  private accepting = true;
  private lastActivityAt = Date.now();
  private deliveries = 0;

  constructor(private readonly options: QueueConsumerOptions) {
    this.ended = new Promise((resolve) => (this.endedResolve = resolve));
  }

  get queue(): string {
    return this.options.queue;
  }

  /** When the last delivery arrived (or the link attached), ms since the epoch. */
  get lastActivity(): number {
    return this.lastActivityAt;
  }

  /** How many messages arrived on this link (a single-active-consumer standby has had none). */
  get received(): number {
    return this.deliveries;
  }

  /** Whether the broker may send us more right now (we granted credit it has not used). */
  get awaitingDeliveries(): boolean {
    const credit = (this.receiver as unknown as { credit?: number } | undefined)?.credit ?? 0;
    return this.accepting && !this.finished && credit > 0;
  }

  /** Unsettled deliveries held right now (for metrics and tests). */
  get unsettledCount(): number {
    return this.unsettled.size;
  }

  /**
   * Attaches the receiver. Rejects with what `attachFailure` (amqp/errors.ts)
   * makes of a refusal, or UnexpectedRegistrationError (11) after a timeout.
   */
  attach(): Promise<void> {
    const { connection, queue, tag } = this.options;
    // A session per consumer: an attach refusal ends its session, not the others'.
    const session = connection.create_session();
    this.session = session;
    session.begin();
    const receiver = session.attach_receiver({
      name: tag,
      source: { address: queueAddress(queue) },
      credit_window: 0,
      autoaccept: false,
      // Undecoded: decoding happens on the callback's thread (build/patch-rhea.mjs).
      raw_transfers: true,
      snd_settle_mode: 0, // unsettled: the broker waits for our outcome
      rcv_settle_mode: 0, // first: our outcome settles at once
    });
    this.receiver = receiver;
    return new Promise((resolve, reject) => {
      let attached = false;
      // A broker that never answers the ATTACH must not leave the daemon waiting silently.
      const timer = setTimeout(() => {
        const error = new Error(`the broker did not answer the attach of queue ${queue} within ${ATTACH_TIMEOUT_MS} ms`);
        reject(new UnexpectedRegistrationError(error));
        this.finish({ kind: "lost", error });
      }, ATTACH_TIMEOUT_MS);
      const refused = (context: EventContext) => {
        clearTimeout(timer);
        const error = toError(context.receiver?.error ?? context.session?.error) ?? new Error("the broker closed the link");
        if (!attached) {
          reject(attachFailure(queue, error));
          this.finish({ kind: "lost", error });
          return;
        }
        this.onLinkGone(error);
      };
      receiver.on("receiver_open", () => {
        clearTimeout(timer);
        attached = true;
        this.lastActivityAt = Date.now();
        this.grantCredit();
        resolve();
      });
      receiver.on("receiver_error", refused);
      receiver.on("receiver_close", refused);
      session.on("session_error", refused);
      session.on("session_close", refused);
      receiver.on("message", (context: EventContext) => {
        const encoded = context.message as unknown as Buffer | undefined;
        if (context.delivery && encoded) this.onMessage(context.delivery, encoded);
      });
    });
  }

  /**
   * Graceful stop: no more credit, the in-flight callbacks finish and their
   * outcomes are settled, queued deliveries are released, the link detaches.
   */
  async stop(): Promise<void> {
    if (this.finished) return;
    this.stopAccepting();
    const unprocessed = await this.options.runner.drain();
    for (const id of unprocessed) this.settle(id, "release");
    this.releaseAll();
    this.detach();
    this.finish({ kind: "stopped" });
  }

  /** The connection is gone: forget everything without settling. */
  connectionLost(error: Error): void {
    this.onLinkGone(error);
  }

  // --- internal ---

  private onMessage(delivery: Delivery, encoded: Buffer): void {
    if (!this.accepting) {
      // Arrived after we stopped taking work (credit was already granted): back to the queue.
      delivery.release();
      return;
    }
    this.lastActivityAt = Date.now();
    this.deliveries++;
    const id = nextDeliveryId++;
    this.unsettled.set(id, delivery);
    this.options.runner.submit(id, encoded);
    noteBody(encoded.byteLength);
  }

  /** Called by the daemon for each outcome the runner reports. */
  onOutcome(id: number | undefined, outcome: Outcome): void {
    if (outcome.durationMs !== undefined) this.options.onDuration?.(outcome.durationMs);
    if (id !== undefined && this.unsettled.has(id)) {
      this.settle(id, outcome.settle);
    } else if (id !== undefined) {
      // Its link died while the callback ran: the broker redelivers it.
      logUnsettleable(id);
      if (!outcome.stop) return;
    }
    if (outcome.stop && id !== undefined && this.options.runner.concurrency > 1) {
      // Others may be in flight: they finish and are settled by their own
      // outcomes when the daemon stops this consumer (see Daemon.onRunnerOutcome).
      this.stopAccepting();
      return;
    }
    if (outcome.releaseAll) this.releaseAll();
    if (outcome.stop) {
      this.accepting = false;
      this.options.runner.discardQueued();
      this.releaseAll();
      this.detach();
      this.finish({ kind: "callback", end: outcome.stop });
      return;
    }
    this.grantCredit();
  }

  /**
   * No more deliveries, and the credit left is drained: the wait for the
   * callbacks in flight may be long, and a message that arrives meanwhile is
   * released and would otherwise come straight back, once per credit left,
   * each return counted by a quorum queue against its delivery limit.
   */
  private stopAccepting(): void {
    if (!this.accepting) return;
    this.accepting = false;
    if (!this.finished) this.receiver?.drain_credit();
  }

  private settle(id: number, how: "accept" | "release" | "reject"): void {
    const delivery = this.unsettled.get(id);
    if (!delivery) return;
    this.unsettled.delete(id);
    if (how === "accept") delivery.accept();
    else if (how === "release") delivery.release();
    else delivery.reject();
  }

  private releaseAll(): void {
    for (const id of [...this.unsettled.keys()]) this.settle(id, "release");
  }

  private grantCredit(): void {
    const receiver = this.receiver;
    if (!receiver || !this.accepting || this.finished) return;
    const credit = (receiver as unknown as { credit: number }).credit;
    const missing = this.options.prefetch - credit - this.unsettled.size;
    if (missing > 0) receiver.add_credit(missing);
  }

  private onLinkGone(error: Error): void {
    if (this.finished) return;
    this.accepting = false;
    this.unsettled.clear();
    this.options.runner.discardQueued();
    this.finish({ kind: linkEnd(error), error });
  }

  private detach(): void {
    try {
      this.receiver?.close();
      this.session?.close();
    } catch {
      // the connection is already gone; the broker requeues on its side
    }
  }

  private finish(end: ConsumerEnd): void {
    if (this.finished) return;
    this.finished = true;
    if (end.kind === "canceled") {
      log.error(`Consumer(queue=${this.options.queue}) was canceled by the AMQP broker!`);
    }
    this.endedResolve(end);
  }
}

/** A callback finished after its link died: its outcome cannot reach the broker. */
export function logUnsettleable(id: number): void {
  log.warning(
    `The connection to the broker was lost while delivery ${id} was being processed; ` +
      "its outcome cannot be sent and the broker will deliver the message again",
  );
}
