import { describe, expect, it } from "vitest";
import { parseSize } from "../../../src/commands/shared/parse-size.js";

describe("parseSize", () => {
  it("reads plain bytes and 1024-based units", () => {
    expect(parseSize("4096", "--x")).toBe(4096);
    expect(parseSize("512M", "--x")).toBe(512 * 1024 ** 2);
    expect(parseSize("1.5GiB", "--x")).toBe(1.5 * 1024 ** 3);
    expect(parseSize(" 2g ", "--x")).toBe(2 * 1024 ** 3);
    expect(parseSize("10k", "--x")).toBe(10 * 1024);
  });

  it("refuses anything else as a usage error naming the flag", () => {
    for (const bad of ["", "lots", "0", "-1M", "5T", "1.2.3M"]) {
      expect(() => parseSize(bad, "--max-unpacked-size")).toThrow(
        new RegExp(`invalid size "${bad.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}" for --max-unpacked-size`),
      );
    }
  });
});
