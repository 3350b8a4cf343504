import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { valar } from "../helpers/run-in-process.js";
import { testEnv } from "../helpers/test-env.js";

const storedFile = (env: Record<string, string | undefined>) =>
  JSON.parse(readFileSync(join(env.VALAR_CONFIG_DIR!, "config.json"), "utf8")) as Record<string, string>;

describe("valar config", () => {
  it("set, get, list and unset round-trip", async () => {
    const env = testEnv();
    for (const [k, v] of [
      ["endpoint", "https://api.example.com/v2/"],
      ["project", "my-proj"],
      ["service", "web2"],
    ]) {
      const r = await valar(["config", "set", k!, v!], { env });
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toBe("");
    }
    expect(storedFile(env)).toEqual({ endpoint: "https://api.example.com/v2", project: "my-proj", service: "web2" });

    const get = await valar(["config", "get", "project"], { env });
    expect(get.exitCode).toBe(0);
    expect(get.stdout).toBe("my-proj");

    const list = await valar(["config", "list"], { env });
    expect(list.exitCode).toBe(0);
    expect(list.stdout.split("\n")).toEqual(["endpoint=https://api.example.com/v2", "project=my-proj", "service=web2"]);

    const listJson = await valar(["config", "list", "--json"], { env });
    expect(JSON.parse(listJson.stdout)).toEqual({ endpoint: "https://api.example.com/v2", project: "my-proj", service: "web2" });

    expect((await valar(["config", "unset", "service"], { env })).exitCode).toBe(0);
    expect(storedFile(env)).toEqual({ endpoint: "https://api.example.com/v2", project: "my-proj" });
    const after = await valar(["config", "get", "service"], { env });
    expect(after.exitCode).toBe(1);
  });

  it("get of an unset key: exit 1, empty stdout, a message and hint on stderr", async () => {
    const r = await valar(["config", "get", "endpoint"]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("error: endpoint is not set");
    expect(r.stderr).toMatch(/^hint: the default https:\/\/api\.valar\.dev\/v2 applies/m);
  });

  it("unset of an unset key is fine", async () => {
    expect((await valar(["config", "unset", "project"])).exitCode).toBe(0);
  });

  it("list with nothing stored: a note on stderr, {} with --json", async () => {
    const env = testEnv();
    const r = await valar(["config", "list"], { env });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("No settings stored");
    const j = await valar(["config", "list", "--json"], { env });
    expect(JSON.parse(j.stdout)).toEqual({});
  });

  it("never lists the stored token", async () => {
    const env = testEnv();
    await valar(["config", "set", "project", "p"], { env });
    const { writeFileSync } = await import("node:fs");
    writeFileSync(join(env.VALAR_CONFIG_DIR!, "config.json"), JSON.stringify({ project: "p", token: "secret-tok-999" }));
    const r = await valar(["config", "list", "--json"], { env });
    expect(r.stdout).not.toContain("secret-tok-999");
    expect(JSON.parse(r.stdout)).toEqual({ project: "p" });
  });

  it.each([
    [["get", "token"], /unknown config key "token"/],
    [["set", "colour", "red"], /unknown config key "colour"/],
    [["unset", "nope"], /unknown config key "nope"/],
    [["set", "project", "1abc"], /invalid project name "1abc"/],
    [["set", "project", "a--b"], /invalid project name/],
    [["set", "service", "my-svc"], /invalid service name "my-svc"/],
    [["set", "endpoint", "api.valar.dev"], /not a URL/],
    [["set", "endpoint", "http://api.valar.dev/v2"], /refusing plain http:\/\//],
    [["set", "endpoint", "ftp://x"], /only http and https/],
  ])("config %j → exit 2 and nothing stored", async (args, message) => {
    const env = testEnv();
    const r = await valar(["config", ...args], { env });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/^hint: /m);
    const list = await valar(["config", "list", "--json"], { env });
    expect(JSON.parse(list.stdout)).toEqual({});
  });

  it("accepts plain http for loopback endpoints", async () => {
    const env = testEnv();
    for (const url of ["http://127.0.0.1:8080/v2", "http://localhost:3000/v2", "http://[::1]:9/v2"]) {
      const r = await valar(["config", "set", "endpoint", url], { env });
      expect(r.exitCode).toBe(0);
      expect((await valar(["config", "get", "endpoint"], { env })).stdout).toBe(url);
    }
  });

  it("missing arguments are usage errors", async () => {
    expect((await valar(["config", "set", "project"])).exitCode).toBe(2);
    expect((await valar(["config", "get"])).exitCode).toBe(2);
  });
});

describe("valar config, case by case", () => {
  type Stored = Record<string, string>;
  const cases: { args: string[]; before: Stored; exitCode: number; stdout: string; stderr: RegExp | ""; after: Stored }[] = [
    { args: ["get", "project"], before: { project: "p1" }, exitCode: 0, stdout: "p1", stderr: "", after: { project: "p1" } },
    {
      args: ["get", "service"],
      before: { project: "p1" },
      exitCode: 1,
      stdout: "",
      stderr: /^error: service is not set\nhint: /,
      after: { project: "p1" },
    },
    { args: ["set", "service", "web"], before: { project: "p1" }, exitCode: 0, stdout: "", stderr: "", after: { project: "p1", service: "web" } },
    { args: ["set", "project", "p2"], before: { project: "p1" }, exitCode: 0, stdout: "", stderr: "", after: { project: "p2" } },
    {
      args: ["set", "endpoint", "https://api.example.com/v2/"],
      before: {},
      exitCode: 0,
      stdout: "",
      stderr: "",
      after: { endpoint: "https://api.example.com/v2" },
    },
    { args: ["unset", "project"], before: { project: "p1", service: "web" }, exitCode: 0, stdout: "", stderr: "", after: { service: "web" } },
    {
      args: ["list"],
      before: { service: "web", project: "p1" },
      exitCode: 0,
      stdout: "project=p1\nservice=web",
      stderr: "",
      after: { service: "web", project: "p1" },
    },
    {
      args: ["list", "--json"],
      before: { project: "p1", token: "tok-secret-1" },
      exitCode: 0,
      stdout: '{\n  "project": "p1"\n}',
      stderr: "",
      after: { project: "p1", token: "tok-secret-1" },
    },
    {
      args: ["set", "service", "my-svc"],
      before: { service: "web" },
      exitCode: 2,
      stdout: "",
      stderr: /^error: invalid service name "my-svc"/,
      after: { service: "web" },
    },
    {
      args: ["unset", "token"],
      before: { token: "tok-secret-1" },
      exitCode: 2,
      stdout: "",
      stderr: /^error: unknown config key "token"/,
      after: { token: "tok-secret-1" },
    },
  ];
  it.each(cases)("config $args with $before stored", async ({ args, before, exitCode, stdout, stderr, after }) => {
    const env = testEnv();
    mkdirSync(env.VALAR_CONFIG_DIR!, { recursive: true });
    writeFileSync(join(env.VALAR_CONFIG_DIR!, "config.json"), JSON.stringify(before), { mode: 0o600 });
    const r = await valar(["config", ...args], { env });
    expect(r.exitCode, r.stderr).toBe(exitCode);
    expect(r.stdout).toBe(stdout);
    if (stderr === "") expect(r.stderr).toBe("");
    else expect(r.stderr).toMatch(stderr);
    expect(storedFile(env)).toEqual(after);
  });
});
