import { execa } from "execa";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir, valarShimDir } from "./cli.js";

/**
 * A real terminal for the CLI: a tmux pane running an interactive bash, driven with
 * send-keys and read back with capture-pane (the screen) and pipe-pane (every byte the
 * programs in it wrote, escape codes included).
 */

function tmuxVersion(): string | undefined {
  const r = spawnSync("tmux", ["-V"], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** Why the tmux tests cannot run here, or undefined when they can. */
export const tmuxMissing: string | undefined = tmuxVersion()
  ? undefined
  : "tmux is not installed (apt-get install -y tmux); the terminal tests are SKIPPED";

export interface PaneOptions {
  cols?: number;
  rows?: number;
  /** The pane's environment (e.g. a sandbox's env()); `valar` is put first on its PATH. */
  env: Record<string, string | undefined>;
  cwd?: string;
}

interface CommandResult {
  exitCode: number;
  /** What the command wrote to the terminal, raw (between the markers run() prints). */
  raw: string;
}

export interface Pane {
  /** Types a command line and presses Enter; resolve the returned promise to get its exit code. */
  run(commandLine: string): { done: Promise<CommandResult> };
  /** send-keys with key names, e.g. "C-c". */
  keys(...keys: string[]): Promise<void>;
  /** The visible screen, lines joined by \n; with escapes: colour/attribute sequences kept (-e). */
  screen(opts?: { escapes?: boolean }): Promise<string>;
  /** Polls the screen until the test holds; returns that screen. Throws with the screen after timeoutMs. */
  waitFor(test: RegExp | ((screen: string) => boolean), opts?: { escapes?: boolean; timeoutMs?: number }): Promise<string>;
  /** Whether the terminal's cursor is visible now (tmux's own cursor flag). */
  cursorVisible(): Promise<boolean>;
  /** Every byte written to the pane so far. */
  raw(): string;
  /** Resizes the terminal, as dragging its window would (the programs in it get SIGWINCH). */
  resize(cols: number, rows: number): Promise<void>;
  close(): Promise<void>;
}

const BEGIN = ">>BEGIN";
const EXIT = ">>EXIT:";
let counter = 0;

export async function openPane(opts: PaneOptions): Promise<Pane> {
  const dir = tempDir("valar-tmux-");
  const socket = join(dir, "socket");
  const rawLog = join(dir, "raw.log");
  const shim = valarShimDir();
  // Bracketed paste and a fancy prompt would put escape codes of their own in the raw log.
  writeFileSync(join(dir, "inputrc"), "set enable-bracketed-paste off\n");
  writeFileSync(join(dir, "bashrc"), "PS1='$ '\nPS2=''\nunset PROMPT_COMMAND\nHISTFILE=/dev/null\n");
  writeFileSync(rawLog, "");

  const env: Record<string, string | undefined> = {
    ...opts.env,
    PATH: `${shim}:${opts.env.PATH ?? process.env.PATH}`,
    INPUTRC: join(dir, "inputrc"),
    TERM: "xterm-256color",
  };
  // A CI runner sets CI, which (rightly) turns animation off; this terminal is real.
  delete env.CI;
  delete env.TMUX;
  const tmux = (...args: string[]) => execa("tmux", ["-S", socket, ...args], { env, extendEnv: false, cwd: opts.cwd });
  await tmux(
    "-f",
    "/dev/null",
    "new-session",
    "-d",
    "-s",
    "t",
    "-x",
    String(opts.cols ?? 100),
    "-y",
    String(opts.rows ?? 30),
    `bash --noprofile --rcfile '${join(dir, "bashrc")}' -i`,
  );
  await tmux("set-option", "-t", "t", "status", "off");
  await tmux("pipe-pane", "-t", "t", "-o", `cat >> '${rawLog}'`);

  const raw = () => readFileSync(rawLog, "utf8");
  const screen = async (o: { escapes?: boolean } = {}) => (await tmux("capture-pane", "-p", "-t", "t", ...(o.escapes ? ["-e"] : []))).stdout;
  const waitFor: Pane["waitFor"] = async (test, o = {}) => {
    const check = typeof test === "function" ? test : (s: string) => test.test(s);
    const deadline = Date.now() + (o.timeoutMs ?? 20_000);
    for (;;) {
      const s = await screen(o);
      if (check(s)) return s;
      if (Date.now() > deadline) throw new Error(`the terminal never showed ${String(test)}; it shows:\n${s}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  await waitFor(/^\$\s*$/m);

  return {
    run(commandLine) {
      const id = ++counter;
      // printf with octal escapes: the typed line does not contain the markers it prints.
      // The subshell traps INT so that it goes on to print the exit status even when the
      // command dies of the signal (128 + 2 = 130, the same status the shell would see).
      const line = `printf '\\076\\076BEGIN${id}\\n'; ( trap : INT; ${commandLine}; printf '\\076\\076EXIT:${id}:%s\\n' $? )`;
      const typed = tmux("send-keys", "-t", "t", "-l", line).then(() => tmux("send-keys", "-t", "t", "Enter"));
      const done = (async () => {
        await typed;
        const end = new RegExp(`${EXIT}${id}:(\\d+)\\r?\\n`);
        const deadline = Date.now() + 60_000;
        for (;;) {
          const text = raw();
          const m = end.exec(text);
          if (m) {
            const start = text.indexOf(`${BEGIN}${id}\r\n`);
            return { exitCode: Number(m[1]), raw: text.slice(start + `${BEGIN}${id}\r\n`.length, m.index) };
          }
          if (Date.now() > deadline) throw new Error(`command did not finish: ${commandLine}\n${await screen()}`);
          await new Promise((r) => setTimeout(r, 50));
        }
      })();
      return { done };
    },
    keys: async (...keys) => {
      await tmux("send-keys", "-t", "t", ...keys);
    },
    screen,
    waitFor,
    cursorVisible: async () => (await tmux("display-message", "-p", "-t", "t", "#{cursor_flag}")).stdout.trim() === "1",
    raw,
    resize: async (cols, rows) => {
      await tmux("resize-window", "-t", "t", "-x", String(cols), "-y", String(rows));
    },
    close: async () => {
      await tmux("kill-server").catch(() => undefined);
    },
  };
}

export const ESC = /\u001b/;
/** The frames of ora's default spinner. */
export const SPINNER_FRAMES = /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/;
