/**
 * Syslog priority prefixes for lines that go to the systemd journal.
 *
 * Under systemd, stdout and stderr are usually a stream to journald, which
 * sets `JOURNAL_STREAM=DEV:INODE` and reads a leading `<N>` on each line as
 * that line's priority (SyslogLevelPrefix=, on by default). With it,
 * `journalctl -p warning -u fm-consumer@NAME` shows warnings and errors only;
 * without it every line is "info". On a terminal, a pipe or a file nothing
 * changes: the variable is honoured only when the file descriptor really is
 * that stream (an inherited variable may describe another process's stdout).
 */
import { fstatSync } from "node:fs";

/** sd-daemon.h's prefixes, by Python logging level: CRITICAL, ERROR, WARNING, INFO, DEBUG. */
export function syslogPrefix(level: number): string {
  if (level >= 50) return "<2>";
  if (level >= 40) return "<3>";
  if (level >= 30) return "<4>";
  if (level >= 20) return "<6>";
  return "<7>";
}

/** True when `fd` is the journal stream named by `JOURNAL_STREAM` (systemd.exec(5)). */
export function isJournalStream(fd: number, journalStream = process.env["JOURNAL_STREAM"]): boolean {
  const match = /^(\d+):(\d+)$/.exec(journalStream ?? "");
  if (!match) return false;
  try {
    const stat = fstatSync(fd, { bigint: true });
    return stat.dev === BigInt(match[1]!) && stat.ino === BigInt(match[2]!);
  } catch {
    return false;
  }
}

/** `text` (one or more lines, ending in a newline) with the priority on every line, for the journal. */
export function withPriority(text: string, level: number): string {
  const prefix = syslogPrefix(level);
  const body = text.endsWith("\n") ? text.slice(0, -1) : text;
  return `${prefix}${body.replaceAll("\n", `\n${prefix}`)}${text.endsWith("\n") ? "\n" : ""}`;
}
