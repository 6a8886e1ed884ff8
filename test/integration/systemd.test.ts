/**
 * fm-consumer@.service under a real systemd, installed from the RPM a user
 * gets (dist/fedora-messaging-node-*.x86_64.rpm, the single binary): a cached
 * Debian root (test/systemd/nspawn-root.sh) gets the RPM with `rpm --root`,
 * a sample.toml pointing at the test broker and a plugin callback, then boots
 * systemd with `systemd-nspawn -b` (test/support/nspawn.ts). The only change to
 * the unit is a drop-in with a short RestartSec, so the restart test is quick.
 *
 * The tests share the one container and run in order: consume, hardening,
 * stop (drain), crash (restart).
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { getQueue } from "../support/management.js";
import { Container, nspawnUnavailable, prepareRoot, unpackRoot, waitUntil } from "../support/nspawn.js";
import { ROOT, testQueue, writeConfig, type TestQueue } from "./_harness.js";

const UNIT = "fm-consumer@sample.service";
const unavailable = nspawnUnavailable();
const rpmFile = (): string => {
  const name = readdirSync(join(ROOT, "dist")).find((file) => /^fedora-messaging-node-\d.*\.x86_64\.rpm$/.test(file));
  assert.ok(name, "dist/fedora-messaging-node-*.x86_64.rpm is missing: run `npm run package` first");
  return join(ROOT, "dist", name);
};

/** Paths inside the container, and where the host sees them (the root is a plain directory). */
const STATE_DIR = "/var/lib/fm-test";
const RECORDS = `${STATE_DIR}/records.jsonl`;
const PROBE = `${STATE_DIR}/probe.json`;
const CRASH_MARKER = `${STATE_DIR}/crashed`;

let workDir = "";
let root = "";
let container: Container | undefined;
let queue: TestQueue | undefined;

interface RecordLine {
  readonly n: number;
  readonly event: "start" | "done";
  readonly pid: number;
}

function records(): RecordLine[] {
  const file = join(root, RECORDS);
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8").trim().split("\n").filter(Boolean).map((line) => JSON.parse(line) as RecordLine);
}
const done = (n: number): boolean => records().some((r) => r.n === n && r.event === "done");
const started = (n: number): boolean => records().some((r) => r.n === n && r.event === "start");

