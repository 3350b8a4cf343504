import { describe, expect, it } from "vitest";
import { hintCommand, shellWord } from "../../../src/builds/hints.js";
import type { Settings } from "../../../src/settings/settings-types.js";

const base: Settings = { endpoint: { value: "https://api.valar.dev/v2", source: "default" } };

describe("hintCommand", () => {
  it("repeats -p, -s and --endpoint that came from flags", () => {
    const s: Settings = {
      endpoint: { value: "http://127.0.0.1:8080/v2", source: "flag" },
      project: { value: "shop", source: "flag" },
      service: { value: "web", source: "flag" },
    };
    expect(hintCommand({ cwd: "/w" }, s, "builds abort b1")).toBe("valar builds abort b1 -p shop -s web --endpoint http://127.0.0.1:8080/v2");
  });

  it("leaves out what applies anyway: the environment, stored settings, a .valar.yml above the current directory", () => {
    const s: Settings = {
      ...base,
      project: { value: "shop", source: "env" },
      service: { value: "web", source: "valar.yml" },
      valarYml: { path: "/w/.valar.yml", build: { constructor: undefined, ignore: [], environment: [] }, deployment: { environment: [] } },
    };
    expect(hintCommand({ cwd: "/w/sub" }, s, "builds logs b1")).toBe("valar builds logs b1");
  });

  it("repeats the project and service of a .valar.yml the current directory would not find (submit DIR)", () => {
    const s: Settings = {
      ...base,
      project: { value: "shop", source: "valar.yml" },
      service: { value: "api", source: "valar.yml" },
      valarYml: {
        path: "/elsewhere/app/.valar.yml",
        build: { constructor: undefined, ignore: [], environment: [] },
        deployment: { environment: [] },
      },
    };
    expect(hintCommand({ cwd: "/w" }, s, "builds watch b1")).toBe("valar builds watch b1 -p shop -s api");
  });

  it("quotes a value only when a shell needs it", () => {
    expect(shellWord("https://h/v2")).toBe("https://h/v2");
    expect(shellWord("http://h/a b")).toBe("'http://h/a b'");
    expect(shellWord("it's")).toBe(`'it'\\''s'`);
  });
});
