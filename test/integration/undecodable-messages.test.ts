/**
 * Messages whose AMQP encoding cannot be decoded, published by a hostile or
 * broken AMQP 1.0 client straight through RabbitMQ: the daemon rejects each
 * one like an invalid message (Python's WARNING) and goes on consuming, in
 * both callback modes. The worst of them is a decompression bomb: a body of 13
 * bytes declaring an array of 2^32 - 1 nulls, which rhea 3.0.5 decoded until
 * the heap ran out (build/patch-rhea.mjs), killing the consumer, and the
 * message came back to kill the next one.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import rhea from "rhea";
import { exchangeAddress } from "../../src/amqp/address.js";
import { brokerUrls } from "../support/broker.js";
import { waitForQueue } from "../support/management.js";
import { consumeToEnd, testQueues, writeConfig } from "./_harness.js";

const freshQueue = testQueues();

/** An amqp-value body holding an array32 of 2^32 - 1 nulls (zero bytes each). */
const NULL_BOMB = Buffer.from([0x00, 0x53, 0x77, 0xf0, 0x00, 0x00, 0x00, 0x05, 0xff, 0xff, 0xff, 0xff, 0x40]);
/** The same with decimal32 elements, which rhea read as empty slices past the end. */
const DECIMAL_BOMB = Buffer.from([0x00, 0x53, 0x77, 0xf0, 0x00, 0x00, 0x00, 0x05, 0xff, 0xff, 0xff, 0xff, 0x74]);

/** Sends each buffer as the encoded message (format 0) to amq.topic with `routingKey`; resolves once all are accepted. */
async function publishEncoded(routingKey: string, messages: readonly Buffer[]): Promise<void> {
  const url = new URL(brokerUrls().amqpUrl);
  const container = rhea.create_container();
  const connection = container.connect({ host: url.hostname, port: Number(url.port), username: decodeURIComponent(url.username), password: decodeURIComponent(url.password), reconnect: false });
  try {
    await new Promise<void>((resolve, reject) => {
      const sender = connection.open_sender({ target: { address: exchangeAddress("amq.topic", routingKey) } });
      let accepted = 0;
      sender.once("sendable", () => {
        for (const bytes of messages) sender.send(bytes as never, undefined, 0);
      });
      sender.on("accepted", () => {
        if (++accepted === messages.length) resolve();
      });
      for (const event of ["rejected", "released", "modified"] as const) sender.on(event, (context) => reject(new Error(`the broker answered ${event}: ${JSON.stringify(context.delivery?.remote_state)}`)));
      connection.on("connection_error", (context) => reject(context.connection.error ?? new Error("connection error")));
      connection.on("disconnected", (context) => reject(context.error ?? new Error("disconnected")));
    });
  } finally {
    connection.close();
  }
}

describe("messages whose AMQP encoding cannot be decoded", () => {
  for (const mode of ["worker", "in-process"] as const) {
    test(`array bombs are rejected as invalid and the consumer goes on (${mode})`, async () => {
      const queue = await freshQueue(`bomb-${mode}`);
      await publishEncoded(queue.routingKey, [NULL_BOMB, DECIMAL_BOMB]);
      await queue.publish([{ last: true }]);
      const config = writeConfig(queue, { callbackMode: mode, consumerConfig: { halt_after: 1 } });
      const { code, stdout } = await consumeToEnd(config);
      assert.equal(code, 0, stdout);
      const warnings = stdout.match(/\[fedora_messaging\.twisted\.consumer WARNING\] Message id None did not pass validation; ignoring message/g) ?? [];
      assert.equal(warnings.length, 2, stdout);
      assert.deepEqual(queue.records().map((r) => r["body"]), [{ last: true }]);
      // Rejected, not sent back: nothing left to crash the next consumer.
      await waitForQueue(queue.name, (q) => q.messages === 0, 10_000);
    });
  }
});
