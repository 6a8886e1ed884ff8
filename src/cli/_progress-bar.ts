/**
 * click 8.1's `progressbar(length=N)` as Python's `record` drives it: one
 * `update(1)` a message, never inside a `with` block, on stdout. The bytes are
 * click's (seen running Python's `record --limit` under a pty): each redraw is
 * "\r\x1b[?25l" (return, hide the cursor), the line
 * `  [<36 chars of # and ->]  <pct>%[  HH:MM:SS]`, then spaces over whatever
 * a longer earlier line left; a line equal to the last is not redrawn. The
 * ETA appears once a step comes a second or more after the last estimate (the
 * mean time per message of up to 7 estimates, times the messages left), and
 * not on the last line. Without the `with` block click never ends the bar: no
 * newline, the cursor left hidden; ours shows it again when the run ends
 * (`restoreCursor`), which changes nothing on screen.
 */

const WIDTH = 36;
const BEFORE_BAR = "\r\x1b[?25l";
const SHOW_CURSOR = "\x1b[?25h";
/** click keeps the last 7 estimates (`avg[-6:] + [step]`). */
const ESTIMATES = 7;

export interface BarOutput {
  write(text: string): unknown;
}

export class ClickProgressBar {
  private pos = 0;
  private finished = false;
  private estimates: number[] = [];
  private etaKnown = false;
  private readonly startS: number;
  private lastEtaS: number;
  private maxWidth: number | undefined;
  private lastLine: string | undefined;
  private cursorHidden = false;

  constructor(
    private readonly length: number,
    private readonly out: BarOutput,
    /** Milliseconds, as Date.now. */
    private readonly now: () => number = Date.now,
  ) {
    this.startS = this.lastEtaS = now() / 1000;
  }

  /** One more step done: advance and redraw. */
  update(steps = 1): void {
    this.makeStep(steps);
    this.render();
  }

  /** Shows the cursor again if a redraw hid it. */
  restoreCursor(): void {
    if (!this.cursorHidden) return;
    this.cursorHidden = false;
    this.out.write(SHOW_CURSOR);
  }

  /** The bar's text, as click's `format_progress_line` with an empty label. */
  line(): string {
    const pct = this.finished ? 1 : Math.min(this.pos / (this.length || 1), 1);
    const filled = Math.floor(pct * WIDTH);
    const info = [`${String(Math.floor(pct * 100)).padStart(3)}%`];
    if (this.etaKnown && !this.finished) info.push(formatEta(this.eta()));
    return `  [${"#".repeat(filled)}${"-".repeat(WIDTH - filled)}]  ${info.join("  ")}`.trimEnd();
  }

  // --- internal ---

  private makeStep(steps: number): void {
    this.pos += steps;
    if (this.pos >= this.length) this.finished = true;
    const nowS = this.now() / 1000;
    if (nowS - this.lastEtaS < 1) return;
    this.lastEtaS = nowS;
    const step = this.pos ? (nowS - this.startS) / this.pos : nowS - this.startS;
    this.estimates = [...this.estimates.slice(-(ESTIMATES - 1)), step];
    this.etaKnown = true;
  }

  private eta(): number {
    if (this.finished || this.estimates.length === 0) return 0;
    const perStep = this.estimates.reduce((sum, s) => sum + s, 0) / this.estimates.length;
    return perStep * (this.length - this.pos);
  }

  private render(): void {
    const clearWidth = this.maxWidth ?? WIDTH;
    const line = this.line();
    if (this.maxWidth === undefined || this.maxWidth < line.length) this.maxWidth = line.length;
    const text = `${BEFORE_BAR}${line}${" ".repeat(Math.max(0, clearWidth - line.length))}`;
    if (text === this.lastLine) return;
    this.lastLine = text;
    this.cursorHidden = true;
    this.out.write(text);
  }
}

/** click's `format_eta`: HH:MM:SS, with "Nd " in front past a day. */
function formatEta(seconds: number): string {
  let t = Math.trunc(seconds);
  const s = t % 60;
  t = Math.trunc(t / 60);
  const m = t % 60;
  t = Math.trunc(t / 60);
  const h = t % 24;
  const days = Math.trunc(t / 24);
  const hms = [h, m, s].map((n) => String(n).padStart(2, "0")).join(":");
  return days > 0 ? `${days}d ${hms}` : hms;
}
