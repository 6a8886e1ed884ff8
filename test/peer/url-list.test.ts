/**
 * `amqp_url` as a list, end to end: the built CLI is given two in-process
 * peers; the first one dies while the daemon consumes from it, and the daemon
 * moves on to the second, declares its queue there and consumes on. Every
 * address is logged masked (the password never appears).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { consumeWith, messages, peerConfig, startPeer } from "./_harness.js";

const USER = "fm";
const PASSWORD = "s3cret-pw";
const users = { [USER]: PASSWORD };

describe("amqp_url as a list of brokers", () => {
  test("the first broker dies: the daemon fails over to the second and consuming resumes there", async () => {
    const [a, b] = [await startPeer({ users }), await startPeer({ users })];
    const urls = [a.url({ user: USER, password: PASSWORD }), b.url({ user: USER, password: PASSWORD })];
    const setup = peerConfig(a, { amqpUrl: urls });
    const run = consumeWith(setup);

    const [first] = a.publish(setup.queue, messages(setup, [{ n: 1 }]));
    await a.waitFor("the first message accepted on the first broker", () => a.queue(setup.queue).outcomesOf(first!).includes("accepted"));
    assert.equal(b.connections.length, 0, "the second broker is not used while the first serves");

    await a.stop(); // killed: connections reset, the port refuses
    await b.waitFor("the queue declared and consumed on the second broker", () => (b.queues.get(setup.queue)?.consumers.size ?? 0) === 1);
    const [second, halt] = b.publish(setup.queue, messages(setup, [{ n: 2 }, { outcome: "halt" }]));

    assert.equal(await run.exited, 0, run.stdout() + run.stderr());
    assert.deepEqual(b.queue(setup.queue).outcomesOf(second!), ["accepted"]);
    assert.deepEqual(b.queue(setup.queue).outcomesOf(halt!), ["accepted"]);
    assert.deepEqual(b.bindings.map((x) => [x.source, x.destination_queue, x.binding_key]), [["amq.topic", setup.queue, setup.routingKey]]);
    assert.deepEqual(setup.records().map((r) => (r.body as Record<string, unknown>).n ?? (r.body as Record<string, unknown>).outcome), [1, 2, "halt"]);

    const out = run.stdout() + run.stderr();
    assert.ok(out.includes(`Connected to amqp://${USER}:****@127.0.0.1:${a.port}/`), out);
    assert.ok(out.includes(`Connected to amqp://${USER}:****@127.0.0.1:${b.port}/`), out);
    assert.ok(!out.includes(PASSWORD), "a password in the output");
  });

  test("a bad entry anywhere in the list is a configuration error at start (exit 2, like any bad config), its password masked", async () => {
    const a = await startPeer({ users });
    const setup = peerConfig(a, { amqpUrl: [a.url({ user: USER, password: PASSWORD }), `amqp://${USER}:${PASSWORD}@127.0.0.1:0/`] });
    const run = consumeWith(setup);
    assert.equal(await run.exited, 2, run.stdout() + run.stderr());
    const out = run.stdout() + run.stderr();
    assert.match(out, /'amqp_url\[1\]' is not a valid AMQP URL \("amqp:\/\/fm:\*\*\*\*@127\.0\.0\.1:0\/"\): the port must be a number from 1 to 65535/);
    assert.ok(!out.includes(PASSWORD), "a password in the output");
    assert.equal(a.connections.length, 0, "nothing connects before the whole list is valid");
  });
});
