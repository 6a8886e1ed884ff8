/**
 * One AMQP 1.0 connection to RabbitMQ 4, opened with rhea, promisified.
 *
 * rhea's own reconnect is off (`reconnect: false`): it only retries after
 * `amqp:connection:forced` closes and knows nothing of our topology, so
 * reconnection lives in one place (amqp/supervisor.ts) and every connection
 * here lives once: opened, used, ended. `ended` always settles, with
 * the reason, whoever ends it. Used for consuming today and publishing later.
 */
import { isIP } from "node:net";
import rhea, { type Connection, type ConnectionOptions, type Container, type EventContext } from "rhea";
import { ConnectionError } from "../errors.js";
import { decodeAmqpBooleansAsBooleans } from "../message/decode.js";
import { batchFramesPerTurn } from "./frame-batching.js";
import { BrokerUnreachableError, refusedOpen, socketClosedBeforeOpen, toError } from "./errors.js";

/** What `openConnection` needs; built from the config by `connectionSettings()`. */
export interface ConnectionSettings {
  readonly host: string;
  readonly port: number;
  /** The vhost, sent as the open frame's hostname `vhost:NAME`. */
  readonly vhost: string;
  /** PLAIN when set; ANONYMOUS otherwise (unless `tls.external`). */
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  /** Connection properties, Python's `client_properties`. */
  readonly properties: Readonly<Record<string, unknown>>;
  /** The idle timeout we ask of the broker, ms (0 = none); Python's `heartbeat`. */
  readonly idleTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly tls?: {
    /** The CAs trusted: `ca_cert`'s bundle, or Node's roots plus the system's (system-ca.ts). */
    readonly ca?: string | Buffer | readonly string[] | undefined;
    readonly cert?: string | Buffer | undefined;
    readonly key?: string | Buffer | undefined;
    /** SASL EXTERNAL: the identity comes from the client certificate. */
    readonly external: boolean;
  } | undefined;
  /** For log lines and errors: the URL with its password masked. */
  readonly displayUrl: string;
}

export interface BrokerInfo {
  readonly product: string;
  readonly version: string;
}

/** Why a connection ended: the broker's or the socket's error; none when we closed it and the broker agreed. */
export interface ConnectionEnd {
  readonly error?: Error | undefined;
}

/** The oldest RabbitMQ that carries fedora-messaging headers over AMQP 1.0. */
const MIN_RABBITMQ = [4, 0] as const;

let container: Container | undefined;

/**
 * Our rhea container, made with the first connection rather than at import:
 * importing the library must not change rhea for the program that imports it.
 */
function ourContainer(): Container {
  if (container) return container;
  // RabbitMQ encodes booleans (pika's `True` headers too) in a form rhea 3.0.5
  // decodes as 0/1; make them JS booleans for every message and answer.
  decodeAmqpBooleansAsBooleans(rhea.types as unknown as Parameters<typeof decodeAmqpBooleansAsBooleans>[0]);
  container = rhea.create_container({ id: `fedora-messaging-${process.pid}` });
  return container;
}

export class BrokerConnection {
  readonly ended: Promise<ConnectionEnd>;
  private endedResolve!: (end: ConnectionEnd) => void;
  private closing = false;

  private constructor(
    readonly raw: Connection,
    readonly broker: BrokerInfo,
  ) {
    this.ended = new Promise((resolve) => (this.endedResolve = resolve));
  }

  /** Closes the connection (idempotent); resolves when it has ended. */
  async close(): Promise<void> {
    if (!this.closing) {
      this.closing = true;
      this.raw.close();
      // A broker that never answers our close must not hang shutdown.
      const timer = setTimeout(() => this.finish({}), 2_000);
      timer.unref();
    }
    await this.ended;
  }

  /** @internal */
  finish(end: ConnectionEnd): void {
    releaseSocket(this.raw);
    // Called from inside rhea's input(), which re-arms its heartbeat timer after
    // our handler returns: clear it again once input() is done, before anyone
    // awaiting `ended` runs (queued ahead of their continuations).
    queueMicrotask(() => releaseSocket(this.raw));
    this.endedResolve(end);
  }

