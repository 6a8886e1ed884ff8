/**
 * `record`'s callback (Python's `cli.Recorder.collect_message`): each message
 * is written to the file as one line of `dumps()` with a single synchronous
 * write, so that a stop (SIGINT, SIGTERM, a halt) never leaves half a line;
 * with a limit it halts with 0 once it has the last one (acknowledged), and
 * reports progress: click's bar on a terminal (`_progress-bar.ts`), as
 * Python's; otherwise a plain line every tenth (Python prints one empty line).
 * A message that cannot be serialised says so and halts with 1, as Python.
 */
import { writeSync } from "node:fs";
import { HaltConsumer, ValidationError } from "../errors.js";
import type { Message } from "../message/message.js";
import { dumps } from "../message/serialize.js";
import { ClickProgressBar } from "./_progress-bar.js";

export interface RecorderOptions {
  /** An open file descriptor, written to synchronously. */
  readonly fd: number;
  readonly limit?: number | undefined;
  /** Where progress and "Unable to save ..." go; default stdout. */
  readonly out?: { write(text: string): unknown; readonly isTTY?: boolean | undefined };
  /** For the rate and ETA; default Date.now. */
  readonly now?: () => number;
}

export class Recorder {
  counter = 0;
  private readonly out: NonNullable<RecorderOptions["out"]>;
  /** click's bar, made when the recorder is (Python's Recorder makes it in __init__), on a terminal with a limit. */
  private readonly bar: ClickProgressBar | undefined;

  constructor(private readonly options: RecorderOptions) {
    this.out = options.out ?? process.stdout;
    const { limit } = options;
    this.bar = limit !== undefined && this.out.isTTY ? new ClickProgressBar(limit, this.out, options.now) : undefined;
  }

  /** The run is over: show the cursor the bar hid (click would leave it hidden). */
  finish(): void {
    this.bar?.restoreCursor();
  }

  /** The callback. @throws HaltConsumer(0) at the limit, HaltConsumer(1) when the message cannot be serialised. */
  readonly collect = (message: Message): void => {
    let line: string;
    try {
      line = dumps(message);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      this.out.write(`Unable to save messages to file: ${error.message}\n`);
      throw new HaltConsumer(1, undefined, false);
    }
    writeSync(this.options.fd, line);
    this.counter++;
    const { limit } = this.options;
    if (limit === undefined) return;
    this.progress(limit);
    if (this.counter >= limit) throw new HaltConsumer(0, undefined, false);
  };

  // --- internal ---

  private progress(limit: number): void {
    if (this.bar) this.bar.update(1);
    else if (this.counter === limit || Math.floor((this.counter * 10) / limit) > Math.floor(((this.counter - 1) * 10) / limit)) {
      this.out.write(`Recorded ${this.counter} of ${limit} messages\n`);
    }
  }
}
