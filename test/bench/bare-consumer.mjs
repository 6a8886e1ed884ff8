// The ceiling: a bare rhea consumer with manual accept and the same credit
// (prefetch) as the daemon, topped up as messages are settled. No decoding, no
// callback, no logging.
import { writeFileSync } from "node:fs";
import rhea from "rhea";
import { DrainClock } from "./_drain-clock.mjs";

const [url, queue, countText, prefetchText, out] = process.argv.slice(2);
const total = Number(countText);
const prefetch = Number(prefetchText);
const u = new URL(url);
const connection = rhea.create_container().connect({
  host: u.hostname, port: Number(u.port), username: decodeURIComponent(u.username), password: decodeURIComponent(u.password),
  hostname: "vhost:/", reconnect: false,
});
const receiver = connection.open_receiver({ source: { address: `/queues/${encodeURIComponent(queue)}` }, credit_window: 0, autoaccept: false });
const clock = new DrainClock(total);
let settled = 0;
receiver.on("receiver_open", () => receiver.add_credit(prefetch));
receiver.on("message", (context) => {
  const done = clock.tick();
  context.delivery.accept();
  settled++;
  // Top up in batches of half the window, as a careful hand-written consumer would.
  if (settled >= Math.max(1, prefetch >> 1)) {
    receiver.add_credit(settled);
    settled = 0;
  }
  if (done) {
    writeFileSync(out, clock.report());
    connection.close();
  }
});
connection.on("connection_close", () => process.exit(0));
