/**
 * The parts of rhea 3.0.5's internals the AMQP peer (amqp-peer.ts) relies on
 * as a server, none of which rhea types or documents, in one place:
 * - link pairs: rhea keys a session's links by name and routes an incoming
 *   ATTACH by name alone, so the second link of RabbitMQ's `/management` pair
 *   (same name, other role) would land on the first; `attachLink` files it
 *   under a key of its own, like src/amqp/link-pair.ts does on the client side;
 * - the terminus of an ATTACH before rhea unwraps it, to decide whether to
 *   answer it at all;
 * - heartbeat timers rhea leaves armed on sockets it did not see end.
 */
import { createRequire } from "node:module";
import type { Connection, Receiver, Sender, Session } from "rhea";

/** Saved at load: tests may fake `setTimeout` (node:test mock.timers); the peer's waits stay real. */
export const realSetTimeout = globalThis.setTimeout;
const realClearTimeout = globalThis.clearTimeout;

const terminus = createRequire(import.meta.url)("rhea/lib/terminus.js") as { unwrap(field: unknown): { address?: string } | null };

export interface AttachFrame {
  channel: number;
  performative: {
    name: string;
    handle: number;
    role: boolean;
    source?: unknown;
    target?: unknown;
    snd_settle_mode?: number;
    rcv_settle_mode?: number;
  };
}

export interface ConnectionInternals {
  on_attach(frame: AttachFrame): void;
  remote_channel_map: Record<number, Session>;
}

export interface LinkInternals {
  on_attach(frame: AttachFrame): void;
  on_flow: (frame: { performative: { delivery_count?: number; link_credit?: number; drain?: boolean } }) => void;
  is_receiver(): boolean;
  is_sender(): boolean;
  credit: number;
  local: { attach: Record<string, unknown> };
  set_source(source: unknown): void;
  set_target(target: unknown): void;
}

interface SessionInternals {
  create_sender(name: string): Sender & LinkInternals;
  create_receiver(name: string): Receiver & LinkInternals;
  links: Record<string, (Sender | Receiver) & LinkInternals>;
  remote: { handles: Record<number, unknown> };
}

const PAIRED_SUFFIX = "\u0000paired";

/** The address of an ATTACH's (still wrapped) source or target. */
export function terminusAddress(field: unknown): string | undefined {
  return terminus.unwrap(field)?.address;
}

/**
 * Creates and opens our end of an incoming ATTACH: rhea's own way (`original`),
 * or, for the second link of a pair, a link of the other role filed under its
 * own key while the first keeps the name.
 */
export function attachLink(session: Session, frame: AttachFrame, original: (frame: AttachFrame) => void): (Sender | Receiver) & LinkInternals {
  const internals = session as unknown as SessionInternals;
  const { name, role: daemonReceives, handle } = frame.performative;
  const existing = internals.links[name];
  if (existing && existing.is_receiver() === Boolean(daemonReceives)) {
    const link = daemonReceives ? internals.create_sender(name) : internals.create_receiver(name);
    internals.links[name + PAIRED_SUFFIX] = link;
    internals.links[name] = existing;
    internals.remote.handles[handle] = link;
    link.on_attach(frame);
  } else {
    original(frame);
  }
  return internals.remote.handles[handle] as (Sender | Receiver) & LinkInternals;
}

/** Our sending link of the pair named `name` on `session`. */
export function pairedSender(session: Session, name: string): Sender | undefined {
  const links = (session as unknown as SessionInternals).links;
  return [links[name], links[name + PAIRED_SUFFIX]].find((link) => link?.is_sender()) as Sender | undefined;
}

/** Answers with the daemon's own terminus and settle modes, as RabbitMQ does. */
export function mirrorTerminus(link: LinkInternals, attach: AttachFrame["performative"]): void {
  const remote = (link as unknown as { remote: { attach?: { source?: unknown; target?: unknown } } }).remote.attach;
  if (remote?.source) link.set_source(remote.source);
  if (remote?.target) link.set_target(remote.target);
  if (attach.snd_settle_mode !== undefined) link.local.attach["snd_settle_mode"] = attach.snd_settle_mode;
  if (attach.rcv_settle_mode !== undefined) link.local.attach["rcv_settle_mode"] = attach.rcv_settle_mode;
}

/**
 * Clears rhea's heartbeat timers of a connection. rhea clears them only when it
 * sees its socket end by itself, and re-arms the incoming one (2 x idle
 * time-out) after every input it reads: a connection whose socket was
 * destroyed (by us, or by the daemon's BrokerConnection while rhea was
 * reading its CLOSE) would keep the test process alive for a minute.
 */
export function clearHeartbeats(connection: Connection): void {
  const timers = connection as unknown as Record<"heartbeat_in" | "heartbeat_out" | "abort_idle", NodeJS.Timeout | undefined>;
  for (const key of ["heartbeat_in", "heartbeat_out", "abort_idle"] as const) {
    // Both: the timer may have been made while a test faked setTimeout.
    if (timers[key]) {
      clearTimeout(timers[key]);
      realClearTimeout(timers[key]);
    }
    timers[key] = undefined;
  }
}
