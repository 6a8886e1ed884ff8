/** Pre-filling a benchmark's queue with Fedora-shaped messages, on the broker the management helpers point at. */
import { sampleMessages } from "../demo/messages.js";
import { bindQueue, declareQueue, deleteQueue, waitForQueue } from "../support/management.js";
import { publishMessages } from "../support/publish.js";

/**
 * (Re)declares `queue` with `queueArguments` (a classic queue by default), binds
 * it to amq.topic with `bench.<queue>`, publishes `count` messages through
 * `amqpUrl` in confirmed batches, and resolves once the queue holds them all.
 */
export async function fillQueue(amqpUrl: string, queue: string, count: number, queueArguments: Record<string, unknown> = {}): Promise<void> {
  await deleteQueue(queue).catch(() => undefined);
  await declareQueue(queue, { durable: true, auto_delete: false, arguments: queueArguments });
  await bindQueue(queue, "amq.topic", `bench.${queue}`);
  const samples = sampleMessages();
  const batch = 2_000;
  for (let sent = 0; sent < count; sent += batch) {
    const n = Math.min(batch, count - sent);
    await publishMessages(
      amqpUrl,
      Array.from({ length: n }, (_, i) => {
        const sample = samples[(sent + i) % samples.length]!;
        return { topic: `bench.${queue}`, body: sample.body, headers: sample.headers };
      }),
    );
  }
  await waitForQueue(queue, (q) => q.messages_ready === count, 60_000);
}
