import type { BuildRecord } from "../../src/sandbox/store/build-store.js";

/** A sandbox build record of project p, service s (a deployment reserved unless `skipDeploy`). */
export function buildRecord(id: string, status: BuildRecord["status"] = "pending", skipDeploy = true): BuildRecord {
  return {
    id,
    seq: 1,
    project: "p",
    service: "s",
    status,
    error: "",
    createdAt: new Date().toISOString(),
    constructor: "shell",
    artifact: "a",
    buildEnvironment: [],
    deploy: { skip: skipDeploy, environment: [] },
  };
}
