/**
 * Keeps one live connection to a broker of a pool, for as long as it is asked
 * to: the connect loop, its backoff and its log lines, in one place for the
 * consumer today and a publisher later (nats.js's client lifecycle is the
 * model: a server list, a status stream, `closed()`).
 *
 * - An unreachable broker is retried forever: the next address of the pool at
 *   once, then, after a whole round failed, the next address after a backoff
 *   delay (1 s growing to `maxDelayMs`; reset once a connection has served `stableAfterMs`).
 *   A refused handshake (ConnectionError, exit 14) is final, except a
 *   handshake the broker dropped once we had been connected to it: a broker
 *   restarting accepts TCP and resets it while it boots.
 * - Registered on-connect work (declaring, attaching consumers) runs, in order,
 *   on every new connection. Work that throws `ReconnectRequest` gets a fresh
 *   connection after a backoff delay; any other throw closes the supervisor
 *   with that error.
 * - A connection that ends (lost, or `restart()`) is replaced at once when it
 *   had served `stableAfterMs` (the backoff then starts over) or is the first
 *   to end sooner; when the next one ends early too, it is replaced after the
 *   next backoff delay: a crash loop slows down to `maxDelayMs` instead of
 *   spinning.
 * - `close(reason)` is idempotent, cancels a pending delay, lets running
 *   on-connect work finish, closes the connection; `closed()` then resolves
 *   with the reason (undefined for a plain close). `closeAfter(drain)` first
 *   lets the owner finish with the open connection (consumers settling their
 *   in-flight messages) and replaces no connection lost meanwhile.
 */
import { getLogger } from "../log.js";
import { Backoff } from "./backoff.js";
import type { BrokerPool } from "./brokers.js";
import { openConnection, type BrokerConnection, type BrokerInfo, type ConnectionSettings } from "./connection.js";
import { BrokerUnreachableError, retryableAfterConnected } from "./errors.js";

// Python's loggers for these lines: the protocol says it connected, the factory retries.
const log = getLogger("fedora_messaging.twisted.protocol");
const factoryLog = getLogger("fedora_messaging.twisted.factory");

/** What the supervisor needs of a connection (a BrokerConnection; tests pass fakes). */
export interface SupervisedConnection {
  readonly broker: BrokerInfo;
  readonly ended: Promise<{ readonly error?: Error | undefined }>;
  close(): Promise<void>;
}

/** Where the supervisor is; `address` is the masked URL. */
export type ConnectionStatus =
  | { readonly kind: "connecting"; readonly address: string }
  | { readonly kind: "connected"; readonly address: string; readonly broker: BrokerInfo }
  | { readonly kind: "disconnected"; readonly address: string; readonly reason: Error }
  /** The connection has served for `stableAfterMs`: the backoff starts over (see `run`). */
  | { readonly kind: "stable"; readonly address: string }
  | { readonly kind: "closed"; readonly reason: Error | undefined };

export interface OnConnectContext {
  /** True until on-connect work has once succeeded: a failure then is a configuration problem, not a restart. */
  readonly first: boolean;
}

export type OnConnect<C> = (connection: C, context: OnConnectContext) => Promise<void>;

/** Thrown by on-connect work when this connection cannot serve but a later one may: reconnect after a backoff delay. */
export class ReconnectRequest extends Error {
  override name = "ReconnectRequest";
}

export interface SupervisorOptions<C> {
  readonly pool: BrokerPool;
  /** The longest backoff delay, ms (the config's `reconnect_max_delay`). */
  readonly maxDelayMs: number;
  /** Opens one connection; rejects with BrokerUnreachableError to be retried. Default: `openConnection`. */
  readonly open?: (settings: ConnectionSettings) => Promise<C>;
  /** Default: Twisted's shape, capped at `maxDelayMs`. */
  readonly backoff?: Backoff;
  /** How long a connection must serve before it counts as healthy. Default: STABLE_AFTER_MS. */
  readonly stableAfterMs?: number;
  /**
   * The level of the lines about connecting, retrying and reconnecting.
   * Default "info"; "debug" for publishing, whose connection Python never
   * mentions (its CLI's output stays Python's).
   */
  readonly connectionLogLevel?: "info" | "debug";
}

/**
 * A connection that served this long was healthy: if it ends, the next one is
 * made at once and the backoff starts over. One that ends sooner is a crash
 * loop in the making (a message the broker cannot convert ends the session
 * right after every registration): the next connection waits for the backoff,
 * which grows to `reconnect_max_delay`.
 */
