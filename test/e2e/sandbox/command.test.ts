import { describe, expect, it } from "vitest";
import { execa } from "execa";
import { existsSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { BIN, isolatedEnv, runValar, tempDir } from "../../helpers/cli.js";
import { sandboxRequest, startSandbox } from "../../helpers/sandbox.js";

describe("valar sandbox (the command)", () => {
  it("refuses bad flag values with exit 2, starting nothing", async () => {
    for (const [flag, value, message] of [
      ["--port", "70000", /--port/],
      ["--port", "abc", /--port/],
      ["--max-parallel", "0", /--max-parallel/],
      ["--log-ttl", "forever", /--log-ttl/],
    ] as const) {
      const r = await runValar(["sandbox", "--data-dir", tempDir(), flag, value]);
      expect({ flag, value, code: r.exitCode }).toEqual({ flag, value, code: 2 });
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe("");
    }
  });

  it("says so (exit 1) when the port is taken", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const r = await runValar(["sandbox", "--port", String(port), "--data-dir", tempDir()]);
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toContain(`error: port ${port} is already in use`);
    } finally {
      blocker.close();
    }
  });

  it("prints the endpoint and export lines, keeps its data in the user data directory by default, and stops cleanly on Ctrl-C", async () => {
    const dataHome = tempDir("valar-xdg-");
    const child = execa(process.execPath, [BIN, "sandbox", "--port", "0"], {
      env: isolatedEnv({ XDG_DATA_HOME: dataHome }),
      extendEnv: false,
      reject: false,
      stdin: "ignore",
    });
    let out = "";
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (b: Buffer) => {
        out += b.toString();
        if (/VALAR_TOKEN=/.test(out)) resolve();
      });
      void child.then(() => reject(new Error(`exited early: ${out}`)));
    });
    const lines = out.trimEnd().split("\n");
    expect(lines).toHaveLength(3);
    const endpoint = /^valar sandbox listening on (http:\/\/127\.0\.0\.1:\d+\/v2)$/.exec(lines[0]!)![1]!;
    expect(lines[1]).toBe(`export VALAR_ENDPOINT=${endpoint}`);
    const token = /^export VALAR_TOKEN=([0-9a-f]{64})$/.exec(lines[2]!)![1]!;
    const tokenFile = join(dataHome, "valar", "sandbox", "token");
    expect(existsSync(tokenFile)).toBe(true);
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    expect((await sandboxRequest({ endpoint, token }, "GET", "/users/info")).status).toBe(200);

    child.kill("SIGINT");
    const r = await child;
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain("sandbox stopped");
    expect(r.stderr).not.toContain(token);
  });

  it("refuses a data directory another sandbox is using (exit 1)", async () => {
    const sb = await startSandbox();
    try {
      const r = await runValar(["sandbox", "--port", "0", "--data-dir", sb.dataDir]);
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toMatch(/error: another sandbox \(pid \d+\) is using /);
      expect(r.stdout).toBe("");
    } finally {
      await sb.stop();
    }
  });

  it("points the real CLI at itself through the printed environment", async () => {
    const sb = await startSandbox();
    try {
      const r = await runValar(["builds", "ls", "--json"], { env: sb.env() });
      expect(r.exitCode).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual([]);
      const bad = await runValar(["builds", "ls"], { env: sb.env({ VALAR_TOKEN: "wrong" }) });
      expect(bad.exitCode).toBe(4);
    } finally {
      await sb.stop();
    }
  });
});
