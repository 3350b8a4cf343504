import { describe, expect, it } from "vitest";
import { printable } from "../../../src/output/live.js";
import { truncate } from "../../../src/output/text.js";

describe("live area text", () => {
  it("removes a build's escape codes, carriage returns and other controls; tabs become spaces", () => {
    expect(printable("\u001B[31mred\u001B[0m\tdone\r")).toBe("red  done");
    expect(printable("title \u001B]0;x\u0007ok \u0008\u007F")).toBe("title ok ");
  });

  it("cuts lines to the width with an ellipsis, counting characters, not UTF-16 units", () => {
    expect(truncate("abcdef", 6)).toBe("abcdef");
    expect(truncate("abcdefg", 6)).toBe("abcde…");
    expect(truncate("🚀🚀🚀🚀", 3)).toBe("🚀🚀…");
  });
});
