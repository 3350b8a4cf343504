#!/usr/bin/env node
// Start-up time of the built CLI: spawns `node bin/valar.js …` N times per command line
// and prints mean and median wall time. Usage: node scripts/bench-startup.js [N] (default 20).
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const BIN = fileURLToPath(new URL("../bin/valar.js", import.meta.url));
const CASES = [["--version"], ["--help"], ["builds", "ls", "--help"]];
const runs = Number(process.argv[2] ?? 20);
if (!Number.isInteger(runs) || runs < 1) {
  console.error("usage: node scripts/bench-startup.js [N]   (N: runs per command, default 20)");
  process.exit(2);
}

// The CLI must not read the developer's own settings or colour preferences while measured.
const home = mkdtempSync(join(tmpdir(), "valar-bench-"));
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(VALAR_|FORCE_COLOR|NO_COLOR)/.test(k)));
Object.assign(env, { HOME: home, XDG_CONFIG_HOME: join(home, ".config"), VALAR_CONFIG_DIR: join(home, "valar") });

function timeOnce(args) {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [BIN, ...args], { env, stdio: ["ignore", "ignore", "pipe"] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`valar ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return ms;
}

function mean(values) {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

try {
  // One unmeasured run warms the file system cache, as a second invocation at a terminal would be.
  timeOnce(["--version"]);
  const baseline = Array.from({ length: runs }, () => {
    const start = process.hrtime.bigint();
    spawnSync(process.execPath, ["-e", ""], { stdio: "ignore" });
    return Number(process.hrtime.bigint() - start) / 1e6;
  });
  const rows = [["command", "mean ms", "median ms"], ["node -e '' (baseline)", mean(baseline), median(baseline)]];
  for (const args of CASES) {
    const times = Array.from({ length: runs }, () => timeOnce(args));
    rows.push([`valar ${args.join(" ")}`, mean(times), median(times)]);
  }
  const width = Math.max(...rows.map((r) => r[0].length));
  console.log(`${runs} runs each, node ${process.version}`);
  for (const [name, a, b] of rows) {
    const fmt = (v) => (typeof v === "number" ? v.toFixed(1) : v).padStart(9);
    console.log(`${name.padEnd(width)}  ${fmt(a)}  ${fmt(b)}`);
  }
} finally {
  rmSync(home, { recursive: true, force: true });
}
