import { mkdirSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { displayPath, goConfigFiles, readGoConfig } from "../../../src/settings/go-config.js";
import { resolveSettings } from "../../../src/settings/resolve-settings.js";
import { tempDir } from "../../helpers/cli.js";

function files(texts: Record<string, string>): { dir: string; paths: Record<string, string> } {
  const dir = tempDir("valar-goconf-unit-");
  const paths: Record<string, string> = {};
  for (const [name, text] of Object.entries(texts)) {
    paths[name] = join(dir, name);
    writeFileSync(paths[name], text);
  }
  return { dir, paths };
}

const BASE = `activeContext: one
endpoints:
  e1: {url: "http://127.0.0.1:1/v2", token: t1}
  e2: {url: "http://127.0.0.1:2/v2", token: t2}
contexts:
  one: {endpoint: e1, project: p1}
  two: {endpoint: e2, project: p2}
`;

describe("readGoConfig", () => {
  it("reads ~/.valar/config by default, VALARCONFIG's ;-list when set (even empty)", () => {
    expect(goConfigFiles({ HOME: "/h" })).toEqual({ files: ["/h/.valar/config"], listed: false });
    expect(goConfigFiles({ HOME: "/h", VALARCONFIG: "/a;/b;" })).toEqual({ files: ["/a", "/b"], listed: true });
    expect(goConfigFiles({ HOME: "/h", VALARCONFIG: "" })).toEqual({ files: [], listed: true });
  });

  it("skips a FIFO or a device with a warning naming it, without waiting on it", () => {
    const { dir, paths } = files({ "good.yml": BASE });
    const fifo = join(dir, "fifo.yml");
    execFileSync("mkfifo", [fifo]);
    const warnings: string[] = [];
    const layer = readGoConfig({ VALARCONFIG: `${fifo};/dev/zero;${paths["good.yml"]}` }, (w) => warnings.push(w));
    expect(layer?.project?.value).toBe("p1");
    expect(warnings).toEqual([
      `VALARCONFIG names ${fifo}, which cannot be read (it is a FIFO, not a regular file); skipped`,
      "VALARCONFIG names /dev/zero, which cannot be read (it is a character device, not a regular file); skipped",
    ]);
    const home = tempDir();
    mkdirSync(join(home, ".valar"));
    execFileSync("mkfifo", [join(home, ".valar", "config")]);
    warnings.length = 0;
    expect(readGoConfig({ HOME: home }, (w) => warnings.push(w))).toBeUndefined();
    expect(warnings).toEqual([`Valar's Go CLI config ${join(home, ".valar", "config")} cannot be read (it is a FIFO, not a regular file); skipped`]);
  });

  it("gives nothing when there is no file at all (and says nothing)", () => {
    const warnings: string[] = [];
    expect(readGoConfig({ HOME: tempDir() }, (w) => warnings.push(w))).toBeUndefined();
    expect(warnings).toEqual([]);
  });

  it("takes the active context's endpoint URL, token and project, naming file and context", () => {
    const home = tempDir();
    mkdirSync(join(home, ".valar"));
    writeFileSync(join(home, ".valar", "config"), BASE);
    expect(readGoConfig({ HOME: home }, () => {})).toEqual({
      endpoint: { value: "http://127.0.0.1:1/v2", origin: "~/.valar/config, context one" },
      token: { value: "t1", origin: "~/.valar/config, context one" },
      project: { value: "p1", origin: "~/.valar/config, context one" },
    });
  });

  it("merges files as the Go CLI does: later activeContext and same-named entries win, whole", () => {
    const { paths } = files({
      a: BASE,
      b: "endpoints:\n  e2: {url: 'http://127.0.0.1:3/v2'}\ncontexts:\n  two: {endpoint: e2, project: p3}\n",
      c: "activeContext: two\n",
      d: "activeContext: ''\n",
    });
    const layer = readGoConfig({ HOME: "/nowhere", VALARCONFIG: [paths.a, paths.b, paths.c, paths.d].join(";") }, () => {});
    // e2 was replaced whole by b: its token is gone, so no token is offered.
    expect(layer).toEqual({
      endpoint: { value: "http://127.0.0.1:3/v2", origin: `${paths.b}, context two` },
      project: { value: "p3", origin: `${paths.b}, context two` },
    });
  });

  it("names what is missing when the active context gives nothing", () => {
    const { paths } = files({ a: BASE.replace("activeContext: one", "activeContext: three"), b: "contexts: {x: {project: p}}\n" });
    expect(readGoConfig({ VALARCONFIG: paths.a }, () => {})).toEqual({ problem: `the activeContext "three" of ${paths.a} names no context` });
    expect(readGoConfig({ VALARCONFIG: paths.b }, () => {})).toEqual({ problem: `Valar's Go CLI config (${paths.b}) sets no activeContext` });
  });

  it("shows the home directory as ~", () => {
    expect(displayPath("/home/ada/.valar/config", { HOME: "/home/ada" })).toBe("~/.valar/config");
    expect(displayPath("/home/adam/x", { HOME: "/home/ada" })).toBe("/home/adam/x");
  });
});

describe("resolveSettings with the Go config layer", () => {
  const go = {
    endpoint: { value: "http://127.0.0.1:1/v2", origin: "G" },
    token: { value: "gt", origin: "G" },
    project: { value: "gp", origin: "G" },
  };

  it("comes below the stored settings, per setting", () => {
    const s = resolveSettings({ flags: {}, env: {}, stored: { project: "sp" }, goConfig: () => go });
    expect(s.project).toEqual({ value: "sp", source: "stored" });
    expect(s.endpoint).toEqual({ value: go.endpoint.value, source: "go-config", origin: "G" });
    expect(s.token).toEqual({ value: "gt", source: "go-config", origin: "G" });
  });

  it("sends its token only to its own endpoint", () => {
    const s = resolveSettings({ flags: { endpoint: "http://127.0.0.1:9/v2" }, env: {}, stored: {}, goConfig: () => go });
    expect(s.token).toBeUndefined();
  });

  it("is not read when nothing falls through to it", () => {
    let reads = 0;
    resolveSettings({
      flags: { project: "f" },
      env: { VALAR_TOKEN: "t", VALAR_ENDPOINT: "http://127.0.0.1:1/v2" },
      stored: {},
      goConfig: () => (reads++, go),
    });
    expect(reads).toBe(0);
  });
});
