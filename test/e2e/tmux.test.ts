import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ROOT, isolatedEnv, tempDir } from "../helpers/cli.js";
import { sandboxRequest, startSandbox, submitFiles, waitForBuild, type TestSandbox } from "../helpers/sandbox.js";
import { ESC, SPINNER_FRAMES, openPane, tmuxMissing, type Pane } from "../helpers/tmux.js";

/**
 * The CLI in a real terminal (tmux): colours, spinner, progress bar, a followed log and
 * Ctrl-C, as a person sees them; and plain text where the terminal asks for it.
 */

if (tmuxMissing) console.warn(tmuxMissing);

const SHOW_CURSOR = "\u001b[?25h";
const HIDE_CURSOR = "\u001b[?25l";
const SGR_COLOUR = /\u001b\[[0-9;]*3[0-7](;[0-9]+)*m|\u001b\[[0-9;]*9[0-7]m/;
const stripAnsi = (s: string) => s.replace(/\u001b\[[0-9;?]*[ -/]*[@-~]/g, "");

/** A directory a build can look into: as root, namespace builds run as nobody. */
function gateDir(): string {
  const dir = tempDir("valar-gate-");
  chmodSync(dir, 0o755);
  return dir;
}

/** A build that prints a line, then waits until the test opens its gate (a file). */
const GATED_BUILD = {
  "build.sh": '#!/bin/sh\necho first-line\nwhile [ ! -f "$GATE" ]; do sleep 0.1; done\necho last-line\n',
};

describe.skipIf(Boolean(tmuxMissing))("in a terminal (tmux)", () => {
  let sb: TestSandbox;
  let pane: Pane | undefined;
  const gates: string[] = [];

  beforeAll(async () => {
    // Gated builds wait for a file the test writes on the host: namespace isolation (as
    // root, which group isolation refuses) or process-group isolation lets them see it
    // (bubblewrap gives a build its own /tmp).
    const isolation = process.getuid?.() === 0 ? "namespace" : "group";
    sb = await startSandbox({ maxParallel: 8, args: ["--isolation", isolation] });
  }, 30_000);
  afterEach(async () => {
    await pane?.close();
    pane = undefined;
  });
  afterAll(async () => {
    for (const g of gates) writeFileSync(g, "");
    await sb?.stop();
  });

  /** Submits a gated build and waits until it runs; open() lets it finish. */
  async function gatedBuild(): Promise<{ id: string; open: () => void }> {
    const gate = join(gateDir(), "open");
    gates.push(gate);
    const b = await submitFiles(sb, GATED_BUILD, { skipDeploy: true, environment: [{ key: "GATE", value: gate }] });
    await waitForBuild(sb, b.id, { until: (s) => s === "running" });
    return { id: b.id, open: () => writeFileSync(gate, "") };
  }

  async function statusOf(id: string): Promise<string> {
    return (await sandboxRequest(sb, "GET", `/projects/demo/services/web/builds/${id}/inspect`)).json.status;
  }

  /** After a command: the prompt is back on a clean line and the cursor is visible. */
  async function expectCleanTerminal(p: Pane, raw: string): Promise<void> {
    expect(await p.cursorVisible()).toBe(true);
    if (raw.includes(HIDE_CURSOR)) expect(raw.lastIndexOf(SHOW_CURSOR)).toBeGreaterThan(raw.lastIndexOf(HIDE_CURSOR));
    const lines = (await p.screen()).trimEnd().split("\n");
    expect(lines.at(-1)).toBe("$");
    expect(lines.at(-2)).toMatch(/^>>EXIT:\d+:\d+$/);
    expect(lines.join("\n")).not.toMatch(SPINNER_FRAMES);
  }

  it("colours statuses, shows relative times and fits the table to a narrow terminal", async () => {
    const ok = await submitFiles(sb, { "build.sh": "#!/bin/sh\necho ok\n" }, { skipDeploy: true });
    const bad = await submitFiles(sb, { "build.sh": `#!/bin/sh\necho ${"x".repeat(200)} >&2\nexit 1\n` }, { skipDeploy: true });
    await waitForBuild(sb, ok.id);
    await waitForBuild(sb, bad.id);
    pane = await openPane({ env: sb.env(), cols: 70 });
    const { done } = pane.run("valar builds ls");
    const r = await done;
    expect(r.exitCode).toBe(0);
    const screen = await pane.screen({ escapes: true });
    expect(screen).toMatch(SGR_COLOUR);
    const plain = await pane.screen();
    // The long error does not fit beside full IDs: IDs and times shorten first.
    expect(plain).toMatch(new RegExp(`^${ok.id.slice(0, 8)}\\s+done\\s+(now|\\d+s ago)`, "m"));
    expect(plain).toMatch(new RegExp(`^${bad.id.slice(0, 8)}\\s+failed\\s+(now|\\d+s ago)\\s+\\S`, "m"));
    // Every line the command wrote fits in 70 columns: nothing wraps.
    const longest = (raw: string) =>
      Math.max(
        ...stripAnsi(raw)
          .split("\r\n")
          .map((l) => [...l].length),
      );
    expect(longest(r.raw)).toBeLessThanOrEqual(70);
    await expectCleanTerminal(pane, r.raw);
    await pane.close();
    // ...which took fitting: a wide terminal gets the longer lines.
    pane = await openPane({ env: sb.env(), cols: 200 });
    expect(longest((await pane.run("valar builds ls").done).raw)).toBeGreaterThan(70);
  });

  it("shows a spinner while `submit -w` waits, and leaves the line clean when the build ends", async () => {
    const gate = join(gateDir(), "open");
    gates.push(gate);
    const dir = tempDir("valar-src-");
    writeFileSync(join(dir, "build.sh"), GATED_BUILD["build.sh"], { mode: 0o755 });
    pane = await openPane({ env: sb.env(), cwd: dir });
    const { done } = pane.run(`valar builds submit -c shell --no-deploy --build-env GATE=${gate} -w`);
    await pane.waitFor((s) => SPINNER_FRAMES.test(s) && /waiting|running|pending/.test(s));
    expect(await pane.cursorVisible()).toBe(false);
    writeFileSync(gate, "");
    const r = await done;
    expect(r.exitCode).toBe(0);
    await expectCleanTerminal(pane, r.raw);
  });

  // What an outside reviewer's build printed to take over the terminal (issue: output safety).
  const HOSTILE_BUILD =
    "#!/bin/sh\n" +
    "printf 'title\\033]0;PWNED\\007 clear\\033[2J\\033[H clip\\033]52;c;aGVsbG8=\\007 \\033[31mred\\033[0m\\n'\n" +
    "printf 'secret\\rFAKE OK\\n'\n" +
    "printf 'link \\033]8;;https://example.com\\007here\\033]8;;\\007 bell\\007 back\\bspace\\n'\n";

  it.each([
    ["builds logs", (id: string) => `valar builds logs ${id}`],
    ["builds logs -f", (id: string) => `valar builds logs -f ${id}`],
    ["builds submit -f", () => "valar builds submit -c shell --no-deploy -f"],
  ] as const)("%s: build output cannot drive the terminal (title, screen, clipboard, links, bell)", async (_name, command) => {
    const dir = tempDir("valar-src-");
    writeFileSync(join(dir, "build.sh"), HOSTILE_BUILD, { mode: 0o755 });
    const built = await submitFiles(sb, { "build.sh": HOSTILE_BUILD }, { skipDeploy: true });
    await waitForBuild(sb, built.id);
    pane = await openPane({ env: sb.env(), cwd: dir });
    const r = await pane.run(command(built.id)).done;
    expect(r.exitCode).toBe(0);
    // Nothing but colour reaches the terminal: no OSC (title 0, hyperlink 8, clipboard 52),
    // no screen clear or cursor move, no bell, no backspace, no bare carriage return.
    expect(r.raw).not.toMatch(/\u001b\]/);
    expect(r.raw).not.toContain("\u001b[2J");
    expect(r.raw).not.toContain("\u001b[H");
    expect(r.raw).not.toContain("\u0007");
    expect(r.raw).not.toContain("\b");
    expect(r.raw).toMatch(/\u001b\[31mred/);
    const screen = await pane.screen();
    expect(screen).toContain("FAKE OK");
    expect(screen).not.toContain("secret");
    expect(screen).toMatch(/title clear clip/);
    expect(screen).not.toContain("PWNED");
    await expectCleanTerminal(pane, r.raw);
  });

  it.each([[80], [60]])("a followed deploying build ends with its summary line, unwrapped at %i columns", async (cols) => {
    const dir = tempDir("valar-src-");
    writeFileSync(join(dir, "build.sh"), "#!/bin/sh\necho compiling\necho linked\n", { mode: 0o755 });
    pane = await openPane({ env: sb.env(), cwd: dir, cols });
    const { done } = pane.run("valar builds submit -c shell -f");
    const r = await done;
    expect(r.exitCode).toBe(0);
    await expectCleanTerminal(pane, r.raw);
    const lines = (await pane.screen()).trimEnd().split("\n");
    const summary = lines.findIndex((l) => /^✓ build [0-9a-f]{8} done in \d+(\.\d)?s · deployment v\d+ live$/.test(l.trimEnd()));
    expect(summary, lines.join("\n")).toBeGreaterThan(0);
    // It is one screen line: nothing wrapped onto the next.
    expect([...lines[summary]!.trimEnd()].length).toBeLessThanOrEqual(cols);
    expect(lines.slice(0, summary).some((l) => /\d\d:\d\d:\d\dZ linked/.test(l))).toBe(true);
    expect(r.raw).toMatch(SGR_COLOUR);
  });

  it.each([
    ["builds watch", (id: string) => `valar builds watch ${id}`, SPINNER_FRAMES],
    ["builds logs -f", (id: string) => `valar builds logs -f ${id}`, /first-line/],
    // The build submitted here loops until it is aborted: wait for its spinner, not packing's.
    ["builds submit -w", () => "valar builds submit -c shell --no-deploy -w", /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] .*build \S+: (pending|running)/],
  ] as const)("Ctrl-C during %s: exit 130, cursor visible, prompt on a clean line", async (_name, command, waiting) => {
    const build = await gatedBuild();
    const dir = tempDir("valar-src-");
    writeFileSync(join(dir, "build.sh"), "#!/bin/sh\nwhile true; do sleep 0.2; done\n", { mode: 0o755 });
    pane = await openPane({ env: sb.env(), cwd: dir });
    const { done } = pane.run(command(build.id));
    await pane.waitFor(waiting);
    await pane.keys("C-c");
    const r = await done;
    expect(r.exitCode).toBe(130);
    await expectCleanTerminal(pane, r.raw);
    const screen = await pane.screen();
    // The terminal echoes ^C; the CLI's own lines start after it, on lines of their own,
    // and say how to abort the build that goes on.
    expect(screen).not.toMatch(/\^C\S/);
    expect(screen).toMatch(/^hint: .*valar builds abort \S+/m);
    build.open();
  });

  it("bash completes on TAB with the installed script, build IDs included", async () => {
    const build = await submitFiles(sb, { "build.sh": "#!/bin/sh\necho ok\n" }, { skipDeploy: true });
    await waitForBuild(sb, build.id);
    pane = await openPane({ env: sb.env() });
    // In the interactive shell itself (run() uses a subshell): `clear` marks that it is done.
    await pane.keys("-l", `source '${join(ROOT, "completions", "valar.bash")}'; clear`);
    await pane.keys("Enter");
    await pane.waitFor((s) => s.trim() === "$");
    await pane.keys("-l", "valar builds ls --status fa");
    await pane.keys("Tab");
    await pane.waitFor(/^\$ valar builds ls --status failed\s*$/m);
    await pane.keys("C-u");
    await pane.keys("-l", `valar builds inspect ${build.id.slice(0, 6)}`);
    await pane.keys("Tab");
    await pane.waitFor((s) => s.includes(`$ valar builds inspect ${build.id}`));
    await pane.keys("C-u");
  });

  it("prints a followed log's lines as they come, before the build ends", async () => {
    const build = await gatedBuild();
    pane = await openPane({ env: sb.env() });
    const { done } = pane.run(`valar builds logs -f ${build.id}`);
    await pane.waitFor(/first-line/);
    expect(await statusOf(build.id)).toBe("running");
    expect(await pane.screen()).not.toMatch(/last-line/);
    build.open();
    await pane.waitFor(/last-line/);
    const r = await done;
    expect(r.exitCode).toBe(0);
    await expectCleanTerminal(pane, r.raw);
  });

  it.each([
    ["NO_COLOR=1", "NO_COLOR=1 valar"],
    ["TERM=dumb", "TERM=dumb valar"],
    ["a pipe", "valar"],
  ])("with %s: plain text, no escape codes, no spinner", async (name, valar) => {
    const build = await gatedBuild();
    pane = await openPane({ env: sb.env() });
    const pipe = name === "a pipe";
    const wrap = (c: string) => (pipe ? `(${c} 2>&1 | cat; exit \${PIPESTATUS[0]})` : c);
    const watch = await pane.run(wrap(`${valar} builds watch ${build.id} --timeout 2s`)).done;
    expect(watch.exitCode).toBe(124);
    expect(watch.raw).not.toMatch(ESC);
    expect(watch.raw).not.toMatch(SPINNER_FRAMES);
    expect(watch.raw).toContain(build.id);
    const ls = await pane.run(wrap(`${valar} builds ls`)).done;
    expect(ls.exitCode).toBe(0);
    expect(ls.raw).not.toMatch(ESC);
    expect(ls.raw).toMatch(/running/);
    build.open();
  });
});

/**
 * An API that takes an upload slowly: it reads the first chunk, then nothing more until
 * the test releases it, so the progress bar stays on screen to be seen.
 */
async function startSlowUploadServer(): Promise<{ endpoint: string; release: () => void; close: () => Promise<void> }> {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const server: Server = createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (req.method === "POST" && req.url?.endsWith("/artifacts")) {
      req.once("data", () => {
        req.pause();
        void released.then(() => {
          req.resume();
          req.on("end", () => send(200, { artifact: "artifact-1" }));
        });
      });
      return;
    }
    if (req.method === "POST" && req.url?.endsWith("/builds")) {
      req.resume();
      req.on("end", () => send(200, { id: "slow-build-1", status: "pending", createdAt: new Date().toISOString(), deployment: "" }));
      return;
    }
    req.resume();
    send(500, { error: "internal error" });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}/v2`,
    release,
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

describe.skipIf(Boolean(tmuxMissing))("upload progress in a terminal (tmux)", () => {
  async function bigDirectory(): Promise<string> {
    const dir = tempDir("valar-big-");
    mkdirSync(join(dir, "data"));
    // Random bytes do not compress: the archive stays larger than the socket buffers.
    for (let i = 0; i < 4; i++) writeFileSync(join(dir, "data", `blob${i}`), randomBytes(8 * 1024 * 1024));
    return dir;
  }
  const apiEnv = (endpoint: string) => isolatedEnv({ VALAR_ENDPOINT: endpoint, VALAR_TOKEN: "t0k3n", VALAR_PROJECT: "demo", VALAR_SERVICE: "web" });
  const BAR = /\[[#-]+\]\s+\d+%/;

  it("Ctrl-C during the upload: exit 130, the bar is gone, cursor visible, a clean line", async () => {
    const api = await startSlowUploadServer();
    const pane = await openPane({ env: apiEnv(api.endpoint), cwd: await bigDirectory() });
    try {
      const { done } = pane.run("valar builds submit -c node --no-deploy");
      await pane.waitFor(BAR, { timeoutMs: 30_000 });
      await pane.keys("C-c");
      const r = await done;
      expect(r.exitCode).toBe(130);
      const screen = await pane.screen();
      expect(screen).not.toMatch(BAR);
      expect(screen).not.toMatch(/\^C\S/);
      expect(await pane.cursorVisible()).toBe(true);
      const lines = screen.trimEnd().split("\n");
      expect(lines.at(-1)).toBe("$");
      expect(lines.at(-2)).toMatch(/^>>EXIT:\d+:130$/);
    } finally {
      api.release();
      await pane.close();
      await api.close();
    }
  }, 60_000);

  it("draws a progress bar during the upload and erases it afterwards", async () => {
    const api = await startSlowUploadServer();
    const pane = await openPane({ env: apiEnv(api.endpoint), cwd: await bigDirectory() });
    try {
      const { done } = pane.run("valar builds submit -c node --no-deploy");
      const screen = await pane.waitFor(BAR, { timeoutMs: 30_000 });
      expect(screen).not.toMatch(/100%/);
      api.release();
      const r = await done;
      expect(r.exitCode).toBe(0);
      const after = await pane.screen();
      expect(after).toMatch(/^slow-build-1$/m);
      expect(after).not.toMatch(BAR);
      expect(await pane.cursorVisible()).toBe(true);
    } finally {
      api.release();
      await pane.close();
      await api.close();
    }
  }, 60_000);
});
