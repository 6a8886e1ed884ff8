/**
 * A shim that lets one rhea session hold an AMQP "link pair": a sender and a
 * receiver with the same link name, as RabbitMQ 4's `/management` node
 * requires (HTTP-over-AMQP, "Link Pair" extension).
 *
 * Why a shim: rhea keys `session.links` by link name and routes the peer's
 * ATTACH by name alone, so the second link of a name replaces the first, the
 * first is never processed (no ATTACH sent), and the peer's two ATTACH frames
 * both land on the same object. We keep rhea's code paths and only:
 *  1. file the sender under a private key in `session.links`, so rhea still
 *     processes it (sends its ATTACH, its transfers) while the receiver keeps
 *     the real name;
 *  2. route the peer's ATTACH by role: an ATTACH whose role says the peer is a
 *     receiver answers our sender.
 * The shim touches one session instance only, and nothing else may use that
 * session (management runs on a session of its own anyway, because an
 * unsupported management request makes RabbitMQ end the whole session).
 */
import type { Receiver, ReceiverOptions, Sender, SenderOptions, Session } from "rhea";

/** The parts of rhea's session internals the shim relies on (not in rhea's typings). */
interface SessionInternals {
  links: Record<string, unknown>;
  on_attach(frame: { performative: { name: string; role: boolean } }): void;
}

export interface LinkPair {
  readonly sender: Sender;
  readonly receiver: Receiver;
}

const SENDER_KEY_SUFFIX = "\u0000paired-sender";

/** Opens a sender and a receiver named `name` on `session`, addressed to `address`. */
export function openLinkPair(session: Session, name: string, address: string): LinkPair {
  const internals = session as unknown as SessionInternals;
  const pairedProperties = { paired: true };

  const sender = session.attach_sender({
    name,
    target: { address },
    snd_settle_mode: 1, // settled: RabbitMQ requires pre-settled requests
    rcv_settle_mode: 0,
    properties: pairedProperties,
  } as SenderOptions);
  // (1) move the sender out of the way of the receiver that takes its name.
  internals.links[name + SENDER_KEY_SUFFIX] = sender;
  delete internals.links[name];

  const receiver = session.attach_receiver({
    name,
    source: { address },
    snd_settle_mode: 1,
    rcv_settle_mode: 0,
    autoaccept: false,
    credit_window: 0,
    properties: pairedProperties,
  } as ReceiverOptions);

  // (2) route the peer's ATTACH for our sender (peer role = receiver = true).
  const original = internals.on_attach;
  internals.on_attach = function routeByRole(this: SessionInternals, frame) {
    const { name: linkName, role } = frame.performative;
    if (linkName !== name || !role) return original.call(this, frame);
    const receiverEntry = this.links[name];
    this.links[name] = sender;
    try {
      original.call(this, frame);
    } finally {
      this.links[name] = receiverEntry;
    }
  };
  return { sender, receiver };
}
