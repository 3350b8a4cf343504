import { describe, expect, it } from "vitest";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../../../helpers/cli.js";
import { bearerMatches, loadOrCreateToken } from "../../../../src/sandbox/store/token.js";

describe("loadOrCreateToken", () => {
  it("creates a 64-hex token in a 0600 file, then keeps it", () => {
    const dir = tempDir();
    const token = loadOrCreateToken(dir);
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(join(dir, "token")).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, "token"), "utf8").trim()).toBe(token);
    expect(loadOrCreateToken(dir)).toBe(token);
    expect(loadOrCreateToken(tempDir())).not.toBe(token);
  });

  it("replaces a damaged token file", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "token"), "short\n");
    expect(loadOrCreateToken(dir)).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("bearerMatches", () => {
  const token = "ab".repeat(32);
  it("accepts only the exact bearer token", () => {
    expect(bearerMatches(`Bearer ${token}`, token)).toBe(true);
    expect(bearerMatches(`bearer ${token}`, token)).toBe(true);
    expect(bearerMatches(undefined, token)).toBe(false);
    expect(bearerMatches("", token)).toBe(false);
    expect(bearerMatches(token, token)).toBe(false);
    expect(bearerMatches(`Basic ${token}`, token)).toBe(false);
    expect(bearerMatches(`Bearer ${token.slice(1)}`, token)).toBe(false);
    expect(bearerMatches(`Bearer ${token}0`, token)).toBe(false);
  });
});
