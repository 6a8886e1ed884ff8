import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Backoff } from "../../../src/amqp/backoff.js";
import { BrokerPool } from "../../../src/amqp/brokers.js";
import type { ConnectionSettings } from "../../../src/amqp/connection.js";
import { BrokerUnreachableError } from "../../../src/amqp/errors.js";
import { ConnectionSupervisor, ReconnectRequest, type ConnectionStatus, type SupervisedConnection } from "../../../src/amqp/supervisor.js";
import { ConnectionError } from "../../../src/errors.js";


/** A connection the test ends by hand. */
class FakeConnection implements SupervisedConnection {
  readonly broker = { product: "RabbitMQ", version: "4.1.0" };
  readonly ended: Promise<{ error?: Error }>;
  closed = false;
  private resolveEnded!: (end: { error?: Error }) => void;
  constructor(readonly address: string) {
    this.ended = new Promise((resolve) => (this.resolveEnded = resolve));
  }
  lose(error: Error): void {
    this.resolveEnded({ error });
  }
  async close(): Promise<void> {
    this.closed = true;
    this.resolveEnded({});
  }
}

function address(name: string): ConnectionSettings {
  return { host: name, port: 5672, vhost: "/", properties: {}, idleTimeoutMs: 0, connectTimeoutMs: 1000, displayUrl: `amqp://${name}` };
}

/** Opens per a script: an address listed in `down` is unreachable. */
function opener(down: Set<string>, opened: FakeConnection[]) {
  return async (settings: ConnectionSettings): Promise<FakeConnection> => {
    if (down.has(settings.host)) throw new BrokerUnreachableError(`cannot reach ${settings.displayUrl}`);
    const connection = new FakeConnection(settings.host);
    opened.push(connection);
    return connection;
  };
}

