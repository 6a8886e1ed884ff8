/**
 * Sends messages to RabbitMQ 4 exchanges over the connection a
 * ConnectionSupervisor keeps, with Python's publishing semantics
 * (`twisted/protocol.py` `publish`, `twisted/factory.py` `publish`):
 *
 * - one session a connection and on it one sender link, reused by every
 *   send: RabbitMQ 4's "anonymous" link (null target), each message naming
 *   its exchange and routing key in `to` (`/exchanges/<exchange>/<key>`).
 *   A link to `/exchanges/<exchange>` cannot carry a routing key per message
 *   (RabbitMQ 4.0 routes those with the empty key), and a link per topic would
 *   grow without end. Registered as on-connect work: a new connection gets a
 *   fresh session and link;
 * - a send resolves once the broker settled it: `accepted`, or `released`,
 *   which RabbitMQ 4 answers when no queue is bound for the routing key
 *   (Python publishes without `mandatory`, so an unroutable message is not an
 *   error there either: "unroutable" is returned, not thrown);
 * - `rejected`/`modified` → PublishReturned, at once;
 * - no write permission: RabbitMQ 4.0.5 ends the whole session (END with
 *   amqp:unauthorized-access) → PublishForbidden at once; the connection
 *   lives on and the next send opens a new session (and a session of our own
 *   keeps a forbidden publish from ending a consumer's session);
 * - no such exchange: the message is `rejected` with amqp:not-found (the
 *   link lives on): retried, see below;
 * - a lost link or connection: the message is sent again on the next one
 *   (Python's factory waits for a new connection), a missing exchange is
 *   retried every `RETRY_DELAY_MS` (Python re-opens its channel and retries),
 *   all until the caller's signal aborts (its timeout).
 */
import type { Delivery, EventContext, Message as AmqpMessage, Sender, Session } from "rhea";
import { PublishForbidden, PublishReturned } from "../errors.js";
import { getLogger } from "../log.js";
import { exchangeAddress, queueAddress } from "./address.js";
import type { BrokerConnection } from "./connection.js";
import { conditionOf, publishLinkEnd, toError } from "./errors.js";
import type { ConnectionSupervisor } from "./supervisor.js";
import { pyStrRepr } from "../python/pyrepr.js";

const log = getLogger("fedora_messaging.twisted.protocol");

/** How long to wait before trying again on a live connection (no such exchange yet, link dropped). */
export const RETRY_DELAY_MS = 1_000;

/** What a broker did with a message it took: kept it, or routed it to no queue (dropped, as Python's unroutable). */
export type SendResult = "accepted" | "unroutable";

/** Why a send stopped trying: the caller's signal. `cause` is the last problem met, if any. */
export class SendAborted extends Error {
  override name = "SendAborted";
}

/** The broker settled a message `rejected` or `modified`; `condition` says why (amqp:not-found, ...). */
export class OutcomeError extends Error {
  override name = "OutcomeError";
  constructor(
    readonly outcome: "rejected" | "modified",
    readonly condition: string,
    message: string,
  ) {
    super(message);
  }
}

/** The `to` address of a message for `exchange` ("" = the default exchange: the queue named by the key). */
export function messageAddress(exchange: string, routingKey: string): string {
  return exchange === "" ? queueAddress(routingKey) : exchangeAddress(exchange, routingKey);
}

export class Publisher {
  private link: SenderLink | undefined;
  private session: Session | undefined;
  /** The supervisor's current connection, while it lasts. */
  private connection: BrokerConnection | undefined;
  /** Sends waiting for a connection (or a session on it). */
  private readonly connectionWaits = new Wakeups();
  private closedReason: { readonly reason: Error } | undefined;

  constructor(supervisor: ConnectionSupervisor) {
    supervisor.onConnect(async (connection) => this.connected(connection));
    void supervisor.closed().then((reason) => {
      this.closedReason = { reason: reason ?? new Error("the publisher was closed") };
      this.connection = undefined;
      this.dropSession(new Error("the connection was closed"));
      this.connectionWaits.wakeAll();
    });
  }