  /** @internal */
  static create(raw: Connection, broker: BrokerInfo): BrokerConnection {
    return new BrokerConnection(raw, broker);
  }
}

/**
 * Opens a connection and waits for the broker's OPEN. Rejects with
 * BrokerUnreachableError (retry), or ConnectionError (exit 14: authentication,
 * vhost, TLS, or a broker older than RabbitMQ 4.0).
 */
export function openConnection(settings: ConnectionSettings): Promise<BrokerConnection> {
  const options: ConnectionOptions & Record<string, unknown> = {
    host: settings.host,
    port: settings.port,
    hostname: `vhost:${settings.vhost}`,
    reconnect: false,
    properties: { ...settings.properties },
    idle_time_out: settings.idleTimeoutMs,
    // Dispositions and flow frames are tiny; Nagle would hold them back.
    tcp_no_delay: true,
  };
  if (settings.tls) Object.assign(options, tlsConnectOptions(settings.host, settings.tls));
  if (!settings.tls?.external && settings.username !== undefined) {
    options.username = settings.username;
    if (settings.password !== undefined) options.password = settings.password;
  } else if (!settings.tls?.external) {
    // ANONYMOUS: rhea needs a username to do SASL at all, and RabbitMQ requires SASL.
    options.username = "anonymous";
  }

  return new Promise<BrokerConnection>((resolve, reject) => {
    const raw = ourContainer().connect(options);
    batchFramesPerTurn(raw);
    let wrapper: BrokerConnection | undefined;
    let opened = false;
    const timer = setTimeout(() => {
      if (opened) return;
      settleFailure(new BrokerUnreachableError(`no AMQP handshake with ${settings.displayUrl} within ${settings.connectTimeoutMs} ms`));
    }, settings.connectTimeoutMs);

    function settleFailure(error: Error): void {
      clearTimeout(timer);
      detachListeners();
      raw.on("disconnected", () => undefined); // keep rhea from logging what we report ourselves
      raw.on("error", () => undefined);
      releaseSocket(raw, true);
      reject(error);
    }

    const onOpen = (context: EventContext) => {
      opened = true;
      clearTimeout(timer);
      const broker = brokerInfo(context.connection);
      const unsupported = checkBroker(broker);
      if (unsupported) {
        raw.close();
        settleFailure(new ConnectionError(unsupported));
        return;
      }
      wrapper = BrokerConnection.create(raw, broker);
      const end = wrapper;
      detachListeners();
      raw.on("connection_error", () => undefined);
      raw.on("connection_close", (c: EventContext) => end.finish({ error: remoteError(c) }));
      raw.on("disconnected", (c: EventContext) => end.finish({ error: toError(c.error) ?? new Error("the connection was lost") }));
      raw.on("error", (e: unknown) => end.finish({ error: toError(e) }));
      // Session and link errors are handled by their owners; this keeps rhea from
      // escalating an unhandled one to the container's `error` event.
      raw.on("session_error", () => undefined);
      raw.on("receiver_error", () => undefined);
      raw.on("sender_error", () => undefined);
      resolve(wrapper);
    };
    const onRefused = (context: EventContext) => {
      // Closed by the broker before or during OPEN: authentication, vhost, permissions.
      settleFailure(refusedOpen(remoteError(context)));
    };
    const onDisconnected = (context: EventContext) => {
      // TCP was established but the AMQP handshake never finished: the broker
      // dropped us on purpose (RabbitMQ resets the socket for an unknown vhost).
      const tcpEstablished = ((raw as unknown as { conn_established_counter?: number }).conn_established_counter ?? 0) > 0;
      settleFailure(socketClosedBeforeOpen(toError(context.error), tcpEstablished, settings.displayUrl));
    };
    const onError = (error: unknown) => settleFailure(refusedOpen(toError(error)));

    function detachListeners(): void {
      raw.removeListener("connection_open", onOpen);
      raw.removeListener("connection_error", onRefused);
      raw.removeListener("disconnected", onDisconnected);
      raw.removeListener("error", onError);
    }
    raw.on("connection_open", onOpen);
    raw.on("connection_error", onRefused);
    raw.on("disconnected", onDisconnected);
    raw.on("error", onError);
  });
}

