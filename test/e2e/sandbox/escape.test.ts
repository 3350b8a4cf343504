import { afterEach, describe, expect, it } from "vitest";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { networkInterfaces } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { sandboxRequest, startSandbox, submitFiles, waitForBuild, type TestSandbox } from "../../helpers/sandbox.js";
import { processLines, sandboxWithIsolation } from "../../helpers/build-procs.js";

const base = "/projects/demo/services/web";
const isRoot = process.getuid?.() === 0;
const started: TestSandbox[] = [];
const cleanup: (() => void)[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((sb) => sb.stop()));
  for (const undo of cleanup.splice(0)) undo();
});

/** Runs build.sh in a sandbox; returns the build's end and its output. */
async function runBuild(
  sb: TestSandbox,
  script: string,
  environment: { key: string; value: string }[] = [],
  extra: Record<string, string> = {},
  executable: string[] = [],
) {
  const sub = await submitFiles(sb, { "build.sh": script, ...extra }, { environment, executable });
  const end = await waitForBuild(sb, sub.id, { timeoutMs: 30_000 });
  return { end, out: await processLines(sb, sub.id) };
}

/** A directory on the host outside every system directory, holding a file a build must not see. */
function hostOnlyFile(): string {
  const dir = join("/var/tmp", `valar-host-only-${randomUUID()}`);
  mkdirSync(dir);
  writeFileSync(join(dir, "visible.txt"), "host-file-visible\n");
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, "visible.txt");
}

describe.each(["bwrap", "namespace"])("a build cannot escape: --isolation %s", (mode) => {
  it("its PATH and loader variables never reach the host-side wrapper, nor choose its mounts", async (ctx) => {
    const sb = await sandboxWithIsolation(mode, started);
    if (!sb) return ctx.skip(`--isolation ${mode} does not work on this machine`);
    const marker = join("/var/tmp", `valar-wrapper-ran-${randomUUID()}`);
    cleanup.push(() => rmSync(marker, { force: true }));
    // Stubs of the wrappers in the archive, found first on the build's PATH: they would run on the host.
    const stub = `#!/bin/sh\necho host-side stub ran > ${marker}\n`;
    const visible = hostOnlyFile();
    const script = `cat ${visible} 2>/dev/null || echo host-file-hidden\necho "path=$PATH"\n`;
    const { end, out } = await runBuild(
      sb,
      script,
      [{ key: "PATH", value: `.:/usr/bin:/bin:/` }],
      { bwrap: stub, unshare: stub, env: stub, slirp4netns: stub },
      ["bwrap", "unshare", "env", "slirp4netns"],
    );
    expect(existsSync(marker)).toBe(false);
    expect(end).toMatchObject({ status: "done", error: "" });
    // Set inside: the build's own PATH is its PATH there.
    expect(out).toContain("path=.:/usr/bin:/bin:/");
    if (mode === "bwrap") expect(out).toContain("host-file-hidden");
  });

  it("as root, it has no capabilities and no root-owned file is writable: /etc stays as it is, the data dir hidden", async (ctx) => {
    if (!isRoot) return ctx.skip("the attack needs a sandbox running as root");
    const sb = await sandboxWithIsolation(mode, started);
    if (!sb) return ctx.skip(`--isolation ${mode} does not work on this machine`);
    const script = [
      "grep CapEff /proc/self/status",
      "grep CapBnd /proc/self/status",
      "mount -o remount,bind,rw /etc 2>/dev/null && echo remounted-etc",
      `touch /etc/valar-escape-${process.pid} 2>/dev/null && echo wrote-etc`,
      'umount "$DATA" 2>/dev/null && echo unmounted-data',
      'umount -l "$DATA" 2>/dev/null && echo unmounted-data',
      'cat "$DATA/token" 2>/dev/null | grep -q . && echo token-read',
      "id -u",
    ].join("\n");
    const { end, out } = await runBuild(sb, script, [{ key: "DATA", value: sb.dataDir }]);
    rmSync(`/etc/valar-escape-${process.pid}`, { force: true });
    expect(end.status).toBe("done");
    expect(out).toContain("CapEff:\t0000000000000000");
    expect(out).toContain("CapBnd:\t0000000000000000");
    expect(out).not.toContain("remounted-etc");
    expect(out).not.toContain("unmounted-data");
    expect(out).not.toContain("token-read");
    // Without capabilities, a uid that is root's on the host still owns /etc: it must not be root's.
    expect(out).not.toContain("wrote-etc");
    if (mode === "namespace") expect(out).toContain("65534");
  });

  it("what one step leaves in its directory cannot make the sandbox write a host file before the next", async (ctx) => {
    if (!isRoot) return ctx.skip("the sandbox writes the build's resolver file only as root (its own network)");
    const sb = await sandboxWithIsolation(mode, started);
    if (!sb) return ctx.skip(`--isolation ${mode} does not work on this machine`);
    const victim = hostOnlyFile();
    // The node constructor runs two steps (npm install, then npm run build); the first one's
    // postinstall script swaps the resolver file for a link to a host file.
    const pkg = JSON.stringify({
      name: "x",
      version: "1.0.0",
      scripts: { postinstall: `ln -sfn ${victim} ../resolv.conf; echo linked`, build: "echo built" },
    });
    const sub = await submitFiles(sb, { "package.json": pkg }, { constructorName: "node" });
    const end = await waitForBuild(sb, sub.id, { timeoutMs: 60_000 });
    const out = await processLines(sb, sub.id);
    if (!out.includes("linked")) return ctx.skip(`npm did not run the first step here: ${end.error}`);
    expect(readFileSync(victim, "utf8")).toBe("host-file-visible\n");
    expect(out).toContain("built");
  });

  it("it cannot reach the sandbox's API, yet keeps outbound network and a working resolver setup", async (ctx) => {
    const sb = await sandboxWithIsolation(mode, started);
    if (!sb) return ctx.skip(`--isolation ${mode} does not work on this machine`);
    if (!isRoot || !onPath("slirp4netns") || !existsSync("/dev/net/tun")) {
      return ctx.skip("builds get their own network only from a root sandbox with slirp4netns and /dev/net/tun (otherwise the sandbox warns)");
    }
    expect(sb.stderr()).toContain("builds have a network of their own (slirp4netns)");
    const port = new URL(sb.endpoint).port;
    const outside = await serverOnHostAddress();
    const script = [
      `(exec 3<>/dev/tcp/127.0.0.1/${port}) 2>/dev/null && echo api-reachable-loopback`,
      `(exec 3<>/dev/tcp/10.0.2.2/${port}) 2>/dev/null && echo api-reachable-gateway`,
      outside
        ? `(exec 3<>/dev/tcp/${outside.host}/${outside.port} && printf 'GET / HTTP/1.0\\r\\n\\r\\n' >&3 && cat <&3) | grep -q outside-answer && echo outbound-ok`
        : "",
      "getent hosts localhost >/dev/null && echo resolver-ok",
      "grep -q nameserver /etc/resolv.conf && echo resolv-conf-ok",
    ].join("\n");
    const { end, out } = await runBuild(sb, script);
    expect(end.status).toBe("done");
    expect(out).not.toContain("api-reachable-loopback");
    expect(out).not.toContain("api-reachable-gateway");
    expect(out).toContain("resolver-ok");
    expect(out).toContain("resolv-conf-ok");
    if (outside) expect(out).toContain("outbound-ok");
    // The API still answers the host.
    expect((await sandboxRequest(sb, "GET", "/users/info")).status).toBe(200);
  });
});

