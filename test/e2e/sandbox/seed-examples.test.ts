import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packFiles, sandboxRequest, startSandbox, waitForBuild, type TestSandbox } from "../../helpers/sandbox.js";

/**
 * The curl examples of the API's own documentation (seed/000_…txt and valar-api.md), sent
 * as they are written — project "myproject", service "web" — with the placeholders
 * (artifact key, build IDs) filled in from earlier answers.
 */
describe("the documented curl examples against the sandbox", () => {
  let sb: TestSandbox;
  const svc = "/projects/myproject/services/web";
  let artifact = "";
  let buildId = "";

  beforeAll(async () => {
    sb = await startSandbox();
    // The golang examples build for real: without a Go toolchain they end failed, same shapes.
    const up = await sandboxRequest(sb, "POST", `${svc}/artifacts`, {
      body: await packFiles({
        "go.mod": "module example.com/web\n\ngo 1.21\n",
        "main.go": "package main\n\nfunc main() {}\n",
        "build.sh": "echo ok\n",
      }),
    });
    artifact = up.json.artifact;
  });
  afterAll(async () => {
    await sb?.stop();
  });

  it("GET / → {version: v2}; GET /users/info → {name, projects}", async () => {
    expect((await sandboxRequest(sb, "GET", "/", { token: null })).json).toEqual({ version: "v2" });
    const info = await sandboxRequest(sb, "GET", "/users/info");
    expect(info.json).toEqual({ name: "sandbox", projects: expect.arrayContaining(["myproject"]) });
  });

  it("POST …/artifacts → {artifact}", () => {
    expect(artifact).toMatch(/^[0-9a-f]+$/);
  });

  it("submit with build.environment → {id, status: pending, createdAt, deployment}", async () => {
    const r = await sandboxRequest(sb, "POST", `${svc}/builds`, {
      body: { artifact, build: { constructor: "golang", environment: [{ key: "GO_BUILD_FLAGS", value: "-ldflags=-s" }] } },
    });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ id: expect.any(String), status: "pending", createdAt: expect.any(String), deployment: expect.stringMatching(/^v\d+$/) });
    expect(Number.isNaN(Date.parse(r.json.createdAt))).toBe(false);
    buildId = r.json.id;
    await waitForBuild(sb, buildId, { project: "myproject", timeoutMs: 60_000 });
  });

  it("submit with deployment.skip → the same shape", async () => {
    const r = await sandboxRequest(sb, "POST", `${svc}/builds`, {
      body: { artifact, build: { constructor: "golang" }, deployment: { skip: true } },
    });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ status: "pending" });
    await waitForBuild(sb, r.json.id, { project: "myproject", timeoutMs: 60_000 });
  });

  it("list builds → [{id, status, error, createdAt}], newest first", async () => {
    const r = await sandboxRequest(sb, "GET", `${svc}/builds`);
    expect(r.status).toBe(200);
    expect(r.json).toHaveLength(2);
    for (const b of r.json) expect(Object.keys(b).sort()).toEqual(["createdAt", "error", "id", "status"]);
    expect(r.json[1].id).toBe(buildId);
  });

  it("filter by prefix (…/builds/a1b2) → a list", async () => {
    const r = await sandboxRequest(sb, "GET", `${svc}/builds/${buildId.slice(0, 4)}`);
    expect(r.status).toBe(200);
    expect(r.json.map((b: { id: string }) => b.id)).toContain(buildId);
  });

  it("inspect (…/builds/a1b2c3d4/inspect) → {id, constructor, status, error, createdAt, flags, owner}", async () => {
    const r = await sandboxRequest(sb, "GET", `${svc}/builds/${buildId.slice(0, 8)}/inspect`);
    expect(r.status).toBe(200);
    expect(Object.keys(r.json).sort()).toEqual(["constructor", "createdAt", "error", "flags", "id", "owner", "status"]);
    expect(r.json).toMatchObject({ id: buildId, constructor: "golang", flags: "", owner: "sandbox" });
    expect(["done", "failed"]).toContain(r.json.status);
  });

  it("logs?follow=true (…/builds/a1b2c3d4/logs) → text/plain, one JSON entry per line", async () => {
    const r = await sandboxRequest(sb, "GET", `${svc}/builds/${buildId.slice(0, 8)}/logs?follow=true`);
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toMatch(/^text\/plain/);
    for (const line of r.text.trimEnd().split("\n")) {
      expect(Object.keys(JSON.parse(line)).sort()).toEqual(["content", "source", "stage", "timestamp"]);
    }
  });

  it("abort → {} for a running build; a 4xx JSON error for a finished one", async () => {
    const up = await sandboxRequest(sb, "POST", `${svc}/artifacts`, { body: await packFiles({ "build.sh": "sleep 20\n" }) });
    const sub = await sandboxRequest(sb, "POST", `${svc}/builds`, { body: { artifact: up.json.artifact, build: { constructor: "shell" } } });
    await waitForBuild(sb, sub.json.id, { project: "myproject", until: (s) => s === "running" });
    const r = await sandboxRequest(sb, "POST", `${svc}/builds/${sub.json.id.slice(0, 8)}/abort`);
    expect(r.status).toBe(200);
    expect(r.json).toEqual({});
    const again = await sandboxRequest(sb, "POST", `${svc}/builds/${buildId}/abort`);
    expect(again.status).toBeGreaterThanOrEqual(400);
    expect(again.status).toBeLessThan(500);
    expect(again.json).toEqual({ error: expect.any(String) });
  });

  it("deploys: list → [{version, createdAt, error, status, build}]", async () => {
    const r = await sandboxRequest(sb, "GET", `${svc}/deploys`);
    expect(r.status).toBe(200);
    for (const d of r.json) expect(Object.keys(d).sort()).toEqual(["build", "createdAt", "error", "status", "version"]);
  });
});
