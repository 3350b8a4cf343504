import { existsSync, readFileSync, statSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openSettingsStore } from "../../../src/settings/store.js";
import { readStoredSettings } from "../../../src/settings/stored.js";
import { UsageError } from "../../../src/errors.js";
import { tempDir } from "../../helpers/cli.js";

describe("settings store", () => {
  it("lives in VALAR_CONFIG_DIR, with mode 0600", async () => {
    const dir = join(tempDir(), "cfg");
    const store = openSettingsStore({ VALAR_CONFIG_DIR: dir });
    expect(store.path).toBe(join(dir, "config.json"));
    store.set("token", "secret-token");
    store.set("project", "p");
    expect(statSync(store.path).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(store.path, "utf8"))).toEqual({ token: "secret-token", project: "p" });
    store.unset("project");
    expect((openSettingsStore({ VALAR_CONFIG_DIR: dir })).read()).toEqual({ token: "secret-token" });
  });

  it("keeps only string values of known keys from a hand-edited file", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "config.json"), JSON.stringify({ project: 3, service: "web", other: "x", endpoint: "" }));
    expect(openSettingsStore({ VALAR_CONFIG_DIR: dir }).read()).toEqual({ service: "web" });
    expect(readStoredSettings({ VALAR_CONFIG_DIR: dir })).toEqual({ service: "web" });
  });

  it("a broken file is exit 2 naming it", async () => {
    const dir = tempDir();
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "config.json"), "{not json");
    for (const read of [() => readStoredSettings({ VALAR_CONFIG_DIR: dir }), () => openSettingsStore({ VALAR_CONFIG_DIR: dir }).read()]) {
      let err: unknown;
      try {
        read();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(UsageError);
      expect((err as Error).message).toContain(join(dir, "config.json"));
    }
  });

  it("reads nothing, and creates nothing, when no settings were ever stored", () => {
    const dir = join(tempDir(), "never-made");
    expect(readStoredSettings({ VALAR_CONFIG_DIR: dir })).toEqual({});
    expect(existsSync(dir)).toBe(false);
  });

  it("creates the config directory 0700: only its owner may look inside", () => {
    const dir = join(tempDir(), "fresh", "valar");
    openSettingsStore({ VALAR_CONFIG_DIR: dir }).set("project", "p");
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });
});
