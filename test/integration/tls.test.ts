/**
 * TLS through the real CLI, against the test broker's TLS listener (run.sh
 * starts it with a PKI made for the run by test/broker/test-pki.sh): PLAIN
 * over TLS, SASL EXTERNAL with a client certificate (the broker's user is the
 * certificate's CN), a two-CA bundle, hostname verification, and Python's
 * errors for unusable `[tls]` files (exit 1) and failed handshakes (exit 14).
 * No password ever reaches an output line.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { brokerUrls } from "../support/broker.js";
import { createUser, deleteUser, listConnections, setPermissions } from "../support/management.js";
import { eventually, until } from "../support/wait.js";
import { consumeToEnd, runCli, testQueues, writeConfig, type TestQueue } from "./_harness.js";

const TLS_DIR = process.env["FM_TEST_TLS_DIR"];
const TLS_URL = process.env["FM_TEST_TLS_URL"];
const skip =
  TLS_DIR && TLS_URL
    ? false
    : "the test broker has no TLS listener: FM_TEST_TLS_DIR and FM_TEST_TLS_URL are set by " +
      "test/integration/run.sh when it starts the broker itself (it reused a running broker, or " +
      "FM_TEST_AMQP_URL names another one); stop the broker (bash test/broker/rabbitmq.sh stop) and rerun";

/** The CN of test-pki.sh's client certificate: the user SASL EXTERNAL logs in as. */
const CERT_USER = "fm-tls-client";
const HANDSHAKE = /\[fedora_messaging\.cli ERROR\] The TCP connection appears to have started, but the TLS or AMQP handshake with the broker failed/;
/** Every password these tests put in a URL; none may appear in any output. */
const PASSWORD = `pw-${randomBytes(8).toString("hex")}`;
const PLAIN_USER = `fm-tls-plain-${randomBytes(4).toString("hex")}`;

const pki = (name: string): string => join(TLS_DIR ?? "", name);
const freshQueue = testQueues();
const outputs: string[] = [];
let scratch = "";

