/**
 * The `[monitoring]` HTTP server: Python fedora-messaging's `/live` and
 * `/ready` (same JSON bodies, byte for byte), plus what Python lacks:
 * - `/ready` answers 503 while no consumer is attached (Python always answers
 *   200 and puts `"consuming": false` in the body, which a Kubernetes or
 *   systemd probe cannot see);
 * - `/metrics` in the Prometheus text format.
 */
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { MonitoringSettings } from "../config/types.js";
import { MonitoringError } from "../errors.js";
import { getLogger } from "../log.js";
import { pyDumps } from "../python/pyjson.js";
import type { DaemonMetrics } from "./metrics.js";
import { renderPrometheus } from "./metrics.js";

const log = getLogger("fedora_messaging.twisted.monitor");

/** Python sends this content type, trailing space included. */
const PYTHON_JSON_CONTENT_TYPE = "application/json ";

export interface MonitoringServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startMonitoring(settings: MonitoringSettings, metrics: () => DaemonMetrics): Promise<MonitoringServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? "/").split("?")[0];
    if (request.method !== "GET" && request.method !== "HEAD") {
      response.writeHead(405, { Allow: "GET, HEAD" }).end();
      return;
    }
    const current = metrics();
    if (path === "/live") {
      respondJson(response, 200, { status: "OK" });
    } else if (path === "/ready") {
      const body = {
        consuming: current.consuming,
        published: current.published,
        consumed: {
          received: current.stats.received,
          processed: current.stats.processed,
          dropped: current.stats.dropped,
          rejected: current.stats.rejected,
          failed: current.stats.failed,
        },
      };
      respondJson(response, current.consuming ? 200 : 503, body);
    } else if (path === "/metrics") {
      response.writeHead(200, { "Content-Type": "text/plain; version=0.0.4; charset=utf-8" }).end(renderPrometheus(current));
    } else {
      response.writeHead(404, { "Content-Type": "text/plain" }).end("Not Found\n");
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => reject(listenError(settings, error)));
    // Python's default address "" means every interface.
    server.listen(settings.port, settings.address === "" ? undefined : settings.address, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  log.info(`Monitoring server listening on ${settings.address || "*"}:${port}`);
  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** One sentence naming the setting, the address and why (no stack: nothing of ours is wrong). */
function listenError(settings: MonitoringSettings, error: NodeJS.ErrnoException): MonitoringError {
  const why =
    error.code === "EADDRINUSE" ? "the address is already in use"
    : error.code === "EACCES" ? "permission denied (ports below 1024 need privileges)"
    : error.code === "EADDRNOTAVAIL" ? "the address is not one of this host's"
    : error.message;
  return new MonitoringError(`[monitoring] cannot listen on ${settings.address || "*"}:${settings.port}: ${why}`, { cause: error });
}

/** Python's body: `json.dumps(...)` (separators ", " and ": ", insertion order) and a newline. */
function respondJson(response: ServerResponse, status: number, body: unknown): void {
  const text = `${pyDumps(body)}\n`;
  response.writeHead(status, { "Content-Type": PYTHON_JSON_CONTENT_TYPE }).end(text);
}