export const STABLE_AFTER_MS = 30_000;

export class ConnectionSupervisor<C extends SupervisedConnection = BrokerConnection> {
  private readonly pool: BrokerPool;
  private readonly open: (settings: ConnectionSettings) => Promise<C>;
  private readonly backoff: Backoff;
  private readonly stableAfterMs: number;
  private readonly say: { readonly factory: (line: string) => void; readonly protocol: (line: string) => void };
  private readonly work: OnConnect<C>[] = [];
  private readonly listeners = new Set<(status: ConnectionStatus) => void>();
  private current: C | undefined;
  private working = false;
  private closing: { readonly reason: Error | undefined } | undefined;
  /** Set by closeAfter() while its drain runs: nothing reconnects. */
  private draining: Promise<unknown> | undefined;
  private readonly closeCalled: Promise<void>;
  private resolveCloseCalled!: () => void;
  private cancelDelay: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private finished = false;
  private readonly closedPromise: Promise<Error | undefined>;
  private resolveClosed!: (reason: Error | undefined) => void;

  constructor(options: SupervisorOptions<C>) {
    this.pool = options.pool;
    this.open = options.open ?? (openConnection as unknown as (settings: ConnectionSettings) => Promise<C>);
    this.backoff = options.backoff ?? new Backoff({ maxMs: options.maxDelayMs });
    const level = options.connectionLogLevel ?? "info";
    this.say = { factory: (line) => factoryLog[level](line), protocol: (line) => log[level](line) };
    this.stableAfterMs = options.stableAfterMs ?? STABLE_AFTER_MS;
    this.closedPromise = new Promise((resolve) => (this.resolveClosed = resolve));
    this.closeCalled = new Promise((resolve) => (this.resolveCloseCalled = resolve));
  }

  /** Registers work to run on every new connection, after the work registered before it. */
  onConnect(work: OnConnect<C>): void {
    this.work.push(work);
  }

