import { describe, expect, it } from "vitest";
import { once } from "node:events";
import { createReadStream, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runValar, tempDir } from "../helpers/cli.js";
import { BUILD_ID, jsonLine, startWaitServer } from "../fixtures/wait-server.js";

const LINES = 1_000_000;
const PRELOAD = fileURLToPath(new URL("../fixtures/report-maxrss.mjs", import.meta.url));
/**
 * The million-line log is ~85 MB: a CLI that held it (as JS strings, more than that) would
 * grow by far more than this over the same CLI following a short log.
 */
const GROWTH_LIMIT_MB = 50;

async function countNewlines(file: string): Promise<number> {
  let n = 0;
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) n++;
  }
  return n;
}

/** `logs -f` over a log of `lines` lines whose first connection drops at 40%; stdout goes to a file. */
async function followLongLog(lines: number) {
  const srv = await startWaitServer("running");
  try {
    const dropAt = Math.floor(lines * 0.4);
    // Lines are generated as the client reads them (backpressure), never held whole.
    srv.server.on(`GET ${srv.logsPath}`, async (_req, res, _b, n) => {
      res.writeHead(200, { "content-type": "text/plain" });
      const last = n === 1 ? dropAt : lines;
      let batch = "";
      for (let i = 0; i < last; i++) {
        batch += jsonLine(i) + "\n";
        if (batch.length < 64 * 1024) continue;
        if (!res.write(batch)) await once(res, "drain");
        batch = "";
      }
      if (n === 1) {
        res.write(batch);
        return void setTimeout(() => res.destroy(), 50);
      }
      srv.build.status = "done";
      res.end(batch);
    });
    const dir = tempDir("valar-memory-");
    const out = join(dir, "stdout.txt");
    const rssFile = join(dir, "maxrss");
    const result = await runValar(["builds", "logs", "-f", BUILD_ID], {
      env: srv.env({ NODE_OPTIONS: `--import=${PRELOAD}`, VALAR_TEST_MAXRSS_FILE: rssFile }),
      stdout: { file: out },
    });
    const peakMb = Number(readFileSync(rssFile, "utf8")) / 1024;
    return { result, peakMb, printed: await countNewlines(out) };
  } finally {
    await srv.close();
  }
}

describe("builds logs -f on a very long log", () => {
  it("prints every one of a million lines, across a drop, with flat memory", async () => {
    const short = await followLongLog(1000);
    const long = await followLongLog(LINES);
    console.log(`builds logs -f peak RSS: ${short.peakMb.toFixed(1)} MB for 1000 lines, ${long.peakMb.toFixed(1)} MB for ${LINES} lines`);
    expect(short.printed).toBe(1000);
    expect(long.result.stderr).toContain("reconnecting…");
    expect(long.result.exitCode).toBe(0);
    expect(long.printed).toBe(LINES);
    expect(short.peakMb).toBeGreaterThan(0);
    expect(long.peakMb - short.peakMb).toBeLessThan(GROWTH_LIMIT_MB);
  }, 180_000);
});
