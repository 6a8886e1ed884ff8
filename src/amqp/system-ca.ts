/**
 * The CAs an `amqps://` connection trusts when `[tls] ca_cert` is not set.
 *
 * Python fedora-messaging (Twisted's `platformTrust()`, i.e. OpenSSL's default
 * verify paths) trusts the system's certificate store, so a broker signed by a
 * private CA installed system-wide (`update-ca-certificates`,
 * `update-ca-trust`) is accepted. Node trusts only the Mozilla roots bundled in
 * it. Ours trusts both: Node's roots plus the system bundle, found where
 * OpenSSL finds it — `$SSL_CERT_FILE` first, then the distributions' bundle
 * paths. (`$SSL_CERT_DIR`, a directory of hashed certificates, is not read.)
 */
import { readFileSync } from "node:fs";
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
 * Node's bundled roots plus the certificates of the first system bundle that
 * can be read (`$SSL_CERT_FILE` first). Only the bundled roots when there is
 * none.
 * @param env where `SSL_CERT_FILE` is looked up.
 * @param bundles the paths tried after it (tests point them into a temporary root).
 */
export function defaultTrust(env: NodeJS.ProcessEnv = process.env, bundles: readonly string[] = SYSTEM_BUNDLES): string[] {
  const candidates = env.SSL_CERT_FILE ? [env.SSL_CERT_FILE, ...bundles] : bundles;
  for (const path of candidates) {
    const certificates = readCertificates(path);
    if (certificates.length > 0) return [...rootCertificates, ...certificates];
  }
  return [...rootCertificates];
}

function readCertificates(path: string): string[] {
  try {
    return readFileSync(path, "utf8").match(PEM_CERTIFICATE) ?? [];
  } catch {
    return [];
  }
}
