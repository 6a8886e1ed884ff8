/**
 * `amqp_url`, read the way pika's `URLParameters` reads it, so that the URL in
 * a Python user's config means the same broker, vhost and credentials here.
 *
 * Where pika crashes or silently misreads, we say what is wrong instead:
 * a user without a password (`amqp://user@host`: a TypeError in pika) means an
 * empty password; a vhost path with several segments (`/a/b`: pika quietly
 * uses `a`) and an out-of-range or zero port are errors; so is a malformed
 * percent escape, which pika leaves as is.
 */
import { isIPv6 } from "node:net";
import { ConfigurationError } from "../errors.js";

export interface AmqpUrl {
  readonly scheme: "amqp" | "amqps";
  /** Lower-cased; an IPv6 address without its brackets. `localhost` when absent. */
  readonly host: string;
  /** 5672 for amqp, 5671 for amqps, unless the URL says otherwise. */
  readonly port: number;
  /** Percent-decoded; `guest` when the URL has no user (pika's default). */
  readonly username: string;
  /** Percent-decoded; `guest` when the URL has no user, `""` for `user:@host` or `user@host`. */
  readonly password: string;
  /** Whether the URL carried a user (`user@`, `user:pw@`, `:pw@`); false means pika's guest/guest. */
  readonly hasCredentials: boolean;
  /** Percent-decoded first path segment; `/` when the path is empty or `/`. */
  readonly vhost: string;
  /** `?heartbeat=`, seconds (0 = off); undefined when absent. */
  readonly heartbeat: number | undefined;
  /** `?connection_attempts=` (pika's default is 1); undefined when absent. */
  readonly connectionAttempts: number | undefined;
  /** `?retry_delay=`, seconds (pika's default is 2); undefined when absent. */
  readonly retryDelay: number | undefined;
  /** Every other query parameter pika knows, decoded, unparsed (e.g. `socket_timeout`). */
  readonly query: Readonly<Record<string, string>>;
}

/** The query parameters pika 1.x accepts; any other name is an error there, and here. */
const KNOWN_PARAMETERS = [
  "blocked_connection_timeout",
  "channel_max",
  "client_properties",
  "connection_attempts",
  "frame_max",
  "heartbeat",
  "locale",
  "retry_delay",
  "socket_timeout",
  "ssl_options",
  "stack_timeout",
  "tcp_options",
] as const;

/**
 * Parses an AMQP URL like pika's `URLParameters`.
 *
 * @throws ConfigurationError naming `amqp_url`, with the password masked, when
 * the URL cannot be used (scheme, port, vhost, query parameter).
 */
export function parseAmqpUrl(url: string): AmqpUrl {
  const result = tryParseAmqpUrl(url);
  if (typeof result === "string") throw new ConfigurationError(amqpUrlProblem(url, result));
  return result;
}

/**
 * The URL with its password replaced by `****`, for log lines and errors.
 * Never throws: a URL that does not parse is masked by pattern.
 */
