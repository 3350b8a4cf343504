import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runValar } from "../helpers/cli.js";
import { startSandbox, submitFiles, waitForBuild, type TestSandbox } from "../helpers/sandbox.js";

// ls, inspect and status against the real local server: a done and a failed build.
let sb: TestSandbox;
let ok: { id: string };
let bad: { id: string };

beforeAll(async () => {
  sb = await startSandbox();
  ok = await submitFiles(sb, { "build.sh": "echo hello\n" });
  await waitForBuild(sb, ok.id);
  bad = await submitFiles(sb, { "build.sh": "echo about to fail\nexit 7\n" });
  await waitForBuild(sb, bad.id);
});

afterAll(async () => {
  await sb?.stop();
});

describe("reading builds from the sandbox", () => {
  it("ls lists both builds, newest first", async () => {
    const r = await runValar(["builds", "ls"], { env: sb.env() });
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines[0]).toMatch(/^ID\s+STATUS\s+CREATED\s+ERROR$/);
    expect(lines[1]).toMatch(new RegExp(`^${bad.id}  failed\\s+\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ\\s+\\S`));
    expect(lines[2]).toMatch(new RegExp(`^${ok.id}  done\\s+\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$`));
    expect(lines).toHaveLength(3);
  });

  it("ls --json and -q agree with the API's list", async () => {
    const j = await runValar(["builds", "ls", "--json"], { env: sb.env() });
    const list = JSON.parse(j.stdout) as Array<{ id: string; status: string }>;
    expect(list.map((b) => [b.id, b.status])).toEqual([
      [bad.id, "failed"],
      [ok.id, "done"],
    ]);
    const q = await runValar(["builds", "ls", "-q", "--status", "done"], { env: sb.env() });
    expect(q.stdout).toBe(ok.id);
  });

  it("inspect shows the constructor and the error of the failed build", async () => {
    const r = await runValar(["builds", "inspect", bad.id.slice(0, 8)], { env: sb.env() });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain(`ID:          ${bad.id}\n`);
    expect(r.stdout).toContain("Status:      failed\n");
    expect(r.stdout).toContain("Constructor: shell\n");
    expect(r.stdout).toMatch(/^Error: {7}.*7/m);
  });

  it("status exits 0 for the done build and 3 for the failed one", async () => {
    const done = await runValar(["builds", "status", ok.id.slice(0, 8)], { env: sb.env() });
    expect([done.exitCode, done.stdout]).toEqual([0, "done"]);
    const failed = await runValar(["builds", "status", bad.id], { env: sb.env() });
    expect([failed.exitCode, failed.stdout]).toEqual([3, "failed"]);
  });

  it("a prefix no build has exits 5", async () => {
    const r = await runValar(["builds", "status", "zzzz"], { env: sb.env() });
    expect(r.exitCode).toBe(5);
  });

  it("a wrong token exits 4", async () => {
    const r = await runValar(["builds", "ls"], { env: sb.env({ VALAR_TOKEN: "not-the-token" }) });
    expect(r.exitCode).toBe(4);
    expect(r.stdout).toBe("");
  });
});
