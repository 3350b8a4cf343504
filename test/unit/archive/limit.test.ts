import { describe, expect, it } from "vitest";
import { checkArchiveSize } from "../../../src/archive/limit.js";
import { MAX_ARTIFACT_BYTES } from "../../../src/api/types.js";
import { OperationError } from "../../../src/errors.js";

describe("checkArchiveSize", () => {
  it("accepts an archive of exactly the limit", () => {
    expect(() => checkArchiveSize(MAX_ARTIFACT_BYTES)).not.toThrow();
  });

  it("refuses one byte more, with exit 1, its size and a hint", () => {
    let caught: unknown;
    try {
      checkArchiveSize(Math.round(130.2 * 1024 * 1024));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(OperationError);
    expect((caught as OperationError).exitCode).toBe(1);
    expect((caught as OperationError).message).toBe("archive is 130.2 MiB, over the 128 MiB limit");
    expect((caught as OperationError).hint).toMatch(/--ignore.*\.valarignore/);
    expect(() => checkArchiveSize(MAX_ARTIFACT_BYTES + 1)).toThrow(OperationError);
  });

  it("takes another limit (for tests and other servers)", () => {
    expect(() => checkArchiveSize(2048, 1024)).toThrow("archive is 2 KiB, over the 1 KiB limit");
  });
});
