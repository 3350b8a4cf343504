import { readFileSync } from "node:fs";
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
