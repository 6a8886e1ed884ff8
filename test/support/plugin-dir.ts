/** Test helper: a temporary plugin directory with packages installed in its node_modules. */
import { cpSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));

/**
 * A plugin directory whose node_modules holds "fedora-messaging" (a link to
 * this repository, so it resolves to the built dist/) and `packages`: each a
 * directory to copy, or a map of file name to content.
 */
export function pluginDirWith(packages: Record<string, string | Record<string, string>>): string {
  const dir = mkdtempSync(join(tmpdir(), "fm-plugins-"));
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(root, join(dir, "node_modules/fedora-messaging"), "dir");
  for (const [name, source] of Object.entries(packages)) {
    const target = join(dir, "node_modules", name);
    if (typeof source === "string") cpSync(source, target, { recursive: true });
    else {
      mkdirSync(target, { recursive: true });
      for (const [file, text] of Object.entries(source)) writeFileSync(join(target, file), text);
    }
  }
  return dir;
}