  /**
   * Sends `message` to `exchange` with `routingKey` and resolves once the
   * broker accepted it (or dropped it as unroutable).
   * @throws PublishForbidden, PublishReturned, SendAborted (the last problem as its cause),
   *   or the supervisor's closing reason (a ConnectionError when the broker refused the connection).
   */
  async send(exchange: string, routingKey: string, message: AmqpMessage, signal: AbortSignal): Promise<SendResult> {
    const addressed = { ...message, to: messageAddress(exchange, routingKey) };
    let lastProblem: Error | undefined;
    for (;;) {
      const link = await this.currentLink(signal, lastProblem);
      try {
        return await link.send(addressed, signal);
      } catch (error) {
        if (error instanceof SendAborted) throw new SendAborted("aborted", { cause: lastProblem });
        const problem = error as Error;
        const meaning = publishLinkEnd(problem);
        // Python's lines (twisted/protocol.py `publish`): RabbitMQ's 403 channel close, a nack.
        if (meaning === "forbidden") {
          log.error(`Message was forbidden by the broker: ACCESS_REFUSED - ${description(problem)}`);
          throw new PublishForbidden(channelClosedText(403, "ACCESS_REFUSED", problem), { cause: problem });
        }
        // The default exchange drops a message for a queue that does not exist (Python: no error); RabbitMQ
        // answers amqp:not-found for a `/queues/<name>` address instead.
        if (exchange === "" && meaning === "missing" && problem instanceof OutcomeError) return "unroutable";
        if (problem instanceof OutcomeError && meaning !== "missing") {
          log.error(`Message was rejected by the broker (${problem.message})`);
          throw new PublishReturned(problem.message, { cause: problem });
        }
        // Said once a send (pika warns on every retry, thousands of times in 30 s); the timeout's line stays Python's.
        if (meaning === "missing" && !lastProblem) log.warning(`Publishing to exchange ${exchange} failed: ${description(problem)}; retrying until the timeout`);
        lastProblem = problem;
        // Missing exchange, or a link that failed on a connection still open: it would fail again at once.
        if (meaning === "missing" || this.session) await delay(RETRY_DELAY_MS, signal);
      }
    }
  }

  // --- internal ---

  /** On-connect work: a session and a link for publishing on the new connection. */
  private connected(connection: BrokerConnection): void {
    this.dropSession(new Error("the connection was replaced"));
    this.connection = connection;
    void connection.ended.then((end) => {
      if (this.connection !== connection) return;
      this.connection = undefined;
      this.dropSession(end.error ?? new Error("the connection was lost"));
    });
    this.openSession(connection);
    this.connectionWaits.wakeAll();
  }

  /**
   * A session for publishing. RabbitMQ ends it (not only the link) when a
   * publish is forbidden; the connection lives on, and the next send opens a
   * new session on it.
   */
  private openSession(connection: BrokerConnection): Session {
    const session = connection.raw.create_session();
    session.on("session_error", () => undefined);
    session.on("session_close", (context: EventContext) => {
      if (this.session === session) this.dropSession(toError(context.session?.error) ?? new Error("the session was closed"));
    });
    session.begin();
    this.session = session;
    this.link = new SenderLink(session);
    return session;
  }

  private dropSession(reason: Error): void {
    this.session = undefined;
    this.link?.fail(reason);
    this.link = undefined;
  }

  /** The link on the current session (a new one if the last failed), waiting for a connection when there is none. */
  private async currentLink(signal: AbortSignal, lastProblem: Error | undefined): Promise<SenderLink> {
    for (;;) {
      if (this.closedReason) throw this.closedReason.reason;
      if (signal.aborted) throw new SendAborted("aborted", { cause: lastProblem });
      const session = this.session ?? (this.connection ? this.openSession(this.connection) : undefined);
      if (session) {
        if (!this.link || this.link.failed) this.link = new SenderLink(session);
        return this.link;
      }
      await this.connectionWaits.next(signal);
    }
  }
}

interface Pending {
  resolve(result: SendResult): void;
  reject(error: Error): void;
}

/** One anonymous sender link, with the deliveries it has not heard back about. */
class SenderLink {
  private readonly sender: Sender;
  private readonly pending = new Map<Delivery, Pending>();
  /** Sends waiting for the broker's credit (or for the link to fail). */
  private readonly sendableWaits = new Wakeups();
  private failure: Error | undefined;

