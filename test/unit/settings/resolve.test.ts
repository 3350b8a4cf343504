import { describe, expect, it } from "vitest";
import { requireTarget, requireToken, resolveSettings, type ResolveInput } from "../../../src/settings/resolve-settings.js";
import { AuthError, UsageError } from "../../../src/errors.js";
import { DEFAULT_ENDPOINT, type ValarYml } from "../../../src/settings/settings-types.js";

const yml = (project?: string, service?: string): ValarYml => ({
  path: "/w/.valar.yml",
  project,
  service,
  build: { constructor: undefined, ignore: [], environment: [] },
  deployment: { environment: [] },
});

const full: ResolveInput = {
  flags: { endpoint: "https://flag", project: "flagp", service: "flags" },
  env: { VALAR_ENDPOINT: "https://env", VALAR_TOKEN: "envtok", VALAR_PROJECT: "envp", VALAR_SERVICE: "envs" },
  valarYml: yml("ymlp", "ymls"),
  stored: { endpoint: "https://stored", token: "storedtok", project: "storedp", service: "storeds" },
};

describe("resolveSettings: flag > env > .valar.yml > stored > default", () => {
  it("flags win", () => {
    const s = resolveSettings(full);
    expect(s.endpoint).toEqual({ value: "https://flag", source: "flag" });
    expect(s.project).toEqual({ value: "flagp", source: "flag" });
    expect(s.service).toEqual({ value: "flags", source: "flag" });
    expect(s.token).toEqual({ value: "envtok", source: "env" }); // never a flag
  });

  it("then the environment", () => {
    const s = resolveSettings({ ...full, flags: {} });
    expect(s.endpoint.source).toBe("env");
    expect(s.project).toEqual({ value: "envp", source: "env" });
    expect(s.service).toEqual({ value: "envs", source: "env" });
  });

  it("then .valar.yml (project and service only)", () => {
    const s = resolveSettings({ ...full, flags: {}, env: {} });
    expect(s.endpoint).toEqual({ value: "https://stored", source: "stored" });
    expect(s.project).toEqual({ value: "ymlp", source: "valar.yml" });
    expect(s.service).toEqual({ value: "ymls", source: "valar.yml" });
    expect(s.token).toEqual({ value: "storedtok", source: "stored" });
  });

  it("then the stored settings", () => {
    const s = resolveSettings({ ...full, flags: {}, env: {}, valarYml: undefined });
    expect(s.project).toEqual({ value: "storedp", source: "stored" });
    expect(s.service).toEqual({ value: "storeds", source: "stored" });
  });

  it("then the defaults", () => {
    const s = resolveSettings({ flags: {}, env: {}, stored: {} });
    expect(s.endpoint).toEqual({ value: DEFAULT_ENDPOINT, source: "default" });
    expect(s.token).toBeUndefined();
    expect(s.project).toBeUndefined();
    expect(s.service).toBeUndefined();
  });

  it("empty or blank values count as unset; stray whitespace is trimmed", () => {
    const s = resolveSettings({ flags: {}, env: { VALAR_TOKEN: "  ", VALAR_PROJECT: "" }, stored: { token: "tok\n", project: "p" } });
    expect(s.token).toEqual({ value: "tok", source: "stored" });
    expect(s.project).toEqual({ value: "p", source: "stored" });
  });
});

describe("a stored token stays with the endpoint it was checked against", () => {
  const stored = { token: "tok", tokenEndpoint: "https://a.example/v2" };
  it("is used for that endpoint (trailing slash or host case aside)", () => {
    expect(resolveSettings({ flags: { endpoint: "https://A.example/v2/" }, env: {}, stored }).token?.value).toBe("tok");
  });
  it("is withheld from another endpoint, saying why", () => {
    const s = resolveSettings({ flags: { endpoint: "https://b.example/v2" }, env: {}, stored });
    expect(s.token).toBeUndefined();
    expect(s.storedTokenEndpoint).toBe("https://a.example/v2");
    expect(() => requireToken(s)).toThrowError(/not logged in to https:\/\/b\.example\/v2 \(the stored token is for https:\/\/a\.example\/v2\)/);
  });
  it("a token stored without an endpoint (older files) applies anywhere", () => {
    expect(resolveSettings({ flags: { endpoint: "https://b.example/v2" }, env: {}, stored: { token: "tok" } }).token?.value).toBe("tok");
  });
  it("VALAR_TOKEN is not affected", () => {
    const s = resolveSettings({ flags: { endpoint: "https://b.example/v2" }, env: { VALAR_TOKEN: "e" }, stored });
    expect(s.token).toEqual({ value: "e", source: "env" });
    expect(s.storedTokenEndpoint).toBeUndefined();
  });
});

describe("requireTarget and requireToken", () => {
  it("missing project or service → exit 2 with a hint", () => {
    expect(() => requireTarget(resolveSettings({ flags: {}, env: {}, stored: {} }))).toThrowError(/no project given/);
    const err = (() => {
      try {
        requireTarget(resolveSettings({ flags: { project: "p" }, env: {}, stored: {} }));
      } catch (e) {
        return e as UsageError;
      }
    })();
    expect(err).toBeInstanceOf(UsageError);
    expect(err?.message).toMatch(/no service given/);
    expect(err?.hint).toMatch(/-s SERVICE/);
  });

  it("invalid names → exit 2 naming where they came from", () => {
    expect(() => requireTarget(resolveSettings({ flags: {}, env: { VALAR_PROJECT: "my--p", VALAR_SERVICE: "s" }, stored: {} }))).toThrowError(
      /invalid project name "my--p" \(from VALAR_PROJECT\)/,
    );
    expect(() => requireTarget(resolveSettings({ flags: {}, env: {}, valarYml: yml("p", "we-b"), stored: {} }))).toThrowError(
      /invalid service name "we-b" \(from \/w\/\.valar\.yml\)/,
    );
    const long = "x-".repeat(1_000_000);
    const err = (() => {
      try {
        requireTarget(resolveSettings({ flags: {}, env: {}, valarYml: yml(long, "web"), stored: {} }));
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err?.message).toBe(`invalid project name "${"x-".repeat(29)}x…" (from /w/.valar.yml)`);
    expect(requireTarget(resolveSettings({ flags: { project: "my-proj1", service: "web2" }, env: {}, stored: {} }))).toEqual({
      project: "my-proj1",
      service: "web2",
    });
  });

  it("no token → exit 4 with a hint to log in", () => {
    expect(() => requireToken(resolveSettings({ flags: {}, env: {}, stored: {} }))).toThrowError(AuthError);
  });
});
