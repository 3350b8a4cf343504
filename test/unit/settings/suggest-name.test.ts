import { describe, expect, it } from "vitest";
import { nearestValidName } from "../../../src/settings/suggest-name.js";

describe("the nearest valid name", () => {
  it.each([
    ["service", "node-app", "nodeapp"],
    ["service", "my_api.v2", "myapiv2"],
    ["service", "42web", "web"],
    ["project", "my_proj", "my-proj"],
    ["project", "my--proj-", "my-proj"],
    ["project", "-x y", "x-y"],
  ] as const)("%s %s → %s", (kind, name, nearest) => {
    expect(nearestValidName(kind, name)).toBe(nearest);
  });

  it("none when no letter is left", () => {
    expect(nearestValidName("service", "123-456")).toBeUndefined();
  });
});
