/**
 * An in-process AMQP 1.0 peer that looks enough like RabbitMQ 4.0.5 to the
 * daemon, for the edge cases a real broker cannot produce on demand (the
 * "middle test ring", test/peer/). rhea listens as a server; the test scripts
 * what the "broker" does and reads back what the daemon did.
 *
 * What it does, like RabbitMQ 4.0.5 (facts note §1, §2, §4):
 * - OPEN with product RabbitMQ, version 4.0.5, idle-time-out 30 s, channel-max
 *   63, max-frame-size 131072, capabilities LINK_PAIR_V1_0 and ANONYMOUS-RELAY;
 *   SASL required, PLAIN (guest/guest by default) or ANONYMOUS;
 * - the `/management` node: a link pair with one name per session (rhea cannot
 *   hold two links of one name, so the peer files the second one under another
 *   key, like src/amqp/link-pair.ts does on the client side), PUT/GET/DELETE
 *   queue and POST binding answered with RabbitMQ's status codes, any other
 *   request ending the session;
 * - `/queues/<name>` sources fed by the test (`publish`), shaped like a message
 *   pika published (routing key and exchange in message annotations), with
 *   real credit and settlement (see amqp-peer-queue.ts).
 *
 * What the test can make it do: detach consumer links with a condition, stop
 * delivering while credit is granted (`queue.hold()`), ignore ATTACH frames
 * (`answerAttach`), answer management requests its own way
 * (`managementOverride`), close connections with an error
 * (`closeConnections`), freeze them (`freezeConnections`: no byte either way,
 * TCP up), reset them (`dropConnections`: a killed broker), reset new ones
 * before the OPEN (`resetHandshakes`: a booting node), stop listening
 * (`stop()`, `stop({ graceful: true })`, `kill()`). Each peer has its own
 * container and port, so a test can run two (failover) and start a new one on
 * the port of a stopped one (a restart).
 *
 * In a test (see test/peer/_harness.ts for the CLI side):
 *
 *     const a = await AmqpPeer.start();           // a free port; a.url() for amqp_url
 *     const b = await AmqpPeer.start();           // a second broker
 *     a.publish("q", [{ topic: "t", body: {} }]);  // queued on a's queue "q"
 *     await a.waitFor("accepted", () => a.queue("q").settlements.length === 1);
 *     a.kill();                                   // a dies: sockets reset, port refused
 *     await b.waitFor("consumer on b", () => (b.queues.get("q")?.consumers.size ?? 0) > 0);
 *     await a.stop();                             // in `after`: idempotent
 */
import { createServer, type Server, type Socket } from "node:net";
import { randomUUID } from "node:crypto";
import rhea from "rhea";
import type { Connection, ConnectionOptions, Container, Delivery, EventContext, Message, Receiver, Sender, Session } from "rhea";
import { toAmqpMessage, type TestMessage } from "./publish.js";
import { PeerConsumer, PeerQueue, RABBITMQ_INITIAL_DELIVERY_COUNT, type QueueSettings } from "./amqp-peer-queue.js";
import { answerManagement, type BindingRecord, type ManagementRequest, type ManagementResult } from "./amqp-peer-management.js";
import {
  attachLink,
  clearHeartbeats,
  mirrorTerminus,
  pairedSender,
  realSetTimeout,
  terminusAddress,
  type AttachFrame,
  type ConnectionInternals,
  type LinkInternals,
} from "./amqp-peer-rhea.js";

export { PeerQueue, type OutcomeName } from "./amqp-peer-queue.js";
export { clearHeartbeats } from "./amqp-peer-rhea.js";

export interface AmqpPeerOptions {
  /** 0 (default) picks a free port. */
  readonly port?: number;
  readonly host?: string;
  readonly product?: string;
  readonly version?: string;
  /** PLAIN logins; default `{ guest: "guest" }`. */
  readonly users?: Readonly<Record<string, string>>;
  /** Whether ANONYMOUS is offered (RabbitMQ offers it from loopback). Default true. */
  readonly anonymous?: boolean;
  /** The idle time-out in our OPEN, ms. RabbitMQ: 30 000. */
  readonly idleTimeoutMs?: number;
  /** The initial delivery-count of consumer links. RabbitMQ 4: 2^32 - 5. */
  readonly initialDeliveryCount?: number;
}

