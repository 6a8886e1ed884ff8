/**
 * The RPMs `npm run package` builds (packaging/fedora-messaging.spec), checked
 * as a user and a distribution would: the metadata (`rpm -qp`), an install
 * into an empty root (`rpm --root --initdb`, `-ivh --nodeps`: the empty root
 * provides no glibc), the installed program's `--help`, and rpmlint. The unit
 * under a real systemd is systemd.test.ts. No broker needed.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";

import { after, before, describe, test } from "node:test";
import { loadConfig } from "../../src/config/load.js";
import { ROOT } from "./_harness.js";

const DIST = join(ROOT, "dist");
const { version } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
const UNIT = "/usr/lib/systemd/system/fm-consumer@.service";

/** Files both packages install besides the program itself. */
const COMMON_FILES = (name: string): string[] => [
  "/etc/fedora-messaging",
  "/etc/fedora-messaging/config.toml",
  "/etc/fedora-messaging/sample.toml",
  "/usr/bin/fedora-messaging",
  "/usr/lib/fedora-messaging",
  "/usr/lib/fedora-messaging/plugins",
  "/usr/lib/fedora-messaging/plugins/example.mjs",
  UNIT,
  `/usr/share/licenses/${name}/LICENSE`,
  `/usr/share/licenses/${name}/LICENSES.bundled`,
  "/usr/share/man/man1/fedora-messaging.1.gz",
];

const VARIANTS = [
  { name: "fedora-messaging-node", file: `fedora-messaging-node-${version}-1.x86_64.rpm`, other: "fedora-messaging-node-nodejs" },
  { name: "fedora-messaging-node-nodejs", file: `fedora-messaging-node-nodejs-${version}-1.noarch.rpm`, other: "fedora-messaging-node" },
] as const;

const rpmQuery = (file: string, ...args: string[]): string => execFileSync("rpm", ["-qp", ...args, join(DIST, file)], { encoding: "utf8" });
const lines = (text: string): string[] => text.trim().split("\n").filter(Boolean);

