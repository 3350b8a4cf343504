#!/usr/bin/env node
// Load test of `valar sandbox` (by hand or `npm run bench`; not in CI): 20 builds run at
// once while 50 clients each follow one build's log to its end and list the builds every
// 100 ms. Prints the error count and the list latency (goal: no errors, p99 ≤ 100 ms);
// exits 1 when a goal is missed.
// Usage: node scripts/bench-sandbox-load.js [clients] [builds]   (defaults 50 and 20)
import { Agent, request } from "node:http";
import { availableParallelism, loadavg } from "node:os";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { launchSandbox } from "./sandbox-process.js";

const BIN = fileURLToPath(new URL("../bin/valar.js", import.meta.url));
const CLIENTS = Number(process.argv[2] ?? 50);
const BUILDS = Number(process.argv[3] ?? 20);
const P99_GOAL_MS = 100;
const SERVICE = "/projects/bench/services/load";
// Each build prints 200 lines over about 10 s (ten at a time: a fork per line would load
// the machine more than the server does).
const BUILD_SH = 'for i in $(seq 20); do for j in $(seq 10); do echo "line $i.$j of the load test"; done; sleep 0.5; done\n';

/** A one-file .tar.gz (ustar), built here so the bench needs nothing but Node. */
function archive(name, text) {
  const body = Buffer.from(text);
  const header = Buffer.alloc(512);
  header.write(name, 0);
  header.write("0000755\0", 100);
  header.write("0000000\0", 108);
  header.write("0000000\0", 116);
  header.write(`${body.length.toString(8).padStart(11, "0")}\0`, 124);
  header.write(
    `${Math.floor(Date.now() / 1000)
      .toString(8)
      .padStart(11, "0")}\0`,
    136,
  );
  header.write("0", 156);
  header.write("ustar\0" + "00", 257);
  header.fill(" ", 148, 156);
  const sum = header.reduce((a, b) => a + b, 0);
  header.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148);
  const padded = Buffer.alloc(Math.ceil(body.length / 512) * 512);
  body.copy(padded);
  return gzipSync(Buffer.concat([header, padded, Buffer.alloc(1024)]));
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

// Plain node:http with kept-alive connections: the clients must cost the machine less
// than the server they measure.
const agent = new Agent({ keepAlive: true });

/** One request; resolves with status and body text. */
function call(method, url, headers, body) {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (s) => (text += s));
      res.on("end", () => resolve({ status: res.statusCode, text }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

async function bench() {
  const loadBefore = loadavg()[0];
  const cpus = availableParallelism();
  const dataDir = mkdtempSync(join(tmpdir(), "valar-load-"));
  const { child, endpoint, token } = await launchSandbox(BIN, ["--port", "0", "--data-dir", dataDir, "--max-parallel", String(BUILDS)]);
  const auth = { Authorization: `Bearer ${token}` };
  const errors = [];
  const fail = (what) => errors.length < 1000 && errors.push(what);
  try {
    const up = await call("POST", `${endpoint}${SERVICE}/artifacts`, auth, archive("build.sh", BUILD_SH));
    const { artifact } = JSON.parse(up.text);
    const ids = [];
    for (let i = 0; i < BUILDS; i++) {
      const body = JSON.stringify({ artifact, build: { constructor: "shell" }, deployment: { skip: true } });
      const r = await call("POST", `${endpoint}${SERVICE}/builds`, { ...auth, "Content-Type": "application/json" }, body);
      if (r.status !== 200) throw new Error(`submit answered ${r.status}: ${r.text}`);
      ids.push(JSON.parse(r.text).id);
    }

    const latencies = [];
    let following = CLIENTS;
    const follow = async (id) => {
      try {
        const r = await call("GET", `${endpoint}${SERVICE}/builds/${id}/logs?follow=true`, auth);
        const text = r.text;
        if (r.status !== 200) fail(`follow ${id}: ${r.status}`);
        else if (!text.trimEnd().split("\n").at(-1)?.includes('"TURNDOWN"')) fail(`follow ${id}: the log did not run to its end`);
      } catch (err) {
        fail(`follow ${id}: ${err.message}`);
      } finally {
        following--;
      }
    };
    const list = async () => {
      while (following > 0) {
        const start = performance.now();
        try {
          const r = await call("GET", `${endpoint}${SERVICE}/builds`, auth);
          latencies.push(performance.now() - start);
          if (r.status !== 200 || JSON.parse(r.text).length !== BUILDS) fail(`list: ${r.status}`);
        } catch (err) {
          fail(`list: ${err.message}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: CLIENTS }, (_, i) => Promise.all([follow(ids[i % ids.length]), list()])));
    const seconds = (performance.now() - started) / 1000;

    latencies.sort((a, b) => a - b);
    const p99 = percentile(latencies, 99);
    console.log(`${CLIENTS} clients, ${BUILDS} builds running at once, ${seconds.toFixed(1)} s, node ${process.version}`);
    // Latency on a shared machine says as much about its other work as about the server.
    console.log(`load average before: ${loadBefore.toFixed(2)}, after: ${loadavg()[0].toFixed(2)} (${cpus} CPUs)`);
    console.log(`list requests: ${latencies.length}`);
    console.log(
      `list latency ms: p50 ${percentile(latencies, 50).toFixed(1)}  p99 ${p99.toFixed(1)}  max ${latencies.at(-1).toFixed(1)}  (goal p99 <= ${P99_GOAL_MS})`,
    );
    console.log(`errors: ${errors.length}`);
    for (const e of errors.slice(0, 10)) console.log(`  ${e}`);
    return errors.length === 0 && p99 <= P99_GOAL_MS ? 0 : 1;
  } finally {
    child.kill("SIGINT");
    await new Promise((resolve) => child.once("exit", resolve));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

bench().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`error: ${err.message}`);
    process.exit(1);
  },
);