  constructor(session: Session) {
    // A null target: RabbitMQ routes each message by its `to` address.
    const sender = session.attach_sender({ target: {} });
    this.sender = sender;
    sender.on("accepted", (context: EventContext) => this.settle(context.delivery, "accepted"));
    sender.on("released", (context: EventContext) => this.settle(context.delivery, "unroutable"));
    sender.on("rejected", (context: EventContext) => this.settle(context.delivery, outcomeError(context, "rejected")));
    sender.on("modified", (context: EventContext) => this.settle(context.delivery, outcomeError(context, "modified")));
    sender.on("sendable", () => this.sendableWaits.wakeAll());
    sender.on("sender_error", () => undefined);
    sender.on("sender_close", (context: EventContext) => {
      const error = toError(context.sender?.error) ?? new Error("the broker closed the publishing link");
      log.debug(`The publishing link ended: ${error.message}`);
      this.fail(error);
    });
  }

  get failed(): boolean {
    return this.failure !== undefined;
  }

  /** Sends once the broker gave credit; resolves with its settlement. */
  async send(message: AmqpMessage, signal: AbortSignal): Promise<SendResult> {
    while (!this.failure && !this.sender.sendable()) {
      if (signal.aborted) throw new SendAborted("aborted");
      await this.sendableWaits.next(signal);
      if (signal.aborted) throw new SendAborted("aborted");
    }
    if (this.failure) throw this.failure;
    const delivery = this.sender.send(message);
    return new Promise<SendResult>((resolve, reject) => {
      const onAbort = () => {
        this.pending.delete(delivery);
        reject(new SendAborted("aborted"));
      };
      signal.addEventListener("abort", onAbort, { once: true });
      const forget = () => signal.removeEventListener("abort", onAbort);
      this.pending.set(delivery, {
        resolve: (result) => (forget(), resolve(result)),
        reject: (error) => (forget(), reject(error)),
      });
    });
  }

  /** Ends the link's life: every delivery not yet settled fails with `error` (the caller sends it again). */
  fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) p.reject(error);
    this.sendableWaits.wakeAll();
    try {
      if (this.sender.is_open()) this.sender.close();
    } catch {
      // The session or connection is gone already.
    }
  }

  private settle(delivery: Delivery | undefined, result: SendResult | OutcomeError): void {
    const pending = delivery && this.pending.get(delivery);
    if (!pending || !delivery) return;
    this.pending.delete(delivery);
    if (result instanceof OutcomeError) pending.reject(result);
    else pending.resolve(result);
  }

}

/** Promises of "something changed": each waiter looks again at what it waits for when woken. */
class Wakeups {
  private readonly waiting = new Set<() => void>();

  /** Resolves at the next wakeAll(), or when `signal` aborts (the waiter checks the signal itself). */
  next(signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        this.waiting.delete(done);
        signal.removeEventListener("abort", done);
        resolve();
      };
      this.waiting.add(done);
      signal.addEventListener("abort", done, { once: true });
    });
  }

  wakeAll(): void {
    for (const done of [...this.waiting]) done();
  }
}

/** The broker's `rejected`/`modified` answer, with its condition and description when it gave them. */
function outcomeError(context: EventContext, outcome: "rejected" | "modified"): OutcomeError {
  const state = (context.delivery as unknown as { remote_state?: { error?: unknown } } | undefined)?.remote_state;
  const error = toError(state?.error);
  const condition = (error as { condition?: string } | undefined)?.condition ?? "";
  return new OutcomeError(outcome, condition, `the broker answered ${outcome}${error ? `: ${error.message}` : ""}`);
}

/** What the broker said, without the AMQP condition in front. */
function description(error: Error): string {
  const condition = conditionOf(error);
  const at = condition ? error.message.indexOf(`${condition}: `) : -1;
  return at === -1 ? error.message : error.message.slice(at + condition.length + 2);
}

/**
 * Python's text for the error (pika's ChannelClosedByBroker, `(403, "ACCESS_REFUSED - ...")`):
 * RabbitMQ's AMQP 1.0 description is its AMQP 0-9-1 reply text without the constant's name.
 */
function channelClosedText(code: number, constant: string, error: Error): string {
  return `(${code}, ${pyStrRepr(`${constant} - ${description(error)}`)})`;
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}