const roots: string[] = [];
after(() => roots.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** `rpm -ivh --nodeps` into a new empty root; returns the root. */
function installIntoEmptyRoot(file: string): string {
  const root = mkdtempSync(join(tmpdir(), "fm-rpm-root-"));
  roots.push(root);
  execFileSync("rpm", ["--root", root, "--initdb"]);
  execFileSync("rpm", ["--root", root, "-ivh", "--nodeps", join(DIST, file)], { stdio: "pipe" });
  return root;
}

describe("the RPMs", () => {
  before(() => {
    const built = readdirSync(DIST).filter((file) => file.endsWith(".rpm")).sort();
    assert.deepEqual(built, VARIANTS.map((v) => v.file).sort(), "dist/ holds both RPMs: run `npm run package`");
  });

  for (const variant of VARIANTS) {
    describe(variant.name, () => {
      test("file list, config files, licences", () => {
        const files = lines(rpmQuery(variant.file, "-l"));
        const library = files.filter((f) => f.startsWith("/usr/lib/node_modules/"));
        assert.deepEqual(files.filter((f) => !library.includes(f)).sort(), COMMON_FILES(variant.name).sort());
        if (variant.name === "fedora-messaging-node") {
          assert.deepEqual(library, [], "the single binary carries the library itself");
        } else {
          for (const file of ["package.json", "dist/index.mjs", "dist/index.cjs", "dist/index.d.ts", "dist/fedora-messaging.js", "LICENSE"]) {
            assert.ok(library.includes(`/usr/lib/node_modules/fedora-messaging/${file}`), `the library's ${file}`);
          }
          assert.equal(library.filter((f) => /\/dist\/fedora-messaging$|\.rpm$|\.tgz$/.test(f)).length, 0, "no SEA, RPM or tarball inside");
        }
        const flags = Object.fromEntries(lines(rpmQuery(variant.file, "--qf", "[%{FILENAMES} %{FILEFLAGS:fflags}\\n]")).map((l) => l.split(" ")));
        assert.equal(flags["/etc/fedora-messaging/config.toml"], "cn", "config.toml is %config(noreplace)");
        assert.equal(flags["/etc/fedora-messaging/sample.toml"], "cn", "sample.toml is %config(noreplace)");
        assert.deepEqual(lines(rpmQuery(variant.file, "-L")), [`/usr/share/licenses/${variant.name}/LICENSE`, `/usr/share/licenses/${variant.name}/LICENSES.bundled`]);
      });

      test("scriptlets: systemd preset on install, stop on erase, restart on upgrade", () => {
        const scripts = rpmQuery(variant.file, "--scripts");
        assert.match(scripts, /postinstall scriptlet[^\n]*\n[^\n]*\$1 -eq 1 [^\n]*systemctl --no-reload preset fm-consumer@\.service/);
        assert.match(scripts, /preuninstall scriptlet[^\n]*\n[^\n]*\$1 -eq 0 [^\n]*systemctl --no-reload disable --now fm-consumer@\.service/);
        assert.match(scripts, /postuninstall scriptlet[^\n]*\n[^\n]*\$1 -ge 1 [^\n]*systemctl try-restart fm-consumer@\.service/);
      });

      test("requires and conflicts", () => {
        const requires = lines(rpmQuery(variant.file, "--requires"));
        const conflicts = lines(rpmQuery(variant.file, "--conflicts")).sort();
        assert.deepEqual(conflicts, ["fedora-messaging", variant.other].sort(), "Python's CLI package and the other variant");
        assert.ok(requires.includes("/bin/sh"), "the scriptlets' shell");
        if (variant.name === "fedora-messaging-node") {
          assert.ok(!requires.some((r) => r.startsWith("nodejs")), "the SEA needs no nodejs");
          const glibc = requires.filter((r) => r.startsWith("libc.so.6(GLIBC_")).map((r) => /GLIBC_([\d.]+)/.exec(r)![1]!);
          const newest = glibc.sort((a, b) => a.localeCompare(b, "en", { numeric: true })).at(-1);
          assert.equal(newest, "2.28", "glibc 2.28 at most: EL8 and every current Fedora");
        } else {
          assert.ok(requires.includes("nodejs >= 20.12"));
          assert.ok(!requires.some((r) => r.includes(".so")), "no ELF in the noarch package");
        }
      });

      test("installs into an empty root; the installed fedora-messaging --help runs; the files verify", () => {
        const root = installIntoEmptyRoot(variant.file);
        const help = execFileSync(join(root, "usr/bin/fedora-messaging"), ["--help"], { encoding: "utf8" });
        assert.match(help, /^Usage: fedora-messaging \[OPTIONS\] COMMAND/);
        execFileSync("rpm", ["--root", root, "-V", "--nodeps", variant.name]);
        const man = gunzipSync(readFileSync(join(root, "usr/share/man/man1/fedora-messaging.1.gz"))).toString("utf8");
        assert.match(man, /^\.TH FEDORA-MESSAGING 1 /);
        assert.ok(man.includes("Consume messages from an AMQP queue"), "the man page carries the CLI's help");
        for (const name of ["config.toml", "sample.toml"]) {
          const config = loadConfig({ path: join(root, "etc/fedora-messaging", name) });
          assert.ok(config.amqp_url, `${name} loads`);
        }
      });
    });
  }

  test("nodejs variant: a plugin in the plugin directory imports the installed library by name", () => {
    const root = installIntoEmptyRoot(VARIANTS[1].file);
    const plugins = join(root, "usr/lib/fedora-messaging/plugins");
    writeFileSync(join(plugins, "probe.mjs"), 'import { Nack, currentConfig } from "fedora-messaging";\nconsole.log(typeof Nack, typeof currentConfig);\n');
    writeFileSync(join(plugins, "probe.cjs"), 'const { Nack } = require("fedora-messaging");\nconsole.log(typeof Nack);\n');
    assert.equal(execFileSync(process.execPath, [join(plugins, "probe.mjs")], { encoding: "utf8" }), "function function\n");
    assert.equal(execFileSync(process.execPath, [join(plugins, "probe.cjs")], { encoding: "utf8" }), "function\n");
    const example = spawnSync(process.execPath, ["--input-type=module", "-e", `const m = await import(${JSON.stringify(join(plugins, "example.mjs"))}); console.log(typeof m.Example);`], { encoding: "utf8" });
    assert.equal(example.stdout, "function\n", example.stderr);
  });

  test("rpmlint reports no errors", () => {
    if (spawnSync("sh", ["-c", "command -v rpmlint"]).status !== 0) {
      execFileSync("sh", ["-c", "apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends rpmlint >/dev/null"], { stdio: "inherit" });
    }
    const lint = spawnSync("rpmlint", ["-r", join(ROOT, "packaging/fedora-messaging.rpmlintrc"), ...VARIANTS.map((v) => join(DIST, v.file))], { encoding: "utf8" });
    assert.match(lint.stdout, / 0 errors, /, lint.stdout);
    assert.equal(lint.status, 0, lint.stdout + lint.stderr);
  });
});
