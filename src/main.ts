/**
 * The process's CLI logic: run the command line, turn the outcome or error
 * into an exit code (`cli/exit-codes.ts`), say why, and exit. `main` is the
 * only place that sets `process.exitCode` or calls `process.exit`; `run` does
 * everything else and returns the code, so tests call it in-process.
 *
 * The entry point is `cli-entry.ts` (esbuild bundles it into
 * dist/fedora-messaging.js); this module only exports.
 */
import { exitCodeForEnd, exitCodeForError, type ExitReport } from "./cli/exit-codes.js";
import { runAtExit } from "./cli/_at-exit.js";
import { runCli, type CliDeps } from "./cli/index.js";

/** Everything `run` touches in the outside world; each defaults to the real thing. */
export interface MainDeps extends Partial<CliDeps> {
  readonly stderr?: (text: string) => void;
  /** Logs an ERROR line as `fedora_messaging.cli` (Python logs these reasons on stdout). */
  readonly logError?: (message: string) => void;
}

/**
 * Runs the CLI with `argv` (without node and script), reports why it stopped,
 * and returns the exit code. Never throws.
 */
export async function run(argv: readonly string[], deps: MainDeps = {}): Promise<number> {
  const stdout = deps.stdout ?? ((text: string) => void process.stdout.write(text));
  const stderr = deps.stderr ?? ((text: string) => void process.stderr.write(text));
  let report: ExitReport;
  try {
    const result = await runCli(argv, {
      env: deps.env ?? process.env,
      cwd: deps.cwd ?? process.cwd(),
      stdout,
      services: deps.services ?? {},
    });
    if (result.kind === "printed") return 0;
    report = exitCodeForEnd(result.end);
  } catch (error) {
    report = exitCodeForError(error);
  }
  if (report.message !== undefined) {
    try {
      if (report.stream === "stderr") stderr(`${report.message}\n`);
      else if (report.stream === "echo") stdout(`${report.message}\n`);
      else await (deps.logError ?? logError)(report.message);
    } catch {
      // Nowhere left to report to (stdout closed); the exit code still says it.
    }
  }
  await runAtExit();
  return report.code;
}

/**
 * Runs the CLI, then exits with its code once stdout and stderr are flushed
 * (on POSIX, writes to a pipe are asynchronous). Exiting explicitly means a
 * handle left open by mistake cannot keep a stopped daemon alive.
 */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<never> {
  const code = await run(argv);
  process.exitCode = code;
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  process.exit(code);
}

// --- internal ---

async function logError(message: string): Promise<void> {
  const { getLogger } = await import("./log.js");
  getLogger("fedora_messaging.cli").error(message);
}

/** Resolves once everything written to `stream` so far has been handed to the OS. */
function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || !stream.writable) resolve();
    else stream.write("", () => resolve());
  });
}
