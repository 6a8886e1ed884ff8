/**
 * The CAs an `amqps://` connection trusts when `[tls] ca_cert` is not set.
 *
 * Python fedora-messaging (Twisted's `platformTrust()`, i.e. OpenSSL's default
 * verify paths) trusts the system's certificate store, so a broker signed by a
 * private CA installed system-wide (`update-ca-certificates`,
 * `update-ca-trust`) is accepted. Node trusts only the Mozilla roots bundled in
 * it. Ours trusts both: Node's roots plus the system's certificates, found
 * where OpenSSL finds them — `$SSL_CERT_FILE` (else the first distribution
 * bundle that exists) and every certificate file in `$SSL_CERT_DIR`.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { rootCertificates } from "node:tls";

/** One PEM bundle of the system's trusted CAs, per distribution family. */
export const SYSTEM_BUNDLES = [
  "/etc/ssl/certs/ca-certificates.crt", // Debian, Ubuntu, Arch
  "/etc/pki/tls/certs/ca-bundle.crt", // Fedora, RHEL, CentOS
  "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", // Fedora, RHEL (the file the above links to)
  "/etc/ssl/ca-bundle.pem", // openSUSE
  "/etc/ssl/cert.pem", // Alpine
] as const;

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * Node's bundled roots, plus the certificates of the first system bundle that
 * can be read (`$SSL_CERT_FILE` first), plus those of `$SSL_CERT_DIR`'s files.
 * @param env where `SSL_CERT_FILE` and `SSL_CERT_DIR` are looked up.
 * @param bundles the paths tried after `SSL_CERT_FILE` (tests point them into a temporary root).
 */
export function defaultTrust(env: NodeJS.ProcessEnv = process.env, bundles: readonly string[] = SYSTEM_BUNDLES): string[] {
  const candidates = env.SSL_CERT_FILE ? [env.SSL_CERT_FILE, ...bundles] : bundles;
  let system: string[] = [];
  for (const path of candidates) {
    system = readCertificates(path);
    if (system.length > 0) break;
  }
  // OpenSSL's directory may hold several paths separated by ":"; its files are hashed names or .pem/.crt.
  const fromDirs = (env.SSL_CERT_DIR ?? "").split(":").filter(Boolean).flatMap((dir) => filesIn(dir).flatMap(readCertificates));
  return [...new Set([...rootCertificates, ...system, ...fromDirs])];
}

function filesIn(dir: string): string[] {
  try {
    return readdirSync(dir).sort().map((name) => join(dir, name));
  } catch {
    return [];
  }
}

function readCertificates(path: string): string[] {
  try {
    return readFileSync(path, "utf8").match(PEM_CERTIFICATE) ?? [];
  } catch {
    return [];
  }
}
