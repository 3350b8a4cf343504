import { afterEach, describe, expect, it } from "vitest";
import { runValar } from "../helpers/cli.js";
import { BUILD_ID, scriptedWaitServer, type WaitServer } from "../fixtures/wait-server.js";

// Off a terminal, what crosses the process: the deadline and Ctrl-C (the rest is in
// test/inprocess/watch.test.ts).

let srv: WaitServer | undefined;
afterEach(async () => {
  await srv?.close();
  srv = undefined;
});

describe("builds watch (not a terminal)", () => {
  it("--timeout exits 124 and says the build goes on", async () => {
    const s = (srv = await scriptedWaitServer(["running"]));
    const r = await runValar(["builds", "watch", "b1", "--timeout", "300ms"], { env: s.env() });
    expect(r.exitCode).toBe(124);
    expect(r.stderr).toMatch(/^stopped waiting after 300ms; build \S+ goes on$/m);
    expect(r.stderr).toContain(`hint: keep waiting with \`valar builds watch ${BUILD_ID}\``);
  });

  it("Ctrl-C exits 130 with the abort hint; --abort-on-interrupt aborts first", async () => {
    for (const abort of [false, true]) {
      const s = (srv = await scriptedWaitServer(["running"]));
      const child = runValar(["builds", "watch", "b1", ...(abort ? ["--abort-on-interrupt"] : [])], { env: s.env() });
      let err = "";
      child.stderr.on("data", (d: Buffer) => {
        if (!err) child.kill("SIGINT");
        err += d.toString();
      });
      const r = await child;
      expect(r.exitCode).toBe(130);
      const posts = s.server.requests.filter((q) => q.method === "POST").map((q) => q.path);
      if (abort) {
        expect(posts).toEqual([s.abortPath]);
        expect(r.stderr).toContain(`build ${BUILD_ID} was aborted`);
      } else {
        expect(posts).toEqual([]);
        expect(r.stderr).toContain(`hint: to abort it: valar builds abort ${BUILD_ID}`);
      }
      await s.close();
      srv = undefined;
    }
  });
});
