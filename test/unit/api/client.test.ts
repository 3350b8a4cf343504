import { writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ApiClient, type ApiClientOptions } from "../../../src/api/client.js";
import { BuildsApi } from "../../../src/api/builds.js";
import { DEFAULT_RETRY_POLICY } from "../../../src/api/retry-policy.js";
import { ApiUnreachableError, AuthError, InterruptedError, NotFoundError, OperationError, UsageError } from "../../../src/errors.js";
import { tempDir } from "../../helpers/cli.js";
import { json, requestsTo, stall, startFaultServer, type FaultServer } from "../../helpers/fault-server.js";

let srv: FaultServer;
let sleeps: number[];

beforeEach(async () => {
  srv = await startFaultServer();
  sleeps = [];
});
afterEach(async () => {
  await srv.close();
});

function client(extra: Partial<ApiClientOptions> = {}): ApiClient {
  return new ApiClient({
    endpoint: srv.endpoint,
    token: "t0ken",
    userAgent: "valar-test/1",
    sleep: async (ms) => void sleeps.push(ms),
    random: () => 0,
    ...extra,
  });
}

const anything = (v: unknown) => v;

describe("url", () => {
  const c = new ApiClient({ endpoint: "https://api.valar.dev/v2/", userAgent: "x" });
  it("joins encoded segments under the endpoint", () => {
    expect(c.url(["projects", "p", "services", "s", "builds"]).href).toBe("https://api.valar.dev/v2/projects/p/services/s/builds");
    expect(c.url(["a b", "c/d", "e?f", "g#h", "%"]).pathname).toBe("/v2/a%20b/c%2Fd/e%3Ff/g%23h/%25");
    expect(c.url([]).href).toBe("https://api.valar.dev/v2/");
  });
  it("adds the query", () => {
    expect(c.url(["logs"], { follow: "true" }).href).toBe("https://api.valar.dev/v2/logs?follow=true");
  });
  it("refuses dot segments, which URL parsing would resolve away", () => {
    for (const bad of ["..", ".", ""]) expect(() => c.url(["builds", bad])).toThrowError(UsageError);
  });
  it("refuses a plain http endpoint that is not loopback at construction", () => {
    expect(() => new ApiClient({ endpoint: "http://api.valar.dev/v2", userAgent: "x" })).toThrowError(UsageError);
  });
});

