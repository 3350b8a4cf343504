import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface RecordedRequest {
  method: string;
  /** Path and query as received, e.g. /v2/projects/p/services/s/builds?x=1 */
  url: string;
  path: string;
  headers: IncomingMessage["headers"];
  body: Buffer;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer, n: number) => void | Promise<void>;

export interface FaultServer {
  /** e.g. http://127.0.0.1:41234/v2 */
  endpoint: string;
  port: number;
  requests: RecordedRequest[];
  /** Route "METHOD /path" (path without the /v2 prefix, no query) to a handler. */
  on(route: string, handler: Handler): void;
  close(): Promise<void>;
}

/** Answer JSON with a status. */
export function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

/**
 * A loopback HTTP server with per-test routes (after Vercel CLI's test server): it records
 * every request, and answers 500 {"error":"internal error"} on a route nobody set up.
 * Handlers get n, the 1-based count of calls to that route, to script "fail then succeed".
 */
export async function startFaultServer(): Promise<FaultServer> {
  const routes = new Map<string, Handler>();
  const counts = new Map<string, number>();
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const url = req.url ?? "/";
    const path = url.split("?")[0]!.replace(/^\/v2(?=\/|$)/, "") || "/";
    requests.push({ method: req.method ?? "GET", url, path, headers: req.headers, body });
    const key = `${req.method} ${path}`;
    const handler = routes.get(key);
    const n = (counts.get(key) ?? 0) + 1;
    counts.set(key, n);
    if (!handler) return json(res, 500, { error: "internal error" });
    try {
      await handler(req, res, body, n);
    } catch {
      if (!res.headersSent) json(res, 500, { error: "internal error" });
      else res.destroy();
    }
  };
  const server: Server = createServer((req, res) => void handle(req, res));
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}/v2`,
    port,
    requests,
    on: (route, handler) => routes.set(route, handler),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The requests a server received for "METHOD /path" (path without /v2 and query). */
export function requestsTo(server: FaultServer, route: string): RecordedRequest[] {
  return server.requests.filter((r) => `${r.method} ${r.path}` === route);
}

/** A handler that never answers: the client's timeout (or Ctrl-C) must end the wait. */
export const stall: Handler = () => new Promise<void>(() => {});

/** Resolves once the server has received `count` requests (polling; for signalling a spawned CLI). */
export async function waitForRequests(server: FaultServer, count: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (server.requests.length < count) {
    if (Date.now() > deadline) throw new Error(`expected ${count} requests, got ${server.requests.length}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
