import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { tempDir } from "../../helpers/cli.js";

// A full disk is simulated at the last step, the rename: everything before it succeeded.
const failRename = vi.hoisted(() => ({ code: undefined as string | undefined }));
vi.mock("node:fs", async (importOriginal) => {
  const fs = await importOriginal<typeof import("node:fs")>();
  return {
    ...fs,
    renameSync: (from: string, to: string) => {
      if (failRename.code) throw Object.assign(new Error(`${failRename.code}: simulated`), { code: failRename.code });
      fs.renameSync(from, to);
    },
  };
});

const { openSettingsStore } = await import("../../../src/settings/settings-writer.js");
const { OperationError } = await import("../../../src/errors.js");

describe("one atomic write of the stored settings", () => {
  it.each(["ENOSPC", "EROFS", "EACCES"])("%s: exit 1 with one line, the old file whole, no temporary left", (code) => {
    const dir = tempDir();
    const path = join(dir, "config.json");
    const before = JSON.stringify({ endpoint: "http://127.0.0.1:1/v2", token: "TOKEN-A", tokenEndpoint: "http://127.0.0.1:1/v2" });
    writeFileSync(path, before, { mode: 0o600 });
    failRename.code = code;
    let err: unknown;
    try {
      openSettingsStore({ VALAR_CONFIG_DIR: dir }, () => {}).update({
        endpoint: "http://127.0.0.1:2/v2",
        token: "TOKEN-B",
        tokenEndpoint: "http://127.0.0.1:2/v2",
      });
    } catch (e) {
      err = e;
    } finally {
      failRename.code = undefined;
    }
    expect(err).toBeInstanceOf(OperationError);
    expect((err as InstanceType<typeof OperationError>).exitCode).toBe(1);
    expect((err as Error).message).toMatch(new RegExp(`^cannot save the settings to ${path}: .+; nothing was changed$`));
    expect(readFileSync(path, "utf8")).toBe(before);
    expect(readdirSync(dir)).toEqual(["config.json"]);
  });
});
