/**
 * Keeps a message that is returned to the queue over and over from flooding
 * the log. A callback that always throws `Nack` makes RabbitMQ redeliver the
 * message at once, thousands of times a second, and Python logs two lines each
 * time ("Consuming message ...", "Returning message id ... to the queue"):
 * gigabytes of journal an hour, and the lines about every other message lost
 * in it.
 *
 * The first `LOUD_RETURNS` returns of a message id are logged exactly as
 * Python logs them. After that, while the id keeps coming back within
 * `QUIET_WINDOW_MS`, its two lines are replaced by one summary WARNING per
 * window naming the id, the count and the real fix (a delivery limit).
 * Any other outcome of the message is logged as usual.
 */

/** Returns of one message logged line by line before it is summarised. */
export const LOUD_RETURNS = 3;
/** One summary line per message per window; an id unseen this long starts afresh. */
export const QUIET_WINDOW_MS = 5_000;
/** Message ids remembered at most (the oldest are forgotten first). */
const MAX_TRACKED = 1_000;

interface Returns {
  /** Returns seen in a row, each within QUIET_WINDOW_MS of the previous. */
  total: number;
  /** Returns not logged since the last summary. */
  unlogged: number;
  lastSeen: number;
  lastSummary: number;
}

export class RedeliveryLog {
  private readonly returns = new Map<string, Returns>();

  constructor(
    private readonly summarise: (id: string, count: number, windowSeconds: number) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether the lines about this delivery of `id` are to be written (false while it loops). */
  isLoud(id: string): boolean {
    const entry = this.fresh(id);
    return entry === undefined || entry.total < LOUD_RETURNS;
  }

  /** The message was returned to the queue; its lines were written if `isLoud` said so. */
  returned(id: string): void {
    const now = this.now();
    let entry = this.fresh(id);
    if (entry === undefined) {
      if (this.returns.size >= MAX_TRACKED) this.returns.delete(this.returns.keys().next().value!);
      entry = { total: 0, unlogged: 0, lastSeen: now, lastSummary: now };
      this.returns.set(id, entry);
    }
    const quiet = entry.total >= LOUD_RETURNS;
    entry.total++;
    entry.lastSeen = now;
    if (!quiet) return;
    entry.unlogged++;
    if (now - entry.lastSummary >= QUIET_WINDOW_MS) this.flush(id, entry, now);
  }

  /** The message ended otherwise (accepted, dropped, ...): say how often it was returned unlogged. */
  settled(id: string): void {
    const entry = this.returns.get(id);
    if (entry === undefined) return;
    if (entry.unlogged > 0) this.flush(id, entry, this.now());
    this.returns.delete(id);
  }

  /** Summaries of every message still looping whose window has passed (called on a timer). */
  tick(): void {
    const now = this.now();
    for (const [id, entry] of this.returns) {
      if (entry.unlogged > 0 && now - entry.lastSummary >= QUIET_WINDOW_MS) this.flush(id, entry, now);
      if (now - entry.lastSeen >= QUIET_WINDOW_MS && entry.unlogged === 0) this.returns.delete(id);
    }
  }

  // --- internal ---

  /** The entry of `id` if it was returned recently enough to still be looping. */
  private fresh(id: string): Returns | undefined {
    const entry = this.returns.get(id);
    if (entry === undefined) return undefined;
    if (this.now() - entry.lastSeen < QUIET_WINDOW_MS) return entry;
    if (entry.unlogged > 0) this.flush(id, entry, this.now());
    this.returns.delete(id);
    return undefined;
  }

  private flush(id: string, entry: Returns, now: number): void {
    this.summarise(id, entry.unlogged, Math.max(1, Math.round((now - entry.lastSummary) / 1000)));
    entry.unlogged = 0;
    entry.lastSummary = now;
  }
}