export interface AttachRecord {
  readonly connection: number;
  readonly name: string;
  /** The daemon's role on the link. */
  readonly role: "sender" | "receiver";
  readonly address: string | undefined;
}

export interface AmqpError {
  readonly condition: string;
  readonly description?: string;
}

/** One connection the peer accepted. */
export interface PeerConnection {
  readonly index: number;
  readonly raw: Connection;
  readonly socket: Socket;
  /** The daemon's OPEN arrived (after SASL). */
  opened: boolean;
  /** The socket is gone. */
  closed: boolean;
}

export class AmqpPeer {
  readonly queues = new Map<string, PeerQueue>();
  readonly bindings: BindingRecord[] = [];
  readonly connections: PeerConnection[] = [];
  readonly attaches: AttachRecord[] = [];
  readonly managementRequests: ManagementRequest[] = [];
  /** TCP connections reset during the handshake (see `resetHandshakes`). */
  readonly resetSockets: Socket[] = [];
  /** Decides, per incoming ATTACH, whether the peer answers it or stays silent. */
  answerAttach: (attach: AttachRecord) => boolean = () => true;
  /**
   * While true, each new TCP connection is reset as soon as the client speaks,
   * before any AMQP answer: a RabbitMQ node that is booting or shutting down
   * (or refusing an unknown vhost).
   */
  resetHandshakes = false;
  /** Answers a management request before the built-in node does (return undefined to fall through). */
  managementOverride: ((request: ManagementRequest) => ManagementResult | undefined) | undefined;

  private readonly container: Container;
  private readonly consumers = new Map<Connection, Set<PeerConsumer>>();
  private boundPort: number | undefined;

  private constructor(
    private readonly server: Server,
    private readonly options: AmqpPeerOptions,
  ) {
    this.container = rhea.create_container({ id: `fm-test-peer-${randomUUID()}` });
    const users = options.users ?? { guest: "guest" };
    const mechanisms = this.container.sasl_server_mechanisms as {
      enable_plain(check: (user: string, password: string) => boolean): void;
      enable_anonymous(): void;
    };
    mechanisms.enable_plain((user, password) => users[user] !== undefined && users[user] === password);
    if (options.anonymous ?? true) mechanisms.enable_anonymous();
    // Nothing the daemon does may crash the test process through an unhandled rhea `error`.
    this.container.on("error", () => undefined);
    server.on("connection", (socket: Socket) => this.accept(socket));
  }

