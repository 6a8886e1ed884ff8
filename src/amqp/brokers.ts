/**
 * The brokers a supervisor may connect to, and which one to try next.
 *
 * One address per URL of the config's `amqp_url`; several addresses give
 * failover: each attempt takes the next address in turn, so that a broker that
 * went away is not retried before the others were (nats.js's server list
 * rotates the same way). The supervisor waits a backoff delay only after a
 * whole round of addresses failed.
 *
 * The cursor is never reset to the first address: after a failover the
 * daemon stays on the broker that answered until that one fails too, then
 * goes on to the one after it (RabbitMQ's own clients do not move back to a
 * recovered node either). The list's order says where a daemon starts, not
 * which node it must return to; the README's Configuration section says so.
 */
import type { ConnectionSettings } from "./connection.js";

export class BrokerPool {
  private readonly addresses: readonly ConnectionSettings[];
  private cursor = 0;

  /** @throws RangeError for an empty list: a pool needs an address to connect to. */
  constructor(addresses: readonly ConnectionSettings[]) {
    if (addresses.length === 0) throw new RangeError("a broker pool needs at least one address");
    this.addresses = [...addresses];
  }

  /** How many addresses the pool holds: one round of attempts. */
  get size(): number {
    return this.addresses.length;
  }

  /** The address to try now; the following call returns the one after it, round and round. */
  next(): ConnectionSettings {
    const address = this.addresses[this.cursor % this.addresses.length]!;
    this.cursor = (this.cursor + 1) % this.addresses.length;
    return address;
  }
}
