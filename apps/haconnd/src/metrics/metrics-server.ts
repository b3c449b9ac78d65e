// The optional Prometheus endpoint: GET /metrics over plain HTTP (node:http), bound to one
// configured address, meant for the management LAN. Off unless configured. It refuses the
// wildcard addresses (0.0.0.0, ::) unless explicitly allowed, because the endpoint has no
// authentication and would otherwise also answer on the reset-path VIP and the duplex LAN.
//
// Configuration (read by the daemon's entry point, not here): HACONN_METRICS=<ip>:<port> or
// [<ipv6>]:<port>, "off" or unset = no endpoint; HACONN_METRICS_ALLOW_ANY=on to accept a
// wildcard address. parseMetricsListen() turns those into MetricsListen.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { isIP } from "node:net";
import { HaconnError } from "@haconn/config";

export interface MetricsListen {
  host: string;
  port: number;
}

export interface MetricsServerOptions extends MetricsListen {
  /** Accept 0.0.0.0 / :: (every interface). Default false. */
  allowAnyAddress?: boolean;
  /** Produces the exposition text (HaconnMetrics.scrape). */
  scrape: () => Promise<string>;
  contentType: string;
  /** A scrape that failed (answered 500); never fatal. */
  onError?: (error: unknown) => void;
}

const WILDCARDS = new Set(["0.0.0.0", "::", "0:0:0:0:0:0:0:0"]);

/** `off`/empty/undefined -> null; `<ipv4>:<port>` or `[<ipv6>]:<port>` -> MetricsListen. */
export function parseMetricsListen(value: string | undefined): MetricsListen | null {
  const text = value?.trim() ?? "";
  if (text === "" || text.toLowerCase() === "off") return null;
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([0-9.]+)):(\d{1,5})$/.exec(text);
  const host = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  if (!host || isIP(host) === 0 || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new HaconnError(
      "METRICS_LISTEN",
      `metrics address "${text}": expected <IPv4>:<port> or [<IPv6>]:<port> (port 1-65535), or off`,
    );
  }
  return { host, port };
}

export function checkMetricsAddress(host: string, allowAnyAddress = false): void {
  if (isIP(host) === 0) {
    throw new HaconnError("METRICS_LISTEN", `metrics address ${host} is not an IP address`);
  }
  if (WILDCARDS.has(host) && !allowAnyAddress) {
    throw new HaconnError(
      "METRICS_ANY_ADDRESS",
      `refusing to serve metrics on every interface (${host}): bind the management-LAN address, ` +
        "or set HACONN_METRICS_ALLOW_ANY=on",
    );
  }
}

export class MetricsServer {
  private constructor(
    private readonly server: Server,
    readonly host: string,
    readonly port: number,
  ) {}

  static async listen(options: MetricsServerOptions): Promise<MetricsServer> {
    checkMetricsAddress(options.host, options.allowAnyAddress);
    const server = createServer((req, res) => void handle(options, req, res));
    // A scraper never needs long: bound slow or idle clients.
    server.requestTimeout = 10_000;
    server.headersTimeout = 5_000;
    server.keepAliveTimeout = 5_000;
    server.maxConnections = 32;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen({ host: options.host, port: options.port, exclusive: true }, () => {
        server.off("error", reject);
        resolve();
      });
    });
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : options.port;
    return new MetricsServer(server, options.host, port);
  }

  /** `http://<host>:<port>/metrics` as bound (the real port when 0 was asked). */
  get url(): string {
    const host = isIP(this.host) === 6 ? `[${this.host}]` : this.host;
    return `http://${host}:${this.port}/metrics`;
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }
}

async function handle(
  options: MetricsServerOptions,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const path = (req.url ?? "/").split("?")[0];
  if (path !== "/metrics") {
    send(res, 404, "text/plain; charset=utf-8", "not found: the endpoint is /metrics\n");
    return;
  }
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.setHeader("Allow", "GET, HEAD");
    send(res, 405, "text/plain; charset=utf-8", "method not allowed\n");
    return;
  }
  try {
    const body = await options.scrape();
    send(res, 200, options.contentType, req.method === "HEAD" ? "" : body, Buffer.byteLength(body));
  } catch (error) {
    options.onError?.(error);
    send(res, 500, "text/plain; charset=utf-8", "metrics collection failed\n");
  }
}

function send(res: ServerResponse, status: number, type: string, body: string, length?: number): void {
  res.writeHead(status, {
    "Content-Type": type,
    "Content-Length": String(length ?? Buffer.byteLength(body)),
    "Cache-Control": "no-store",
  });
  res.end(body);
}
