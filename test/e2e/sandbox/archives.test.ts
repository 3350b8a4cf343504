import { afterEach, describe, expect, it } from "vitest";
import { readdirSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { createGzip } from "node:zlib";
import { Header } from "tar";
import { sandboxRequest, startSandbox, submitFiles, waitForBuild, type TestSandbox } from "../../helpers/sandbox.js";
import { rawTarGz } from "../../helpers/raw-tar.js";
import { runValar, tempDir } from "../../helpers/cli.js";

const base = "/projects/demo/services/web";
const started: TestSandbox[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((sb) => sb.stop()));
});

async function sandbox(args: string[] = []): Promise<TestSandbox> {
  const sb = await startSandbox({ args });
  started.push(sb);
  return sb;
}

/** A .tar.gz of `count` files of `size` zero bytes each: tiny packed, huge unpacked. */
async function zeroBomb(count: number, size: number): Promise<Buffer> {
  const gzip = createGzip({ level: 1 });
  const chunks: Buffer[] = [];
  gzip.on("data", (c: Buffer) => chunks.push(c));
  const done = new Promise((resolve) => gzip.on("end", resolve));
  const zeros = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < count; i++) {
    const header = Buffer.alloc(512);
    new Header({ path: `zero-${i}.bin`, type: "File", size, mode: 0o644, mtime: new Date(0), uid: 0, gid: 0 }).encode(header);
    gzip.write(header);
    for (let left = size; left > 0; left -= zeros.length) {
      if (!gzip.write(zeros.subarray(0, Math.min(left, zeros.length)))) await new Promise((r) => gzip.once("drain", r));
    }
    gzip.write(Buffer.alloc((512 - (size % 512)) % 512));
  }
  gzip.end(Buffer.alloc(1024));
  await done;
  return Buffer.concat(chunks);
}

describe("sandbox archives", () => {
  it("refuses an archive bomb at upload with a 413 naming the cap, keeps nothing, and answers others meanwhile", async () => {
    const sb = await sandbox(["--max-unpacked-size", "256M"]);
    const bomb = await zeroBomb(300, 1024 * 1024);
    expect(bomb.length).toBeLessThan(2 * 1024 * 1024);

    let worst = 0;
    let uploading = true;
    const pings = (async () => {
      while (uploading) {
        const t0 = Date.now();
        expect((await sandboxRequest(sb, "GET", "/")).status).toBe(200);
        worst = Math.max(worst, Date.now() - t0);
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    const up = await sandboxRequest(sb, "POST", `${base}/artifacts`, { body: bomb });
    uploading = false;
    await pings;
    expect(up.status).toBe(413);
    expect(up.json).toEqual({ error: "artifact refused: the artifact unpacks to more than 256 MiB (--max-unpacked-size)" });
    expect(readdirSync(join(sb.dataDir, "artifacts"))).toEqual([]);
    // Scanning streams: the server never stops answering for long (it used to block for seconds).
    expect(worst).toBeLessThan(1000);
  });

  it("refuses an archive with more entries than --max-entries", async () => {
    const sb = await sandbox(["--max-entries", "50"]);
    const files = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`f${i}.txt`, "x"]));
    await expect(submitFiles(sb, files)).rejects.toThrow(/413 .*more than 50 entries \(--max-entries\)/);
  });

  it("refuses too many entries while the upload is still arriving, and the CLI's error names the limit", async () => {
    const sb = await sandbox(["--max-entries", "1000"]);
    const archive = await zeroBomb(5000, 0);
    // Half the archive (some 2500 entries) is sent and the upload held open: the answer must not wait for the rest.
    const url = new URL(sb.endpoint + `${base}/artifacts`);
    const req = request(url, { method: "POST", headers: { Authorization: `Bearer ${sb.token}`, "Content-Type": "application/octet-stream" } });
    const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
      req.on("response", (res) => {
        let body = "";
        res.setEncoding("utf8").on("data", (t: string) => (body += t));
        res.on("end", () => resolve({ status: res.statusCode!, body }));
      });
      req.on("error", reject);
      setTimeout(() => reject(new Error("no answer while the upload was held open")), 5000);
    });
    req.write(archive.subarray(0, archive.length / 2));
    const r = await answer.finally(() => req.destroy());
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body)).toEqual({ error: "artifact refused: the artifact holds more than 1000 entries (--max-entries)" });
    expect(readdirSync(join(sb.dataDir, "artifacts"))).toEqual([]);

    const dir = tempDir("valar-many-");
    for (let i = 0; i < 1100; i++) writeFileSync(join(dir, `f${i}.txt`), "");
    const cli = await runValar(["builds", "submit", dir, "--constructor", "static"], { env: sb.env() });
    expect(cli.exitCode).toBe(1);
    expect(cli.stderr).toContain("the artifact holds more than 1000 entries");
  });

  it("takes an archive within the caps", async () => {
    const sb = await sandbox(["--max-unpacked-size", "2M", "--max-entries", "5"]);
    const sub = await submitFiles(sb, { "build.sh": "echo fine\n", "a.txt": "a" });
    expect((await waitForBuild(sb, sub.id)).status).toBe("done");
  });

  it("refuses bad cap flags with exit 2", async () => {
    await expect(startSandbox({ args: ["--max-unpacked-size", "lots"] })).rejects.toThrow(
      /exited early \(code 2\)[\s\S]*invalid size "lots" for --max-unpacked-size/,
    );
    await expect(startSandbox({ args: ["--max-entries", "0"] })).rejects.toThrow(/exited early \(code 2\)[\s\S]*--max-entries/);
  });

  it("fails a build whose symlinks leave the tree only as a chain, before anything is unpacked", async () => {
    const sb = await sandbox();
    const archive = rawTarGz([
      { path: "build.sh", content: "cat x/y/L2/token\n" },
      { path: "x/", type: "Directory" },
      { path: "x/y/", type: "Directory" },
      { path: "x/y/L1", type: "SymbolicLink", linkpath: "../.." },
      { path: "x/y/L2", type: "SymbolicLink", linkpath: "L1/../.." },
    ]);
    const up = await sandboxRequest(sb, "POST", `${base}/artifacts`, { body: archive });
    expect(up.status).toBe(200);
    const sub = await sandboxRequest(sb, "POST", `${base}/builds`, {
      body: { artifact: up.json.artifact, build: { constructor: "shell", environment: [] }, deployment: { skip: true } },
    });
    const b = await waitForBuild(sb, sub.json.id);
    expect(b.status).toBe("failed");
    expect(b.error).toBe('artifact refused: link "x/y/L2" points to "L1/../..", which leads outside the workspace through the archive\'s links');
  });
});
