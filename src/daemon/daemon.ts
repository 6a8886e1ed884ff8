/**
 * The consumer daemon: owns the callback runners, the connection, its
 * reconnection, the topology and the queue consumers, and decides how the run
 * ends. Nothing here exits the process: `run()` resolves or rejects with a
 * typed outcome, and the CLI turns that into an exit code in one place.
 *
 * One run, as in Python fedora-messaging (notes §1.2, §1.7, §1.8):
 * 1. load the callback (in its worker thread) before connecting;
 * 2. connect; an unreachable broker is retried forever with backoff, each
 *    attempt logged; a refused handshake is final (exit 14);
 * 3. declare queues and bindings; attach one consumer per queue;
 * 4. consume until: a stop request (signal) → graceful stop, "stopped";
 *    a HaltConsumer → every consumer stops, "halted" with its code; a
 *    callback error → CallbackError (13); the broker cancels a consumer →
 *    ConsumerCanceledError (12); the connection is lost → back to 2.
 */
import { randomUUID } from "node:crypto";
import type { Config } from "../config/types.js";
import { CallbackError, ConsumerCanceledError, UnexpectedRegistrationError, BadDeclarationError, FedoraMessagingError } from "../errors.js";
import { getLogger } from "../log.js";
import { BrokerUnreachableError, openConnection, type BrokerConnection, type ConnectionSettings } from "../amqp/connection.js";
import { ManagementClient } from "../amqp/management.js";
import { connectionSettings } from "../amqp/settings.js";
import { declareTopology } from "../amqp/topology.js";
import { InProcessRunner } from "../consumer/in-process-runner.js";
import type { MessageHandler } from "../consumer/process.js";
import { QueueConsumer, logUnsettleable, type ConsumerEnd } from "../consumer/queue-consumer.js";
import type { Outcome, Stop } from "../consumer/outcome.js";
import type { CallbackRunner, CallbackSource } from "../consumer/runner.js";
import { sumStats, type ConsumerStats } from "../consumer/stats.js";
import { WorkerRunner } from "../consumer/worker-runner.js";
import { Backoff } from "./backoff.js";
import { startWatchdog } from "./watchdog.js";
import { DurationHistogram, type DaemonMetrics } from "../monitoring/metrics.js";
import { startMonitoring, type MonitoringServer } from "../monitoring/server.js";

/** How RabbitMQ words a delivery acknowledgement timeout when it ends a consumer's session. */
const ACK_TIMEOUT = /acknowledgement .*timed out|consumer.?timeout/i;

/** Credit granted when `qos.prefetch_count = 0` (unlimited in AMQP 0-9-1). */
const UNLIMITED_PREFETCH = 1000;

const log = getLogger("fedora_messaging.twisted.protocol");
const factoryLog = getLogger("fedora_messaging.twisted.factory");

/** How a run ended without an error. */
export type DaemonOutcome =
  | { readonly kind: "stopped" }
  | { readonly kind: "halted"; readonly exitCode: number; readonly reason: string | undefined };

export interface DaemonOptions {
  readonly config: Config;
  /** A loaded function (runs in-process) or where to load the callback from. */
  readonly callback: MessageHandler | CallbackSource;
  /** Where callbacks run; a function callback always runs in-process. */
  readonly mode: "worker" | "in-process";
}

/** Per queue (by its configured name): the runner survives reconnections, its consumer does not. */
interface QueueSlot {
  readonly configName: string;
  readonly runner: CallbackRunner;
  consumer: QueueConsumer | undefined;
}

export class Daemon {
  private readonly slots: QueueSlot[] = [];
  private connection: BrokerConnection | undefined;
  private stopRequested = false;
  /** A halt or callback error reported while no consumer was attached (between connections). */
  private pendingEnd: { readonly slot: QueueSlot; readonly stop: Stop } | undefined;
  private wakeUp: (() => void) | undefined;
  private readonly backoff: Backoff;
  private running: Promise<DaemonOutcome> | undefined;
  private readonly durations = new DurationHistogram();
  private reconnects = 0;
  private monitoring: MonitoringServer | undefined;
  private settings: ConnectionSettings | undefined;

