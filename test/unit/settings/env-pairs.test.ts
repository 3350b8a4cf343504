import { describe, expect, it } from "vitest";
import { UsageError } from "../../../src/errors.js";
import { mergeEnvironment, parseEnvPair, parseEnvPairs } from "../../../src/settings/env-pairs.js";

describe("parseEnvPair", () => {
  it("splits at the first =", () => {
    expect(parseEnvPair("A=b=c", "--env")).toEqual({ key: "A", value: "b=c" });
  });

  it("accepts an empty value", () => {
    expect(parseEnvPair("EMPTY=", "--env")).toEqual({ key: "EMPTY", value: "" });
  });

  it.each(["NOEQUALS", "=value", "", "MY KEY=x", " KEY=x"])("refuses %j as a usage error naming the flag", (text) => {
    let caught: unknown;
    try {
      parseEnvPair(text, "--build-env");
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(UsageError);
    expect((caught as UsageError).exitCode).toBe(2);
    expect((caught as UsageError).message).toContain("--build-env");
    expect((caught as UsageError).message).toContain(JSON.stringify(text));
  });

  it("parses a list, failing on the first bad entry", () => {
    expect(parseEnvPairs(["A=1", "B=2"], "--env")).toEqual([
      { key: "A", value: "1" },
      { key: "B", value: "2" },
    ]);
    expect(() => parseEnvPairs(["A=1", "oops"], "--env")).toThrow(/"oops"/);
  });
});

describe("mergeEnvironment", () => {
  it("lets the flag win per key, keeping the file's order and appending new keys", () => {
    const merged = mergeEnvironment(
      [
        { key: "A", value: "file" },
        { key: "B", value: "file" },
      ],
      [
        { key: "C", value: "flag" },
        { key: "A", value: "flag" },
      ],
    );
    expect(merged).toEqual([
      { key: "A", value: "flag" },
      { key: "B", value: "file" },
      { key: "C", value: "flag" },
    ]);
  });

  it("keeps a variable secret when a flag overrides its value", () => {
    const merged = mergeEnvironment(
      [
        { key: "TOKEN", value: "old", secret: true },
        { key: "PLAIN", value: "x", secret: false },
      ],
      [{ key: "TOKEN", value: "new" }],
    );
    expect(merged).toEqual([
      { key: "TOKEN", value: "new", secret: true },
      { key: "PLAIN", value: "x", secret: false },
    ]);
  });

  it("takes the last of repeated flags", () => {
    expect(
      mergeEnvironment(
        [],
        [
          { key: "A", value: "1" },
          { key: "A", value: "2" },
        ],
      ),
    ).toEqual([{ key: "A", value: "2" }]);
  });

  it("does not modify its inputs", () => {
    const base = [{ key: "A", value: "1", secret: true }];
    mergeEnvironment(base, [{ key: "A", value: "2" }]);
    expect(base).toEqual([{ key: "A", value: "1", secret: true }]);
  });
});
