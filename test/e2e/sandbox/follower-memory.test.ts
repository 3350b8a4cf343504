import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, readFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { sandboxRequest, startSandbox, submitFiles, waitForBuild, type TestSandbox } from "../../helpers/sandbox.js";

const svc = "/projects/demo/services/chatty";
const LINES = 60_000;
// 60,000 lines of 1,000 characters: a log of about 65 MB.
const CHATTY = { "build.sh": `sleep 1\nhead -c ${LINES * 1000} /dev/zero | tr '\\0' x | fold -w 1000\n` };

/** Resident memory of a process, now and at its peak, in MB (Linux). */
function memory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)![1]);
  return { rss: kb("VmRSS") / 1024, peak: kb("VmHWM") / 1024 };
}

/** Opens `GET …/logs?follow=true` on a raw socket and never reads a byte of the answer. */
function stalledFollower(sb: TestSandbox, id: string): Promise<Socket> {
  const url = new URL(sb.endpoint);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: url.hostname, port: Number(url.port) }, () => {
      socket.write(
        `GET ${url.pathname}${svc}/builds/${id}/logs?follow=true HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${sb.token}\r\n\r\n`,
      );
      socket.pause();
      resolve(socket);
    });
    socket.on("error", reject);
  });
}

describe.skipIf(!existsSync("/proc/self/status"))("sandbox: log followers that never read", () => {
  let sb: TestSandbox;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    sb = await startSandbox();
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await sb?.stop();
  });

  it("cost bounded memory: 8 stalled followers of a 65 MB log leave the server's peak RSS within 100 MB of its start", async () => {
    const before = memory(sb.pid);
    const sub = await submitFiles(sb, CHATTY, { service: "chatty", skipDeploy: true });
    for (let i = 0; i < 8; i++) sockets.push(await stalledFollower(sb, sub.id));
    const done = await waitForBuild(sb, sub.id, { service: "chatty", timeoutMs: 120_000 });
    expect(done.status).toBe("done");
    const after = memory(sb.pid);
    // Without backpressure each follower holds the whole log in the server's memory (8 × 65 MB).
    expect(after.peak - before.rss).toBeLessThan(100);

    // A follower that reads late still gets every line, in order, once, and then the end.
    const late = sockets[0]!;
    const chunks: Buffer[] = [];
    late.on("data", (c: Buffer) => chunks.push(c));
    const ended = new Promise<void>((resolve) => late.once("end", resolve));
    late.resume();
    const plain = await sandboxRequest(sb, "GET", `${svc}/builds/${sub.id}/logs`);
    await ended;
    const raw = Buffer.concat(chunks).toString("utf8");
    const body = decodeChunked(raw.slice(raw.indexOf("\r\n\r\n") + 4));
    expect(body.length).toBe(plain.text.length);
    expect(body === plain.text).toBe(true);
    expect(body.split("\n").filter((l) => l.includes('"PROCESS"')).length).toBe(LINES);
  }, 180_000);
});

/** The body of a chunked HTTP/1.1 response. */
function decodeChunked(text: string): string {
  const buf = Buffer.from(text, "utf8");
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = buf.indexOf("\r\n", at);
    const size = parseInt(buf.subarray(at, eol).toString("latin1"), 16);
    if (!size) break;
    parts.push(buf.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(parts).toString("utf8");
}