  constructor(private readonly options: DaemonOptions) {
    this.backoff = new Backoff({ maxMs: options.config.reconnect_max_delay * 1000 });
  }

  /** Counters summed over every queue (the monitoring server reads them). */
  get stats(): ConsumerStats {
    return sumStats(this.slots.map((slot) => slot.runner.stats.snapshot()));
  }

  /** True while every configured queue has an attached consumer. */
  get consuming(): boolean {
    return this.slots.length > 0 && this.slots.every((slot) => slot.consumer !== undefined);
  }

  /** Everything the monitoring server reports. */
  metrics(): DaemonMetrics {
    return {
      consuming: this.consuming && !this.stopRequested,
      published: 0,
      stats: this.stats,
      reconnects: this.reconnects,
      inFlight: this.slots.reduce((sum, slot) => sum + (slot.consumer?.unsettledCount ?? 0), 0),
      durations: this.durations,
    };
  }

  run(): Promise<DaemonOutcome> {
    this.running ??= this.runOnce().finally(() => this.closeRunners());
    return this.running;
  }

  /** Graceful stop: in-flight callbacks finish and are settled; the rest goes back to the queue. */
  stop(): void {
    if (this.stopRequested) return;
    this.stopRequested = true;
    const consumers = this.slots.filter((slot) => slot.consumer).length;
    log.info(`Waiting for ${consumers} consumer(s) to finish processing before halting`);
    this.wakeUp?.();
  }

  // --- internal ---