  /** Calls `listener` with every status change; returns the function that stops it. */
  onStatus(listener: (status: ConnectionStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The open connection, if any. */
  get connection(): C | undefined {
    return this.current;
  }

  /**
   * Starts connecting (once). With `ready`, the first connection opens while
   * `ready` settles, and is used only once it resolved; if it rejects, the
   * connection is closed and the supervisor closes with that error.
   */
  start(ready?: Promise<unknown>): void {
    // Awaited only once the first attempt settled: until then a rejection must not count as unhandled.
    ready?.catch(() => undefined);
    this.loop ??= this.run(ready).then(
      (reason) => this.finish(reason),
      (error: unknown) => this.finish(asError(error)),
    );
  }

  /** Closes the current connection; the supervisor replaces it at once. */
  async restart(): Promise<void> {
    await this.current?.close();
  }

  /** Stops for good (idempotent; during `closeAfter`'s drain it waits for that close); resolves with `closed()`. */
  close(reason?: Error): Promise<Error | undefined> {
    return this.draining ? this.closedPromise : this.closeNow(reason);
  }

  /**
   * Closes once `drain` has run with the connection still open, with the
   * reason `drain` resolves to (its error if it throws). From this call on, a
   * pending delay ends and a lost connection is not replaced. Only the first
   * close counts; a later call just waits for it.
   */
  async closeAfter(drain: () => Promise<Error | undefined>): Promise<Error | undefined> {
    if (this.closing || this.draining) return this.closed();
    let reason: Error | undefined;
    this.draining = drain().then(
      (value) => (reason = value),
      (error: unknown) => (reason = asError(error)),
    );
    this.cancelDelay?.();
    await this.draining;
    return this.closeNow(reason);
  }

  /** Resolves once closed: with the reason given to `close()`, or the error that ended the supervisor. */
  closed(): Promise<Error | undefined> {
    return this.closedPromise;
  }

  // --- internal ---

  private async run(ready: Promise<unknown> | undefined): Promise<Error | undefined> {
    let first = true;
    let failuresThisRound = 0;
    /** Connections in a row that ended before they were stable. */
    let endedEarly = 0;
    for (;;) {
      const atStart = await this.stopping();
      if (atStart) return atStart.reason;
      const settings = this.pool.next();
      const address = settings.displayUrl;
      this.emit({ kind: "connecting", address });
      let attempt = await this.open(settings).then((connection) => connection, asError);
      if (!first && attempt instanceof Error) attempt = retryableAfterConnected(attempt) ?? attempt;
      if (ready) {
        const gate = ready;
        ready = undefined;
        try {
          await gate;
        } catch (error) {
          if (!(attempt instanceof Error)) await attempt.close();
          return asError(error);
        }
      }
      if (attempt instanceof Error) {
        if (!(attempt instanceof BrokerUnreachableError)) return attempt;
        const afterFailure = await this.stopping();
        if (afterFailure) return afterFailure.reason;
        if (++failuresThisRound < this.pool.size) {
          this.say.factory(`${attempt.message}; trying the next broker`);
          continue;
        }
        failuresThisRound = 0;
        const delay = this.backoff.next();
        this.say.factory(`${attempt.message}; retrying in ${(delay / 1000).toFixed(1)} s`);
        await this.sleep(delay);
        continue;
      }
      failuresThisRound = 0;
      const connection = attempt;
      if (this.closeRequest() || this.draining) {
        await connection.close();
        return (await this.stopping())!.reason;
      }
      const failure = await this.serve(connection, address, first);
      if (failure === "reconnect") {
        await this.sleep(this.backoff.next());
        continue;
      }
      if (failure) return failure;
      first = false;
      const servedAt = Date.now();
      let stable = false;
      const stableTimer = setTimeout(() => {
        stable = true;
        this.backoff.reset();
        this.emit({ kind: "stable", address });
      }, this.stableAfterMs);
      const end = await connection.ended;
      clearTimeout(stableTimer);
      this.current = undefined;
      const afterEnd = await this.stopping();
      if (afterEnd) return afterEnd.reason;
      this.emit({ kind: "disconnected", address, reason: end.error ?? new Error("the connection was closed") });
      endedEarly = stable ? 0 : endedEarly + 1;
      // One early end is replaced at once (a connection killed by an administrator); a second in a row starts the backoff.
      if (endedEarly > 1) {
        const delay = this.backoff.next();
        this.say.factory(
          `The connection to ${address} ended ${((Date.now() - servedAt) / 1000).toFixed(1)} s after it was set up; ` +
            `reconnecting in ${(delay / 1000).toFixed(1)} s (connections that keep ending early are retried less and less often)`,
        );
        await this.sleep(delay);
      }
    }
  }

  /** Announces the connection and runs the on-connect work; says what went wrong, if anything. */
  private async serve(connection: C, address: string, first: boolean): Promise<Error | "reconnect" | undefined> {
    this.current = connection;
    this.say.protocol(`Connected to ${address} (${connection.broker.product} ${connection.broker.version})`);
    this.emit({ kind: "connected", address, broker: connection.broker });
    this.working = true;
    try {
      for (const work of this.work) await work(connection, { first });
    } catch (error) {
      this.current = undefined;
      await connection.close();
      // After close() a ReconnectRequest ends the loop: the sleep returns at once.
      return error instanceof ReconnectRequest ? "reconnect" : asError(error);
    } finally {
      this.working = false;
    }
    if (this.closeRequest()) void connection.close();
    return undefined;
  }

  /** Waits `ms`, or less if `close()` is called meanwhile. */
  private sleep(ms: number): Promise<void> {
    if (this.closing || this.draining) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      this.cancelDelay = done;
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
    }).then(() => {
      this.cancelDelay = undefined;
    });
  }

  private closeNow(reason: Error | undefined): Promise<Error | undefined> {
    if (!this.closing) {
      this.closing = { reason };
      this.resolveCloseCalled();
      this.cancelDelay?.();
      if (!this.working) void this.current?.close();
      if (!this.loop) this.finish(reason);
    }
    return this.closedPromise;
  }

  /** Read through a call: TypeScript would keep a check made before an `await` narrowed after it. */
  private closeRequest(): { readonly reason: Error | undefined } | undefined {
    return this.closing;
  }

  /** The close request, if any; while a drain runs, waits for the close that follows it. */
  private async stopping(): Promise<{ readonly reason: Error | undefined } | undefined> {
    if (this.draining) await this.closeCalled;
    return this.closeRequest();
  }

  private finish(reason: Error | undefined): void {
    if (this.finished) return;
    this.finished = true;
    this.closing ??= { reason };
    this.current = undefined;
    this.emit({ kind: "closed", reason });
    this.resolveClosed(reason);
  }

  private emit(status: ConnectionStatus): void {
    for (const listener of this.listeners) listener(status);
  }
}

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
