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
import { brokerUrls } from "../support/broker.js";
import { waitForQueue } from "../support/management.js";
import { publishMessages } from "../support/publish.js";
import { consumeToEnd, testQueues, writeConfig } from "./_harness.js";

const freshQueue = testQueues();

/** An amqp-value body holding an array32 of 2^32 - 1 nulls (zero bytes each). */
const NULL_BOMB = Buffer.from([0x00, 0x53, 0x77, 0xf0, 0x00, 0x00, 0x00, 0x05, 0xff, 0xff, 0xff, 0xff, 0x40]);
/** The same with decimal32 elements, which rhea read as empty slices past the end. */
const DECIMAL_BOMB = Buffer.from([0x00, 0x53, 0x77, 0xf0, 0x00, 0x00, 0x00, 0x05, 0xff, 0xff, 0xff, 0xff, 0x74]);

describe("messages whose AMQP encoding cannot be decoded", () => {
  for (const mode of ["worker", "in-process"] as const) {
    test(`array bombs are rejected as invalid and the consumer goes on (${mode})`, async () => {
      const queue = await freshQueue(`bomb-${mode}`);
      // Sent as they are, by a client that writes its own encoding: RabbitMQ 4.0.5 delivers them unchanged.
      await publishMessages(brokerUrls().amqpUrl, [NULL_BOMB, DECIMAL_BOMB].map((encoded) => ({ topic: queue.routingKey, encoded })));
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
