/**
 * The consumer daemon: owns the callback runners and the queue consumers, and
 * decides how the run ends. The connection, its reconnection and backoff
 * belong to a ConnectionSupervisor (amqp/supervisor.ts), which re-runs our
 * registration on every new connection. Nothing here exits the process:
 * `run()` resolves or rejects with a typed outcome, and the CLI turns that
 * into an exit code in one place.
 *
 * One run, as in Python fedora-messaging (notes §1.2, §1.7, §1.8):
 * 1. load the callback (in its worker thread) while the first connection opens;
 * 2. the supervisor connects; an unreachable broker is retried forever with
 *    backoff, each attempt logged; a refused handshake is final (exit 14);
 * 3. on each connection: declare queues and bindings, attach one consumer per queue;
 * 4. consume until: a stop request (signal) → graceful stop, "stopped";
 *    a HaltConsumer → every consumer stops, "halted" with its code; a
 *    callback error → CallbackError (13); the broker cancels a consumer →
 *    ConsumerCanceledError (12); the connection is lost → the supervisor
 *    reconnects and step 3 runs again.
 */
import type { Config } from "../config/types.js";
import { CallbackError, ConsumerCanceledError } from "../errors.js";
import { getLogger } from "../log.js";
import { orderStdout } from "../output.js";
import { BrokerPool } from "../amqp/brokers.js";
import { isAckTimeout } from "../amqp/errors.js";
import type { BrokerConnection } from "../amqp/connection.js";
import type { ManagementClient } from "../amqp/management.js";
import { brokerAddresses } from "../amqp/settings.js";
import { ConnectionSupervisor, ReconnectRequest, type OnConnectContext } from "../amqp/supervisor.js";
import { registerSchemaPackages } from "../callback/schemas.js";
import { InProcessRunner, loadSource } from "../runner/in-process-runner.js";
import type { MessageHandler } from "../runner/process.js";
import { logUnsettleable, type ConsumerEnd } from "../consumer/queue-consumer.js";
import type { Outcome } from "../consumer/outcome.js";
import type { CallbackEnd, RunEnd } from "../ending.js";
import type { CallbackSource } from "../callback/spec.js";
import type { CallbackRunner } from "../consumer/runner.js";
import { sumStats, type ConsumerStats } from "../consumer/stats.js";
import { WorkerRunner } from "../runner/worker-runner.js";
import { INTERNAL_FAILURE_RETRIES_AT_START, attachConsumers, brokerFailedInternally, logRetry, registrationError, retriedOnReconnection, type QueueSlot } from "./registration.js";
import { startWatchdog } from "./watchdog.js";
import { isConversionFailure, logConversionFailure } from "./unconvertible.js";
import { DurationHistogram, type DaemonMetrics } from "../monitoring/metrics.js";
import { startMonitoring, type MonitoringServer } from "../monitoring/server.js";

const log = getLogger("fedora_messaging.twisted.protocol");

export interface DaemonOptions {
  readonly config: Config;
  /** A loaded function (runs in-process) or where to load the callback from. */
  readonly callback: MessageHandler | CallbackSource;
  /** Where callbacks run; a function callback always runs in-process. */
  readonly mode: "worker" | "in-process";
}


export class Daemon {
  private readonly slots: QueueSlot[] = [];
  private supervisor: ConnectionSupervisor | undefined;
  private stopRequested = false;
  /**
   * A halt or callback error that ends the run once every consumer stopped:
   * reported while no consumer was attached (between connections), or while
   * other callbacks were in flight (`callback_concurrency` > 1).
   */
  private pendingEnd: { readonly slot: QueueSlot; readonly stop: CallbackEnd } | undefined;
  /** Set while consumers are attached and watched: ends that watch. */
  private wakeUp: (() => void) | undefined;
  /** True from registration on a connection until that connection is given up. */
  private onConnection = false;
  /** First registrations retried after the broker failed internally (see `brokerFailedInternally`). */
  private internalFailuresAtStart = 0;
  /** The watch of the current connection; the run ends after it. */
  private watching: Promise<void> | undefined;
  /** How the run ended, when it ended without an error. */
  private end: RunEnd | undefined;
  private running: Promise<RunEnd> | undefined;
  private readonly durations = new DurationHistogram();
  private connections = 0;
  /** Sessions RabbitMQ ended because it could not convert a message; `blocked` until a connection is stable again. */
  private conversionFailures = 0;
  private blocked = false;
  private monitoring: MonitoringServer | undefined;

