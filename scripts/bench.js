#!/usr/bin/env node
// `npm run bench`: valar side by side with its references, on this machine, against a
// loopback server of its own (scripts/bench-server.js) and a generated 1M-line log.
// Each pair runs interleaved (A B A B …); the table shows medians, the ratio and the goal.
// Usage: node scripts/bench.js [--quick] [--logs] [--submit]
//   --quick: fewer runs, a 100k-line log and smaller trees; --logs: only the log rows (3–5);
//   --submit: only the rows of `builds submit` (6 and 8)
import { spawn, spawnSync } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { randomBytes } from "node:crypto";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const quick = process.argv.includes("--quick");
const logsOnly = process.argv.includes("--logs");
/** --submit: only the rows of `builds submit` (6 and 8), for work on packing. */
const submitOnly = process.argv.includes("--submit");
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const BIN = join(ROOT, "bin", "valar.js");
const TIME = "/usr/bin/time";
const LOG_LINES = quick ? 100_000 : 1_000_000;
const RUNS = { short: quick ? 5 : 15, long: quick ? 3 : 5 };
/** The monorepo-shaped trees: many small files (--quick: a fifth of them). */
const SMALL = quick ? 10_000 : 50_000;
const LARGE = quick ? 40_000 : 200_000;
const work = mkdtempSync(join(tmpdir(), "valar-bench-"));

if (!existsSync(TIME)) {
  console.error(`bench: ${TIME} (Debian package "time") is needed to read peak memory`);
  process.exit(1);
}
for (const tool of ["curl", "jq", "tar"]) {
  if (spawnSync("sh", ["-c", `command -v ${tool}`]).status !== 0) {
    console.error(`bench: ${tool} is needed as a reference`);
    process.exit(1);
  }
}

