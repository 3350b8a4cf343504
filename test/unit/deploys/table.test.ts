import { describe, expect, it } from "vitest";
import { Chalk } from "chalk";
import type { Deploy } from "../../../src/api/types.js";
import { deployColumns } from "../../../src/deploys/print-deploy.js";
import { formatTable } from "../../../src/output/table.js";

const NOW = Date.parse("2026-01-10T12:00:00Z");
const BUILD = "532a0df0-0335-4a58-b593-b7ac5343bc7a";
const deploys: Deploy[] = [
  { version: 3, status: "failed", build: BUILD, createdAt: "2026-01-10T11:59:30Z", error: `build ${BUILD} failed: nothing was deployed` },
  { version: 2, status: "done", build: "a1b2c3d4-e5f6-7890-abcd-ef1234567890", createdAt: "2026-01-10T09:00:00Z", error: "" },
];

function table(columns: number | undefined): string[] {
  const io = { columns, out: new Chalk({ level: 0 }) };
  return formatTable(deployColumns({ io, clock: { now: () => NOW } } as never), deploys, { maxWidth: columns });
}

describe("deploys ls table", () => {
  it("at 80 columns shortens BUILD (and CREATED) rather than dropping ERROR", () => {
    expect(table(80)).toEqual([
      "VERSION  STATUS  BUILD     CREATED  ERROR",
      "3        failed  532a0df0  30s ago  build 532a0df0 failed: nothing was deployed",
      "2        done    a1b2c3d4  3h ago",
    ]);
  });

  it("the error names the build by its short ID, even at full width", () => {
    const lines = table(200);
    expect(lines[1]).toContain(`${BUILD}  30 seconds ago  build 532a0df0 failed`);
  });

  it("off a terminal: absolute UTC times", () => {
    expect(table(undefined)[2]).toBe(`2        done    a1b2c3d4-e5f6-7890-abcd-ef1234567890  2026-01-10T09:00:00Z`);
  });
});
