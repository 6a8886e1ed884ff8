/**
 * The pure parts of TLS: reading and checking the `[tls]` files, the options
 * handed to rhea/tls.connect, and the one-line handshake reasons. Certificates
 * come from test/broker/test-pki.sh (openssl), made afresh in a temporary
 * directory; these tests skip without openssl.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { tlsConnectOptions } from "../../../src/amqp/connection.js";
import { describeHandshakeError } from "../../../src/amqp/errors.js";
import { TlsFileError, checkCertificates, checkKey, connectionSettings } from "../../../src/amqp/settings.js";
import { defaultConfig } from "../../../src/config/defaults.js";
import type { Config } from "../../../src/config/types.js";
import { captureLines, resetLogging } from "../config/_capture.js";
import { rootCertificates } from "node:tls";
import { defaultTrust } from "../../../src/amqp/system-ca.js";

const PKI_SCRIPT = resolve(import.meta.dirname, "../../broker/test-pki.sh");
const hasOpenssl = (() => {
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

let dir = "";
const file = (name: string): string => join(dir, name);

function configWith(amqpUrl: string, tls: Partial<Config["tls"]>): Config {
  const config = defaultConfig();
  return { ...config, amqp_url: amqpUrl, tls: { ...config.tls, ...tls } };
}

function tlsError(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof TlsFileError, `a TlsFileError, not ${String(error)}`);
    return error.message;
  }
  assert.fail("no error thrown");
}

describe("[tls] files", { skip: hasOpenssl ? false : "needs openssl" }, () => {
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "fm-unit-tls-"));
    execFileSync("bash", [PKI_SCRIPT, dir]);
    writeFileSync(file("not-pem.txt"), "hello\n");
    // A bundle whose first certificate is fine and whose second has broken base64.
    const broken = readFileSync(file("ca.pem"), "utf8").replace(/\n[A-Za-z0-9+/]{20}/, "\n!!!!!!!!!!!!!!!!!!!!");
    writeFileSync(file("broken-bundle.pem"), readFileSync(file("other-ca.pem"), "utf8") + broken);
    writeFileSync(file("key-and-cert.pem"), readFileSync(file("client.key"), "utf8") + readFileSync(file("client.pem"), "utf8"));
    const { privateKey } = generateKeyPairSync("ec", {
      namedCurve: "P-256",
      publicKeyEncoding: { type: "spki", format: "pem" },
      privateKeyEncoding: { type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: "secret" },
    });
    writeFileSync(file("encrypted.key"), privateKey);
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
    resetLogging();
  });

  it("no ca_cert: Node's roots plus the system bundle ($SSL_CERT_FILE first, then the distributions' paths), as Python trusts the system store", () => {
    const ca = readFileSync(file("ca.pem"), "utf8").trim();
    const other = readFileSync(file("other-ca.pem"), "utf8").trim();
    // A temporary root: the first path is missing, the second holds the "system" bundle.
    const bundles = [file("no-such-bundle.crt"), file("ca-bundle.pem")];
    assert.deepEqual(defaultTrust({}, bundles), [...rootCertificates, other, ca]);
    assert.deepEqual(defaultTrust({ SSL_CERT_FILE: file("ca.pem") }, bundles), [...rootCertificates, ca]);
    assert.deepEqual(defaultTrust({ SSL_CERT_FILE: file("missing.pem") }, [file("other-ca.pem")]), [...rootCertificates, other]);
    assert.deepEqual(defaultTrust({}, [file("missing.pem")]), [...rootCertificates]);
    // $SSL_CERT_DIR: every certificate file in it (and in each ":"-separated directory), once each.
    const certDir = file("cert-dir");
    mkdirSync(certDir, { recursive: true });
    writeFileSync(join(certDir, "a1b2c3d4.0"), `${other}\n`);
    writeFileSync(join(certDir, "README"), "not a certificate\n");
    assert.deepEqual(defaultTrust({ SSL_CERT_DIR: `${file("no-dir")}:${certDir}` }, [file("ca.pem")]), [...rootCertificates, ca, other]);
    assert.deepEqual(defaultTrust({ SSL_CERT_DIR: certDir }, [file("other-ca.pem")]), [...rootCertificates, other]);
    // What a connection gets: the daemon reads $SSL_CERT_FILE like OpenSSL (and Python) do.
    const saved = process.env.SSL_CERT_FILE;
    process.env.SSL_CERT_FILE = file("ca.pem");
    try {
      const trusted = connectionSettings(configWith("amqps://localhost/", {})).tls?.ca as readonly string[];
      assert.ok(trusted.includes(ca) && trusted.includes(rootCertificates[0]!));
    } finally {
      if (saved === undefined) delete process.env.SSL_CERT_FILE;
      else process.env.SSL_CERT_FILE = saved;
    }
  });

  it("reads nothing for amqp://, even with [tls] set", () => {
    const settings = connectionSettings(configWith("amqp://localhost/", { ca_cert: file("missing.pem") }));
    assert.equal(settings.tls, undefined);
  });

  it("a two-CA bundle: every certificate is kept and checked", () => {
    const settings = connectionSettings(configWith("amqps://localhost/", { ca_cert: file("ca-bundle.pem") }));
    assert.equal(settings.tls?.ca, readFileSync(file("ca-bundle.pem"), "utf8"));
    assert.equal(settings.tls?.external, false);
    assert.equal(settings.tls?.cert, undefined);
    assert.throws(() => checkCertificates(readFileSync(file("broken-bundle.pem"), "utf8")), /^Error: certificate 2 of 2 cannot be read: /);
  });

  it("certfile and keyfile both set: EXTERNAL, announced once per config like Python", () => {
    const lines = captureLines();
    const config = configWith("amqps://user:pw@localhost/", { certfile: file("client.pem"), keyfile: file("client.key") });
    const settings = connectionSettings(config);
    connectionSettings(config); // a reconnection
    assert.equal(settings.tls?.external, true);
    assert.equal(settings.tls?.cert, readFileSync(file("client.pem"), "utf8"));
    assert.equal(settings.tls?.key, readFileSync(file("client.key"), "utf8"));
    assert.deepEqual(
      lines.filter((line) => line.includes("x509")),
      [`[fedora_messaging.twisted.service INFO] Authenticating with server using x509 (certfile: ${file("client.pem")}, keyfile: ${file("client.key")})`],
    );
  });

  it("only one of certfile and keyfile: no client certificate, and neither file is read", () => {
    const settings = connectionSettings(configWith("amqps://localhost/", { certfile: file("missing.pem") }));
    assert.equal(settings.tls?.external, false);
    assert.equal(settings.tls?.cert, undefined);
  });

  it("a keyfile that also holds the certificate is fine", () => {
    const settings = connectionSettings(configWith("amqps://localhost/", { certfile: file("client.pem"), keyfile: file("key-and-cert.pem") }));
    assert.equal(settings.tls?.external, true);
  });

  it("each bad file is named with its setting", () => {
    const cases: Array<[Partial<Config["tls"]>, RegExp]> = [
      [{ ca_cert: file("missing.pem") }, /^The "ca_cert" setting in the "tls" section is invalid \(ENOENT: no such file or directory, open '.*missing\.pem'\)$/],
      [{ ca_cert: file("not-pem.txt") }, /^The "ca_cert" setting in the "tls" section is invalid \(.*not-pem\.txt: no PEM certificate found\)$/],
      [{ ca_cert: file("broken-bundle.pem") }, /^The "ca_cert" setting in the "tls" section is invalid \(.*broken-bundle\.pem: certificate 2 of 2 cannot be read: /],
      [{ certfile: file("not-pem.txt"), keyfile: file("client.key") }, /^The "certfile" setting .*not-pem\.txt: no PEM certificate found\)$/],
      [{ certfile: file("client.pem"), keyfile: file("client.pem") }, /^The "keyfile" setting .*client\.pem: no PEM private key found\)$/],
      [{ certfile: file("client.pem"), keyfile: file("encrypted.key") }, /^The "keyfile" setting .*encrypted\.key: the private key is encrypted; a key protected by a passphrase is not supported\)$/],
      [{ certfile: file("client.pem"), keyfile: file("stranger.key") }, /^The "keyfile" setting .*stranger\.key: the private key does not match the certificate in certfile\)$/],
    ];
    for (const [tls, expected] of cases) {
      assert.match(tlsError(() => connectionSettings(configWith("amqps://localhost/", tls))), expected);
    }
  });

  it("checkKey accepts the PKI's keys", () => {
    checkKey(readFileSync(file("client.key"), "utf8"));
    checkKey(readFileSync(file("key-and-cert.pem"), "utf8"));
  });
});

describe("TLS connect options", () => {
  const material = { ca: "CA", cert: "CERT", key: "KEY", external: true };

  it("verifies the broker, TLS 1.2 at least, SNI for host names", () => {
    const options = tlsConnectOptions("rabbitmq.fedoraproject.org", material);
    assert.equal(options["transport"], "tls");
    assert.equal(options["servername"], "rabbitmq.fedoraproject.org");
    assert.equal(options["rejectUnauthorized"], true);
    assert.equal(options["minVersion"], "TLSv1.2");
    assert.equal(options["ca"], "CA");
    assert.equal(options["cert"], "CERT");
    assert.equal(options["key"], "KEY");
    assert.equal(options["enable_sasl_external"], true);
  });

  it("no SNI for an IP address (Node would warn; the certificate is still checked against the address)", () => {
    assert.equal(tlsConnectOptions("127.0.0.1", material)["servername"], "");
    assert.equal(tlsConnectOptions("::1", material)["servername"], "");
  });

  it("no EXTERNAL, no client material without a client certificate", () => {
    const options = tlsConnectOptions("localhost", { ca: "CA", external: false });
    assert.equal("enable_sasl_external" in options, false);
    assert.equal("cert" in options, false);
    assert.equal("key" in options, false);
  });
});

describe("handshake reasons", () => {
  it("an alert from the broker says the broker ended the handshake, on one line", () => {
    const error = Object.assign(
      new Error("80EC83DB3E7F0000:error:0A000418:SSL routines:ssl3_read_bytes:tlsv1 alert unknown ca:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:1601:SSL alert number 48\n"),
      { code: "ERR_SSL_TLSV1_ALERT_UNKNOWN_CA", reason: "tlsv1 alert unknown ca" },
    );
    assert.equal(describeHandshakeError(error), "the broker ended the TLS handshake: tlsv1 alert unknown ca");
  });

  it("Node's own verification errors keep their words", () => {
    const error = Object.assign(new Error("self-signed certificate in certificate chain"), { code: "SELF_SIGNED_CERT_IN_CHAIN" });
    assert.equal(describeHandshakeError(error), "self-signed certificate in certificate chain");
    assert.equal(describeHandshakeError(new Error("two\nlines ")), "two lines");
  });
});
