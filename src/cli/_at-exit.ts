/**
 * Work a command leaves for after its outcome is reported, as Python's
 * atexit handlers run after click printed the error: `publish` and `replay`
 * close the publishing connection there, so its closing lines follow the
 * error line as in Python. `run` (main.ts) runs it once the report is written.
 */

const pending: Array<() => Promise<void>> = [];

/** Runs `work` after the run's outcome is reported. */
export function atExit(work: () => Promise<void>): void {
  pending.push(work);
}

/** Runs the work left by `atExit`, in order; a failure there cannot change the exit code. */
export async function runAtExit(): Promise<void> {
  for (const work of pending.splice(0)) {
    try {
      await work();
    } catch {
      // The outcome is already reported.
    }
  }
}
