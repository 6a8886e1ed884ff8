/**
 * rhea's own debug output (`DEBUG=rhea*`, `rhea:frames`, `rhea:raw`, ...)
 * dumps the SASL exchange, and with it the broker password (in clear and in
 * hex). We cannot redact every encoding of it in someone else's frame dumps,
 * so a run that turns them on while logging in with a password says so, once,
 * loudly. Certificate logins (SASL EXTERNAL) send no password.
 */
import { getLogger } from "../log.js";

const log = getLogger("fedora_messaging.cli");

/** rhea's namespaces whose output carries the SASL exchange. */
const LEAKY = ["rhea:frames", "rhea:raw"];

/** Whether the `DEBUG` value (the `debug` package's syntax) turns on one of them. */
export function debugsRhea(debug: string | undefined): boolean {
  if (!debug) return false;
  const enabled = debug.split(/[\s,]+/).filter((name) => name !== "" && !name.startsWith("-"));
  const patterns = enabled.map((name) => new RegExp(`^${name.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`));
  return LEAKY.some((namespace) => patterns.some((pattern) => pattern.test(namespace)));
}

export function warnIfDebugShowsPassword(debug: string | undefined, sendsPassword: boolean): void {
  if (!sendsPassword || !debugsRhea(debug)) return;
  log.warning(
    "DEBUG turns on rhea's frame dumps, which show the broker password (in clear and in hex); " +
      "use a throwaway password or a client certificate while debugging, and never leave DEBUG set in a service",
  );
}