  private async runOnce(): Promise<DaemonOutcome> {
    // Read once, at start, like Python: a bad [tls] file fails now (exit 1), and a
    // certificate being rotated on disk cannot break a later reconnection.
    this.settings = connectionSettings(this.options.config);
    // The callback loads (in its worker) while the first connection attempt is
    // under way: both take about 0.1 s, and the first message arrives sooner.
    // A callback that cannot load still fails the run before anything is consumed.
    const firstAttempt = openConnection(this.settings).then(
      (connection) => connection,
      (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
    );
    try {
      await this.startRunners();
    } catch (error) {
      const first = await firstAttempt;
      if (!(first instanceof Error)) await first.close();
      throw error;
    }
    const { monitoring } = this.options.config;
    if (monitoring) this.monitoring = await startMonitoring(monitoring, () => this.metrics());
    for (let attempt = 0; ; attempt++) {
      if (this.pendingEnd) return this.endWith(this.pendingEnd.slot, this.pendingEnd.stop);
      if (this.stopRequested) return { kind: "stopped" };
      const connection = await this.connect(attempt === 0 ? firstAttempt : undefined);
      if (!connection) continue; // a stop or an end was requested while connecting
      if (attempt > 0) this.reconnects++;
      const end = await this.consumeOn(connection, attempt === 0);
      if (end) return end;
    }
  }

  private async startRunners(): Promise<void> {
    const { config, callback, mode } = this.options;
    for (const configName of Object.keys(config.queues)) {
      const runner: CallbackRunner =
        typeof callback === "function" || mode === "in-process"
          ? new InProcessRunner(configName, callback)
          : new WorkerRunner(configName, callback, config);
      const slot: QueueSlot = { configName, runner, consumer: undefined };
      this.slots.push(slot);
      await runner.start({ outcome: (id, outcome) => this.onRunnerOutcome(slot, id, outcome) });
    }
  }

  private onRunnerOutcome(slot: QueueSlot, id: number, outcome: Outcome): void {
    if (slot.consumer) {
      slot.consumer.onOutcome(id, outcome);
      return;
    }
    // Between connections: the message will be redelivered, but a halt or an
    // error still ends the run, as it would have with the connection up.
    logUnsettleable(id);
    if (outcome.stop && !this.pendingEnd) {
      this.pendingEnd = { slot, stop: outcome.stop };
      this.wakeUp?.();
    }
  }

  /** The run's end for a halt or callback error (after every consumer stopped). */
  private endWith(slot: QueueSlot, stop: Stop): DaemonOutcome {
    if (stop.kind === "halt") return { kind: "halted", exitCode: stop.exitCode, reason: stop.reason };
    throw Object.assign(
      new CallbackError(`Unexpected error occurred in consumer Consumer(queue=${slot.configName}, callback=${this.callbackName()}): ${stop.error.repr}`),
      { original: stop.error },
    );
  }

  /** Connects, retrying an unreachable broker until it answers or a stop is requested. */
  private async connect(first?: Promise<BrokerConnection | Error>): Promise<BrokerConnection | undefined> {
    const settings = this.settings!;
    for (;;) {
      try {
        const attempt = first ? await first : await openConnection(settings);
        first = undefined;
        if (attempt instanceof Error) throw attempt;
        const connection = attempt;
        log.info(`Connected to ${settings.displayUrl} (${connection.broker.product} ${connection.broker.version})`);
        return connection;
      } catch (error) {
        if (!(error instanceof BrokerUnreachableError)) throw error;
        if (this.stopRequested || this.pendingEnd) return undefined;
        const delay = this.backoff.next();
        factoryLog.info(`${error.message}; retrying in ${(delay / 1000).toFixed(1)} s`);
        if (await this.sleep(delay)) return undefined;
      }
    }
  }

  /**
   * Declares, attaches and consumes on one connection. Returns the run's
   * outcome, or undefined when the connection was lost and we should reconnect.
   */
  private async consumeOn(connection: BrokerConnection, firstRegistration: boolean): Promise<DaemonOutcome | undefined> {
    this.connection = connection;
    let management: ManagementClient | undefined;
    try {
      management = await this.register(connection);
    } catch (error) {
      const gone = !connection.raw.is_open();
      // Consumers already attached on this connection go with it.
      for (const slot of this.slots) {
        slot.consumer?.connectionLost(error instanceof Error ? error : new Error(String(error)));
        slot.consumer = undefined;
      }
      await connection.close();
      if (!firstRegistration && !this.stopRequested && (error instanceof BadDeclarationError || gone)) {
        // Python 3.9.1: a queue missing after a broker restart (passive declares) is
        // retried, and so is a connection lost while registering; with backoff.
        log.warning(`Failed to declare queue or binding while registering: ${(error as Error).message}; restarting connection.`);
        await this.sleep(this.backoff.next());
        return undefined;
      }
      throw registrationError(error);
    }
    // Only a connection that got as far as consuming resets the reconnection delay.
    this.backoff.reset();
    const ends = this.slots.map((slot) => slot.consumer!.ended.then((end) => ({ slot, end })));
    const stopped = new Promise<"stop">((resolve) => {
      this.wakeUp = () => resolve("stop");
      if (this.stopRequested || this.pendingEnd) resolve("stop");
    });
    const lost = connection.ended.then((end) => ({ lost: end }));
    const stopWatchdog = startWatchdog({
      timeoutSeconds: this.options.config.watchdog_timeout,
      consumers: () => this.slots.map((slot) => ({ consumer: slot.consumer, busy: slot.runner.busy })),
      management,
      restart: () => connection.close(),
    });
    const first = await Promise.race([stopped, lost, ...ends]);
    stopWatchdog();
    management.close();
    this.wakeUp = undefined;

    if (first === "stop") {
      await this.stopConsumers();
      await connection.close();
      if (this.pendingEnd) return this.endWith(this.pendingEnd.slot, this.pendingEnd.stop);
      log.info("All consumers have stopped; shutting down.");
      return { kind: "stopped" };
    }
    if ("lost" in first) {
      const error = first.lost.error ?? new Error("the connection was closed");
      log.warning(
        `The connection to the broker was lost (${error.message}), consumer halted; ` +
          "the connection should restart and consuming will resume.",
      );
      for (const slot of this.slots) {
        slot.consumer?.connectionLost(error);
        slot.consumer = undefined;
      }
      return undefined;
    }
    return this.onConsumerEnd(first.slot, first.end, connection);
  }

  /** Declares and attaches; returns the management client, kept for the watchdog. */
  private async register(connection: BrokerConnection): Promise<ManagementClient> {
    const management = await ManagementClient.open(connection.raw);
    let ok = false;
    try {
      const declared = await declareTopology(management, this.options.config);
      for (const queue of declared) {
        const slot = this.slots.find((s) => s.configName === queue.configName)!;
        const consumer = new QueueConsumer({
          connection: connection.raw,
          queue: queue.name,
          // prefetch_count 0 means "no limit" in AMQP 0-9-1; AMQP 1.0 needs a number: a generous one.
          prefetch: this.options.config.qos.prefetch_count > 0 ? this.options.config.qos.prefetch_count : UNLIMITED_PREFETCH,
          runner: slot.runner,
          tag: randomUUID(),
          onDuration: (ms) => this.durations.observe(ms),
        });
        await consumer.attach();
        slot.consumer = consumer;
        log.info(`Successfully registered AMQP consumer Consumer(queue=${queue.name}, callback=${this.callbackName()})`);
      }
      ok = true;
      return management;
    } finally {
      if (!ok) management.close();
    }
  }

  private async onConsumerEnd(slot: QueueSlot, end: ConsumerEnd, connection: BrokerConnection): Promise<DaemonOutcome | undefined> {
    switch (end.kind) {
      case "lost":
        // The link alone died (not the connection): start over on a fresh connection.
        if (ACK_TIMEOUT.test(end.error.message)) {
          // RabbitMQ's delivery acknowledgement timeout (consumer_timeout): Python 3.9's words.
          log.warning(
            "The channel was closed by the server, you may have to increase the consumer_timeout configuration on " +
              "RabbitMQ and/or decrease qos.prefetch_count in the fedora-messaging configuration file. Consuming will " +
              `resume, starting with the last processed message again. (${end.error.message})`,
          );
        } else {
          log.warning(`Consumer of queue ${slot.consumer?.queue} halted (${end.error.message}) unexpectedly; the connection will restart.`);
        }
        for (const s of this.slots) {
          s.consumer?.connectionLost(end.error);
          s.consumer = undefined;
        }
        await connection.close();
        return undefined;
      case "canceled":
        slot.consumer = undefined;
        await this.stopConsumers();
        await connection.close();
        throw new ConsumerCanceledError(undefined, { cause: end.error });
      case "stopped":
        slot.consumer = undefined;
        return undefined;
      case "halted": {
        slot.consumer = undefined;
        await this.stopConsumers();
        await connection.close();
        return this.endWith(slot, end.stop);
      }
    }
  }

  private async stopConsumers(): Promise<void> {
    await Promise.all(
      this.slots.map(async (slot) => {
        const consumer = slot.consumer;
        if (!consumer) return;
        await consumer.stop();
        slot.consumer = undefined;
        log.info(`Consumer(queue=${consumer.queue}, callback=${this.callbackName()}) consumer halted.`);
      }),
    );
  }

  private async closeRunners(): Promise<void> {
    await Promise.all(this.slots.map((slot) => slot.runner.close()));
    await this.connection?.close();
    await this.monitoring?.close();
  }

  private callbackName(): string {
    const callback = this.options.callback;
    return typeof callback === "function" ? `<function ${callback.name || "anonymous"}>` : callback.spec;
  }

  /** Sleeps `ms`; resolves true early if a stop or an end is requested meanwhile. */
  private sleep(ms: number): Promise<boolean> {
    if (this.stopRequested || this.pendingEnd) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wakeUp = undefined;
        resolve(false);
      }, ms);
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve(true);
      };
    });
  }
}

/** Anything unforeseen while registering is exit 11; our typed errors keep their code. */
function registrationError(error: unknown): Error {
  if (error instanceof FedoraMessagingError) return error;
  return new UnexpectedRegistrationError(`An unexpected error (${(error as Error)?.message ?? String(error)}) occurred while registering the consumer, please report this bug.`, { cause: error });
}
