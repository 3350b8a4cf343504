import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MAX_SETTINGS_FILE_BYTES, readSettingsFile } from "../../../src/settings/settings-file.js";
import { tempDir } from "../../helpers/cli.js";

describe("readSettingsFile", () => {
  it("reads a regular file, following a symlink; a missing one is missing", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "a"), "x: 1\n");
    symlinkSync("a", join(dir, "link"));
    expect(readSettingsFile(join(dir, "link"))).toMatchObject({ kind: "read", text: "x: 1\n" });
    expect(readSettingsFile(join(dir, "nope"))).toEqual({ kind: "missing" });
    expect(readSettingsFile(join(dir, "a", "below-a-file"))).toEqual({ kind: "missing" });
  });

  it("reads up to 1 MiB and skips anything larger", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "max"), "x".repeat(MAX_SETTINGS_FILE_BYTES));
    writeFileSync(join(dir, "over"), "x".repeat(MAX_SETTINGS_FILE_BYTES + 1));
    expect(readSettingsFile(join(dir, "max"))).toMatchObject({ kind: "read" });
    expect(readSettingsFile(join(dir, "over"))).toEqual({ kind: "skipped", reason: "it is larger than 1 MiB" });
  });

  it("never opens for reading what is not a regular file (no waiting on a FIFO, no endless device)", async () => {
    const dir = tempDir();
    execFileSync("mkfifo", [join(dir, "fifo")]);
    mkdirSync(join(dir, "sub"));
    expect(readSettingsFile(join(dir, "fifo"))).toEqual({ kind: "skipped", reason: "it is a FIFO, not a regular file" });
    expect(readSettingsFile("/dev/zero")).toEqual({ kind: "skipped", reason: "it is a character device, not a regular file" });
    expect(readSettingsFile(join(dir, "sub"))).toEqual({ kind: "skipped", reason: "it is a directory, not a regular file" });
    const socket = join(dir, "sock");
    const server = createServer().listen(socket);
    await new Promise((resolve) => server.once("listening", resolve));
    try {
      expect(readSettingsFile(socket)).toEqual({ kind: "skipped", reason: "it is a socket, not a regular file" });
    } finally {
      server.close();
    }
  });
});
