import { afterEach, describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { submitFiles, waitForBuild, type TestSandbox } from "../../helpers/sandbox.js";
import { closeGates, gate, processLines, sandboxWithIsolation, waitForLog } from "../../helpers/build-procs.js";

const started: TestSandbox[] = [];
afterEach(async () => {
  closeGates();
  await Promise.all(started.splice(0).map((sb) => sb.stop()));
});

/** A build that keeps a secret in its tree until its gate opens. */
const OTHER = {
  "secret.txt": "other-build-secret\n",
  "build.sh": 'echo waiting\nfor i in $(seq 1 300); do [ -f "$GATE" ] && break; sleep 0.05; done\n',
};

/** A build that looks for what it must not reach and reports what it found. */
const PROBE = {
  "build.sh": [
    'echo "env-token=${VALAR_TOKEN:-none}"',
    'env | grep -v ^SANDBOX_TOKEN= | grep -q "$SANDBOX_TOKEN" && echo "token-in-env"',
    'for p in ../token ../../token ../../../token ../../../../token ../../../../../token; do grep -qs "$SANDBOX_TOKEN" "$p" && echo "token-by-relative-path=$p"; done',
    'grep -qs "$SANDBOX_TOKEN" "$DATA/token" && echo "token-by-absolute-path"',
    'cat ../../*/src/secret.txt "$WORK"/*/src/secret.txt 2>/dev/null | grep -q other-build-secret && echo "other-build-readable"',
    'ls "$DATA/logs" 2>/dev/null | grep -q . && echo "logs-listable"',
    'touch "$DATA/written-by-build" 2>/dev/null',
    'touch /usr/written-by-build 2>/dev/null && echo "system-writable"',
    'echo "home=$HOME"',
    'echo "pwd=$PWD"',
  ].join("\n"),
};

async function probe(sb: TestSandbox): Promise<string[]> {
  const g = gate();
  const other = await submitFiles(sb, OTHER, { environment: g.env });
  await waitForLog(sb, other.id, /waiting/);
  const probeEnv = [
    { key: "SANDBOX_TOKEN", value: sb.token },
    { key: "DATA", value: sb.dataDir },
    { key: "WORK", value: sb.workRoot },
  ];
  const sub = await submitFiles(sb, PROBE, { environment: probeEnv });
  expect((await waitForBuild(sb, sub.id)).status).toBe("done");
  g.open();
  await waitForBuild(sb, other.id);
  return processLines(sb, sub.id);
}

describe.each(["bwrap", "namespace", "group"])("build isolation: --isolation %s", (mode) => {
  it("a build reaches neither the token nor other builds through its tree or environment", async (ctx) => {
    const sb = await sandboxWithIsolation(mode, started);
    if (!sb) return ctx.skip(`--isolation ${mode} does not work on this machine (or refuses root)`);
    const out = await probe(sb);
    expect(out).toContain("env-token=none");
    expect(out).not.toContain("token-in-env");
    expect(out.filter((l) => l.startsWith("token-by-relative-path"))).toEqual([]);
    const pwd = out.find((l) => l.startsWith("pwd="))!.slice(4);
    expect(pwd.startsWith(sb.workRoot + "/")).toBe(true);
    expect(pwd.startsWith(sb.dataDir)).toBe(false);
    expect(out.find((l) => l.startsWith("home="))!.startsWith(`home=${sb.workRoot}/`)).toBe(true);
    if (mode === "group") {
      // Same user, no mount namespace: what the README says stays reachable by absolute path.
      expect(out).toContain("token-by-absolute-path");
      expect(out).toContain("other-build-readable");
      return;
    }
    expect(out).not.toContain("token-by-absolute-path");
    expect(out).not.toContain("other-build-readable");
    expect(out).not.toContain("logs-listable");
    expect(existsSync(join(sb.dataDir, "written-by-build"))).toBe(false);
    if (mode === "bwrap") expect(out).not.toContain("system-writable");
  });
});
