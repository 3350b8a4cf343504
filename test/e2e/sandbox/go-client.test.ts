import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { request } from "node:http";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { ROOT } from "../../helpers/cli.js";
import { packFiles, startSandbox, waitForBuild, waitForDeploysSettled, type TestSandbox } from "../../helpers/sandbox.js";

/**
 * Valar's original Go client (valar/cli, api/client.go), replayed request by request:
 * the same methods, paths (trailing slashes included), headers and JSON bodies — Go
 * marshals a nil slice as null, a KVPair always with "secret", an *os.File body chunked.
 */
interface GoAnswer {
  status: number;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

function goRequest(sb: TestSandbox, method: string, path: string, body?: { json?: unknown; file?: Buffer }): Promise<GoAnswer> {
  const url = new URL(sb.endpoint + path);
  const headers: Record<string, string> = { "User-Agent": "Go-http-client/1.1" };
  const payload = body?.json !== undefined ? Buffer.from(JSON.stringify(body.json)) : undefined;
  if (payload) headers["Content-Length"] = String(payload.length);
  else if (body?.file) headers["Transfer-Encoding"] = "chunked";
  else if (method === "POST") headers["Content-Length"] = "0";
  headers.Authorization = `Bearer ${sb.token}`;
  headers["Accept-Encoding"] = "gzip";
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path: url.pathname + url.search, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode!, text, json });
      });
    });
    req.on("error", reject);
    if (body?.file) {
      // An *os.File is sent in pieces, as Go's transport reads it.
      for (let i = 0; i < body.file.length; i += 4096) req.write(body.file.subarray(i, i + 4096));
    }
    req.end(payload);
  });
}

/** What Go's json.Unmarshal into time.Time accepts (RFC 3339). */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

