/**
 * Whether the process was started with stdin (fd 0) closed. Node cannot say
 * so: at start it opens /dev/null on a closed fd 0, 1 or 2 (node.cc,
 * PlatformInit), so `process.stdin` reads as an empty file. It opens it
 * read-write, which a shell's `< /dev/null` (read-only) or a parent's
 * "ignore" (read-only for fd 0, libuv) never does: fd 0 on /dev/null with the
 * O_RDWR access mode means it was closed. Linux only (/proc); false elsewhere
 * and whenever /proc cannot be read, so an open stdin is never refused.
 */
import { readFileSync, readlinkSync } from "node:fs";

const O_ACCMODE = 0o3;
const O_RDWR = 0o2;

export function stdinWasClosed(): boolean {
  try {
    if (readlinkSync("/proc/self/fd/0") !== "/dev/null") return false;
    const flags = /^flags:\s*([0-7]+)$/m.exec(readFileSync("/proc/self/fdinfo/0", "utf8"));
    return flags !== null && (Number.parseInt(flags[1]!, 8) & O_ACCMODE) === O_RDWR;
  } catch {
    return false;
  }
}
