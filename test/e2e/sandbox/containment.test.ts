import { afterEach, describe, expect, it } from "vitest";
import { readdirSync } from "node:fs";
import { sandboxRequest, submitFiles, waitForBuild, type TestSandbox } from "../../helpers/sandbox.js";
import { eventually, processMarker, sandboxWithIsolation, waitForLog } from "../../helpers/build-procs.js";

const base = "/projects/demo/services/web";
const started: TestSandbox[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((sb) => sb.stop()));
});

/** Daemons that leave the build's process group and session, with and without its output. */
const DAEMONS = {
  "build.sh": [
    'setsid bash -c "sleep 40" &',
    "nohup sleep 41 >/dev/null 2>&1 &",
    "setsid sh -c 'sleep 42 </dev/null >/dev/null 2>&1 &'",
    "sleep 0.2",
    "echo daemons-started",
  ].join("\n"),
};

const WAITING = { "build.sh": `${DAEMONS["build.sh"]}\nsleep 40\n` };

describe.each(["bwrap", "namespace", "group"])("build containment: --isolation %s", (mode) => {
  it("every process a build starts ends with it: setsid and redirected daemons too", async (ctx) => {
    const sb = await sandboxWithIsolation(mode, started);
    if (!sb) return ctx.skip(`--isolation ${mode} does not work on this machine (or refuses root)`);
    expect(sb.stderr()).toContain(`with ${mode} isolation`);
    const mark = processMarker();
    const sub = await submitFiles(sb, DAEMONS, { environment: [mark.env] });
    // Well before the daemons' 40 s: the build did not wait for them.
    expect(await waitForBuild(sb, sub.id, { timeoutMs: 20_000 })).toMatchObject({ status: "done" });
    expect(await eventually(() => mark.pids().length === 0)).toBe(true);
  });

  it("abort answers within 2 s and takes the daemons with it", async (ctx) => {
    const sb = await sandboxWithIsolation(mode, started);
    if (!sb) return ctx.skip(`--isolation ${mode} does not work on this machine (or refuses root)`);
    const mark = processMarker();
    const sub = await submitFiles(sb, WAITING, { environment: [mark.env] });
    await waitForLog(sb, sub.id, /daemons-started/);
    expect(mark.pids().length).toBeGreaterThanOrEqual(3);
    const t0 = Date.now();
    const r = await sandboxRequest(sb, "POST", `${base}/builds/${sub.id}/abort`);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(r.status).toBe(200);
    expect((await waitForBuild(sb, sub.id)).status).toBe("failed");
    expect(await eventually(() => mark.pids().length === 0)).toBe(true);
  });

  it("Ctrl-C stops the sandbox within 5 s and leaves no process of its builds", async (ctx) => {
    const sb = await sandboxWithIsolation(mode, started);
    if (!sb) return ctx.skip(`--isolation ${mode} does not work on this machine (or refuses root)`);
    const mark = processMarker();
    const sub = await submitFiles(sb, WAITING, { environment: [mark.env] });
    await waitForLog(sb, sub.id, /daemons-started/);
    const t0 = Date.now();
    expect(await sb.stop()).toBe(0);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(await eventually(() => mark.pids().length === 0, 2000)).toBe(true);
  });

  it("after kill -9, a restart kills what the interrupted build left running and removes its work dir", async (ctx) => {
    const sb = await sandboxWithIsolation(mode, started);
    if (!sb) return ctx.skip(`--isolation ${mode} does not work on this machine (or refuses root)`);
    const mark = processMarker();
    const sub = await submitFiles(sb, WAITING, { environment: [mark.env] });
    await waitForLog(sb, sub.id, /daemons-started/);
    expect(readdirSync(sb.workRoot)).toHaveLength(1);
    await sb.kill();

    const again = (await sandboxWithIsolation(mode, started, sb.dataDir))!;
    expect(again.workRoot).toBe(sb.workRoot);
    expect(mark.pids()).toEqual([]);
    expect(readdirSync(again.workRoot)).toEqual([]);
    expect((await sandboxRequest(again, "GET", `${base}/builds/${sub.id}/inspect`)).json).toMatchObject({
      status: "failed",
      error: "the sandbox stopped while the build was running",
    });
  });
});
