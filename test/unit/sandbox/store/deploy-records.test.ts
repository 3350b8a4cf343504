import { describe, expect, it } from "vitest";
import { tempDir } from "../../../helpers/cli.js";
import { buildRecord } from "../../../helpers/sandbox-records.js";
import { Store, type BuildRecord } from "../../../../src/sandbox/store/build-store.js";
import { DEPLOY_SETTLE_MS, Deploys, type DeployRecord } from "../../../../src/sandbox/store/deploy-records.js";

function doneBuild(store: Store, id: string): BuildRecord {
  const build = buildRecord(id, "done", false);
  store.saveBuild(build);
  return build;
}

describe("Deploys", () => {
  it('reads the string versions earlier sandboxes stored ("v2") as integers, and numbers on from them', () => {
    const store = new Store(tempDir(), tempDir());
    doneBuild(store, "b1");
    const old = [{ version: "v2", createdAt: new Date(0).toISOString(), error: "", status: "done", build: "b1", environment: [] }];
    store.saveDeploys("p", "s", old as unknown as DeployRecord[]);
    const deploys = new Deploys(store);
    expect(deploys.list("p", "s").map((d) => d.version)).toEqual([2]);
    expect(deploys.create("p", "s", store.getBuild("b1"), []).version).toBe(3);
  });

  it("keeps a new deployment pending for a moment, then done when its build is done", () => {
    const store = new Store(tempDir(), tempDir());
    const build = doneBuild(store, "b1");
    const deploys = new Deploys(store);
    const created = deploys.create("p", "s", build, [{ key: "K", value: "secret", secret: true }]);
    expect(created).toEqual({ version: 1, createdAt: expect.any(String), error: "", status: "pending", build: "b1" });
    expect(deploys.list("p", "s")[0]!.status).toBe("pending");
    const list = store.listDeploys("p", "s");
    list[0]!.createdAt = new Date(Date.now() - DEPLOY_SETTLE_MS).toISOString();
    expect(deploys.list("p", "s")[0]!.status).toBe("done");
    // Settled on disk too: a restart reads it done.
    expect(new Deploys(new Store(store.dataDir, tempDir())).list("p", "s")[0]!.status).toBe("done");
  });
});
