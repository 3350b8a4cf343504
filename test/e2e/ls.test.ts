import { afterEach, describe, expect, it } from "vitest";
import { execa } from "execa";
import { BIN } from "../helpers/cli.js";
import { json, type FaultServer } from "../helpers/fault-server.js";
import { build, BUILDS_PATH, envFor, startBuildsServer } from "../helpers/builds-fixtures.js";

// What needs a real process: a pipe closed by its reader. The rest of `builds ls` runs in
// process (test/inprocess/ls.test.ts).
let server: FaultServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("builds ls", () => {
  it("a reader that stops early (| head -1) is not an error: no EPIPE trace, exit 0", async () => {
    const many = Array.from({ length: 20_000 }, (_, i) => build(`f${String(i).padStart(7, "0")}-0000-4000-8000-000000000000`, "done", 1));
    server = await startBuildsServer(many.slice(0, 1));
    server.on(`GET ${BUILDS_PATH}`, (_req, res) => json(res, 200, many));
    for (const flags of ["-q --all", "--all", "--all --json"]) {
      const r = await execa("bash", ["-c", `node "${BIN}" builds ls ${flags} | head -c 10; echo " rc=\${PIPESTATUS[0]}"`], {
        env: envFor(server),
        extendEnv: false,
        reject: false,
      });
      expect(r.stdout).toMatch(/ rc=0$/);
      expect(r.stderr).toBe("");
    }
  });
});
