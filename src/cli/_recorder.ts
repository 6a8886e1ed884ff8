/**
 * `record`'s callback (Python's `cli.Recorder.collect_message`): each message
 * is written to the file as one line of `dumps()` with a single synchronous
 * write, so that a stop (SIGINT, SIGTERM, a halt) never leaves half a line;
 * with a limit it halts with 0 once it has the last one (acknowledged), and
 * reports progress: a bar on a terminal, a plain line every tenth otherwise.
 * A message that cannot be serialised says so and halts with 1, as Python.
 */
import { writeSync } from "node:fs";
import { HaltConsumer, ValidationError } from "../errors.js";
import type { Message } from "../message/message.js";
import { dumps } from "../message/serialize.js";

export interface RecorderOptions {
  /** An open file descriptor, written to synchronously. */
  readonly fd: number;
  readonly limit?: number | undefined;
  /** Where progress and "Unable to save ..." go; default stdout. */
  readonly out?: { write(text: string): unknown; readonly isTTY?: boolean | undefined };
  /** For the rate and ETA; default Date.now. */
  readonly now?: () => number;
}

const BAR_WIDTH = 36;

export class Recorder {
  counter = 0;
  private readonly started: number;
  private readonly out: NonNullable<RecorderOptions["out"]>;
  private readonly now: () => number;

  constructor(private readonly options: RecorderOptions) {
    this.out = options.out ?? process.stdout;
    this.now = options.now ?? Date.now;
    this.started = this.now();
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
    if (this.out.isTTY) {
      const done = Math.round((this.counter / limit) * BAR_WIDTH);
      const elapsedS = Math.max((this.now() - this.started) / 1000, 1e-3);
      const rate = this.counter / elapsedS;
      const etaS = Math.round((limit - this.counter) / rate);
      const end = this.counter >= limit ? "\n" : "";
      this.out.write(`\r[${"#".repeat(done)}${"-".repeat(BAR_WIDTH - done)}]  ${this.counter}/${limit}  ${rate.toFixed(1)}/s  eta ${etaS}s${end}`);
    } else if (this.counter === limit || Math.floor((this.counter * 10) / limit) > Math.floor(((this.counter - 1) * 10) / limit)) {
      this.out.write(`Recorded ${this.counter} of ${limit} messages\n`);
    }
  }
}
