import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiEnv } from "../helpers/builds-fixtures.js";
import { startFaultServer, type FaultServer } from "../helpers/fault-server.js";
import { runInProcess } from "../helpers/run-in-process.js";

// --timeout is read once, by commander's parser: a malformed one is a usage error before
// anything is packed or sent, whichever command carries it.
let api: FaultServer;
beforeAll(async () => {
  api = await startFaultServer();
});
afterAll(() => api.close());

describe("--timeout is checked while the command line is parsed", () => {
  for (const args of [
    ["builds", "watch", "a1b2", "--timeout", "later"],
    ["builds", "logs", "-f", "a1b2", "--timeout", "5"],
    ["builds", "submit", "--artifact", "k", "-c", "shell", "-w", "--timeout", "1x"],
    ["deploys", "create", "a1b2", "-w", "--timeout", "soon"],
  ]) {
    it(`valar ${args.join(" ")}`, async () => {
      api.requests.length = 0;
      const r = await runInProcess(args, { env: apiEnv(api) });
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toMatch(/^error: invalid duration "[^"]+" for --timeout\nhint: use a number and a unit, e\.g\. 90s, 15m, 1h\n$/);
      expect(api.requests).toEqual([]);
    });
  }
});
