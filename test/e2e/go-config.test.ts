import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isolatedEnv, runValar } from "../helpers/cli.js";
import { goConfig, serviceDir, writeHomeConfig } from "../helpers/go-config-files.js";
import { startSandbox, submitFiles, waitForBuild, type TestSandbox } from "../helpers/sandbox.js";

/**
 * Valar's Go CLI config (~/.valar/config, or VALARCONFIG's files) read as the layer below
 * valar's own stored settings, against a real sandbox (the rest: test/inprocess/go-config.test.ts).
 */

describe("a Go CLI user runs valar with no set-up (against the sandbox)", () => {
  let sb: TestSandbox;
  let id: string;
  beforeAll(async () => {
    sb = await startSandbox();
    id = (await submitFiles(sb, { "build.sh": "#!/bin/sh\necho hi\n" }, { skipDeploy: true })).id;
    await waitForBuild(sb, id);
  }, 60_000);
  afterAll(async () => {
    await sb?.stop();
  });

  it("builds ls and auth status use ~/.valar/config's active context", async () => {
    const env = isolatedEnv();
    writeHomeConfig(
      env,
      goConfig({
        active: "sandbox",
        endpoints: { cloud: { url: "https://api.valar.dev/v2", token: "cloud-token-0000" }, local: { url: sb.endpoint, token: sb.token } },
        contexts: { prod: { endpoint: "cloud", project: "shop" }, sandbox: { endpoint: "local", project: "demo" } },
      }),
    );
    const cwd = serviceDir("web");
    const ls = await runValar(["builds", "ls", "-q"], { env, cwd });
    expect([ls.exitCode, ls.stdout, ls.stderr]).toEqual([0, id, ""]);
    const status = await runValar(["auth", "status"], { env, cwd });
    expect(status.exitCode).toBe(0);
    expect(status.stdout).toMatch(/^Endpoint: +\S+ \(~\/\.valar\/config, context sandbox\)$/m);
    expect(status.stdout).toMatch(/^Token: +\S+ \(~\/\.valar\/config, context sandbox\)$/m);
    expect(status.stdout).not.toContain(sb.token);
    const j = await runValar(["auth", "status", "--json"], { env, cwd });
    expect(JSON.parse(j.stdout)).toMatchObject({ tokenSource: "go-config", endpoint: sb.endpoint });
  });
});
