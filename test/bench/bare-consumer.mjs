// The ceiling: a bare rhea consumer with manual accept and the same credit
// (prefetch) as the daemon, topped up as messages are settled. No decoding, no
// callback, no logging.
import { writeFileSync } from "node:fs";
import rhea from "rhea";

const [url, queue, countText, prefetchText, out] = process.argv.slice(2);
const total = Number(countText);
const prefetch = Number(prefetchText);
const u = new URL(url);
const connection = rhea.create_container().connect({
  host: u.hostname, port: Number(u.port), username: decodeURIComponent(u.username), password: decodeURIComponent(u.password),
  hostname: "vhost:/", reconnect: false,
});
const receiver = connection.open_receiver({ source: { address: `/queues/${encodeURIComponent(queue)}` }, credit_window: 0, autoaccept: false });
let seen = 0;
let first = 0;
let settled = 0;
receiver.on("receiver_open", () => receiver.add_credit(prefetch));
receiver.on("message", (context) => {
  if (seen === 0) first = Date.now();
  seen++;
  context.delivery.accept();
  settled++;
  // Top up in batches of half the window, as a careful hand-written consumer would.
  if (settled >= Math.max(1, prefetch >> 1)) {
    receiver.add_credit(settled);
    settled = 0;
  }
  if (seen === total) {
    writeFileSync(out, JSON.stringify({ first, last: Date.now(), seen }));
    connection.close();
  }
});
connection.on("connection_close", () => process.exit(0));