export function maskAmqpUrl(url: string): string {
  const parts = splitUrl(url);
  if (parts !== undefined && parts.userinfo !== undefined) {
    const colon = parts.userinfo.indexOf(":");
    if (colon < 0 || colon === parts.userinfo.length - 1) return url; // no password to hide
    const masked = `${parts.userinfo.slice(0, colon)}:****`;
    return `${parts.scheme}://${masked}@${parts.hostport}${url.slice(parts.restStart)}`;
  }
  // No user in the authority, but maybe a password with an unescaped "/",
  // "?" or "#" that ended the authority early: hide up to the last "@".
  if (parts !== undefined) return url.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/[^:@/?#]*:)[^@]*@/, "$1****@");
  // Not a URL we understand: hide anything shaped like `user:secret@`.
  return url.replace(/:([^:@/\s]+)@/g, ":****@");
}

/**
 * The sentence every `amqp_url` problem is reported with (the URL masked);
 * `key` names the entry of a list (`amqp_url[1]`).
 */
export function amqpUrlProblem(url: string, reason: string, key = "amqp_url"): string {
  return `'${key}' is not a valid AMQP URL (${JSON.stringify(maskAmqpUrl(url))}): ${reason}`;
}

/** The URLs of an `amqp_url` setting, in the order they are tried: one for Python's string, each of a list. */
export function amqpUrls(setting: string | readonly string[]): readonly string[] {
  return typeof setting === "string" ? [setting] : setting;
}

/**
 * Like `parseAmqpUrl`, but returns the reason as a string instead of throwing.
 * Each URL text is parsed once: validating the configuration parses it, and
 * connecting (amqp/settings.ts) reads the same frozen result.
 */
export function tryParseAmqpUrl(url: string): AmqpUrl | string {
  let result = parsedUrls.get(url);
  if (result === undefined) {
    result = parse(url);
    if (typeof result !== "string") Object.freeze(Object.freeze(result).query);
    parsedUrls.set(url, result);
  }
  return result;
}

// --- internal ---

/** What each URL text parsed to (a process sees one or two distinct `amqp_url`s). */
const parsedUrls = new Map<string, AmqpUrl | string>();

function parse(url: string): AmqpUrl | string {
  const parts = splitUrl(url);
  if (parts === undefined) return 'expected "amqp://" or "amqps://" followed by [user[:password]@]host[:port][/vhost][?parameters]';
  const scheme = parts.scheme.toLowerCase();
  if (scheme !== "amqp" && scheme !== "amqps") return `unsupported scheme "${parts.scheme}"; supported schemes are amqp and amqps`;

  const hostPort = splitHostPort(parts.hostport);
  if (typeof hostPort === "string") return hostPort;
  let port = scheme === "amqps" ? 5671 : 5672;
  if (hostPort.port !== "") {
    // The port's text is not echoed: with a "/" left unescaped in a password,
    // what looks like the port is part of the password.
    port = /^\d+$/.test(hostPort.port) ? Number(hostPort.port) : Number.NaN;
    if (!(port >= 1 && port <= 65535)) {
      const hint = url.slice(parts.restStart).includes("@") ? ' (write "/", "?" and "#" in a password as %2F, %3F and %23)' : "";
      return `the port must be a number from 1 to 65535${hint}`;
    }
  }

  let username = "guest";
  let password = "guest";
  const hasCredentials = parts.userinfo !== undefined;
  if (parts.userinfo !== undefined) {
    const colon = parts.userinfo.indexOf(":");
    const user = decode(colon < 0 ? parts.userinfo : parts.userinfo.slice(0, colon));
    const pass = decode(colon < 0 ? "" : parts.userinfo.slice(colon + 1));
    if (user === undefined || pass === undefined) return "the user or password has a malformed percent-escape";
    username = user;
    password = pass;
  }

  const vhost = parseVhost(parts.path);
  if (vhost === undefined) return `the path "${parts.path}" must be a single vhost name (write "/" inside it as %2F) and percent-escapes must be valid`;

  const query = parseQuery(parts.query);
  if (typeof query === "string") return query;
  const { heartbeat, connection_attempts, retry_delay, ...others } = query;
  // A short in AMQP 0-9-1's tune frame, as pika sends it; past it Node's timers overflow too.
  const parsedHeartbeat = integerParameter("heartbeat", heartbeat, 0, 65_535);
  if (typeof parsedHeartbeat === "string") return parsedHeartbeat;
  const attempts = integerParameter("connection_attempts", connection_attempts, 1, Number.MAX_SAFE_INTEGER);
  if (typeof attempts === "string") return attempts;
  let retryDelay: number | undefined;
  if (retry_delay !== undefined) {
    retryDelay = Number(retry_delay);
    if (retry_delay.trim() === "" || !Number.isFinite(retryDelay) || retryDelay < 0) {
      return `retry_delay must be a non-negative number of seconds, got "${retry_delay}"`;
    }
  }

  return {
    scheme,
    host: hostPort.host === "" ? "localhost" : hostPort.host.toLowerCase(),
    port,
    username,
    password,
    hasCredentials,
    vhost,
    heartbeat: parsedHeartbeat,
    connectionAttempts: attempts,
    retryDelay,
    query: others,
  };
}

interface UrlParts {
  readonly scheme: string;
  /** Everything before the last `@` of the authority, undefined without an `@`. */
  readonly userinfo: string | undefined;
  readonly hostport: string;
  readonly path: string;
  readonly query: string;
  /** Where the path starts in the original string. */
  readonly restStart: number;
}

/** Splits like Python's `urlsplit`: the authority ends at the first `/`, `?` or `#`. */
function splitUrl(url: string): UrlParts | undefined {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)/.exec(url);
  if (!m) return undefined;
  const scheme = m[1] ?? "";
  const authority = m[2] ?? "";
  const restStart = m[0].length;
  const rest = url.slice(restStart).replace(/#.*$/s, "");
  const q = rest.indexOf("?");
  const at = authority.lastIndexOf("@");
  return {
    scheme,
    userinfo: at < 0 ? undefined : authority.slice(0, at),
    hostport: at < 0 ? authority : authority.slice(at + 1),
    path: q < 0 ? rest : rest.slice(0, q),
    query: q < 0 ? "" : rest.slice(q + 1),
    restStart,
  };
}

function splitHostPort(hostport: string): { host: string; port: string } | string {
  if (hostport.startsWith("[")) {
    const close = hostport.indexOf("]");
    if (close < 0) return `the host "${hostport}" has an opening "[" without its closing "]"`;
    const host = hostport.slice(1, close);
    if (!isIPv6(host)) return `"${host}" in brackets is not an IPv6 address`;
    const after = hostport.slice(close + 1);
    if (after !== "" && !after.startsWith(":")) return `unexpected "${after}" after the IPv6 address`;
    return { host, port: after.slice(1) };
  }
  const colon = hostport.indexOf(":");
  const host = colon < 0 ? hostport : hostport.slice(0, colon);
  if (/[\s[\]]/.test(host)) return `the host "${host}" is not a host name or address`;
  return { host, port: colon < 0 ? "" : hostport.slice(colon + 1) };
}

/** pika takes the first path segment as the vhost; we insist there is only one. */
function parseVhost(path: string): string | undefined {
  if (path === "" || path === "/") return "/";
  const segment = path.slice(1);
  if (segment.includes("/")) return undefined;
  return decode(segment);
}

/** Like Python's `parse_qs`: `&`-separated, `+` is a space, blank values are skipped. */
function parseQuery(query: string): Record<string, string> | string {
  const values: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const pair of query.split("&")) {
    const eq = pair.indexOf("=");
    if (eq < 0) continue;
    const name = decode(pair.slice(0, eq).replace(/\+/g, " "));
    const value = decode(pair.slice(eq + 1).replace(/\+/g, " "));
    if (name === undefined || value === undefined) return `the query parameter "${pair}" has a malformed percent-escape`;
    if (value === "") continue;
    if (!(KNOWN_PARAMETERS as readonly string[]).includes(name)) {
      return `unknown URL parameter "${name}"; known parameters are ${KNOWN_PARAMETERS.join(", ")}`;
    }
    if (name in values) return `the URL parameter "${name}" is given more than once`;
    values[name] = value;
  }
  return { ...values };
}

function integerParameter(name: string, value: string | undefined, min: number, max: number): number | undefined | string {
  if (value === undefined) return undefined;
  if (!/^\s*[+-]?\d+\s*$/.test(value) || Number(value) < min) {
    return `${name} must be an integer of at least ${min}, got "${value}"`;
  }
  if (Number(value) > max) return `${name} must be at most ${max}, got "${value}"`;
  return Number(value);
}

function decode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}
