import { describe, expect, it } from "vitest";
import { readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../../../helpers/cli.js";
import { buildRecord } from "../../../helpers/sandbox-records.js";
import { Store, type BuildRecord } from "../../../../src/sandbox/store/build-store.js";

describe("Store.updateBuild (state written off the event loop)", () => {
  it("is in memory at once, and one build's writes land in the order asked: the last state stays", async () => {
    const dataDir = tempDir();
    const store = new Store(dataDir, tempDir());
    const build = buildRecord("b1");
    store.saveBuild(build);
    const states: BuildRecord["status"][] = ["running", "running", "done"];
    const writes = states.map((status, i) => {
      const next = { ...build, status, error: `step ${i}` };
      const write = store.updateBuild(next);
      expect(store.getBuild("b1")).toEqual(next);
      return write;
    });
    await Promise.all(writes);
    const onDisk = JSON.parse(readFileSync(join(dataDir, "builds", "b1.json"), "utf8")) as BuildRecord;
    expect(onDisk).toMatchObject({ status: "done", error: "step 2" });
    // no temporary file left behind, and a restart reads the same state
    expect(readdirSync(join(dataDir, "builds"))).toEqual(["b1.json"]);
    expect(new Store(dataDir, tempDir()).getBuild("b1")).toMatchObject({ status: "done" });
  });

  it("a failed write rejects, keeps memory right, does not stop the next one, and flush waits for all", async () => {
    const dataDir = tempDir();
    const store = new Store(dataDir, tempDir());
    store.saveBuild(buildRecord("b1"));
    // The builds directory replaced by a file: every write into it fails (ENOTDIR).
    rmSync(join(dataDir, "builds"), { recursive: true });
    writeFileSync(join(dataDir, "builds"), "");
    const failed = store.updateBuild({ ...buildRecord("b1"), status: "running" });
    await expect(failed).rejects.toMatchObject({ code: expect.stringMatching(/ENOTDIR|EEXIST/) });
    expect(store.getBuild("b1")?.status).toBe("running");
    rmSync(join(dataDir, "builds"));
    const later = store.updateBuild({ ...buildRecord("b1"), status: "done" });
    await store.flush();
    await later;
    expect(JSON.parse(readFileSync(join(dataDir, "builds", "b1.json"), "utf8"))).toMatchObject({ status: "done" });
  });
});
