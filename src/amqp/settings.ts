/**
 * Turns the configuration into connection settings: URL, credentials, vhost,
 * client properties, heartbeat, TLS material. Reading the TLS files happens
 * here, once, at start, so that a bad file is reported before connecting
 * (exit 1, naming the file, like Python's ConfigurationException at start).
 */
import { readFileSync } from "node:fs";
import { X509Certificate, createPrivateKey } from "node:crypto";
import { maskAmqpUrl, parseAmqpUrl } from "../config/amqp-url.js";
import type { Config } from "../config/types.js";
import { FedoraMessagingError } from "../errors.js";
import type { ConnectionSettings } from "./connection.js";

/** The idle timeout we ask of the broker when the URL sets no heartbeat, ms. */
export const DEFAULT_IDLE_TIMEOUT_MS = 30_000;
/** How long the TCP + TLS + AMQP handshake may take before we call the broker unreachable. */
export const CONNECT_TIMEOUT_MS = 10_000;

/** A `[tls]` file that cannot be read or is not what it should be. The CLI exits 1. */
export class TlsFileError extends FedoraMessagingError {
  override name = "TlsFileError";
}

export function connectionSettings(config: Config): ConnectionSettings {
  const url = parseAmqpUrl(config.amqp_url);
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
    displayUrl: maskAmqpUrl(config.amqp_url),
  };
}

function tlsMaterial(config: Config): NonNullable<ConnectionSettings["tls"]> {
  const { ca_cert, certfile, keyfile } = config.tls;
  const ca = ca_cert ? readPem("ca_cert", ca_cert, checkCertificates) : undefined;
  // Python: both certfile and keyfile set means x509 (SASL EXTERNAL) authentication.
  const external = Boolean(certfile && keyfile);
  const cert = external && certfile ? readPem("certfile", certfile, checkCertificates) : undefined;
  const key = external && keyfile ? readPem("keyfile", keyfile, checkKey) : undefined;
  return { ca, cert, key, external };
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

/** Every certificate of a bundle must parse (Fedora's CA file holds two). */
function checkCertificates(pem: string): void {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
  if (!blocks) throw new Error("no PEM certificate found");
  for (const block of blocks) new X509Certificate(block);
}

function checkKey(pem: string): void {
  createPrivateKey(pem);
}
