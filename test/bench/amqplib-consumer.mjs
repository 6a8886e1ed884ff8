// A peer: the consumer a Node user would write by hand with amqplib (AMQP
// 0-9-1, which RabbitMQ serves on the same port as AMQP 1.0): the same
// prefetch as the daemon, JSON.parse of each body, a manual ack. Arguments and
// output as bare-consumer.mjs.
import { writeFileSync } from "node:fs";
import amqp from "amqplib";

const [url, queue, countText, prefetchText, out] = process.argv.slice(2);
const total = Number(countText);
const prefetch = Number(prefetchText);

const connection = await amqp.connect(url);
const channel = await connection.createChannel();
await channel.prefetch(prefetch);
let seen = 0;
let first = 0;
await channel.consume(queue, (message) => {
  if (seen === 0) first = Date.now();
  seen++;
  JSON.parse(message.content.toString("utf8"));
  channel.ack(message);
  if (seen === total) {
    writeFileSync(out, JSON.stringify({ first, last: Date.now(), seen }));
    void connection.close().then(() => process.exit(0));
  }
});
