import { describe, expect, it } from "vitest";
import { once } from "node:events";
import { readFileSync, statSync, openSync, readSync, closeSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runValar, tempDir } from "../helpers/cli.js";
import { BUILD_ID, jsonLine, startWaitServer } from "../fixtures/wait-server.js";

const PRELOAD = fileURLToPath(new URL("../fixtures/report-maxrss.mjs", import.meta.url));
/** The worst case: one 600 MB line with no newline, after an ordinary one. */
const LINE_BYTES = 600 * 1024 * 1024;
const CUT_AT = 1024 * 1024;
const PEAK_LIMIT_MB = 300;

/** `builds logs ARGS` of a done build whose log is a short line and then LINE_BYTES of "a"; stdout to a file. */
async function logsOfLongLine(args: string[]) {
  const srv = await startWaitServer("done");
  try {
    srv.server.on(`GET ${srv.logsPath}`, async (_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.write(jsonLine(0) + "\n");
      const piece = Buffer.alloc(1024 * 1024, 0x61);
      for (let sent = 0; sent < LINE_BYTES; sent += piece.length) {
        if (!res.write(piece)) await once(res, "drain");
      }
      res.end();
    });
    const dir = tempDir("valar-long-line-");
    const out = join(dir, "stdout");
    const rssFile = join(dir, "maxrss");
    const result = await runValar(["builds", "logs", ...args, BUILD_ID], {
      env: srv.env({ NODE_OPTIONS: `--import=${PRELOAD}`, VALAR_TEST_MAXRSS_FILE: rssFile }),
      stdout: { file: out },
      // Else execa keeps what it writes to the file too, and stops at 100 MB (its maxBuffer).
      buffer: { stdout: false },
    });
    return { result, out, peakMb: Number(readFileSync(rssFile, "utf8")) / 1024 };
  } finally {
    await srv.close();
  }
}

/** The first `n` bytes and the last `n` bytes of a file, and its size, without reading it whole. */
function ends(file: string, n: number): { head: string; tail: string; size: number } {
  const size = statSync(file).size;
  const fd = openSync(file, "r");
  try {
    const head = Buffer.alloc(Math.min(n, size));
    readSync(fd, head, 0, head.length, 0);
    const tail = Buffer.alloc(Math.min(n, size));
    readSync(fd, tail, 0, tail.length, size - tail.length);
    return { head: head.toString(), tail: tail.toString(), size };
  } finally {
    closeSync(fd);
  }
}

describe("a log line without end (600 MB, no newline)", () => {
  it("--raw into a file streams it through byte for byte, in bounded memory", async () => {
    const { result, out, peakMb } = await logsOfLongLine(["--raw"]);
    console.log(`builds logs --raw peak RSS over a ${LINE_BYTES / 2 ** 20} MiB line: ${peakMb.toFixed(1)} MiB`);
    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
    const { head, tail, size } = ends(out, 64);
    expect(size).toBe("line 0\n".length + LINE_BYTES + 1);
    expect(head).toBe("line 0\n" + "a".repeat(57));
    expect(tail).toBe("a".repeat(63) + "\n");
    expect(peakMb).toBeLessThan(PEAK_LIMIT_MB);
  }, 180_000);

  it("rendered, it is cut with a note of its length, in bounded memory", async () => {
    const { result, out, peakMb } = await logsOfLongLine([]);
    console.log(`builds logs peak RSS over a ${LINE_BYTES / 2 ** 20} MiB line: ${peakMb.toFixed(1)} MiB`);
    expect(result.exitCode).toBe(0);
    const note = ` … [line cut: ${LINE_BYTES} bytes]\n`;
    const { head, tail, size } = ends(out, 64);
    expect(head.startsWith("03:04:05Z line 0\naaaa")).toBe(true);
    expect(tail.endsWith("a" + note)).toBe(true);
    expect(size).toBe("03:04:05Z line 0\n".length + CUT_AT + Buffer.byteLength(note));
    expect(peakMb).toBeLessThan(PEAK_LIMIT_MB);
  }, 180_000);
});