/** Polls `condition` until it holds or the deadline passes. */
async function until(condition: () => boolean, deadlineMs = 2000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

const noDelay = () => new Backoff({ initialMs: 1, maxMs: 1, jitter: 0 });

describe("connection supervisor", () => {
  it("rotates through the pool: a broker down is skipped, the next one serves", async () => {
    const opened: FakeConnection[] = [];
    const statuses: ConnectionStatus[] = [];
    const supervisor = new ConnectionSupervisor({ pool: new BrokerPool([address("a"), address("b")]), maxDelayMs: 1, backoff: noDelay(), open: opener(new Set(["a"]), opened) });
    supervisor.onStatus((status) => statuses.push(status));
    supervisor.start();
    await until(() => opened.length === 1);
    assert.equal(opened[0]!.address, "b");
    assert.deepEqual(statuses.map((s) => s.kind), ["connecting", "connecting", "connected"]);
    assert.equal(await supervisor.close(), undefined);
    assert.equal(opened[0]!.closed, true);
    assert.equal(statuses.at(-1)?.kind, "closed");
  });

  it("re-runs on-connect work on every connection; a lost connection is replaced by the next address", async () => {
    const opened: FakeConnection[] = [];
    const worked: string[] = [];
    const supervisor = new ConnectionSupervisor({ pool: new BrokerPool([address("a"), address("b")]), maxDelayMs: 1, backoff: noDelay(), open: opener(new Set(), opened) });
    supervisor.onConnect(async (connection, { first }) => void worked.push(`${connection.address}:${first}`));
    const disconnected: Error[] = [];
    supervisor.onStatus((status) => status.kind === "disconnected" && disconnected.push(status.reason));
    supervisor.start();
    await until(() => worked.length === 1);
    opened[0]!.lose(new Error("amqp:connection:forced"));
    await until(() => worked.length === 2);
    assert.deepEqual(worked, ["a:true", "b:false"]);
    assert.equal(disconnected[0]?.message, "amqp:connection:forced");
    await supervisor.close();
  });

  it("after a failover it stays on the node that works, and on the next loss moves on in list order, not back to the first", async () => {
    // The README's decision (Configuration): the list order is where a daemon starts; a node
    // that came back does not get its connections back, as RabbitMQ's own clients behave.
    const opened: FakeConnection[] = [];
    const down = new Set(["a"]);
    const supervisor = new ConnectionSupervisor({ pool: new BrokerPool([address("a"), address("b"), address("c")]), maxDelayMs: 1, backoff: noDelay(), open: opener(down, opened) });
    supervisor.start();
    await until(() => opened.length === 1);
    assert.equal(opened[0]!.address, "b", "a is down: b");
    down.delete("a"); // a is back; the connection to b goes on
    opened[0]!.lose(new Error("amqp:connection:forced"));
    await until(() => opened.length === 2);
    assert.equal(opened[1]!.address, "c", "b lost: the next one, c, although a (first in the list) is up again");
    opened[1]!.lose(new Error("amqp:connection:forced"));
    await until(() => opened.length === 3);
    assert.equal(opened[2]!.address, "a", "then round to a");
    await supervisor.close();
  });

  it("a refused handshake is final: closed() carries the error", async () => {
    const refused = new ConnectionError("bad credentials");
    const supervisor = new ConnectionSupervisor<FakeConnection>({ pool: new BrokerPool([address("a")]), maxDelayMs: 1, open: async () => { throw refused; } });
    supervisor.start();
    assert.equal(await supervisor.closed(), refused);
  });

  it("ReconnectRequest from on-connect work gets a new connection; another error ends it", async () => {
    const opened: FakeConnection[] = [];
    const supervisor = new ConnectionSupervisor({ pool: new BrokerPool([address("a")]), maxDelayMs: 1, backoff: noDelay(), open: opener(new Set(), opened) });
    const boom = new Error("boom");
    supervisor.onConnect(async () => {
      throw opened.length === 1 ? new ReconnectRequest("try again") : boom;
    });
    supervisor.start();
    assert.equal(await supervisor.closed(), boom);
    assert.equal(opened.length, 2);
    assert.ok(opened.every((connection) => connection.closed));
  });

  it("close() cancels the backoff delay of an unreachable broker", async () => {
    let delayed = false;
    const backoff = new Backoff({ initialMs: 60_000, random: () => ((delayed = true), 0.5) });
    const supervisor = new ConnectionSupervisor<FakeConnection>({ pool: new BrokerPool([address("a")]), maxDelayMs: 60_000, backoff, open: opener(new Set(["a"]), []) });
    supervisor.start();
    await until(() => delayed); // the 60 s delay has begun: only a cancelled delay ends this test in time
    const reason = new Error("stop");
    assert.equal(await supervisor.close(reason), reason);
  });

  it("closeAfter(): the connection stays open for the drain, one lost meanwhile is not replaced, the drain's reason ends it", async () => {
    const opened: FakeConnection[] = [];
    const supervisor = new ConnectionSupervisor({ pool: new BrokerPool([address("a")]), maxDelayMs: 1, backoff: noDelay(), open: opener(new Set(), opened) });
    supervisor.start();
    await until(() => opened.length === 1);
    const reason = new Error("halted");
    let openDuringDrain = false;
    const closed = supervisor.closeAfter(async () => {
      openDuringDrain = !opened[0]!.closed;
      opened[0]!.lose(new Error("connection reset")); // lost while draining
      await new Promise((resolve) => setTimeout(resolve, 20));
      return reason;
    });
    assert.equal(await closed, reason);
    assert.equal(openDuringDrain, true);
    assert.equal(opened.length, 1, "no new connection while draining");
    assert.equal(await supervisor.close(new Error("later")), reason, "a later close changes nothing");
  });

  it("a failed ready gate closes the first connection and ends with its error", async () => {
    const opened: FakeConnection[] = [];
    const supervisor = new ConnectionSupervisor({ pool: new BrokerPool([address("a")]), maxDelayMs: 1, open: opener(new Set(), opened) });
    const failure = new Error("callback cannot load");
    supervisor.start(Promise.reject(failure));
    assert.equal(await supervisor.closed(), failure);
    assert.equal(opened[0]?.closed, true);
  });

  it("a crash loop slows down: connections that end early wait for the growing backoff; a stable one resets it", async () => {
    const opened: FakeConnection[] = [];
    const delays: number[] = [];
    // A backoff that records each delay it hands out (kept at 1 ms so the test runs fast).
    const backoff = new Backoff({ initialMs: 1, maxMs: 1, jitter: 0 });
    const next = backoff.next.bind(backoff);
    let resets = 0;
    backoff.next = () => (delays.push(delays.length + 1), next());
    const reset = backoff.reset.bind(backoff);
    backoff.reset = () => (resets++, reset());
    const statuses: ConnectionStatus[] = [];
    const supervisor = new ConnectionSupervisor({ pool: new BrokerPool([address("a")]), maxDelayMs: 1, backoff, stableAfterMs: 200, open: opener(new Set(), opened) });
    supervisor.onStatus((status) => statuses.push(status));
    supervisor.start();
    for (let i = 1; i <= 3; i++) {
      await until(() => opened.length === i);
      opened[i - 1]!.lose(new Error("session ended: cannot convert a message"));
    }
    await until(() => opened.length === 4);
    assert.equal(delays.length, 2, "the first early end is replaced at once, each following one waits for a backoff delay");
    assert.equal(resets, 0, "no reset before a connection was stable");
    await until(() => statuses.some((s) => s.kind === "stable"), 5_000);
    assert.equal(resets, 1);
    opened[3]!.lose(new Error("lost after serving well"));
    await until(() => opened.length === 5);
    assert.equal(delays.length, 2, "a stable connection's end is replaced at once");
    await supervisor.close();
  });
});
