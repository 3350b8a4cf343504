import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { readFileSync } from "node:fs";
import { sendError } from "./responses.js";

/**
 * What a client may take of the server: a slow or stalled client is cut off instead of
 * holding a socket (and a file descriptor) for as long as it likes.
 */
const CLIENT_LIMITS = {
  /** The request line and headers must arrive within this. */
  headersTimeoutMs: 10_000,
  /** A body that sends nothing for this long is cut off. */
  bodyIdleMs: 10_000,
  /** After bodyGraceMs, a body must average at least this rate. */
  minBodyBytesPerSecond: 1024,
  bodyGraceMs: 5_000,
  /** Open connections at most: fewer when the process may open few files. */
  maxConnections: 512,
};

/** Applies the limits to a server; returns what watches request bodies (stop it at close). */
export function limitClients(server: Server): BodyWatch {
  server.headersTimeout = CLIENT_LIMITS.headersTimeoutMs;
  // Receiving a body is limited by the rate below instead: a fixed time for the whole
  // request would cut a large upload on a slow link, and never a trickle under it.
  server.requestTimeout = 0;
  // Half the descriptors at most: builds, logs and state files need the rest.
  server.maxConnections = Math.min(CLIENT_LIMITS.maxConnections, Math.floor(openFileLimit() / 2));
  return new BodyWatch();
}

/** The soft limit on open files (Linux), or Infinity where it cannot be read. */
function openFileLimit(): number {
  try {
    const line = /^Max open files\s+(\d+)/m.exec(readFileSync("/proc/self/limits", "utf8"));
    return line ? Number(line[1]) : Infinity;
  } catch {
    return Infinity;
  }
}

interface Watched {
  req: IncomingMessage;
  res: ServerResponse;
  start: number;
  /** The socket's bytesRead when the request began (keep-alive sockets carry earlier ones). */
  base: number;
  lastBytes: number;
  lastChange: number;
}

/**
 * Watches the bodies being received, all with one timer: a body that stalls, or trickles
 * in below the minimum rate, is answered 408 and its connection closed. The socket's own
 * byte count is watched, so the handler's reading is left alone.
 */
export class BodyWatch {
  private readonly watched = new Set<Watched>();
  private timer: NodeJS.Timeout | undefined;

  watch(req: IncomingMessage, res: ServerResponse): void {
    if (req.complete || !hasBody(req)) return;
    const now = Date.now();
    const entry: Watched = { req, res, start: now, base: req.socket.bytesRead, lastBytes: 0, lastChange: now };
    this.watched.add(entry);
    const forget = () => this.watched.delete(entry);
    req.once("end", forget);
    req.once("close", forget);
    this.timer ??= setInterval(() => this.check(), 1000).unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.watched.clear();
  }

  private check(): void {
    const now = Date.now();
    for (const w of this.watched) {
      if (w.req.complete) {
        this.watched.delete(w);
        continue;
      }
      const bytes = w.req.socket.bytesRead - w.base;
      if (bytes !== w.lastBytes) {
        w.lastBytes = bytes;
        w.lastChange = now;
      }
      const elapsed = now - w.start;
      const rate = (bytes * 1000) / elapsed;
      if (now - w.lastChange >= CLIENT_LIMITS.bodyIdleMs) this.cut(w, `no body data for ${CLIENT_LIMITS.bodyIdleMs / 1000} s`);
      else if (elapsed >= CLIENT_LIMITS.bodyGraceMs && rate < CLIENT_LIMITS.minBodyBytesPerSecond) {
        this.cut(w, `the body arrives at ${Math.round(rate)} bytes/s, below the minimum of ${CLIENT_LIMITS.minBodyBytesPerSecond}`);
      }
    }
    if (this.watched.size === 0) this.stop();
  }

  private cut(w: Watched, why: string): void {
    this.watched.delete(w);
    if (!w.res.headersSent) sendError(w.res, 408, `request body too slow: ${why}`, { Connection: "close" });
    // The answer is flushed first; the socket is closed whether or not the client reads it.
    w.req.socket.end();
    setTimeout(() => w.req.socket.destroy(), 1000).unref();
  }
}

function hasBody(req: IncomingMessage): boolean {
  const length = Number(req.headers["content-length"] ?? 0);
  return length > 0 || req.headers["transfer-encoding"] !== undefined;
}
