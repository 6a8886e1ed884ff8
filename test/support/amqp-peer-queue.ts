/**
 * A queue of the in-process AMQP peer (test/support/amqp-peer.ts), and the
 * consumers attached to it: what RabbitMQ 4 does with a classic queue, reduced
 * to what the daemon can observe.
 *
 * - Messages are held in order; a consumer link gets them as long as it has
 *   credit. Credit is counted the AMQP way, relative to the sender's delivery
 *   count, which starts where RabbitMQ 4 starts it (2^32 - 5): a receiver that
 *   ignores the initial delivery-count (rhea 3.0.5 unpatched) grants 5 more
 *   messages than it meant to, and the peer sends them, as the broker would.
 * - Outcomes: `accepted` removes the message; `released` puts it back at the
 *   head (redelivered, `first_acquirer` false); `modified` with
 *   `delivery_failed` also bumps its delivery count; `rejected` and
 *   `modified{undeliverable_here}` drop it. A detached link or a lost
 *   connection puts its unsettled messages back (RabbitMQ 4 does the same).
 * - Everything is recorded for assertions: each delivery (with the unsettled
 *   count right after it), each outcome, each FLOW.
 *
 * `hold()` stops deliveries while the consumer still has credit and messages
 * are ready: the "connected but silent" consumer of fedora-messaging #208.
 */
import type { Delivery, Message, Sender } from "rhea";

/** RabbitMQ 4's initial delivery-count on a sending link (2^32 - 5). */
export const RABBITMQ_INITIAL_DELIVERY_COUNT = 2 ** 32 - 5;

export type OutcomeName = "accepted" | "released" | "rejected" | "modified";

export interface QueueSettings {
  readonly durable: boolean;
  readonly exclusive: boolean;
  readonly auto_delete: boolean;
  readonly arguments: Readonly<Record<string, unknown>>;
}

/** A message as the queue holds it. */
export interface QueuedMessage {
  readonly id: string;
  /** The routing key it was published with. */
  readonly topic: string;
  readonly amqp: Message;
  /** Times it was delivered and then requeued with `delivery_failed` (the header's delivery-count). */
  failedDeliveries: number;
  /** Delivered before (its next delivery has `first_acquirer` false). */
  redelivered: boolean;
}

export interface DeliveryRecord {
  readonly messageId: string;
  /** Index of the peer connection (0 for the first one the peer accepted). */
  readonly connection: number;
  readonly link: string;
  readonly firstAcquirer: boolean;
  /** Unsettled deliveries on this link right after this one was sent. */
  readonly unsettledAfter: number;
}

export interface SettlementRecord {
  readonly messageId: string;
  readonly connection: number;
  readonly link: string;
  readonly outcome: OutcomeName;
  /** The outcome's fields, e.g. `{ delivery_failed: true }` for modified. */
  readonly fields: Readonly<Record<string, unknown>>;
}

export interface FlowRecord {
  readonly connection: number;
  readonly link: string;
  readonly deliveryCount: number;
  readonly linkCredit: number;
  readonly drain: boolean;
  /** Credit the peer may use after this FLOW (serial arithmetic over the delivery-count). */
  readonly credit: number;
  /** Deliveries still unsettled at the peer when the FLOW arrived. */
  readonly unsettled: number;
}

/** What a test gets for each message it queues. */
export interface QueueEvents {
  readonly deliveries: DeliveryRecord[];
  readonly settlements: SettlementRecord[];
  readonly flows: FlowRecord[];
}

export class PeerQueue implements QueueEvents {
  readonly ready: QueuedMessage[] = [];
  readonly deliveries: DeliveryRecord[] = [];
  readonly settlements: SettlementRecord[] = [];
  readonly flows: FlowRecord[] = [];
  /** Messages dropped by `rejected` or `modified{undeliverable_here}`. */
  readonly dead: QueuedMessage[] = [];
  readonly consumers = new Set<PeerConsumer>();

  constructor(
    readonly name: string,
    public settings: QueueSettings,
  ) {}

  /** Appends messages (the peer's stand-in for publishing to a bound exchange). */
  push(messages: ReadonlyArray<{ readonly id: string; readonly topic: string; readonly amqp: Message }>): void {
    for (const message of messages) this.ready.push({ ...message, failedDeliveries: 0, redelivered: false });
    this.pump();
  }

  /** Unsettled deliveries over every consumer link right now. */
  get unsettled(): number {
    let total = 0;
    for (const consumer of this.consumers) total += consumer.pending();
    return total;
  }

  /**
   * Stops delivering to the consumer links attached now, although they have
   * credit and messages are ready: a connection alive in name only. A link
   * attached later (after a reconnection) gets messages again.
   */
  hold(): void {
    for (const consumer of this.consumers) consumer.held = true;
  }

  /** The outcomes recorded for one message, in order. */
  outcomesOf(messageId: string): OutcomeName[] {
    return this.settlements.filter((s) => s.messageId === messageId).map((s) => s.outcome);
  }