  /** Starts listening; resolves once the port is bound. */
  static async start(options: AmqpPeerOptions = {}): Promise<AmqpPeer> {
    const server = createServer();
    const peer = new AmqpPeer(server, options);
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen({ port: options.port ?? 0, host: options.host ?? "127.0.0.1" }, () => {
        server.removeListener("error", reject);
        void peer.port; // remember it for after stop()
        resolve();
      });
    });
    return peer;
  }

  /** The port it listens on (or listened on, once stopped: start another peer there to "restart" it). */
  get port(): number {
    const address = this.server.address();
    if (address !== null && typeof address !== "string") this.boundPort = address.port;
    if (this.boundPort === undefined) throw new Error("the peer never listened");
    return this.boundPort;
  }

  /** The amqp_url for a daemon; `heartbeat` (s) sets the daemon's idle time-out. */
  url(options: { user?: string; password?: string; heartbeat?: number } = {}): string {
    const user = options.user ?? "guest";
    const credentials = user === "" ? "" : `${encodeURIComponent(user)}:${encodeURIComponent(options.password ?? "guest")}@`;
    const query = options.heartbeat === undefined ? "" : `?heartbeat=${options.heartbeat}`;
    return `amqp://${credentials}127.0.0.1:${this.port}/${query}`;
  }

  /** Connections that are open right now. */
  get openConnections(): PeerConnection[] {
    return this.connections.filter((c) => c.opened && !c.closed);
  }

  /** The queue `name`, created (durable, like the integration tests' queues) if missing. */
  queue(name: string, settings: QueueSettings = { durable: true, exclusive: false, auto_delete: false, arguments: {} }): PeerQueue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new PeerQueue(name, settings);
      this.queues.set(name, queue);
    }
    return queue;
  }

  /** Queues fedora-messaging-shaped messages on `queue`; returns their message ids. */
  publish(queue: string, messages: ReadonlyArray<TestMessage>): string[] {
    const queued = messages.map((message) => {
      const amqp = toAmqpMessage(message);
      return { id: String(amqp.message_id), topic: message.topic, amqp };
    });
    this.queue(queue).push(queued);
    return queued.map((m) => m.id);
  }

  /** Detaches every consumer link of `queue` with `error` (RabbitMQ: the queue was deleted). */
  detachConsumers(queue: string, error: AmqpError): number {
    const links = [...(this.queues.get(queue)?.consumers ?? [])];
    for (const consumer of links) {
      consumer.gone();
      consumer.sender.close(error);
    }
    return links.length;
  }

  /** Closes every open connection with an AMQP CLOSE carrying `error`. */
  closeConnections(error: AmqpError = { condition: "amqp:connection:forced", description: "Closed via management plugin" }): void {
    for (const connection of this.openConnections) {
      this.connectionGone(connection);
      connection.raw.close(error);
    }
  }

  /**
   * Freezes every open connection: the peer reads and writes nothing more, not
   * even heartbeats, while TCP stays up: a broker node that hangs, or one
   * partitioned away. Only the daemon's own heartbeat check can notice.
   */
  freezeConnections(): void {
    for (const connection of this.openConnections) {
      for (const consumer of this.consumers.get(connection.raw) ?? []) consumer.held = true;
      connection.socket.pause();
      connection.socket.write = (() => true) as Socket["write"];
      clearHeartbeats(connection.raw);
    }
  }

  /** Resets every connection's socket (TCP RST), as a killed broker or a broken network would. */
  dropConnections(): void {
    for (const connection of this.connections) {
      if (connection.socket.destroyed) continue;
      this.connectionGone(connection);
      connection.socket.resetAndDestroy();
    }
  }

  /**
   * Stops listening and ends every connection; the port is free again when it
   * resolves. By default the sockets are reset at once (a killed broker);
   * `graceful` first sends RabbitMQ's shutdown CLOSE and waits (at most 2 s)
   * for the daemon to go, as a broker stopped by its operator does.
   */
  async stop(options: { graceful?: boolean } = {}): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.resetSockets) if (!socket.destroyed) socket.resetAndDestroy();
    if (options.graceful) {
      const open = this.openConnections;
      this.closeConnections({ condition: "amqp:connection:forced", description: "broker forced connection closure with reason 'shutdown'" });
      await this.waitFor("the daemon to close its sockets", () => open.every((c) => c.socket.destroyed), 2_000).catch(() => undefined);
    }
    this.dropConnections();
    await closed;
  }

  /** `stop()` without waiting: the port refuses connections and every socket is reset now. */
  kill(): void {
    void this.stop();
  }

  /** Polls `condition` until it holds; rejects after `timeoutMs` naming `what`. */
  async waitFor(what: string, condition: () => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise((resolve) => realSetTimeout(resolve, 5));
    }
  }

  // --- internal ---

  private accept(socket: Socket): void {
    if (this.resetHandshakes) {
      this.resetSockets.push(socket);
      socket.on("error", () => undefined);
      socket.once("data", () => socket.resetAndDestroy());
      return;
    }
    const index = this.connections.length;
    const raw = this.container.create_connection(this.connectionOptions());
    const connection: PeerConnection = { index, raw, socket, opened: false, closed: false };
    this.connections.push(connection);
    this.consumers.set(raw, new Set());
    const internals = raw as unknown as ConnectionInternals;
    const onAttach = internals.on_attach.bind(raw);
    internals.on_attach = (frame) => this.onAttach(connection, frame, onAttach);
    raw.on("connection_open", () => (connection.opened = true));
    raw.on("connection_close", () => this.connectionGone(connection));
    raw.on("connection_error", () => this.connectionGone(connection));
    raw.on("disconnected", () => this.connectionGone(connection));
    raw.on("error", () => this.connectionGone(connection));
    for (const event of ["session_error", "sender_error", "receiver_error"]) raw.on(event, () => undefined);
    socket.on("close", () => this.connectionGone(connection));
    socket.on("error", () => undefined);
    (raw as unknown as { accept(socket: Socket): void }).accept(socket);
  }

  private connectionOptions(): ConnectionOptions {
    const options: Record<string, unknown> = {
      container_id: "rabbit@fmpeer",
      properties: {
        product: this.options.product ?? "RabbitMQ",
        version: this.options.version ?? "4.0.5",
        platform: "Erlang/OTP 27.3",
        cluster_name: "rabbit@fmpeer",
      },
      idle_time_out: this.options.idleTimeoutMs ?? 30_000,
      max_frame_size: 131_072,
      channel_max: 63,
      offered_capabilities: ["LINK_PAIR_V1_0", "ANONYMOUS-RELAY"],
      // RabbitMQ refuses a client that skips SASL.
      require_sasl: true,
      // The `/management` node grants 8 credits on the request link.
      receiver_options: { credit_window: 8, autoaccept: true },
      // Outcomes are recorded as sent: modified is not folded into released.
      sender_options: { autosettle: true, treat_modified_as_released: false },
    };
    return options as unknown as ConnectionOptions;
  }

  private connectionGone(connection: PeerConnection): void {
    connection.closed = true;
    clearHeartbeats(connection.raw);
    for (const consumer of this.consumers.get(connection.raw) ?? []) consumer.gone();
    this.consumers.get(connection.raw)?.clear();
  }

  /** Routes an incoming ATTACH: silence, the management pair, a queue source, or rhea's default. */
  private onAttach(connection: PeerConnection, frame: AttachFrame, original: (frame: AttachFrame) => void): void {
    const attach = frame.performative;
    const daemonReceives = Boolean(attach.role);
    const address = terminusAddress(daemonReceives ? attach.source : attach.target);
    const record: AttachRecord = { connection: connection.index, name: attach.name, role: daemonReceives ? "receiver" : "sender", address };
    this.attaches.push(record);
    if (!this.answerAttach(record)) return;

    const session = (connection.raw as unknown as ConnectionInternals).remote_channel_map[frame.channel]!;
    const link = attachLink(session, frame, original);
    mirrorTerminus(link, attach);
    if (address === "/management") {
      if (!daemonReceives) (link as Receiver).on("message", (context: EventContext) => this.onManagementRequest(session, attach.name, context));
      return;
    }
    if (daemonReceives && address?.startsWith("/queues/")) this.onConsumerAttach(connection, session, link as Sender & LinkInternals, decodeURIComponent(address.slice("/queues/".length)));
  }

  private onConsumerAttach(connection: PeerConnection, session: Session, sender: Sender & LinkInternals, name: string): void {
    const queue = this.queues.get(name);
    if (!queue) {
      session.close({ condition: "amqp:not-found", description: `no queue '${name}' in vhost '/'` });
      return;
    }
    const initial = this.options.initialDeliveryCount ?? RABBITMQ_INITIAL_DELIVERY_COUNT;
    sender.local.attach.initial_delivery_count = initial;
    const consumer = new PeerConsumer(queue, sender, connection.index, initial);
    this.consumers.get(connection.raw)?.add(consumer);
    // Credit is ours to count (rhea's sender would start from 0, not RabbitMQ's count).
    sender.on_flow = (frame) => {
      sender.credit = Math.max(consumer.onFlow(frame.performative), 0);
    };
    sender.on("settled", (context: EventContext) => {
      const delivery = context.delivery as Delivery & { remote_state?: unknown };
      consumer.onSettled(delivery, delivery.remote_state);
    });
    sender.on("sender_close", () => consumer.gone());
    session.on("session_close", () => consumer.gone());
  }

  private onManagementRequest(session: Session, name: string, context: EventContext): void {
    const message = context.message as Message;
    const request: ManagementRequest = { method: String(message.subject), path: String(message.to), body: message.body };
    this.managementRequests.push(request);
    const result = this.managementOverride?.(request) ?? answerManagement(this.managementState(), request);
    if (result === "no-answer") return;
    if (result === "end-session") {
      session.close({ condition: "amqp:internal-error", description: `unsupported request ${request.method} ${request.path}` });
      return;
    }
    pairedSender(session, name)?.send({ correlation_id: message.message_id, subject: String(result.status), body: result.body } as Message);
  }

  private managementState() {
    return {
      queues: this.queues,
      bindings: this.bindings,
      createQueue: (name: string, settings: QueueSettings) => this.queue(name, settings),
    };
  }
}

