import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openSettingsStore } from "../../../src/settings/settings-writer.js";
import { readStoredSettings } from "../../../src/settings/settings-reader.js";
import { UsageError } from "../../../src/errors.js";
import { tempDir } from "../../helpers/cli.js";
import { errorOf } from "../../helpers/error-of.js";

function warnings(): { warn: (m: string) => void; seen: string[] } {
  const seen: string[] = [];
  return { warn: (m) => seen.push(m), seen };
}
const quiet = () => {};

describe("settings store", () => {
  it("lives in VALAR_CONFIG_DIR, with mode 0600", async () => {
    const dir = join(tempDir(), "cfg");
    const store = openSettingsStore({ VALAR_CONFIG_DIR: dir }, quiet);
    expect(store.path).toBe(join(dir, "config.json"));
    store.update({ token: "secret-token", project: "p" });
    expect(statSync(store.path).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(store.path, "utf8"))).toEqual({ token: "secret-token", project: "p" });
    store.update({ project: undefined });
    expect(openSettingsStore({ VALAR_CONFIG_DIR: dir }, quiet).read()).toEqual({ token: "secret-token" });
    // Nothing but the file itself is left behind (no temporary files).
    expect(readdirSync(dir)).toEqual(["config.json"]);
  });

  it("keeps only string values of known keys from a hand-edited file, and keeps the rest on a rewrite", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "config.json"), JSON.stringify({ project: 3, service: "web", other: "x", endpoint: "" }));
    expect(openSettingsStore({ VALAR_CONFIG_DIR: dir }, quiet).read()).toEqual({ service: "web" });
    expect(readStoredSettings({ VALAR_CONFIG_DIR: dir }, quiet)).toEqual({ service: "web" });
    openSettingsStore({ VALAR_CONFIG_DIR: dir }, quiet).update({ service: "api" });
    expect(JSON.parse(readFileSync(join(dir, "config.json"), "utf8"))).toMatchObject({ other: "x", service: "api" });
  });

  it("a broken file is exit 2 naming it", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "config.json"), "{not json");
    for (const read of [
      () => readStoredSettings({ VALAR_CONFIG_DIR: dir }, quiet),
      () => openSettingsStore({ VALAR_CONFIG_DIR: dir }, quiet).read(),
    ]) {
      const err = errorOf(read);
      expect(err).toBeInstanceOf(UsageError);
      expect(err.message).toBe(`cannot use the stored settings in ${join(dir, "config.json")}: not a valid settings file (not JSON)`);
    }
  });

  it("never quotes the file it reads: a link to someone else's file shows nothing of it", () => {
    const dir = tempDir();
    const secret = join(tempDir(), "shadow");
    writeFileSync(secret, "root:$6$SECRETHASH:19000:0:99999:7:::\n");
    symlinkSync(secret, join(dir, "config.json"));
    const err = errorOf(() => readStoredSettings({ VALAR_CONFIG_DIR: dir }, quiet));
    expect(err.message).toMatch(/not a valid settings file/);
    expect(err.message).not.toMatch(/root|SECRET/);
    expect(JSON.stringify(err)).not.toMatch(/SECRET/);
  });

  it("does not read a FIFO or a device: exit 2 naming it, without hanging", () => {
    const dir = tempDir();
    symlinkSync("/dev/zero", join(dir, "config.json"));
    const err = errorOf(() => readStoredSettings({ VALAR_CONFIG_DIR: dir }, quiet));
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toContain("it is a character device, not a regular file");
  });

  it("a token file others can read is made 0600, with a warning", () => {
    const dir = tempDir();
    const path = join(dir, "config.json");
    writeFileSync(path, JSON.stringify({ token: "t" }));
    chmodSync(path, 0o644);
    const { warn, seen } = warnings();
    expect(readStoredSettings({ VALAR_CONFIG_DIR: dir }, warn)).toEqual({ token: "t" });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(seen).toEqual([`${path} holds the token and was open to other users (mode 0644); it is now 0600`]);
    // A file without a token is nothing to protect.
    const plain = tempDir();
    writeFileSync(join(plain, "config.json"), JSON.stringify({ project: "p" }), { mode: 0o644 });
    readStoredSettings({ VALAR_CONFIG_DIR: plain }, warn);
    expect(seen).toHaveLength(1);
  });

  it("reads nothing, and creates nothing, when no settings were ever stored", () => {
    const dir = join(tempDir(), "never-made");
    expect(readStoredSettings({ VALAR_CONFIG_DIR: dir }, quiet)).toEqual({});
    expect(existsSync(dir)).toBe(false);
  });

  it("creates the config directory 0700: only its owner may look inside", () => {
    const dir = join(tempDir(), "fresh", "valar");
    openSettingsStore({ VALAR_CONFIG_DIR: dir }, quiet).update({ project: "p" });
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it("replaces a symlinked config.json instead of writing through it", () => {
    const dir = tempDir();
    const elsewhere = join(tempDir(), "target.json");
    writeFileSync(elsewhere, "{}");
    mkdirSync(dir, { recursive: true });
    symlinkSync(elsewhere, join(dir, "config.json"));
    openSettingsStore({ VALAR_CONFIG_DIR: dir }, quiet).update({ project: "p" });
    expect(readFileSync(elsewhere, "utf8")).toBe("{}");
    expect(JSON.parse(readFileSync(join(dir, "config.json"), "utf8"))).toEqual({ project: "p" });
  });
});