describe("fm-consumer@.service under systemd (systemd-nspawn), from the RPM", { skip: unavailable ?? false, concurrency: 1 }, () => {
  before(async () => {
    prepareRoot();
    workDir = mkdtempSync("/var/tmp/fm-systemd-test-");
    root = join(workDir, "root");
    unpackRoot(root);
    execFileSync("rpm", ["--root", root, "--initdb"]);
    execFileSync("rpm", ["--root", root, "-i", "--nodeps", rpmFile()]);

    queue = await testQueue("systemd");
    const config = writeConfig(queue, {
      callback: "systemd_test:Recorder",
      prefetch: 5,
      consumerConfig: { record_file: RECORDS, probe_file: PROBE, crash_marker: CRASH_MARKER },
    });
    writeFileSync(join(root, "etc/fedora-messaging/sample.toml"), readFileSync(config));
    copyFileSync(join(ROOT, "test/fixtures/systemd/systemd_test.mjs"), join(root, "usr/lib/fedora-messaging/plugins/systemd_test.mjs"));
    mkdirSync(join(root, STATE_DIR), { recursive: true });
    const dropIn = join(root, `etc/systemd/system/${UNIT}.d`);
    mkdirSync(dropIn, { recursive: true });
    writeFileSync(join(dropIn, "test.conf"), "[Service]\nRestartSec=1\n");

    container = await Container.boot(root, `fmtest${process.pid}`, join(workDir, "console.log"));
  });

  after(async () => {
    await container?.shutdown();
    await queue?.cleanup().catch(() => undefined);
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  test("systemd reads the unit as Python's, plus the stop timeout and hardening; WantedBy enables it", () => {
    const c = container!;
    const unitText = readFileSync(join(root, "usr/lib/systemd/system/fm-consumer@.service"), "utf8");
    assert.match(unitText, /^ExecStart=\/usr\/bin\/fedora-messaging --conf \/etc\/fedora-messaging\/%i\.toml consume$/m);
    assert.match(unitText, /^RestartSec=60$/m);
    const shown = c.show(UNIT, "ExecStart", "Restart", "RestartUSec", "TimeoutStopUSec", "NoNewPrivileges", "ProtectSystem", "PrivateTmp", "RestrictSUIDSGID", "KillMode", "Type");
    assert.match(shown["ExecStart"]!, /argv\[\]=\/usr\/bin\/fedora-messaging --conf \/etc\/fedora-messaging\/sample\.toml consume /);
    assert.deepEqual(
      { ...shown, ExecStart: undefined },
      {
        ExecStart: undefined,
        Type: "simple",
        Restart: "on-failure",
        RestartUSec: "1s", // the test's drop-in; the unit says 60
        TimeoutStopUSec: "1min 30s",
        KillMode: "mixed",
        NoNewPrivileges: "yes",
        ProtectSystem: "full",
        PrivateTmp: "yes",
        RestrictSUIDSGID: "yes",
      },
    );
    c.systemctl("enable", UNIT);
    const link = join(root, `etc/systemd/system/multi-user.target.wants/${UNIT}`);
    // (Debian's systemd names /lib, which is /usr/lib on a merged-/usr system.)
    assert.match(readlinkSync(link), /^(\/usr)?\/lib\/systemd\/system\/fm-consumer@\.service$/, "enable links the instance into multi-user.target");
  });

  test("consumes from the test broker; journalctl -p warning shows the callback's warning and no INFO line", async () => {
    const c = container!;
    await queue!.publish([{ n: 1 }, { n: 2 }, { n: 3, warn: true }, { n: 4 }, { n: 5 }]);
    c.systemctl("start", UNIT);
    await waitUntil("messages 1-5 consumed", () => [1, 2, 3, 4, 5].every(done));
    const warnings = await waitUntil("the warning in the journal", () => {
      const text = c.journal("-u", UNIT, "-p", "warning");
      return text.includes("[systemd_test WARNING] systemd test warning for message 3") && text;
    });
    assert.doesNotMatch(warnings, / INFO\] /);
    // The INFO lines are there, at priority info.
    const everything = await waitUntil("INFO lines in the journal", () => {
      const text = c.journal("-u", UNIT);
      return / INFO\] /.test(text) && text;
    });
    assert.doesNotMatch(everything, /^<\d>/m, "journald strips the priority prefixes");
  });

  test("the hardening holds and leaves the callback's own directory writable; the malloc setting reaches the daemon", () => {
    const probe = JSON.parse(readFileSync(join(root, PROBE), "utf8")) as Record<string, unknown>;
    assert.deepEqual(
      { ...probe, pid: undefined },
      { pid: undefined, noNewPrivs: true, writeEtc: "EROFS", writeUsr: "EROFS", writeVar: "ok", writeTmp: "ok", setuid: "EPERM", mallocMmapThreshold: "131072" },
    );
    // PrivateTmp: the file went to the service's own /tmp, not the machine's (a tmpfs in the container).
    const tmpName = `fm-probe-${String(probe["pid"])}`;
    assert.equal(container!.exec(["test", "-e", `/tmp/${tmpName}`]).status, 1, `/tmp/${tmpName} is not in the machine's /tmp`);
    const found = container!.exec(["sh", "-c", `ls -d /tmp/systemd-private-*-fm-consumer@sample.service-*/tmp/${tmpName}`]);
    assert.equal(found.status, 0, `${tmpName} in the unit's private /tmp: ${found.stderr}`);
  });

  test("systemctl stop drains: the callback in progress finishes, exit 0, the rest back in the queue", async () => {
    const c = container!;
    await queue!.publish([{ n: 10, sleep_ms: 2500 }, { n: 11 }, { n: 12 }, { n: 13 }, { n: 14 }]);
    await waitUntil("message 10's callback started", () => started(10));
    c.systemctl("stop", UNIT); // returns once the unit has stopped
    assert.ok(done(10), "the callback in progress when SIGTERM came finished");
    const shown = c.show(UNIT, "ActiveState", "Result", "ExecMainStatus", "ExecMainCode");
    assert.deepEqual(shown, { ActiveState: "inactive", Result: "success", ExecMainStatus: "0", ExecMainCode: "1" });
    const consumed = [11, 12, 13, 14].filter(done).length;
    await waitUntil("the unprocessed messages back in the queue", async () => (await getQueue(queue!.name))?.messages === 4 - consumed, 30_000);
  });

  test("a callback crash exits 13 and Restart=on-failure starts it again; the message is redelivered", async () => {
    const c = container!;
    const restartsBefore = Number(c.show(UNIT, "NRestarts")["NRestarts"]);
    await queue!.publish([{ n: 20, crash: true }]);
    c.systemctl("start", UNIT);
    await waitUntil("the crash", () => existsSync(join(root, CRASH_MARKER)));
    await waitUntil("a restart", () => Number(c.show(UNIT, "NRestarts")["NRestarts"]) > restartsBefore && c.show(UNIT, "ActiveState")["ActiveState"] === "active", 30_000);
    assert.match(c.journal("-u", UNIT), /Main process exited, code=exited, status=13\//);
    await waitUntil("message 20 consumed after the restart", () => done(20), 30_000);
    assert.deepEqual([11, 12, 13, 14].filter((n) => !done(n)), [], "the messages requeued by the stop were consumed");
    c.systemctl("stop", UNIT);
  });
});

if (unavailable) test(`systemd tests skipped: ${unavailable}`, { skip: unavailable }, () => undefined);