  constructor(private readonly options: DaemonOptions) {}

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
      // A queue blocked by a message RabbitMQ cannot convert is not consuming, even while attached.
      consuming: this.consuming && !this.stopRequested && !this.blocked,
      published: 0,
      conversionFailures: this.conversionFailures,
      stats: this.stats,
      reconnects: Math.max(0, this.connections - 1),
      inFlight: this.slots.reduce((sum, slot) => sum + (slot.consumer?.unsettledCount ?? 0), 0),
      durations: this.durations,
    };
  }

  run(): Promise<RunEnd> {
    this.running ??= this.runOnce().finally(() => this.closeRunners());
    return this.running;
  }

  /** Graceful stop: in-flight callbacks finish and are settled; the rest goes back to the queue. */
  stop(): void {
    if (this.stopRequested) return;
    this.stopRequested = true;
    const consumers = this.slots.filter((slot) => slot.consumer).length;
    log.info(`Waiting for ${consumers} consumer(s) to finish processing before halting`);
    this.wake();
  }

  // --- internal ---

  private async runOnce(): Promise<RunEnd> {
    const { config } = this.options;
    // Log lines are batched (output.ts); from now on other stdout writes queue behind them.
    orderStdout();
    // Read once, at start, like Python: a bad [tls] file fails now (exit 1), and a
    // certificate being rotated on disk cannot break a later reconnection.
    const supervisor = new ConnectionSupervisor({
      pool: new BrokerPool(brokerAddresses(config)),
      maxDelayMs: config.reconnect_max_delay * 1000,
    });
    this.supervisor = supervisor;
    supervisor.onStatus((status) => {
      if (status.kind === "connected") this.connections++;
      if (status.kind === "stable") this.blocked = false;
    });
    supervisor.onConnect((connection, context) => this.register(connection, context));
    // The callback loads (in its worker) while the first connection attempt is
    // under way: both take about 0.1 s, and the first message arrives sooner.
    // A callback that cannot load still fails the run before anything is consumed.
    supervisor.start(this.startRunners());
    const reason = await supervisor.closed();
    await this.watching;
    if (reason) throw reason;
    if (this.end) return this.end;
    if (this.pendingEnd) return this.endWith(this.pendingEnd.slot, this.pendingEnd.stop);
    return { kind: "stopped" };
  }

  private async startRunners(): Promise<void> {
    const { config, callback, mode } = this.options;
    const inProcess = typeof callback === "function" || mode === "in-process";
    // Messages decode on the main thread: its registry needs the installed schema packages.
    if (inProcess) await registerSchemaPackages(config.plugin_dir);
    // Python instantiates a class callback once per process: on the main thread every queue shares it.
    const handler = typeof callback === "function" ? callback : inProcess ? await loadSource(callback) : undefined;
    for (const configName of Object.keys(config.queues)) {
      const runner: CallbackRunner =
        handler !== undefined || typeof callback === "function"
          ? new InProcessRunner(configName, handler ?? callback, { fromPlugin: typeof callback !== "function", concurrency: config.callback_concurrency })
          : new WorkerRunner(configName, callback, config);
      const slot: QueueSlot = { configName, runner, consumer: undefined };
      this.slots.push(slot);
      await runner.start({ outcome: (id, outcome) => this.onRunnerOutcome(slot, id, outcome) });
    }
    const { monitoring } = config;
    if (monitoring) this.monitoring = await startMonitoring(monitoring, () => this.metrics());
  }

  private onRunnerOutcome(slot: QueueSlot, id: number | undefined, outcome: Outcome): void {
    if (slot.consumer) {
      slot.consumer.onOutcome(id, outcome);
      // With several callbacks in flight, a halt or an error ends the run as a
      // stop does, so that the others finish and are settled first; a stop asked
      // for earlier keeps its own end, as with one callback at a time.
      if (outcome.stop && id !== undefined && slot.runner.concurrency > 1 && !this.stopRequested && !this.pendingEnd) {
        this.pendingEnd = { slot, stop: outcome.stop };
        this.wake();
      }
      return;
    }
    // Between connections: the message will be redelivered, but a halt or an
    // error still ends the run, as it would have with the connection up.
    if (id !== undefined) logUnsettleable(id);
    if (outcome.stop && !this.pendingEnd) {
      this.pendingEnd = { slot, stop: outcome.stop };
      this.wake();
    }
  }

  /**
   * A stop or an end was requested: the watch of the attached consumers handles
   * it; between connections the supervisor stops (a pending backoff delay is
   * cancelled); while registering, the watch that follows sees the request.
   */
  private wake(): void {
    if (this.wakeUp) this.wakeUp();
    else if (!this.onConnection) void this.supervisor?.close();
  }

  /** The run's end for a halt or callback error (after every consumer stopped). */
  private endWith(slot: QueueSlot, stop: CallbackEnd): RunEnd {
    if (stop.kind === "halted") return stop;
    throw Object.assign(new CallbackError(`Consumer(queue=${slot.configName}, callback=${this.callbackName()})`, stop.error.repr), { original: stop.error });
  }

  /** Records a halt as the run's end; returns the error a failed callback stands for (the supervisor's close reason). */
  private endReason(slot: QueueSlot, stop: CallbackEnd): Error | undefined {
    try {
      this.end = this.endWith(slot, stop);
      return undefined;
    } catch (error) {
      return error as Error;
    }
  }

  /**
   * Ends the run: every consumer stops (in-flight messages settled on the
   * still open connection, which is not replaced if lost meanwhile), then the
   * supervisor closes with the reason `then` gives.
   */
  private endRun(then: () => Error | undefined): Promise<Error | undefined> {
    return this.supervisor!.closeAfter(async () => {
      await this.stopConsumers();
      return then();
    });
  }

  /**
   * On-connect work: declares, attaches and starts watching the consumers. A
   * failure on a later connection that a new connection may cure (a queue
   * missing after a broker restart, the connection lost meanwhile) asks the
   * supervisor for a new connection after a backoff delay; anything else ends the run.
   */
  private async register(connection: BrokerConnection, { first }: OnConnectContext): Promise<void> {
    this.onConnection = true;
    let management: ManagementClient;
    try {
      management = await attachConsumers(connection, this.slots, {
        config: this.options.config,
        onDuration: (ms) => this.durations.observe(ms),
        callbackName: this.callbackName(),
      });
    } catch (error) {
      const gone = !connection.raw.is_open();
      // Consumers already attached on this connection go with it.
      this.dropConsumers(error instanceof Error ? error : new Error(String(error)));
      await connection.close();
      this.onConnection = false;
      if (this.stopRequested || this.pendingEnd) void this.supervisor!.close();
      const retriedAtStart = first && brokerFailedInternally(error) && ++this.internalFailuresAtStart <= INTERNAL_FAILURE_RETRIES_AT_START;
      if ((!first || retriedAtStart) && !this.stopRequested && retriedOnReconnection(error, gone)) {
        logRetry(error);
        throw new ReconnectRequest("registration failed", { cause: error });
      }
      throw registrationError(error);
    }
    // A watch that fails (it should not) ends the run with its error rather than leaving it hanging.
    this.watching = this.watch(connection, management).catch((error: unknown) => {
      void this.supervisor!.close(error instanceof Error ? error : new Error(String(error)));
    });
  }

  /** Consumes on one connection until a stop, an end, or the connection or a consumer is lost. */
  private async watch(connection: BrokerConnection, management: ManagementClient): Promise<void> {
    const ends = this.slots.map((slot) => slot.consumer!.ended.then((end) => ({ slot, end })));
    const stopped = new Promise<"stop">((resolve) => {
      this.wakeUp = () => resolve("stop");
      if (this.stopRequested || this.pendingEnd) resolve("stop");
    });
    const lost = connection.ended.then((end) => ({ lost: end }));
    const stopWatchdog = startWatchdog({
      timeoutSeconds: this.options.config.watchdog_timeout,
      consumers: () =>
        this.slots.map((slot) => ({
          consumer: slot.consumer,
          busy: slot.runner.busy,
          singleActive: this.options.config.queues[slot.configName]?.arguments["x-single-active-consumer"] === true,
        })),
      management,
      restart: () => this.supervisor!.restart(),
    });
    const first = await Promise.race([stopped, lost, ...ends]);
    stopWatchdog();
    management.close();
    this.wakeUp = undefined;

    if (first === "stop") {
      await this.endRun(() => (this.pendingEnd ? this.endReason(this.pendingEnd.slot, this.pendingEnd.stop) : undefined));
      if (!this.pendingEnd) log.info("All consumers have stopped; shutting down.");
      return;
    }
    if ("lost" in first) {
      const error = first.lost.error ?? new Error("the connection was closed");
      log.warning(
        `The connection to the broker was lost (${error.message}), consumer halted; ` +
          "the connection should restart and consuming will resume.",
      );
      this.giveUpConnection(error);
      return;
    }
    return this.onConsumerEnd(first.slot, first.end);
  }

  private async onConsumerEnd(slot: QueueSlot, end: ConsumerEnd): Promise<void> {
    switch (end.kind) {
      case "lost":
        // The link alone died (not the connection): start over on a fresh connection.
        if (isAckTimeout(end.error)) {
          // RabbitMQ's delivery acknowledgement timeout (consumer_timeout): Python 3.9's words.
          log.warning(
            "The channel was closed by the server, you may have to increase the consumer_timeout configuration on " +
              "RabbitMQ and/or decrease qos.prefetch_count in the fedora-messaging configuration file. Consuming will " +
              `resume, starting with the last processed message again. (${end.error.message})`,
          );
        } else {
          log.warning(`Consumer of queue ${slot.consumer?.queue} halted (${end.error.message}) unexpectedly; the connection will restart.`);
        }
        this.giveUpConnection(end.error);
        await this.supervisor!.restart();
        return;
      case "canceled":
        slot.consumer = undefined;
        await this.endRun(() => new ConsumerCanceledError(undefined, { cause: end.error }));
        return;
      case "stopped":
        // Only stopConsumers() stops a consumer, after the watch has ended: not reached.
        slot.consumer = undefined;
        return;
      case "callback":
        slot.consumer = undefined;
        await this.endRun(() => this.endReason(slot, end.end));
        return;
    }
  }

  /** This connection's consumers are gone; a stop or end asked for from now on closes the supervisor. */
  private giveUpConnection(error: Error): void {
    if (isConversionFailure(error)) {
      this.conversionFailures++;
      this.blocked = true;
      logConversionFailure(this.slots.map((slot) => slot.consumer?.queue ?? slot.configName));
    }
    this.dropConsumers(error);
    this.onConnection = false;
    if (this.stopRequested || this.pendingEnd) void this.supervisor!.close();
  }

  private dropConsumers(error: Error): void {
    for (const slot of this.slots) {
      slot.consumer?.connectionLost(error);
      slot.consumer = undefined;
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
    await this.supervisor?.close();
    await this.monitoring?.close();
  }

  private callbackName(): string {
    const callback = this.options.callback;
    return typeof callback === "function" ? `<function ${callback.name || "anonymous"}>` : callback.spec;
  }
}


