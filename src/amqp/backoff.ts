/**
 * Exponential backoff with jitter for reconnection, shaped like Twisted's
 * ReconnectingClientFactory that Python fedora-messaging relies on (initial
 * 1 s, factor e, ±12 % jitter), but capped at one minute instead of an hour:
 * a daemon should notice a recovered broker within a minute.
 */
export interface BackoffOptions {
  readonly initialMs?: number;
  readonly factor?: number;
  readonly maxMs?: number;
  /** Relative spread, 0.12 = ±12 %. */
  readonly jitter?: number;
  readonly random?: () => number;
}

export class Backoff {
  private delay: number;
  private readonly initialMs: number;
  private readonly factor: number;
  private readonly maxMs: number;
  private readonly jitter: number;
  private readonly random: () => number;

  constructor(options: BackoffOptions = {}) {
    this.initialMs = options.initialMs ?? 1_000;
    this.factor = options.factor ?? Math.E;
    this.maxMs = options.maxMs ?? 60_000;
    this.jitter = options.jitter ?? 0.1196;
    this.random = options.random ?? Math.random;
    this.delay = this.initialMs;
  }

  /** The next delay, ms; grows each call until `reset()`. */
  next(): number {
    const base = Math.min(this.delay, this.maxMs);
    this.delay = Math.min(this.delay * this.factor, this.maxMs);
    const spread = base * this.jitter * (this.random() * 2 - 1);
    return Math.max(0, Math.round(base + spread));
  }

  reset(): void {
    this.delay = this.initialMs;
  }
}
