// A peer: rascal, the AMQP 0-9-1 library with the most features a Node user
// would pick instead (over amqplib): one subscription to the pre-filled queue
// with the same prefetch as the daemon; rascal parses the JSON body itself and
// the handler acks. Arguments and output as bare-consumer.mjs.
import { writeFileSync } from "node:fs";
import { DrainClock } from "./_drain-clock.mjs";
import rascal from "rascal";

const [url, queue, countText, prefetchText, out] = process.argv.slice(2);
const total = Number(countText);
const prefetch = Number(prefetchText);

const config = {
  vhosts: {
    "/": {
      connection: { url },
      // The queue exists (the bench made and filled it): check it, never declare or purge it.
      queues: { [queue]: { assert: false, check: true } },
      subscriptions: { bench: { queue, prefetch } },
    },
  },
};
const broker = await rascal.BrokerAsPromised.create(rascal.withDefaultConfig(config));
broker.on("error", (error) => {
  console.error(`rascal: ${error.message}`);
  process.exit(1);
});
const clock = new DrainClock(total);
const subscription = await broker.subscribe("bench");
subscription.on("message", (_message, content, ackOrNack) => {
  const done = clock.tick();
  if (typeof content !== "object") throw new Error("rascal did not parse the JSON body");
  ackOrNack();
  if (done) {
    writeFileSync(out, clock.report());
    void broker.shutdown().then(() => process.exit(0));
  }
});
subscription.on("error", (error) => {
  console.error(`rascal subscription: ${error.message}`);
  process.exit(1);
});