describe("TLS", { skip }, () => {
  before(async () => {
    scratch = mkdtempSync(join(tmpdir(), "fm-tls-"));
    await createUser(PLAIN_USER, PASSWORD);
    await setPermissions(PLAIN_USER, { configure: ".*", write: ".*", read: ".*" });
    // Certificate users have no password: only EXTERNAL lets them in.
    await createPasswordlessUser(CERT_USER);
    await setPermissions(CERT_USER, { configure: ".*", write: ".*", read: ".*" });
  });
  after(async () => {
    await Promise.all([deleteUser(PLAIN_USER), deleteUser(CERT_USER)]);
    rmSync(scratch, { recursive: true, force: true });
  });

  test("PLAIN over TLS as guest, with a two-CA bundle whose second certificate is the broker's CA", async () => {
    const queue = await freshQueue("tls-plain");
    await queue.publish([{ n: 1 }]);
    const config = writeConfig(queue, {
      amqpUrl: tlsUrl({ user: "guest", password: "guest" }),
      extra: tlsTable({ ca_cert: pki("ca-bundle.pem") }),
      consumerConfig: { halt_after: 1 },
    });
    const { code, stdout, stderr } = await consume(config);
    assert.equal(code, 0, `${stdout}\n${stderr}`);
    assert.deepEqual(queue.records().map((r) => r["body"]), [{ n: 1 }]);
    assert.match(stdout, /Connected to amqps:\/\/guest:\*+@localhost:\d+\/ \(RabbitMQ /);
  });

  test("PLAIN over TLS as a user with a password: the broker sees TLS and PLAIN, the password is never printed", async () => {
    const queue = await freshQueue("tls-plain-user");
    await queue.publish([{ n: 1 }]);
    const config = writeConfig(queue, {
      amqpUrl: tlsUrl({ user: PLAIN_USER, password: PASSWORD }),
      extra: tlsTable({ ca_cert: pki("ca-bundle.pem") }),
    });
    const run = runCli(["--conf", config, "consume"], { timeoutMs: 60_000 });
    try {
      await run.waitFor("Successfully registered AMQP consumer");
      await until(() => queue.records().length >= 1, { what: "the message consumed" });
      const connection = await connectionOf(queue);
      assert.equal(connection["user"], PLAIN_USER);
      assert.equal(connection["ssl"], true);
      assert.equal(connection["auth_mechanism"], "PLAIN");
    } finally {
      run.child.kill("SIGTERM");
    }
    assert.equal(await run.exited, 0, run.stdout());
    outputs.push(run.stdout(), run.stderr());
    assert.equal(queue.records().length, 1);
  });

  test("EXTERNAL: the client certificate logs in as its CN, no password anywhere", async () => {
    const queue = await freshQueue("tls-external");
    await queue.publish([{ n: 1 }]);
    const config = writeConfig(queue, {
      amqpUrl: tlsUrl({}),
      extra: tlsTable({ ca_cert: pki("ca-bundle.pem"), certfile: pki("client.pem"), keyfile: pki("client.key") }),
    });
    const run = runCli(["--conf", config, "consume"], { timeoutMs: 60_000 });
    try {
      await run.waitFor("Successfully registered AMQP consumer");
      await until(() => queue.records().length >= 1, { what: "the message consumed" });
      const connection = await connectionOf(queue);
      assert.equal(connection["user"], CERT_USER);
      assert.equal(connection["auth_mechanism"], "EXTERNAL");
      assert.equal(connection["ssl"], true);
      assert.match(String(connection["peer_cert_subject"]), new RegExp(`CN=${CERT_USER}`));
    } finally {
      run.child.kill("SIGTERM");
    }
    assert.equal(await run.exited, 0, run.stdout());
    assert.match(
      run.stdout(),
      new RegExp(`\\[fedora_messaging\\.twisted\\.service INFO\\] Authenticating with server using x509 \\(certfile: ${escape(pki("client.pem"))}, keyfile: ${escape(pki("client.key"))}\\)`),
    );
  });

  test("EXTERNAL wins over the URL's credentials, like Python", async () => {
    const queue = await freshQueue("tls-external-url");
    await queue.publish([{ n: 1 }]);
    const config = writeConfig(queue, {
      // Neither this user nor this password exists: PLAIN would be refused.
      amqpUrl: tlsUrl({ user: "no-such-user", password: PASSWORD }),
      extra: tlsTable({ ca_cert: pki("ca-bundle.pem"), certfile: pki("client.pem"), keyfile: pki("client.key") }),
      consumerConfig: { halt_after: 1 },
    });
    const { code, stdout, stderr } = await consume(config);
    assert.equal(code, 0, `${stdout}\n${stderr}`);
    assert.equal(queue.records().length, 1);
  });

  test("14: a certificate the broker trusts but whose CN is no broker user", async () => {
    const queue = await freshQueue("tls-stranger");
    const config = writeConfig(queue, {
      amqpUrl: tlsUrl({}),
      extra: tlsTable({ ca_cert: pki("ca.pem"), certfile: pki("stranger.pem"), keyfile: pki("stranger.key") }),
    });
    const { code, stdout, stderr } = await consume(config);
    assert.equal(code, 14, `${stdout}\n${stderr}`);
    assert.match(stdout, HANDSHAKE);
    assert.match(stdout, /amqp:unauthorized-access/);
  });

  test("14: a client certificate from a CA the broker does not trust", async () => {
    const queue = await freshQueue("tls-other-client");
    const config = writeConfig(queue, {
      amqpUrl: tlsUrl({}),
      extra: tlsTable({ ca_cert: pki("ca.pem"), certfile: pki("other-client.pem"), keyfile: pki("other-client.key") }),
    });
    const { code, stdout, stderr } = await consume(config);
    assert.equal(code, 14, `${stdout}\n${stderr}`);
    assert.match(stdout, HANDSHAKE);
    assert.match(stdout, /\(the broker ended the TLS handshake: [^\n]*alert[^\n]* during the handshake\)\n/);
  });

  test("14: the broker's certificate is not signed by ca_cert (another CA alone)", async () => {
    const queue = await freshQueue("tls-wrong-ca");
    const config = writeConfig(queue, {
      amqpUrl: tlsUrl({ user: PLAIN_USER, password: PASSWORD }),
      extra: tlsTable({ ca_cert: pki("other-ca.pem") }),
    });
    const { code, stdout, stderr } = await consume(config);
    assert.equal(code, 14, `${stdout}\n${stderr}`);
    assert.match(stdout, HANDSHAKE);
    // Node's reason: the broker sends its CA with its certificate, which we do not trust.
    assert.match(stdout, /\((self-signed certificate in certificate chain|unable to verify the first certificate|unable to get local issuer certificate) during the handshake\)/);
  });

  test("no ca_cert: a broker signed by a CA in the system store is trusted, as Python trusts it (test CA as $SSL_CERT_FILE)", async () => {
    const queue = await freshQueue("tls-system-ca");
    await queue.publish([{ n: 1 }]);
    const config = writeConfig(queue, { amqpUrl: tlsUrl({ user: PLAIN_USER, password: PASSWORD }), consumerConfig: { halt_after: 1 } });
    // Not in the store: refused, with Node's reason.
    const refused = await consume(config);
    assert.equal(refused.code, 14, `${refused.stdout}\n${refused.stderr}`);
    // In the store (OpenSSL's, hence Python's, $SSL_CERT_FILE): consumed.
    const run = runCli(["--conf", config, "consume"], { env: { ...process.env, SSL_CERT_FILE: pki("ca.pem") }, timeoutMs: 30_000 });
    const code = await run.exited;
    outputs.push(run.stdout(), run.stderr());
    assert.equal(code, 0, `${run.stdout()}\n${run.stderr()}`);
    assert.deepEqual(queue.records().map((r) => r["body"]), [{ n: 1 }]);
  });

  test("hostnames are verified: 127.0.0.1 is in the certificate, 127.0.0.2 is not", async () => {
    const queue = await freshQueue("tls-ip");
    await queue.publish([{ n: 1 }]);
    const good = writeConfig(queue, {
      amqpUrl: tlsUrl({ user: PLAIN_USER, password: PASSWORD, host: "127.0.0.1" }),
      extra: tlsTable({ ca_cert: pki("ca-bundle.pem") }),
      consumerConfig: { halt_after: 1 },
    });
    const ok = await consume(good);
    assert.equal(ok.code, 0, `${ok.stdout}\n${ok.stderr}`);
    // No SNI for an address: Node would warn (DEP0123) on stderr.
    assert.doesNotMatch(ok.stderr, /DeprecationWarning|DEP0123/);
    assert.equal(queue.records().length, 1);

    // Same broker, same CA, a name the certificate lacks: refused before AMQP.
    const bad = writeConfig(queue, {
      amqpUrl: tlsUrl({ user: PLAIN_USER, password: PASSWORD, host: "127.0.0.2" }),
      extra: tlsTable({ ca_cert: pki("ca-bundle.pem") }),
    });
    const refused = await consume(bad);
    assert.equal(refused.code, 14, `${refused.stdout}\n${refused.stderr}`);
    assert.match(refused.stdout, HANDSHAKE);
    assert.match(refused.stdout, /IP: 127\.0\.0\.2 is not in the cert's list: 127\.0\.0\.1 during the handshake/);
  });

  describe("1: an unusable [tls] file, reported before any connection, naming the setting and the file", () => {
    const cases: Array<{ name: string; setting: "ca_cert" | "certfile" | "keyfile"; tls: () => TlsTable; reason: () => RegExp }> = [
      { name: "ca_cert missing", setting: "ca_cert", tls: () => ({ ca_cert: missing() }), reason: () => new RegExp(`ENOENT: no such file or directory, open '${escape(missing())}'`) },
      { name: "ca_cert not PEM", setting: "ca_cert", tls: () => ({ ca_cert: notPem() }), reason: () => new RegExp(`${escape(notPem())}: no PEM certificate found`) },
      {
        name: "certfile missing",
        setting: "certfile",
        tls: () => ({ ca_cert: pki("ca.pem"), certfile: missing(), keyfile: pki("client.key") }),
        reason: () => new RegExp(`open '${escape(missing())}'`),
      },
      {
        name: "certfile not PEM",
        setting: "certfile",
        tls: () => ({ ca_cert: pki("ca.pem"), certfile: notPem(), keyfile: pki("client.key") }),
        reason: () => new RegExp(`${escape(notPem())}: no PEM certificate found`),
      },
      {
        name: "keyfile missing",
        setting: "keyfile",
        tls: () => ({ ca_cert: pki("ca.pem"), certfile: pki("client.pem"), keyfile: missing() }),
        reason: () => new RegExp(`open '${escape(missing())}'`),
      },
      {
        name: "keyfile not PEM",
        setting: "keyfile",
        tls: () => ({ ca_cert: pki("ca.pem"), certfile: pki("client.pem"), keyfile: notPem() }),
        reason: () => new RegExp(`${escape(notPem())}: no PEM private key found`),
      },
      {
        name: "keyfile of another certificate",
        setting: "keyfile",
        tls: () => ({ ca_cert: pki("ca.pem"), certfile: pki("client.pem"), keyfile: pki("stranger.key") }),
        reason: () => new RegExp(`${escape(pki("stranger.key"))}: the private key does not match the certificate in certfile`),
      },
    ];
    let fileQueue: TestQueue | undefined;
    for (const c of cases) {
      test(c.name, async () => {
        fileQueue ??= await freshQueue("tls-file");
        const config = writeConfig(fileQueue, { amqpUrl: tlsUrl({ user: PLAIN_USER, password: PASSWORD }), extra: tlsTable(c.tls()) });
        const { code, stdout, stderr } = await consume(config);
        assert.equal(code, 1, `${stdout}\n${stderr}`);
        assert.match(stderr, new RegExp(`The "${c.setting}" setting in the "tls" section is invalid \\(`));
        assert.match(stderr, c.reason());
        assert.doesNotMatch(stdout, /Connected to/);
      });
    }
  });

  test("no password in any output line", () => {
    assert.ok(outputs.length > 10, "the tests above ran");
    for (const output of outputs) assert.ok(!output.includes(PASSWORD), `the password was printed:\n${output}`);
  });
});

// --- helpers ---

interface TlsTable {
  readonly ca_cert?: string;
  readonly certfile?: string;
  readonly keyfile?: string;
}

/**
 * A `[tls]` table for writeConfig's `extra`: the harness puts `extra` after the
 * top-level keys and before `[queues.…]`, so a table there ends at the next header.
 */
function tlsTable(tls: TlsTable): string {
  return ["[tls]", ...Object.entries(tls).map(([key, value]) => `${key} = ${JSON.stringify(value)}`)].join("\n");
}

/** The run's TLS URL with other credentials or another host (same port). */
function tlsUrl(options: { user?: string; password?: string; host?: string }): string {
  const url = new URL(TLS_URL ?? "amqps://localhost:5681/");
  if (options.user !== undefined) url.username = encodeURIComponent(options.user);
  if (options.password !== undefined) url.password = encodeURIComponent(options.password);
  if (options.host !== undefined) url.hostname = options.host;
  return url.toString();
}

/** consumeToEnd, keeping the output for the password check. */
async function consume(config: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const result = await consumeToEnd(config, [], 30_000);
  outputs.push(result.stdout, result.stderr);
  return result;
}

/** The broker's view of the CLI's connection for this queue (its client properties name the app). */
async function connectionOf(queue: TestQueue): Promise<Record<string, unknown>> {
  const app = `fm-test-${queue.name}`;
  const found = await eventually(
    async () => (await listConnections()).find((c) => c.client_properties["app"] === app),
    (connection) => connection !== undefined,
    { what: `a connection of ${app} in the management API` },
  );
  return found as unknown as Record<string, unknown>;
}

/** PUT /api/users/NAME with an empty password hash: a user no password can log in as. */
async function createPasswordlessUser(name: string): Promise<void> {
  const url = new URL(brokerUrls().mgmtUrl);
  const authorization = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString("base64")}`;
  url.username = url.password = "";
  const response = await fetch(new URL(`/api/users/${encodeURIComponent(name)}`, url), {
    method: "PUT",
    headers: { authorization, "content-type": "application/json" },
    body: JSON.stringify({ password_hash: "", tags: "" }),
  });
  if (!response.ok) throw new Error(`creating user ${name}: HTTP ${response.status} ${await response.text()}`);
}

function missing(): string {
  return join(scratch, "no-such-file.pem");
}

function notPem(): string {
  const path = join(scratch, "not-pem.txt");
  writeFileSync(path, "this is not a certificate\n");
  return path;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
