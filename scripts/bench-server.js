#!/usr/bin/env node
// The benchmark's Valar API: a loopback server in a process of its own (the harness blocks
// while it times a command). It prints its base URL on stdout, then serves until killed.
//   builds list (20 builds) and prefix lists; a build's log from LOG_FILE, streamed;
//   build "f0…" is running until its followed log has been read to the end;
//   build "1a7…" streams one line every 20 ms, each carrying the time it was written;
//   artifact uploads are read and counted; submissions answered.
import { createServer } from "node:http";
import { readFileSync } from "node:fs";

// Served from memory in large writes: the server must not be what is measured.
const LOG = readFileSync(process.argv[2]);
const PIECE = 1024 * 1024;
const BASE = "/v2/projects/demo/services/web/builds";
const now = Date.now();
const id = (n) => `${n.toString(16).padStart(8, "0")}-0000-4000-8000-000000000000`;
const builds = Array.from({ length: 20 }, (_, i) => ({
  id: id(0x10000 + i),
  status: i % 5 === 3 ? "failed" : "done",
  error: i % 5 === 3 ? "go build exited with status 2: main.go:3: undefined: x" : "",
  createdAt: new Date(now - i * 3_600_000).toISOString(),
}));
const BIG = id(0xb16);
const FOLLOWED = id(0xf0);
const LIVE = id(0x1a7);
const extra = new Map([
  [BIG, { id: BIG, status: "done", error: "", createdAt: new Date(now).toISOString() }],
  [FOLLOWED, { id: FOLLOWED, status: "running", error: "", createdAt: new Date(now).toISOString() }],
  [LIVE, { id: LIVE, status: "running", error: "", createdAt: new Date(now).toISOString() }],
]);
const LIVE_LINES = Number(process.env.BENCH_LIVE_LINES ?? 200);

function json(res, status, body) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

const server = createServer((req, res) => {
  const url = new URL(req.url, "http://x");
  const path = url.pathname;
  if (req.method === "POST" && path.endsWith("/artifacts")) {
    let bytes = 0;
    req.on("data", (c) => (bytes += c.length));
    req.on("end", () => json(res, 200, { artifact: `a${bytes}` }));
    return;
  }
  if (req.method === "POST" && path === BASE) {
    req.resume();
    req.on("end", () => json(res, 200, { id: id(0xbeef), status: "pending", createdAt: new Date().toISOString(), deployment: "v1" }));
    return;
  }
  if (path === BASE) return json(res, 200, builds);
  const logs = path.match(/^\/v2\/projects\/demo\/services\/web\/builds\/([^/]+)\/logs$/);
  if (logs) {
    const build = extra.get(logs[1]);
    if (!build) return json(res, 404, { error: "build not found" });
    res.writeHead(200, { "content-type": "text/plain" });
    if (build.id === LIVE) {
      let n = 0;
      const timer = setInterval(() => {
        const sent = performance.timeOrigin + performance.now();
        res.write(JSON.stringify({ timestamp: new Date().toISOString(), source: "PROCESS", stage: "", content: `line ${n} sent=${sent}` }) + "\n");
        if (++n === LIVE_LINES) {
          clearInterval(timer);
          build.status = "done";
          res.end();
        }
      }, 20);
      res.on("close", () => clearInterval(timer));
      return;
    }
    let at = 0;
    const more = () => {
      while (at < LOG.length) {
        const piece = LOG.subarray(at, at + PIECE);
        at += piece.length;
        if (!res.write(piece)) return void res.once("drain", more);
      }
      if (build.id === FOLLOWED) build.status = "done";
      res.end();
    };
    more();
    return;
  }
  const one = path.match(/^\/v2\/projects\/demo\/services\/web\/builds\/([^/]+)$/);
  if (one && req.method === "GET") {
    const all = [...extra.values(), ...builds];
    json(
      res,
      200,
      all.filter((b) => b.id.startsWith(one[1])),
    );
    // A followed build ends once per run: the status read after its log says done, and the
    // next run finds it running again.
    for (const b of [extra.get(FOLLOWED), extra.get(LIVE)]) if (b.status === "done" && b.id.startsWith(one[1])) b.status = "running";
    return;
  }
  json(res, 404, { error: "not found" });
});
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`http://127.0.0.1:${server.address().port}/v2 ${BIG} ${FOLLOWED} ${LIVE}\n`);
});
