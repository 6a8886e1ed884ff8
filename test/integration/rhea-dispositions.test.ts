/**
 * Regression test for the rhea 3.0.5 bug that build/patch-rhea.mjs fixes:
 * settlements made in one event-loop turn were merged into one DISPOSITION
 * carrying the first outcome, so a released message right after an accepted
 * one was acknowledged and lost. Against the real broker: settle a mix of
 * accept/release/reject in one turn; exactly the released messages must come
 * back. (With `node build/patch-rhea.mjs --revert` this test fails.)
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import rhea, { type Delivery, type EventContext } from "rhea";
import { brokerUrls, uniqueName } from "../support/broker.js";
import { declareQueue, deleteQueue, waitForQueue } from "../support/management.js";
import { publishMessages } from "../support/publish.js";

const queue = uniqueName("rhea-dispositions");
after(() => deleteQueue(queue));

const OUTCOMES = ["accept", "release", "reject", "accept", "release", "release", "accept", "reject"] as const;

test("settlements of different outcomes in one turn are all sent", async () => {
  const { amqpUrl } = brokerUrls();
  await declareQueue(queue, { durable: true, auto_delete: false, arguments: {} });
  await publishMessages(
    amqpUrl,
    OUTCOMES.map((_, index) => ({ topic: "rhea.dispositions", body: { index } })),
    { exchange: "", routingKey: queue },
  );
  await waitForQueue(queue, (q) => q.messages_ready === OUTCOMES.length, 20_000);

  const first = await receive(amqpUrl, queue, OUTCOMES.length, (deliveries) => {
    // All in one synchronous block: one event-loop turn, one batch of dispositions.
    deliveries.forEach(({ delivery }, index) => {
      const outcome = OUTCOMES[index]!;
      if (outcome === "accept") delivery.accept();
      else if (outcome === "release") delivery.release();
      else delivery.reject();
    });
  });
  assert.deepEqual(first.map((d) => d.index), OUTCOMES.map((_, i) => i));

  const released = OUTCOMES.flatMap((outcome, index) => (outcome === "release" ? [index] : []));
  await waitForQueue(queue, (q) => q.messages_ready === released.length && q.messages_unacknowledged === 0, 20_000);
  const again = await receive(amqpUrl, queue, released.length, (deliveries) => deliveries.forEach(({ delivery }) => delivery.accept()));
  assert.deepEqual(again.map((d) => d.index).sort(), released);
  await waitForQueue(queue, (q) => q.messages === 0, 20_000);
});

/** Receives exactly `count` messages with `count` credit, hands them to `settle` together, closes. */
function receive(
  amqpUrl: string,
  address: string,
  count: number,
  settle: (deliveries: Array<{ delivery: Delivery; index: number }>) => void,
): Promise<Array<{ index: number }>> {
  const url = new URL(amqpUrl);
  return new Promise((resolve, reject) => {
    const connection = rhea.create_container().connect({
      host: url.hostname,
      port: Number(url.port),
      username: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password),
      hostname: "vhost:/",
      reconnect: false,
    });
    const got: Array<{ delivery: Delivery; index: number }> = [];
    const receiver = connection.open_receiver({ source: { address: `/queues/${encodeURIComponent(address)}` }, credit_window: 0, autoaccept: false });
    receiver.on("receiver_open", () => receiver.add_credit(count));
    receiver.on("message", (context: EventContext) => {
      const content = (context.message!.body as { content: Buffer }).content;
      got.push({ delivery: context.delivery!, index: (JSON.parse(content.toString()) as { index: number }).index });
      if (got.length === count) {
        settle(got);
        // Let rhea write the dispositions, then close cleanly.
        setTimeout(() => {
          connection.close();
        }, 200);
      }
    });
    connection.on("connection_close", () => resolve(got.map(({ index }) => ({ index }))));
    connection.on("error", reject);
    connection.on("disconnected", (context: EventContext) => {
      if (got.length < count) reject(context.error ?? new Error("disconnected"));
    });
  });
}
