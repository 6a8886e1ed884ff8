/**
 * Python's publish signals (`fedora_messaging.signals`, blinker signals),
 * sent by `publish()` at the same moments and with the same arguments:
 *
 * - `pre_publish_signal` ("pre_publish"): before the message is validated and
 *   sent, `{ message }`; a receiver may change the message (it is validated
 *   after). A receiver that throws makes `publish()` reject with its error,
 *   nothing sent and no failure signal (Python's `twisted_publish`).
 * - `publish_signal` ("publish_success"): once the broker accepted it, `{ message }`.
 * - `publish_failed_signal` ("publish_failed_signal"): when publishing failed,
 *   `{ message, reason }` with the error `publish()` then rejects with (Python
 *   passes `reason`, though its docstring says `error`). A receiver of
 *   `publish_signal` that throws counts as a failure, as in Python. On a
 *   timeout the reason is the PublishTimeout (Python's is the CancelledError
 *   of its cancelled publish).
 *
 * Receivers get `(sender, kwargs)`, the sender being the `publish` function,
 * as blinker calls them; they run one after the other in the order they were
 * connected, and one that returns a promise is awaited (Python runs them in a
 * thread and waits). Signals are per thread, like the publishing connection:
 * connect them in the thread that publishes.
 */
import type { Message } from "../message/message.js";

/** A receiver: called with the sender and the keyword arguments of `send`. */
export type Receiver<K> = (sender: unknown, kwargs: K) => unknown;

/** The small part of blinker's `Signal` that fedora-messaging's signals are used with. */
export class Signal<K> {
  readonly #receivers: Receiver<K>[] = [];

  constructor(
    /** blinker's signal name. */
    readonly name: string,
  ) {}

  /** Calls `receiver` on every `send` from now on; connecting it twice has no effect. Returns it (usable as a decorator). */
  connect<R extends Receiver<K>>(receiver: R): R {
    if (!this.#receivers.includes(receiver)) this.#receivers.push(receiver);
    return receiver;
  }

  /** Stops calling `receiver`. */
  disconnect(receiver: Receiver<K>): void {
    const at = this.#receivers.indexOf(receiver);
    if (at !== -1) this.#receivers.splice(at, 1);
  }

  /** The receivers connected, in order. */
  get receivers(): readonly Receiver<K>[] {
    return [...this.#receivers];
  }

  /**
   * Calls every receiver with `(sender, kwargs)`, awaiting each; resolves with
   * `[receiver, result]` pairs as blinker's `send` returns. A receiver that
   * throws stops the sending and the error is thrown.
   */
  async send(sender: unknown, kwargs: K): Promise<Array<[Receiver<K>, unknown]>> {
    const results: Array<[Receiver<K>, unknown]> = [];
    for (const receiver of [...this.#receivers]) results.push([receiver, await receiver(sender, kwargs)]);
    return results;
  }
}

export interface PublishSignalArgs {
  readonly message: Message;
}

export interface PublishFailedSignalArgs {
  readonly message: Message;
  readonly reason: unknown;
}

export const pre_publish_signal = new Signal<PublishSignalArgs>("pre_publish");
export const publish_signal = new Signal<PublishSignalArgs>("publish_success");
export const publish_failed_signal = new Signal<PublishFailedSignalArgs>("publish_failed_signal");

/** camelCase names of the same signals. */
export { pre_publish_signal as prePublishSignal, publish_signal as publishSignal, publish_failed_signal as publishFailedSignal };
