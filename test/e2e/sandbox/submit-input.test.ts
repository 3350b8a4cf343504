import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gzipSync } from "node:zlib";
import { Header, Pax } from "tar";
import { packFiles, sandboxRequest, startSandbox, waitForBuild, type TestSandbox } from "../../helpers/sandbox.js";

const base = "/projects/demo/services/input";

/** A .tar.gz of one file under a name no file system here could hold (so tar cannot pack it from disk). */
function archiveWithName(name: string): Buffer {
  const content = Buffer.from("echo hi\n");
  const fields = { path: name, size: content.length, type: "File" as const, mode: 0o755, mtime: new Date(0) };
  const header = new Header(fields);
  header.encode();
  const body = Buffer.alloc(Math.ceil(content.length / 512) * 512);
  content.copy(body);
  return gzipSync(Buffer.concat([new Pax(fields, false).encode(), header.block!, body, Buffer.alloc(1024)]));
}

describe("sandbox: bad submit input is refused at submit with a 400 naming the problem", () => {
  let sb: TestSandbox;
  let artifact: string;
  beforeAll(async () => {
    sb = await startSandbox();
    artifact = (await sandboxRequest(sb, "POST", `${base}/artifacts`, { body: await packFiles({ "build.sh": "echo ok\n" }) })).json.artifact;
  });
  afterAll(async () => {
    await sb?.stop();
  });

  const submit = (body: unknown) => sandboxRequest(sb, "POST", `${base}/builds`, { body });

  it("a file name over 255 bytes in the archive", async () => {
    const up = await sandboxRequest(sb, "POST", `${base}/artifacts`, { body: archiveWithName(`dir/${"n".repeat(300)}.sh`) });
    expect(up.status).toBe(200);
    const r = await submit({ artifact: up.json.artifact, build: { constructor: "shell" } });
    expect(r.status).toBe(400);
    expect(r.json.error).toMatch(/^artifact refused: entry "dir\/n+\.\.\." has a file name of 303 bytes; the limit is 255$/);
    const list = await sandboxRequest(sb, "GET", `${base}/builds`);
    expect(list.json).toEqual([]);
  });

  it("a path that fits PATH_MAX alone but not below the build's workspace (4,068 bytes)", async () => {
    const name = Array.from({ length: 17 }, () => "d".repeat(238)).join("/") + "/ff.sh";
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(4095);
    expect(Buffer.byteLength(name)).toBe(4068);
    const up = await sandboxRequest(sb, "POST", `${base}/artifacts`, { body: archiveWithName(name) });
    expect(up.status).toBe(200);
    const r = await submit({ artifact: up.json.artifact, build: { constructor: "shell" } });
    expect(r.status).toBe(400);
    expect(r.json.error).toMatch(
      /^artifact refused: entry "d+\.\.\." has a path of 4068 bytes; the limit is \d+ \(4095 less the \d+ bytes of the build's workspace path\)$/,
    );
    expect((await sandboxRequest(sb, "GET", `${base}/builds`)).json).toEqual([]);
  });

  it("a NUL in an environment value, build or deployment", async () => {
    const r = await submit({
      artifact,
      build: {
        constructor: "shell",
        environment: [
          { key: "OK", value: "1" },
          { key: "BAD", value: "a\u0000b" },
        ],
      },
    });
    expect(r.status).toBe(400);
    expect(r.json.error).toBe("build.environment[1] (BAD): the value holds a NUL byte, which no environment variable can");
    const d = await submit({ artifact, build: { constructor: "shell" }, deployment: { environment: [{ key: "S", value: "\u0000", secret: true }] } });
    expect(d.status).toBe(400);
    expect(d.json.error).toMatch(/^deployment\.environment\[0\] \(S\): the value holds a NUL byte/);
  });

  it("a 900 KB environment value, and too large an environment in all", async () => {
    const r = await submit({ artifact, build: { constructor: "shell", environment: [{ key: "BIG", value: "x".repeat(900 * 1024) }] } });
    expect(r.status).toBe(400);
    expect(r.json.error).toBe("build.environment[0] (BIG) is 921604 bytes; the limit for one entry is 65536");
    const many = Array.from({ length: 5 }, (_, i) => ({ key: `K${i}`, value: "y".repeat(60 * 1024) }));
    const all = await submit({ artifact, build: { constructor: "shell", environment: many } });
    expect(all.status).toBe(400);
    expect(all.json.error).toMatch(/^build\.environment is \d+ bytes in all; the limit is 262144$/);
  });

  it("still takes a good submission with a large but valid environment, and builds it", async () => {
    const r = await submit({ artifact, build: { constructor: "shell", environment: [{ key: "FINE", value: "z".repeat(60 * 1024) }] } });
    expect(r.status).toBe(200);
    expect((await waitForBuild(sb, r.json.id, { service: "input" })).status).toBe("done");
  });
});
