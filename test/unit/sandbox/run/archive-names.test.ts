import { describe, expect, it } from "vitest";
import { nameProblem } from "../../../../src/sandbox/run/archive-names.js";

describe("nameProblem", () => {
  it("takes names a Linux file system can hold", () => {
    expect(nameProblem(`a/${"n".repeat(255)}`)).toBeUndefined();
    expect(nameProblem("dir/")).toBeUndefined();
    expect(nameProblem("link", "../x")).toBeUndefined();
  });

  it("refuses a component over 255 bytes (in bytes, not characters), a path over 4095, a link target over 4095", () => {
    expect(nameProblem(`a/${"n".repeat(256)}/b`)).toMatch(/has a file name of 256 bytes; the limit is 255$/);
    expect(nameProblem("é".repeat(128))).toMatch(/has a file name of 256 bytes/);
    expect(nameProblem(Array.from({ length: 20 }, () => "d".repeat(250)).join("/"))).toMatch(/has a path of 5019 bytes; the limit is 4095$/);
    expect(nameProblem("l", "x/".repeat(2100))).toMatch(/^link "l" has a target of 4200 bytes; the limit is 4095$/);
  });

  it("counts the workspace the archive unpacks into towards the path limit", () => {
    const workspace = `/tmp/${"w".repeat(94)}`; // 99 bytes, 100 with its slash
    const path = Array.from({ length: 15 }, () => "d".repeat(255)).join("/") + "/" + "f".repeat(156); // 3996 bytes
    expect(nameProblem(path)).toBeUndefined();
    expect(nameProblem(path, undefined, workspace)).toMatch(
      /has a path of 3996 bytes; the limit is 3995 \(4095 less the 100 bytes of the build's workspace path\)$/,
    );
    expect(nameProblem(path.slice(1), undefined, workspace)).toBeUndefined();
  });
});
