// A peer: the consumer a Node user would write by hand with amqplib (AMQP
// 0-9-1, which RabbitMQ serves on the same port as AMQP 1.0): the same
// prefetch as the daemon, JSON.parse of each body, a manual ack. Arguments and
// output as bare-consumer.mjs.
import { writeFileSync } from "node:fs";
import amqp from "amqplib";
import { DrainClock } from "./_drain-clock.mjs";

const [url, queue, countText, prefetchText, out] = process.argv.slice(2);
const total = Number(countText);
const prefetch = Number(prefetchText);

const connection = await amqp.connect(url);
const channel = await connection.createChannel();
await channel.prefetch(prefetch);
const clock = new DrainClock(total);
await channel.consume(queue, (message) => {
  const done = clock.tick();
  JSON.parse(message.content.toString("utf8"));
  channel.ack(message);
  if (done) {
    writeFileSync(out, clock.report());
    void connection.close().then(() => process.exit(0));
  }
});
