/**
 * Turns the configuration into connection settings, one per `amqp_url` (a
 * list of URLs is a pool of brokers): URL, credentials, vhost,
 * client properties, heartbeat, TLS material. Reading the TLS files happens
 * here, once, at start, so that a bad file is reported before connecting
 * (exit 1, naming the file, like Python's ConfigurationException at start).
 */
import { readFileSync } from "node:fs";
import { X509Certificate, createPrivateKey, type KeyObject } from "node:crypto";
import { amqpUrls, maskAmqpUrl, parseAmqpUrl } from "../config/amqp-url.js";
import type { Config } from "../config/types.js";
import { FedoraMessagingError } from "../errors.js";
import { getLogger } from "../log.js";
import type { ConnectionSettings } from "./connection.js";
import { defaultTrust } from "./system-ca.js";

const serviceLog = getLogger("fedora_messaging.twisted.service");
/** Configs whose x509 line was logged: Python logs it once, not at every reconnection. */
const announcedX509 = new WeakSet<Config>();

/** The idle timeout we ask of the broker when the URL sets no heartbeat, ms. */
export const DEFAULT_IDLE_TIMEOUT_MS = 30_000;
/** How long the TCP + TLS + AMQP handshake may take before we call the broker unreachable. */
export const CONNECT_TIMEOUT_MS = 10_000;

/** A `[tls]` file that cannot be read or is not what it should be. The CLI exits 1. */
export class TlsFileError extends FedoraMessagingError {
  override name = "TlsFileError";
}

/**
 * The addresses of the broker pool, in the order of `amqp_url`; `[tls]`
 * applies to each `amqps://` one (its files read once per address, at start).
 */
export function brokerAddresses(config: Config): ConnectionSettings[] {
  return amqpUrls(config.amqp_url).map((url) => connectionSettings(config, url));
}

/** The settings for one URL of `amqp_url` (by default the first). */
export function connectionSettings(config: Config, amqpUrl: string = amqpUrls(config.amqp_url)[0]!): ConnectionSettings {
  const url = parseAmqpUrl(amqpUrl);
  // Like RabbitMQ, advertise half the heartbeat: the peer sends a frame at least that often.
  const idleTimeoutMs = url.heartbeat === undefined ? DEFAULT_IDLE_TIMEOUT_MS : (url.heartbeat * 1000) / 2;
  const tls = url.scheme === "amqps" ? tlsMaterial(config) : undefined;
  return {
    host: url.host,
    port: url.port,
    vhost: url.vhost,
    username: url.hasCredentials ? url.username : undefined,
    password: url.hasCredentials ? url.password : undefined,
    properties: config.client_properties,
    idleTimeoutMs,
    connectTimeoutMs: CONNECT_TIMEOUT_MS,
    tls,
    displayUrl: maskAmqpUrl(amqpUrl),
  };
}

function tlsMaterial(config: Config): NonNullable<ConnectionSettings["tls"]> {
  const { ca_cert, certfile, keyfile } = config.tls;
  // Python: both certfile and keyfile set means x509 (SASL EXTERNAL) authentication,
  // announced before any file is read.
  const x509 = certfile && keyfile ? { certfile, keyfile } : undefined;
  if (x509 && !announcedX509.has(config)) {
    announcedX509.add(config);
    serviceLog.info(`Authenticating with server using x509 (certfile: ${x509.certfile}, keyfile: ${x509.keyfile})`);
  }
  // Without ca_cert, Python trusts the system's store: ours trusts it too, besides Node's roots.
  const ca = ca_cert ? readPem("ca_cert", ca_cert, checkCertificates) : defaultTrust();
  if (!x509) return { ca, external: false };
  const cert = readPem("certfile", x509.certfile, checkCertificates);
  const key = readPem("keyfile", x509.keyfile, checkKey);
  // Caught here, the mismatch is a one-line error naming the file; left to tls.connect it
  // would be a stack trace. Python reports it as the keyfile too (load_cert_chain).
  try {
    checkKeyMatches(cert, key);
  } catch (error) {
    throw new TlsFileError(`The "keyfile" setting in the "tls" section is invalid (${x509.keyfile}: ${(error as Error).message})`);
  }
  return { ca, cert, key, external: true };
}

function readPem(setting: string, path: string, check: (pem: string) => void): string {
  let pem: string;
  try {
    pem = readFileSync(path, "utf8");
  } catch (error) {
    throw new TlsFileError(`The "${setting}" setting in the "tls" section is invalid (${(error as Error).message})`);
  }
  try {
    check(pem);
  } catch (error) {
    throw new TlsFileError(`The "${setting}" setting in the "tls" section is invalid (${path}: ${(error as Error).message})`);
  }
  return pem;
}

const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * Every certificate of a bundle must parse (Fedora's CA file holds two, and
 * Python < 3.9.1 silently used only the first). Exported for the unit tests.
 */
export function checkCertificates(pem: string): void {
  const blocks = pem.match(CERTIFICATE_BLOCK);
  if (!blocks) throw new Error("no PEM certificate found");
  blocks.forEach((block, index) => {
    try {
      new X509Certificate(block);
    } catch (error) {
      throw new Error(`certificate ${index + 1} of ${blocks.length} cannot be read: ${(error as Error).message}`);
    }
  });
}

/** The key must be a usable, unencrypted PEM private key. Exported for the unit tests. */
export function checkKey(pem: string): void {
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) throw new Error("no PEM private key found");
  // Python would prompt for the passphrase on the terminal; a daemon cannot.
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(pem)) {
    throw new Error("the private key is encrypted; a key protected by a passphrase is not supported");
  }
  createPrivateKey(pem);
}

/** The client certificate (the first of the file) must belong to the key. Exported for the unit tests. */
export function checkKeyMatches(certPem: string, keyPem: string): void {
  const [first] = certPem.match(CERTIFICATE_BLOCK) ?? [];
  if (!first) throw new Error("no PEM certificate found");
  const key: KeyObject = createPrivateKey(keyPem);
  if (!new X509Certificate(first).checkPrivateKey(key)) throw new Error("the private key does not match the certificate in certfile");
}
