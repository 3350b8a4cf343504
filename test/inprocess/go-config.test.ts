import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { valar } from "../helpers/run-in-process.js";
import { testEnv } from "../helpers/test-env.js";
import { tempDir } from "../helpers/temp-dirs.js";
import { json, startFaultServer, type FaultServer } from "../helpers/fault-server.js";
import { goConfig, serviceDir, writeHomeConfig, type Env } from "../helpers/go-config-files.js";

/**
 * Valar's Go CLI config (~/.valar/config, or VALARCONFIG's files) read as the layer below
 * valar's own stored settings, in the Go CLI's exact format.
 */

const TOKEN_A = "tok-alpha-0123456789";
const TOKEN_B = "tok-bravo-9876543210";

describe("Valar's Go CLI config as the stored layer (fault servers)", () => {
  let a: FaultServer;
  let b: FaultServer;
  beforeAll(async () => {
    [a, b] = await Promise.all([startFaultServer(), startFaultServer()]);
    for (const [server, token] of [
      [a, TOKEN_A],
      [b, TOKEN_B],
    ] as const) {
      for (const project of ["shop", "blog", "yml", "stored", "env", "flag"]) {
        server.on(`GET /projects/${project}/services/web/builds`, (req, res) =>
          req.headers.authorization === `Bearer ${token}` ? json(res, 200, []) : json(res, 401, { error: "invalid token" }),
        );
      }
      server.on("GET /users/info", (req, res) =>
        req.headers.authorization === `Bearer ${token}`
          ? json(res, 200, { name: "ada", projects: ["shop"] })
          : json(res, 401, { error: "invalid token" }),
      );
    }
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });
  beforeEach(() => {
    a.requests.length = 0;
    b.requests.length = 0;
  });

  const twoEndpoints = (active = "blog") =>
    goConfig({
      active,
      endpoints: { alpha: { url: a.endpoint, token: TOKEN_A }, bravo: { url: b.endpoint, token: TOKEN_B } },
      contexts: { shop: { endpoint: "alpha", project: "shop" }, blog: { endpoint: "bravo", project: "blog" } },
    });
  const last = (s: FaultServer) => s.requests.at(-1);
  const ls = (env: Env, cwd = serviceDir(), args: string[] = []) => valar([...args, "builds", "ls", "-q"], { env, cwd });

  it("several contexts and endpoints: the active context picks endpoint, token and project", async () => {
    const env = testEnv();
    writeHomeConfig(env, twoEndpoints("blog"));
    expect((await ls(env)).exitCode).toBe(0);
    expect(a.requests).toEqual([]);
    expect(last(b)).toMatchObject({
      path: "/projects/blog/services/web/builds",
      headers: expect.objectContaining({ authorization: `Bearer ${TOKEN_B}` }),
    });
    writeHomeConfig(env, twoEndpoints("shop"));
    expect((await ls(env)).exitCode).toBe(0);
    expect(last(a)).toMatchObject({
      path: "/projects/shop/services/web/builds",
      headers: expect.objectContaining({ authorization: `Bearer ${TOKEN_A}` }),
    });
  });

  it("a missing active context gives nothing, and the error says why; nothing is sent", async () => {
    for (const [active, why] of [
      ["nowhere", 'the activeContext "nowhere" of ~/.valar/config names no context'],
      [undefined, "Valar's Go CLI config (~/.valar/config) sets no activeContext"],
    ] as const) {
      const env = testEnv();
      writeHomeConfig(env, twoEndpoints().replace(/^activeContext: .*\n/m, active ? `activeContext: ${active}\n` : ""));
      const r = await ls(env, serviceDir(), ["-p", "shop"]);
      expect(r.exitCode).toBe(4);
      expect(r.stderr).toBe(`error: not logged in to https://api.valar.dev/v2\nhint: ${why}; run \`valar auth login\` or set VALAR_TOKEN`);
      const p = await ls({ ...env, VALAR_TOKEN: "x" });
      expect(p.exitCode).toBe(2);
      expect(p.stderr).toContain(`hint: ${why}; pass -p PROJECT`);
    }
    const env = testEnv();
    writeHomeConfig(env, goConfig({ active: "c", contexts: { c: { endpoint: "gone", project: "shop" } } }));
    const r = await ls(env);
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toContain('hint: context "c" of ~/.valar/config names endpoint "gone", which is not defined');
    expect([...a.requests, ...b.requests]).toEqual([]);
  }, 60_000);

  it("VALARCONFIG: files merged in order, the later one winning per name and for activeContext", async () => {
    const env = testEnv();
    const dir = tempDir("valar-goconf-");
    const base = join(dir, "base.yml");
    const override = join(dir, "override.yml");
    writeFileSync(base, twoEndpoints("blog"));
    // Redefines endpoint bravo (now pointing at server a) and switches the active context.
    writeFileSync(
      override,
      goConfig({
        active: "mine",
        endpoints: { bravo: { url: a.endpoint, token: TOKEN_A } },
        contexts: { mine: { endpoint: "bravo", project: "stored" } },
      }),
    );
    // ~/.valar/config is not read when VALARCONFIG is set.
    writeHomeConfig(env, "activeContext: [broken\n");
    const e = { ...env, VALARCONFIG: `${base};${override}` };
    expect((await ls(e)).exitCode).toBe(0);
    expect(last(a)).toMatchObject({
      path: "/projects/stored/services/web/builds",
      headers: expect.objectContaining({ authorization: `Bearer ${TOKEN_A}` }),
    });
    expect(b.requests).toEqual([]);
    const status = await valar(["auth", "status"], { env: e, cwd: serviceDir() });
    expect(status.stdout).toMatch(new RegExp(`^Token: +\\S+ \\(${override.replace(/[.]/g, "\\.")}, context mine\\)$`, "m"));
    // The later file's activeContext may name a context of the earlier one.
    writeFileSync(override, "activeContext: shop\n");
    expect((await ls(e)).exitCode).toBe(0);
    expect(last(a)!.path).toBe("/projects/shop/services/web/builds");
    // A listed file that cannot be read is skipped with a warning, as the Go CLI does.
    const missing = await ls({ ...env, VALARCONFIG: `${join(dir, "nope.yml")};${base}` });
    expect(missing.exitCode).toBe(0);
    expect(missing.stderr.split("\n")[0]).toBe(`warning: VALARCONFIG names ${join(dir, "nope.yml")}, which cannot be read (ENOENT); skipped`);
  }, 60_000);

  it("a malformed file → exit 2, one error line naming the file (and a hint), nothing sent", async () => {
    const env = testEnv();
    const dir = tempDir("valar-goconf-");
    const cases: Array<[string, RegExp]> = [
      ["activeContext: [oops\n", /not valid YAML/],
      ["- a\n- list\n", /expected a mapping with activeContext, endpoints and contexts/],
      ["activeContext: x\nendpoints: [1, 2]\n", /"endpoints" must be a mapping of names/],
      ["activeContext: x\ncontexts:\n  x:\n    project: [a]\n", /contexts\.x\.project must be a string/],
    ];
    for (const [text, reason] of cases) {
      const path = writeHomeConfig(env, text);
      const r = await ls(env);
      expect(r.exitCode, text).toBe(2);
      const lines = r.stderr.split("\n");
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(new RegExp(`^error: Valar's Go CLI config ${path.replace(/[.]/g, "\\.")}: `));
      expect(lines[0]).toMatch(reason);
      expect(lines[1]).toMatch(/^hint: /);
      const listed = join(dir, "listed.yml");
      writeFileSync(listed, text);
      const v = await ls({ ...env, VALARCONFIG: `${listed}` });
      expect(v.exitCode).toBe(2);
      expect(v.stderr).toContain(listed);
    }
    expect([...a.requests, ...b.requests]).toEqual([]);
  }, 120_000);

  it("is read only when a setting reaches it: with everything given, a malformed file does no harm", async () => {
    const env = testEnv({ VALAR_ENDPOINT: a.endpoint, VALAR_TOKEN: TOKEN_A, VALAR_PROJECT: "shop" });
    writeHomeConfig(env, "activeContext: [oops\n");
    expect((await ls(env)).exitCode).toBe(0);
  });

  it("precedence: flag > env > .valar.yml > stored > Go config > default", async () => {
    const env = testEnv();
    const goPath = writeHomeConfig(env, twoEndpoints("shop")); // a, TOKEN_A, project shop
    const before = statSync(goPath).mtimeMs;
    const project = async (e: Env, cwd = serviceDir(), args: string[] = []) => {
      const r = await ls(e, cwd, args);
      expect(r.exitCode, r.stderr).toBe(0);
      return last(a)!.path.split("/")[2];
    };
    expect(await project(env)).toBe("shop");
    // stored > Go config (per setting: the Go config still gives endpoint and token).
    expect((await valar(["config", "set", "project", "stored"], { env })).exitCode).toBe(0);
    expect(await project(env)).toBe("stored");
    // .valar.yml > stored; env > .valar.yml; flag > env.
    expect(await project(env, serviceDir("web", "project: yml\n"))).toBe("yml");
    expect(await project({ ...env, VALAR_PROJECT: "env" }, serviceDir("web", "project: yml\n"))).toBe("env");
    expect(await project({ ...env, VALAR_PROJECT: "env" }, serviceDir(), ["-p", "flag"])).toBe("flag");

    // Endpoint: a stored one wins over the Go config's, and the Go token is never sent there.
    expect((await valar(["config", "set", "endpoint", b.endpoint], { env })).exitCode).toBe(0);
    const elsewhere = await ls(env);
    expect(elsewhere.exitCode).toBe(4);
    expect(elsewhere.stderr).toContain(`error: not logged in to ${b.endpoint}`);
    expect(b.requests).toEqual([]);
    // A token for it (env) is used there; the flag points back at a, where the Go token fits again.
    expect((await ls({ ...env, VALAR_TOKEN: TOKEN_B })).exitCode).toBe(0);
    expect(last(b)!.headers.authorization).toBe(`Bearer ${TOKEN_B}`);
    a.requests.length = 0;
    expect((await ls(env, serviceDir(), ["--endpoint", a.endpoint])).exitCode).toBe(0);
    expect(last(a)!.headers.authorization).toBe(`Bearer ${TOKEN_A}`);
    expect((await valar(["config", "unset", "endpoint"], { env })).exitCode).toBe(0);

    // Token: VALAR_TOKEN > stored (auth login) > Go config.
    const wrong = await ls({ ...env, VALAR_TOKEN: "env-token-wins" });
    expect(wrong.exitCode).toBe(4);
    expect(last(a)!.headers.authorization).toBe("Bearer env-token-wins");
    const login = await valar(["auth", "login"], { env, input: `${TOKEN_A}\n` });
    expect(login.exitCode, login.stderr).toBe(0);
    const status = await valar(["auth", "status"], { env });
    expect(status.stdout).toMatch(/^Token: +\S+ \(stored\)$/m);

    // Never written, whatever valar stored meanwhile.
    expect(readFileSync(goPath, "utf8")).toBe(twoEndpoints("shop"));
    expect(statSync(goPath).mtimeMs).toBe(before);

    // Default: no Go config and nothing else → the default endpoint.
    const bare = await ls(testEnv({ VALAR_PROJECT: "shop" }));
    expect(bare.exitCode).toBe(4);
    expect(bare.stderr).toContain("error: not logged in to https://api.valar.dev/v2");
  }, 120_000);
});