  /** Sends ready messages to consumers with credit, after the current frames are processed. */
  pump(): void {
    setImmediate(() => {
      for (const consumer of this.consumers) {
        while (consumer.canSend() && this.ready.length > 0) consumer.deliver(this.ready.shift()!);
      }
    });
  }

  /** Puts a message back at the head of the queue. */
  requeue(message: QueuedMessage): void {
    message.redelivered = true;
    this.ready.unshift(message);
    this.pump();
  }
}

/** One consumer link: the peer's sending end of a receiver the daemon attached to `/queues/<name>`. */
export class PeerConsumer {
  readonly unsettled = new Map<Delivery, QueuedMessage>();
  /** Set by `PeerQueue.hold()`: this link gets nothing more. */
  held = false;
  private credit = 0;
  private deliveryCount: number;
  private live = true;

  constructor(
    readonly queue: PeerQueue,
    readonly sender: Sender,
    readonly connection: number,
    initialDeliveryCount: number,
  ) {
    this.deliveryCount = initialDeliveryCount >>> 0;
    queue.consumers.add(this);
  }

  get link(): string {
    return this.sender.name;
  }

  canSend(): boolean {
    return this.live && !this.held && this.credit > 0;
  }

  /** A FLOW from the daemon: credit is relative to the delivery-count, modulo 2^32. `drain` is recorded, not honoured (the daemon never drains). */
  onFlow(flow: { delivery_count?: number; link_credit?: number; drain?: boolean }): number {
    const limit = (flow.delivery_count ?? 0) + (flow.link_credit ?? 0);
    this.credit = (limit - this.deliveryCount) | 0;
    this.queue.flows.push({
      connection: this.connection,
      link: this.link,
      deliveryCount: flow.delivery_count ?? 0,
      linkCredit: flow.link_credit ?? 0,
      drain: Boolean(flow.drain),
      credit: this.credit,
      unsettled: this.pending(),
    });
    this.queue.pump();
    return this.credit;
  }

  deliver(message: QueuedMessage): void {
    this.credit--;
    this.deliveryCount = (this.deliveryCount + 1) >>> 0;
    const delivery = this.sender.send(asDelivered(message));
    this.unsettled.set(delivery, message);
    this.queue.deliveries.push({
      messageId: message.id,
      connection: this.connection,
      link: this.link,
      firstAcquirer: !message.redelivered,
      unsettledAfter: this.pending(),
    });
  }

  /**
   * Deliveries the daemon has not settled yet. rhea applies a DISPOSITION at
   * once but reports it (`settled`) on its next tick, so the map alone may
   * still hold deliveries settled by a frame read just now.
   */
  pending(): number {
    let count = 0;
    for (const delivery of this.unsettled.keys()) if (!(delivery as Delivery & { remote_settled?: boolean }).remote_settled) count++;
    return count;
  }

  /** The daemon settled a delivery with `state` (rhea's unwrapped outcome). */
  onSettled(delivery: Delivery, state: unknown): void {
    const message = this.unsettled.get(delivery);
    if (!message) return;
    this.unsettled.delete(delivery);
    const outcome = outcomeName(state);
    const fields = { ...((state ?? {}) as Record<string, unknown>) };
    this.queue.settlements.push({ messageId: message.id, connection: this.connection, link: this.link, outcome, fields });
    if (outcome === "released") this.queue.requeue(message);
    else if (outcome === "modified" && !fields["undeliverable_here"]) {
      if (fields["delivery_failed"]) message.failedDeliveries++;
      this.queue.requeue(message);
    } else if (outcome !== "accepted") this.queue.dead.push(message);
    this.queue.pump();
  }

  /** The link or its connection is gone: unsettled messages go back to the queue, in order. */
  gone(): void {
    if (!this.live) return;
    this.live = false;
    this.queue.consumers.delete(this);
    // A DISPOSITION read in the same input as the DETACH is processed (by rhea) after it: count it first.
    for (const delivery of this.unsettled.keys()) {
      const { remote_settled: settled, remote_state: state } = delivery as Delivery & { remote_settled?: boolean; remote_state?: unknown };
      if (settled) this.onSettled(delivery, state);
    }
    for (const message of [...this.unsettled.values()].reverse()) this.queue.requeue(message);
    this.unsettled.clear();
  }
}

// --- internal ---

/** How RabbitMQ 4 hands a message published by pika (AMQP 0-9-1) to an AMQP 1.0 consumer (facts note §4). */
function asDelivered(message: QueuedMessage): Message {
  return {
    ...message.amqp,
    first_acquirer: !message.redelivered,
    delivery_count: message.failedDeliveries,
    message_annotations: { "x-exchange": "amq.topic", "x-routing-key": message.topic },
  } as Message;
}

function outcomeName(state: unknown): OutcomeName {
  const type = (state as { constructor?: { composite_type?: string } } | undefined)?.constructor?.composite_type;
  if (type === "accepted" || type === "released" || type === "rejected" || type === "modified") return type;
  // A settlement without an outcome: RabbitMQ treats it as released.
  return "released";
}