/** A log in the documented format, with the lines that make parsers work. */
async function writeLog(file, lines) {
  const out = createWriteStream(file);
  const t0 = Date.parse("2026-03-01T10:00:00Z");
  const words = ["compiling", "linking", "fetching", "résumé", "日本語", "🚀 done", "step"];
  for (let i = 0; i < lines; i++) {
    const ts = new Date(t0 + i * 7).toISOString();
    let line;
    if (i % 50 === 0)
      line = JSON.stringify({ timestamp: ts, source: "WRAPPER", stage: i % 100 ? "TURNDOWN" : "SETUP", content: `platform step ${i}` });
    else if (i % 97 === 0) line = `plain text line ${i} from a tool that ignores the format`;
    else if (i % 89 === 0)
      line = JSON.stringify({ timestamp: ts, source: "PROCESS", stage: "", content: `escapes: "quoted" \\ back\ttab \u001b[32mgreen\u001b[0m ${i}` });
    else if (i % 997 === 0) line = JSON.stringify({ timestamp: ts, source: "PROCESS", stage: "", content: "long ".repeat(2000) });
    else
      line = JSON.stringify({
        timestamp: ts,
        source: "PROCESS",
        stage: "",
        content: `${words[i % words.length]} package ${i} of the build, some ordinary output`,
      });
    if (!out.write(line + "\n")) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
}

/** A tree like a project's: thousands of small source files and a few large binary ones. */
function writeTree(dir) {
  const text = "const value = 42; // ordinary source text that compresses well\n".repeat(400);
  for (let d = 0; d < 40; d++) {
    mkdirSync(join(dir, `pkg${d}`), { recursive: true });
    for (let f = 0; f < 40; f++) writeFileSync(join(dir, `pkg${d}`, `file${f}.js`), text.slice(0, 10_000 + ((d * 40 + f) % 20) * 1000));
  }
  mkdirSync(join(dir, "assets"), { recursive: true });
  for (let i = 0; i < 3; i++) writeFileSync(join(dir, "assets", `blob${i}.bin`), randomBytes(25 * 1024 * 1024));
}

/**
 * A tree shaped like a monorepo: `files` small source files (~340 bytes each, ~16 MiB per
 * 50,000) spread over `folders` folders.
 */
function writeSmallFileTree(dir, files, folders) {
  const text = "export const value = 42; // ordinary source text, line after line of it\n".repeat(20);
  const perFolder = Math.ceil(files / folders);
  for (let d = 0; d < folders; d++) {
    const sub = join(dir, `pkg${String(d).padStart(3, "0")}`);
    mkdirSync(sub, { recursive: true });
    for (let f = 0; f < perFolder && d * perFolder + f < files; f++) {
      writeFileSync(join(sub, `mod${f}.ts`), `// ${d}/${f}\n` + text.slice(0, 100 + ((d * 7919 + f * 104729) % 460)));
    }
  }
}

/**
 * One run: wall seconds and peak RSS (MiB) of the whole command, shell pipelines included.
 * The wall time is read here, to the microsecond: /usr/bin/time gives it to 10 ms, a tenth
 * of a short command's run, so ratios like 1.3× came out as 1.3 or 1.4 by rounding alone.
 * (Both commands of a pair pay the same few milliseconds of sh and time around them.)
 */
function timeOnce(cmd, env) {
  const started = process.hrtime.bigint();
  const r = spawnSync(TIME, ["-f", "%M", "sh", "-c", cmd], { env, stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  const rss = Number(r.stderr.trim().split("\n").pop());
  if (r.status !== 0 || !Number.isFinite(rss)) throw new Error(`failed: ${cmd}\n${r.stderr}`);
  return { wall, rss: rss / 1024 };
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** A and B in turn, after one warm-up each; medians, and the median of the pairwise ratios. */
function pair(a, b, runs, env) {
  timeOnce(a, env);
  timeOnce(b, env);
  const ra = [];
  const rb = [];
  for (let i = 0; i < runs; i++) {
    ra.push(timeOnce(a, env));
    rb.push(timeOnce(b, env));
  }
  return {
    a: median(ra.map((r) => r.wall)),
    b: median(rb.map((r) => r.wall)),
    ratio: median(ra.map((r, i) => r.wall / rb[i].wall)),
    rssA: Math.max(...ra.map((r) => r.rss)),
  };
}

/** Latency of a followed line: from the server's write to valar's stdout, per line. */
async function followLatency(env, id) {
  const child = spawn(process.execPath, [BIN, "builds", "logs", "-f", "--raw", id], { env, stdio: ["ignore", "pipe", "ignore"] });
  const latencies = [];
  for await (const line of createInterface({ input: child.stdout })) {
    const m = line.match(/sent=([\d.]+)/);
    if (m) latencies.push(performance.timeOrigin + performance.now() - Number(m[1]));
  }
  return latencies.sort((x, y) => x - y);
}

const rows = [];
const fmt = (s) => (s < 1 ? `${(s * 1000).toFixed(0)} ms` : `${s.toFixed(2)} s`);
function row(what, valar, reference, ratio, goal, ok) {
  rows.push({ what, valar, reference, ratio, goal, ok: ok ? "yes" : "NO" });
  console.error(`  ${what}: ${valar} vs ${reference} → ${ratio} (goal ${goal}) ${ok ? "" : "MISSED"}`);
}

try {
  console.error(
    `bench: writing a ${LOG_LINES.toLocaleString("en")}-line log, a ~100 MB tree and trees of ${SMALL.toLocaleString("en")} and ${LARGE.toLocaleString("en")} small files…`,
  );
  const logFile = join(work, "build.log");
  await writeLog(logFile, LOG_LINES);
  const tree = join(work, "tree");
  if (logsOnly) mkdirSync(tree);
  else if (!quick) writeTree(tree);
  else {
    mkdirSync(tree);
    writeFileSync(join(tree, "a.bin"), randomBytes(10 * 1024 * 1024));
  }
  const small = join(work, "small");
  writeSmallFileTree(small, SMALL, 100);
  const large = join(work, "large");
  writeSmallFileTree(large, LARGE, 400);
  // On disk before anything is timed: the kernel writing back ~250 MB of fresh pages during
  // the first pairs would slow whichever command it met.
  spawnSync("sync");

  const server = spawn(process.execPath, [join(ROOT, "scripts", "bench-server.js"), logFile], { stdio: ["ignore", "pipe", "inherit"] });
  const [first] = await once(createInterface({ input: server.stdout }), "line");
  const [endpoint, big, followed, live] = first.split(" ");
  const home = join(work, "home");
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(VALAR_|FORCE_COLOR|NO_COLOR|CI$|HTTPS?_PROXY|NO_PROXY)/i.test(k)));
  Object.assign(env, {
    HOME: home,
    XDG_CONFIG_HOME: join(home, ".config"),
    VALAR_CONFIG_DIR: join(home, "valar"),
    VALAR_ENDPOINT: endpoint,
    VALAR_TOKEN: "bench-token",
    VALAR_PROJECT: "demo",
    VALAR_SERVICE: "web",
  });
  const valar = `"${process.execPath}" "${BIN}"`;
  const node0 = `"${process.execPath}" -e 0`;
  const logUrl = `${endpoint}/projects/demo/services/web/builds/${big}/logs`;
  const curl = `curl -s -H "Authorization: Bearer bench-token"`;

  try {
    if (!logsOnly && !submitOnly) {
      for (const args of ["--version", "--help"]) {
        const r = pair(`${valar} ${args}`, node0, RUNS.short, env);
        row(`1. valar ${args}`, fmt(r.a), `node -e 0 ${fmt(r.b)}`, `${r.ratio.toFixed(2)}×`, "≤ 1.3×", r.ratio <= 1.3);
      }
      const ls = pair(`${valar} builds ls >/dev/null`, node0, RUNS.short, env);
      row("2. valar builds ls (20 builds)", fmt(ls.a), `node -e 0 ${fmt(ls.b)}`, `${ls.ratio.toFixed(2)}×`, "≤ 2.0×", ls.ratio <= 2.0);
      row("2. peak RSS of builds ls", `${ls.rssA.toFixed(0)} MiB`, "", "", "≤ 60 MiB", ls.rssA <= 60);
    }

    if (!submitOnly) {
      // Logs go into a pipe on both sides, as a reader of them (grep, less, a CI log) takes them.
      const lines = `${(LOG_LINES / 1e6).toString()}M-line`;
      const curlCat = `${curl} "${logUrl}" | cat >/dev/null`;
      const raw = pair(`${valar} builds logs --raw ${big} | cat >/dev/null`, curlCat, RUNS.long, env);
      row(
        `3. valar builds logs --raw | cat, ${lines} log`,
        fmt(raw.a),
        `curl | cat ${fmt(raw.b)}`,
        `${raw.ratio.toFixed(1)}×`,
        "≤ 8×",
        raw.ratio <= 8,
      );
      const jq = pair(
        `${valar} builds logs --raw ${big} | cat >/dev/null`,
        `${curl} "${logUrl}" | jq -R -r 'fromjson? // . | if type == "object" then .content else . end' >/dev/null`,
        RUNS.long,
        env,
      );
      row(`3. the same vs curl | jq -r .content`, fmt(jq.a), `curl | jq ${fmt(jq.b)}`, `${jq.ratio.toFixed(2)}×`, "≤ 0.5×", jq.ratio <= 0.5);
      const formatted = pair(`${valar} builds logs ${big} | cat >/dev/null`, curlCat, RUNS.long, env);
      row(
        `4. valar builds logs (formatted) | cat, ${lines} log`,
        fmt(formatted.a),
        `curl | cat ${fmt(formatted.b)}`,
        `${formatted.ratio.toFixed(1)}×`,
        "≤ 10×",
        formatted.ratio <= 10,
      );
      const follow = pair(`${valar} builds logs -f ${followed} | cat >/dev/null`, curlCat, RUNS.long, env);
      const rss = Math.max(raw.rssA, formatted.rssA, follow.rssA);
      row("5. peak RSS of builds logs (--raw, formatted, -f)", `${rss.toFixed(0)} MiB`, "", "", "≤ 80 MiB", rss <= 80);
    }

    const upload = `${endpoint}/projects/demo/services/web/artifacts`;
    // --no-reuse: every run packs and uploads (the same tree would otherwise be reused).
    const submitOf = (dir) => `cd "${dir}" && ${valar} builds submit . -c static --no-deploy --no-reuse >/dev/null 2>&1`;
    const tarCurlOf = (dir) =>
      `tar czf - -C "${dir}" . | ${curl} -H "content-type: application/octet-stream" --data-binary @- "${upload}" >/dev/null`;
    if (!logsOnly) {
      const submit = pair(submitOf(tree), tarCurlOf(tree), RUNS.long, env);
      row(
        `6. valar builds submit, ${quick ? "10 MB" : "~100 MB"} tree`,
        fmt(submit.a),
        `tar czf | curl ${fmt(submit.b)}`,
        `${submit.ratio.toFixed(2)}×`,
        "≤ 1.3×",
        submit.ratio <= 1.3,
      );
      row("6. peak RSS of builds submit", `${submit.rssA.toFixed(0)} MiB`, "", "", "≤ 150 MiB", submit.rssA <= 150);
    }

    if (!logsOnly && !submitOnly) {
      const lat = await followLatency(env, live);
      const p99 = lat[Math.min(lat.length - 1, Math.floor(lat.length * 0.99))] ?? NaN;
      row(`7. followed line to stdout, p99 of ${lat.length}`, `${p99.toFixed(1)} ms`, "", "", "≤ 50 ms", p99 <= 50);
    }
    if (!logsOnly) {
      const files = (n) => `${(n / 1000).toLocaleString("en")}k files`;
      /** One tree of small files submitted against tar | curl: its row, and the pair's figures. */
      const manyFilesRow = (dir, n) => {
        const r = pair(submitOf(dir), tarCurlOf(dir), RUNS.long, env);
        row(`8. valar builds submit, ${files(n)}`, fmt(r.a), `tar czf | curl ${fmt(r.b)}`, `${r.ratio.toFixed(2)}×`, "≤ 2.0×", r.ratio <= 2.0);
        return r;
      };
      const many = manyFilesRow(small, SMALL);
      const dry = pair(`cd "${small}" && ${valar} builds submit . --dry-run >/dev/null 2>&1`, node0, RUNS.long, env);
      row(`8. valar builds submit --dry-run, ${files(SMALL)}`, fmt(dry.a), `node -e 0 ${fmt(dry.b)}`, "", "≤ 0.8 s", dry.a <= 0.8);
      row(`8. peak RSS of builds submit, ${files(SMALL)}`, `${many.rssA.toFixed(0)} MiB`, "", "", "≤ 120 MiB", many.rssA <= 120);
      const most = manyFilesRow(large, LARGE);
      const growth = most.rssA / many.rssA;
      row(
        `8. peak RSS of builds submit, ${files(LARGE)}`,
        `${most.rssA.toFixed(0)} MiB`,
        `${files(SMALL)}: ${many.rssA.toFixed(0)} MiB`,
        `${growth.toFixed(2)}×`,
        `≤ ${LARGE / SMALL}× (linear)`,
        growth <= LARGE / SMALL,
      );
    }
  } finally {
    server.kill();
  }

  const cpu = cpus()[0]?.model ?? "unknown CPU";
  console.log(
    `valar bench · ${new Date().toISOString().slice(0, 10)} · node ${process.version} · ${cpus().length} × ${cpu}${quick ? " · --quick" : ""}`,
  );
  console.log("medians of interleaved runs (valar, reference, valar, …); ratio = median of the pairwise ratios\n");
  const head = ["target", "valar", "reference", "ratio", "goal", "met"];
  // A pipe inside a cell would split it in Markdown.
  const cell = (text) => text.replace(/\|/g, "\\|");
  const table = [head, ...rows.map((r) => [r.what, r.valar, r.reference, r.ratio, r.goal, r.ok].map(cell))];
  const widths = head.map((_, i) => Math.max(...table.map((r) => r[i].length)));
  console.log(`| ${head.map((h, i) => h.padEnd(widths[i])).join(" | ")} |`);
  console.log(`| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`);
  for (const r of table.slice(1)) console.log(`| ${r.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
