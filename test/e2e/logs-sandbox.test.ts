import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runValar } from "../helpers/cli.js";
import { startSandbox, submitFiles, waitForBuild, type TestSandbox } from "../helpers/sandbox.js";

let sb: TestSandbox;
beforeAll(async () => {
  sb = await startSandbox();
});
afterAll(async () => {
  await sb?.stop();
});

const script = (body: string) => ({ "build.sh": `#!/bin/sh\n${body}\n` });
const env = () => sb.env();

describe("following and watching sandbox builds", () => {
  it("logs -f streams a real build to its end and exits 0", async () => {
    const { id } = await submitFiles(sb, script('for i in 1 2 3 4 5; do echo "step $i"; sleep 0.1; done'), { skipDeploy: true });
    const r = await runValar(["builds", "logs", "-f", id], { env: env() });
    expect(r.exitCode).toBe(0);
    const steps = r.stdout.split("\n").filter((l) => /step \d$/.test(l));
    expect(steps.map((l) => l.slice(-6))).toEqual(["step 1", "step 2", "step 3", "step 4", "step 5"]);
    expect(r.stderr).toMatch(new RegExp(`^ok build ${id.slice(0, 8)} done in \\d+(\\.\\d)?s$`, "m"));
    // The same log afterwards, whole and raw.
    const again = await runValar(["builds", "logs", "--raw", id], { env: env() });
    expect(again.exitCode).toBe(0);
    expect(again.stdout.split("\n").filter((l) => /^step \d$/.test(l))).toEqual(["step 1", "step 2", "step 3", "step 4", "step 5"]);
  });

  it("logs -f exits 3 when the build fails", async () => {
    const { id } = await submitFiles(sb, script('echo "about to fail"; exit 7'), { skipDeploy: true });
    const r = await runValar(["builds", "logs", "-f", id, "--raw"], { env: env() });
    expect(r.stdout).toContain("about to fail");
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(new RegExp(`^FAILED build ${id.slice(0, 8)} failed after \\d+(\\.\\d)?s: `, "m"));
    expect(r.stderr).not.toContain(`hint: see its log: valar builds logs ${id}`);
  });

  it("watch waits for a real build and exits with its outcome", async () => {
    const { id } = await submitFiles(sb, script("sleep 0.5; echo ok"), { skipDeploy: true });
    const r = await runValar(["builds", "watch", id.slice(0, 8)], { env: env() });
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`^ok build ${id.slice(0, 8)} done in \\d+(\\.\\d)?s$`, "m"));
  });
});

describe("aborting sandbox builds", () => {
  it("abort stops a running build; a second abort is refused naming its status", async () => {
    const { id } = await submitFiles(sb, script("echo started; sleep 30"), { skipDeploy: true });
    await waitForBuild(sb, id, { until: (s) => s === "running" });
    const r = await runValar(["builds", "abort", id], { env: env() });
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain(`aborted build ${id} (it was running)`);
    const after = await waitForBuild(sb, id, { timeoutMs: 10_000 });
    expect(["pending", "running", "done"]).not.toContain(after.status);
    const again = await runValar(["builds", "abort", id], { env: env() });
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toMatch(new RegExp(`(is|has) ${after.status};`));
  });

  it("Ctrl-C on logs -f --abort-on-interrupt aborts the running build", async () => {
    const { id } = await submitFiles(sb, script("echo started; sleep 30"), { skipDeploy: true });
    const child = runValar(["builds", "logs", "-f", id, "--raw", "--abort-on-interrupt"], { env: env() });
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      const first = !out.includes("started");
      out += d.toString();
      if (first && out.includes("started")) child.kill("SIGINT");
    });
    const r = await child;
    expect(r.exitCode).toBe(130);
    expect(r.stderr).toContain(`build ${id} was aborted`);
    const after = await waitForBuild(sb, id, { timeoutMs: 10_000 });
    expect(["pending", "running", "done"]).not.toContain(after.status);
  });
});
