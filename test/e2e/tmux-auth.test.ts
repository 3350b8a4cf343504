import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { isolatedEnv } from "../helpers/cli.js";
import { startSandbox, type TestSandbox } from "../helpers/sandbox.js";
import { openPane, tmuxMissing, type Pane } from "../helpers/tmux.js";

/**
 * `valar auth login` at a real terminal: the token is typed at a prompt that does not echo
 * it, and the terminal's mode is restored however the prompt ends.
 */

if (tmuxMissing) console.warn(tmuxMissing);

describe.skipIf(Boolean(tmuxMissing))("auth login at a terminal (tmux)", () => {
  let sb: TestSandbox;
  let pane: Pane | undefined;

  beforeAll(async () => {
    sb = await startSandbox();
  }, 30_000);
  afterEach(async () => {
    await pane?.close();
    pane = undefined;
  });
  afterAll(async () => {
    await sb?.stop();
  });

  /** The terminal's settings as `stty -g` prints them. */
  async function sttyState(p: Pane): Promise<string> {
    const r = await p.run("stty -g").done;
    return r.raw.trim();
  }

  it("prompts without echo, stores a valid token, and leaves the terminal as it was", async () => {
    pane = await openPane({ env: isolatedEnv({ VALAR_ENDPOINT: sb.endpoint }) });
    const before = await sttyState(pane);
    const login = pane.run("valar auth login");
    await pane.waitFor(/Paste your Valar token for \S+:\s*$/m);
    await pane.keys("-l", sb.token);
    await pane.keys("Enter");
    const r = await login.done;
    // A loopback endpoint: the token is the sandbox's, and the prompt says where to find it.

    expect(r.raw.replace(/\u001b\[[0-9;]*m/g, "")).toMatch(/`valar sandbox` prints its token when it starts, and writes it to DATA_DIR\/token/);
    expect(r.exitCode).toBe(0);
    const screen = await pane.screen();
    expect(screen).toContain(`✓ logged in to ${sb.endpoint} as sandbox`);
    expect(r.raw).not.toContain(sb.token);
    expect(screen).not.toContain(sb.token);
    expect(await sttyState(pane)).toBe(before);

    const status = await pane.run("valar auth status").done;
    expect(status.exitCode).toBe(0);
    expect(status.raw).toMatch(/stored/);
    expect(status.raw).not.toContain(sb.token);
  });

  it("Ctrl-C at the prompt: exit 130, nothing stored, terminal mode and cursor restored", async () => {
    pane = await openPane({ env: isolatedEnv({ VALAR_ENDPOINT: sb.endpoint }) });
    const before = await sttyState(pane);
    const login = pane.run("valar auth login");
    await pane.waitFor(/Paste your Valar token for \S+:\s*$/m);
    await pane.keys("-l", "half-typed");
    await pane.keys("C-c");
    const r = await login.done;
    expect(r.exitCode).toBe(130);
    expect(r.raw).not.toContain("half-typed");
    expect(await pane.cursorVisible()).toBe(true);
    expect(await sttyState(pane)).toBe(before);

    const status = await pane.run("valar auth status").done;
    expect(status.exitCode).toBe(4);
  });
});