/**
 * rhea's options for TLS, handed by rhea to `tls.connect`. With `ca_cert` set, only
 * those CAs are trusted (Python's Twisted consumer: `trustRoot=ca_cert`);
 * otherwise Node's bundled roots and the system's store (see system-ca.ts). The certificate is checked against the URL's
 * host, name or IP address, like Python's service_identity.
 */
export function tlsConnectOptions(host: string, tls: NonNullable<ConnectionSettings["tls"]>): Record<string, unknown> {
  return {
    transport: "tls",
    // SNI names hosts, never addresses (RFC 6066). rhea would default it to the host,
    // and for an IP Node then prints a DEP0123 warning on stderr; "" sends no SNI, and
    // Node still verifies the certificate against `host` (its IP SANs).
    servername: isIP(host) ? "" : host,
    minVersion: "TLSv1.2",
    rejectUnauthorized: true,
    ...(tls.ca ? { ca: tls.ca } : {}),
    ...(tls.cert ? { cert: tls.cert } : {}),
    ...(tls.key ? { key: tls.key } : {}),
    // rhea then offers EXTERNAL; with no username it offers nothing else, so it is
    // what it picks whatever order the broker lists its mechanisms in.
    ...(tls.external ? { enable_sasl_external: true } : {}),
  };
}

/** Product and version from the broker's OPEN frame properties. */
export function brokerInfo(connection: Connection): BrokerInfo {
  const properties = ((connection as unknown as { remote?: { open?: { properties?: Record<string, unknown> } } }).remote?.open?.properties) ?? {};
  return { product: String(properties["product"] ?? "unknown"), version: String(properties["version"] ?? "unknown") };
}

/** An error sentence if this broker cannot carry fedora-messaging headers over AMQP 1.0. */
export function checkBroker(broker: BrokerInfo): string | undefined {
  const [major = 0, minor = 0] = broker.version.split(".").map((part) => Number.parseInt(part, 10));
  const tooOld = major < MIN_RABBITMQ[0] || (major === MIN_RABBITMQ[0] && minor < MIN_RABBITMQ[1]);
  if (broker.product === "RabbitMQ" && !tooOld) return undefined;
  return (
    `The broker is ${broker.product} ${broker.version}, but fedora-messaging headers need RabbitMQ >= 4.0 over AMQP 1.0 ` +
    "(RabbitMQ 3.x drops message headers on AMQP 1.0 and cannot declare bindings); upgrade the broker"
  );
}

/**
 * Destroys the socket and clears rhea's heartbeat timers. rhea clears them only
 * when it sees the socket end by itself; a destroyed socket leaves them armed
 * (the incoming one for twice the idle timeout), which keeps a library user's
 * process alive a minute after `consume()` or `publish()` returned. `again`:
 * clear them once more on the next turn (see below), for a refused OPEN only.
 */
function releaseSocket(raw: Connection, again = false): void {
  const internals = raw as unknown as {
    socket?: { destroy(): void };
    heartbeat_in?: NodeJS.Timeout;
    heartbeat_out?: NodeJS.Timeout;
    abort_idle?: NodeJS.Timeout;
  };
  internals.socket?.destroy();
  const clearTimers = () => {
    for (const timer of [internals.heartbeat_in, internals.heartbeat_out, internals.abort_idle]) if (timer) clearTimeout(timer);
    internals.heartbeat_in = internals.heartbeat_out = internals.abort_idle = undefined;
  };
  clearTimers();
  // Called from inside rhea's frame handling (a refused OPEN), rhea arms the
  // incoming heartbeat again once our handler returns (connection.js `input`):
  // without a second clear a refused connection kept a library user's process
  // alive for twice the idle timeout.
  if (again) setImmediate(clearTimers);
}

function remoteError(context: EventContext): Error | undefined {
  const error = context.connection?.error ?? (context as { error?: unknown }).error;
  return toError(error);
}