describe("requestJson", () => {
  it("sends token, user agent and JSON body; validates the answer", async () => {
    srv.on("POST /things", (_req, res, body) => json(res, 200, { got: JSON.parse(body.toString()) }));
    const out = await client().requestJson({ method: "POST", path: ["things"], body: { a: 1 }, validate: anything });
    expect(out).toEqual({ got: { a: 1 } });
    const [req] = srv.requests;
    expect(req!.headers.authorization).toBe("Bearer t0ken");
    expect(req!.headers["user-agent"]).toBe("valar-test/1");
    expect(req!.headers["content-type"]).toBe("application/json");
  });

  it("sends no token when auth is false (GET /)", async () => {
    srv.on("GET /", (_req, res) => json(res, 200, { version: "v2" }));
    await client().requestJson({ method: "GET", path: [], auth: false, validate: anything });
    expect(srv.requests[0]!.headers.authorization).toBeUndefined();
  });

  it("retries a GET on 5xx with growing delays, then gives up with exit 6", async () => {
    srv.on("GET /x", (_req, res) => json(res, 500, { error: "internal error" }));
    const err = await client()
      .requestJson({ method: "GET", path: ["x"], validate: anything })
      .then(
        () => undefined,
        (e: ApiUnreachableError) => e,
      );
    expect(err).toBeInstanceOf(ApiUnreachableError);
    expect(requestsTo(srv, "GET /x")).toHaveLength(DEFAULT_RETRY_POLICY.attempts);
    expect(sleeps).toEqual([500, 1000, 2000]);
  });

  it("honours Retry-After between attempts", async () => {
    srv.on("GET /x", (_req, res, _b, n) => {
      if (n > 1) return json(res, 200, { ok: true });
      res.writeHead(429, { "retry-after": "7" });
      res.end();
    });
    await client().requestJson({ method: "GET", path: ["x"], validate: anything });
    expect(sleeps).toEqual([7000]);
  });

  it("never sends a submit POST twice on 5xx or a reset", async () => {
    srv.on("POST /x", (_req, res) => json(res, 503, { error: "internal error" }));
    await expect(client().requestJson({ method: "POST", path: ["x"], body: {}, validate: anything })).rejects.toBeInstanceOf(ApiUnreachableError);
    srv.on("POST /y", (req) => void req.socket.destroy());
    await expect(client().requestJson({ method: "POST", path: ["y"], body: {}, validate: anything })).rejects.toBeInstanceOf(ApiUnreachableError);
    expect(requestsTo(srv, "POST /x")).toHaveLength(1);
    expect(requestsTo(srv, "POST /y")).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it.each(["GET", "POST"] as const)("a %s refused on loopback fails at once, asking whether the sandbox runs", async (method) => {
    const port = srv.port;
    await srv.close();
    const c = client({ endpoint: `http://127.0.0.1:${port}/v2`, endpointSource: "--endpoint" });
    const err = await c.requestJson({ method, path: ["x"], body: method === "POST" ? {} : undefined, validate: anything }).then(
      () => undefined,
      (e: ApiUnreachableError) => e,
    );
    expect(err).toBeInstanceOf(ApiUnreachableError);
    expect(err?.message).toBe(`cannot reach the API at 127.0.0.1:${port}: connection refused`);
    expect(err?.hint).toBe(`is \`valar sandbox\` running? Nothing listens on 127.0.0.1:${port}; check the endpoint (it comes from --endpoint)`);
    expect(sleeps).toHaveLength(0);
    srv = await startFaultServer();
  });

  it("abort is retried like a GET (aborting twice is harmless)", async () => {
    srv.on("POST /projects/p/services/s/builds/b1/abort", (_req, res, _b, n) =>
      n === 1 ? json(res, 502, { error: "internal error" }) : json(res, 200, {}),
    );
    await new BuildsApi(client(), "p", "s").abort("b1");
    expect(requestsTo(srv, "POST /projects/p/services/s/builds/b1/abort")).toHaveLength(2);
  });

  it.each([
    [401, AuthError],
    [403, AuthError],
    [404, NotFoundError],
    [409, OperationError],
  ])("HTTP %i is not retried", async (status, cls) => {
    srv.on("GET /x", (_req, res) => json(res, status, { error: "nope" }));
    await expect(client().requestJson({ method: "GET", path: ["x"], validate: anything })).rejects.toBeInstanceOf(cls);
    expect(srv.requests).toHaveLength(1);
  });

  it("a validator's complaint is exit 6 and not retried", async () => {
    srv.on("GET /projects/p/services/s/builds", (_req, res) => json(res, 200, [{ id: 1 }]));
    const err = await new BuildsApi(client(), "p", "s").list().catch((e: ApiUnreachableError) => e);
    expect(err).toBeInstanceOf(ApiUnreachableError);
    expect(srv.requests).toHaveLength(1);
  });

  it("an aborted signal surfaces as InterruptedError, not exit 6", async () => {
    srv.on("GET /x", stall);
    const ctl = new AbortController();
    const p = client({ signal: ctl.signal }).requestJson({ method: "GET", path: ["x"], validate: anything });
    setTimeout(() => ctl.abort(new InterruptedError()), 50);
    const err = await p.then(
      () => undefined,
      (e: InterruptedError) => e,
    );
    expect(err).toBeInstanceOf(InterruptedError);
    expect(err?.exitCode).toBe(130);
  });

  it("an abort while waiting to retry is an interruption too", async () => {
    srv.on("GET /x", (_req, res) => json(res, 500, { error: "internal error" }));
    const ctl = new AbortController();
    const c = client({
      signal: ctl.signal,
      sleep: (_ms, signal) => {
        ctl.abort(new InterruptedError());
        return Promise.reject(signal?.reason);
      },
    });
    await expect(c.requestJson({ method: "GET", path: ["x"], validate: anything })).rejects.toBeInstanceOf(InterruptedError);
    expect(srv.requests).toHaveLength(1);
  });

  it("traces without the token", async () => {
    srv.on("GET /x", (_req, res) => json(res, 200, {}));
    const lines: string[] = [];
    await client({ debug: (l) => lines.push(l) }).requestJson({ method: "GET", path: ["x"], validate: anything });
    const text = lines.join("\n");
    expect(text).toContain(`→ GET ${srv.endpoint}/x`);
    expect(text).toContain("← 200");
    expect(text).toContain("authorization: Bearer ***");
    expect(text).not.toContain("t0ken");
  });
});

describe("upload", () => {
  it("streams the file with its length and reports progress", async () => {
    const dir = tempDir();
    const file = join(dir, "a.tar.gz");
    const data = Buffer.alloc(300_000, 7);
    writeFileSync(file, data);
    srv.on("POST /projects/p/services/s/artifacts", (_req, res) => json(res, 200, { artifact: "key1" }));
    const progress: number[] = [];
    const out = await new BuildsApi(client(), "p", "s").uploadArtifact(file, data.length, (sent, total) => {
      expect(total).toBe(data.length);
      progress.push(sent);
    });
    expect(out).toEqual({ artifact: "key1" });
    const [req] = srv.requests;
    expect(req!.headers["content-length"]).toBe(String(data.length));
    expect(req!.headers["content-type"]).toBe("application/octet-stream");
    expect(req!.body.equals(data)).toBe(true);
    expect(progress[0]).toBe(0);
    expect(progress.at(-1)).toBe(data.length);
  });

  it("an upload the server takes slowly is not timed out while its bytes keep moving", async () => {
    const file = join(tempDir(), "a.tar.gz");
    const data = Buffer.alloc(32 * 1024 * 1024, 7);
    writeFileSync(file, data);
    // A server of its own (the fault server reads a body whole before its handler runs),
    // pausing 10 ms every 128 KiB: the bytes keep moving, the whole takes a few deadlines,
    // and what the sockets buffer (a few MiB) drains well within one.
    const answerSlowly = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
      let got = 0;
      let sincePause = 0;
      for await (const chunk of req as AsyncIterable<Buffer>) {
        got += chunk.length;
        sincePause += chunk.length;
        if (sincePause < 128 * 1024) continue;
        sincePause = 0;
        await new Promise((r) => setTimeout(r, 10));
      }
      json(res, 200, { artifact: `got ${got}` });
    };
    const slow = createServer((req, res) => void answerSlowly(req, res));
    await new Promise<void>((r) => slow.listen(0, "127.0.0.1", r));
    try {
      const c = client({ endpoint: `http://127.0.0.1:${(slow.address() as AddressInfo).port}/v2`, timeoutMs: 1000 });
      const out = await new BuildsApi(c, "p", "s").uploadArtifact(file, data.length);
      expect(out).toEqual({ artifact: `got ${data.length}` });
    } finally {
      slow.closeAllConnections();
      await new Promise((r) => slow.close(r));
    }
  });

  it("is never sent twice after a 5xx", async () => {
    const file = join(tempDir(), "a.tar.gz");
    writeFileSync(file, "abc");
    srv.on("POST /projects/p/services/s/artifacts", (_req, res) => json(res, 500, { error: "internal error" }));
    await expect(new BuildsApi(client(), "p", "s").uploadArtifact(file, 3)).rejects.toBeInstanceOf(ApiUnreachableError);
    expect(srv.requests).toHaveLength(1);
  });
});

describe("openStream", () => {
  const logs = ["projects", "p", "services", "s", "builds", "b1", "logs"];

  it("hands over a followed stream that may stay quiet longer than the timeout", async () => {
    srv.on("GET /projects/p/services/s/builds/b1/logs", (_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.write("one\n");
      setTimeout(() => res.end("two\n"), 1500);
    });
    const res = await client({ timeoutMs: 200 }).openStream(logs, { follow: "true" });
    expect(res.status).toBe(200);
    let text = "";
    for await (const chunk of res.body) text += chunk.toString();
    expect(text).toBe("one\ntwo\n");
    expect(srv.requests[0]!.url).toBe("/v2/projects/p/services/s/builds/b1/logs?follow=true");
  });

  it("returns 204 as a status for the caller", async () => {
    srv.on("GET /projects/p/services/s/builds/b1/logs", (_req, res) => {
      res.writeHead(204);
      res.end();
    });
    expect((await client().openStream(logs)).status).toBe(204);
  });

  it("throws typed errors for 4xx and unreachable after retries", async () => {
    srv.on("GET /projects/p/services/s/builds/b1/logs", (_req, res) => json(res, 404, { error: "build not found" }));
    await expect(client().openStream(logs)).rejects.toBeInstanceOf(NotFoundError);
    const port = srv.port;
    await srv.close();
    await expect(client({ endpoint: `http://127.0.0.1:${port}/v2` }).openStream(logs)).rejects.toBeInstanceOf(ApiUnreachableError);
    srv = await startFaultServer();
  });

  it("the caller's signal ends the wait for headers as that signal's reason", async () => {
    srv.on("GET /projects/p/services/s/builds/b1/logs", stall);
    const ctl = new AbortController();
    const p = client().openStream(logs, undefined, ctl.signal);
    setTimeout(() => ctl.abort(), 50);
    await expect(p).rejects.toBeInstanceOf(InterruptedError);
  });
});