describe("Valar's Go client against the sandbox", () => {
  let sb: TestSandbox;
  const svc = "/projects/demo/services/goweb";
  beforeAll(async () => {
    sb = await startSandbox();
  });
  afterAll(async () => {
    await sb?.stop();
  });

  async function push(opts: { skip?: boolean; env?: { key: string; value: string }[] } = {}): Promise<string> {
    const artifact = await goRequest(sb, "POST", `${svc}/artifacts`, { file: await packFiles({ "build.sh": "echo built by go\n" }) });
    expect(artifact.status).toBe(200);
    const environment = opts.env ? opts.env.map((e) => ({ ...e, secret: false })) : null;
    const build = await goRequest(sb, "POST", `${svc}/builds`, {
      json: {
        artifact: artifact.json.artifact,
        build: { constructor: "shell", environment },
        deployment: { skip: opts.skip ?? false, environment: null },
      },
    });
    expect(build.status).toBe(200);
    expect(build.json.createdAt).toMatch(RFC3339);
    return build.json.id;
  }

  it("checks the endpoint, pushes, lists (builds/), inspects and reads logs", async () => {
    expect(await goRequest(sb, "GET", "/")).toMatchObject({ status: 200, json: { version: "v2" } });
    const id = await push({ env: [{ key: "GREETING", value: "hi" }] });
    await waitForBuild(sb, id, { service: "goweb" });
    const all = await goRequest(sb, "GET", `${svc}/builds/`);
    expect(all.status).toBe(200);
    expect(all.json[0]).toMatchObject({ id, status: "done" });
    const byPrefix = await goRequest(sb, "GET", `${svc}/builds/${id.slice(0, 6)}`);
    expect(byPrefix.json.map((b: { id: string }) => b.id)).toContain(id);
    const inspect = await goRequest(sb, "GET", `${svc}/builds/${id.slice(0, 8)}/inspect`);
    expect(inspect.json).toMatchObject({ id, constructor: "shell", status: "done", owner: "sandbox" });
    const logs = await goRequest(sb, "GET", `${svc}/builds/${id}/logs?follow=true`);
    expect(logs.text).toContain("built by go");
  });

  it("lists, creates and rolls back deployments with integer versions and no environment", async () => {
    const first = await push();
    await waitForBuild(sb, first, { service: "goweb" });
    const second = await push();
    await waitForBuild(sb, second, { service: "goweb" });
    const listed = await goRequest(sb, "GET", `${svc}/deploys`);
    expect(listed.status).toBe(200);
    for (const d of listed.json) {
      expect(Number.isSafeInteger(d.version)).toBe(true);
      expect(d.createdAt).toMatch(RFC3339);
    }
    const created = await goRequest(sb, "POST", `${svc}/deploys`, {
      json: { build: first, environment: [{ key: "TOKEN", value: "hush", secret: true }] },
    });
    expect(created.status).toBe(200);
    expect(created.json).toEqual({
      version: expect.any(Number),
      createdAt: expect.stringMatching(RFC3339),
      error: "",
      status: "pending",
      build: first,
    });
    expect(created.text).not.toContain("hush");
    await waitForDeploysSettled(sb, svc);
    const back = await goRequest(sb, "POST", `${svc}/deploys/rollback`, { json: { version: created.json.version - 1 } });
    expect(back.status).toBe(200);
    expect(back.json).toMatchObject({ version: created.json.version + 1, status: "pending", build: second });
    const again = await goRequest(sb, "GET", `${svc}/deploys`);
    expect(again.json.map((d: { version: number }) => d.version).slice(0, 2)).toEqual([created.json.version + 1, created.json.version]);
    expect(again.text).not.toContain("hush");
  });

  it("answers empty path segments 404 with a JSON error", async () => {
    const id = await push({ skip: true });
    for (const [method, path] of [
      ["POST", `${svc}/builds//abort`],
      ["GET", `${svc}/builds//inspect`],
      ["GET", `${svc}/builds//logs`],
      ["GET", `/projects/demo/services//builds`],
    ] as const) {
      const r = await goRequest(sb, method, path);
      expect({ path, status: r.status }).toEqual({ path, status: 404 });
      expect(r.json).toEqual({ error: expect.stringMatching(/empty path segment/) });
    }
    // The build a `builds//abort` might have been read as is untouched.
    expect((await goRequest(sb, "GET", `${svc}/builds/${id}/inspect`)).status).toBe(200);
    await waitForBuild(sb, id, { service: "goweb" });
  });

  it("lists the services that have builds (service ls), with a prefix", async () => {
    const all = await goRequest(sb, "GET", "/projects/demo/services/");
    expect(all.status).toBe(200);
    const goweb = all.json.find((s: { name: string }) => s.name === "goweb");
    expect(goweb).toEqual({
      id: expect.any(String),
      name: "goweb",
      version: expect.any(Number),
      createdAt: expect.stringMatching(RFC3339),
      deployedAt: expect.stringMatching(RFC3339),
      domains: [],
    });
    expect(goweb.version).toBeGreaterThan(0);
    expect((await goRequest(sb, "GET", "/projects/demo/services/gow")).json.map((s: { name: string }) => s.name)).toEqual(["goweb"]);
    expect((await goRequest(sb, "GET", "/projects/demo/services/nothing")).json).toEqual([]);
    expect((await goRequest(sb, "GET", "/projects/other/services/")).json).toEqual([]);
  });

  it("answers 501 naming the feature for the routes it does not implement", async () => {
    const cases: [string, string, RegExp][] = [
      ["POST", `${svc}/status?disabled=true`, /service status/],
      ["GET", `${svc}/logs?follow=true&seek=end&skip=0`, /service logs/],
      ["GET", `${svc}/schedules`, /scheduling/],
      ["POST", `${svc}/schedules`, /scheduling/],
      ["DELETE", `${svc}/schedules/nightly`, /scheduling/],
      ["POST", `${svc}/schedules/nightly/trigger`, /scheduling/],
      ["GET", "/projects/demo/domains", /domain/],
      ["POST", "/projects/demo/domains", /domain/],
      ["DELETE", "/projects/demo/domains/example.com", /domain/],
      ["POST", "/projects/demo/domains/example.com/link", /domain/],
      ["POST", "/projects/demo/domains/example.com/verify", /domain/],
      ["GET", "/projects/demo/permissions?namespace=service&prefix=", /permission/],
      ["POST", "/projects/demo/permissions?mode=check", /permission/],
      ["POST", "/projects/demo/environment/encrypt", /environment encryption/],
    ];
    for (const [method, path, feature] of cases) {
      const r = await goRequest(sb, method, path, method === "POST" ? { json: {} } : undefined);
      expect({ path, status: r.status }).toEqual({ path, status: 501 });
      expect(r.json.error).toMatch(feature);
      expect(r.json.error).toMatch(/not implemented by the sandbox$/);
    }
  });
});

describe("examples/hello/.valar.yml", () => {
  it("has the deployment section Valar's Go client requires (a mapping, not null)", () => {
    const doc = parse(readFileSync(join(ROOT, "examples", "hello", ".valar.yml"), "utf8"));
    expect(doc.build.constructor).toBe("shell");
    expect(doc.deployment).toEqual(expect.objectContaining({ skip: false }));
  });
});