function onPath(tool: string): boolean {
  return (process.env.PATH ?? "").split(":").some((dir) => dir && existsSync(join(dir, tool)));
}

/** An HTTP server on this machine's first non-loopback IPv4 address (a stand-in for the internet). */
async function serverOnHostAddress(): Promise<{ host: string; port: number } | undefined> {
  const host = Object.values(networkInterfaces())
    .flat()
    .find((a) => a && a.family === "IPv4" && !a.internal)?.address;
  if (!host) return undefined;
  const server: Server = createServer((_req, res) => res.end("outside-answer\n"));
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  cleanup.push(() => server.close());
  return { host, port: (server.address() as { port: number }).port };
}

describe("loader variables are refused at submit", () => {
  it.each(["LD_PRELOAD", "LD_LIBRARY_PATH", "LD_AUDIT", "GCONV_PATH"])("%s: 400 naming the key", async (key) => {
    const sb = await startSandbox();
    started.push(sb);
    const err = await submitFiles(
      sb,
      { "build.sh": "echo hi\n" },
      {
        environment: [
          { key: "A", value: "1" },
          { key, value: "./evil.so" },
        ],
      },
    ).then(
      () => "it did not fail",
      (e: Error) => e.message,
    );
    expect(String(err)).toContain("submit failed: 400");
    expect(String(err)).toContain(`build.environment[1] (${key}): dynamic-loader variables (LD_*, DYLD_*, GCONV_PATH) are refused`);
    expect((await sandboxRequest(sb, "GET", `${base}/builds`)).json).toEqual([]);
  });
});

describe("group isolation as root", () => {
  it("refuses to start, naming the modes to use instead", async (ctx) => {
    if (!isRoot) return ctx.skip("only root is refused");
    const err = await startSandbox({ args: ["--isolation", "group"] }).then(
      () => "it did not fail",
      (e: Error) => e.message,
    );
    expect(String(err)).toMatch(/exited early \(code 1\)/);
    expect(String(err)).toContain(`error: build isolation "group" cannot take root's capabilities from builds: use --isolation bwrap or namespace`);
  });
});
