import { describe, expect, it } from "vitest";
import { fitLine, visibleWidth } from "../../../src/output/fit-width.js";

const ID = "532a0df0-0335-4a58-b593-b7ac5343bc7a";

describe("fitting live lines to the terminal", () => {
  it("leaves a line that fits alone", () => {
    expect(fitLine(`build ${ID}: running (35s)`, 80)).toBe(`build ${ID}: running (35s)`);
  });

  it("shortens build IDs to 8 characters before cutting anything", () => {
    expect(fitLine(`build ${ID}: running (35s)`, 37)).toBe("build 532a0df0: running (35s)");
  });

  it("then cuts with …, not counting colour codes, and closes an open colour", () => {
    const line = `build ${ID}: \u001b[33mrunning\u001b[39m (35s)`;
    expect(visibleWidth(line)).toBe(57);
    expect(fitLine(line, 20)).toBe("build 532a0df0: \u001b[33mrun…\u001b[0m");
    expect(visibleWidth(fitLine(line, 20))).toBe(20);
    expect(fitLine("abcdefghij", 5)).toBe("abcd…");
  });
});
