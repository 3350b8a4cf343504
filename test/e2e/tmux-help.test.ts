import { afterEach, describe, expect, it } from "vitest";
import { isolatedEnv, runValar } from "../helpers/cli.js";
import { openPane, tmuxMissing, type Pane } from "../helpers/tmux.js";

/**
 * Help in a real terminal at the widths people use: the CLI wraps on words itself, so no
 * line is ever long enough for the terminal to break it mid-word.
 */

if (tmuxMissing) console.warn(tmuxMissing);

const words = (text: string) => text.split(/\s+/).filter((w) => w && w !== "\\");

describe.skipIf(Boolean(tmuxMissing))("help at 40, 80 and 200 columns (tmux)", () => {
  let pane: Pane | undefined;
  afterEach(async () => {
    await pane?.close();
    pane = undefined;
  });

  it.each([40, 80, 200])(
    "at %i columns no line is wider than the terminal, and no word is lost",
    async (cols) => {
      pane = await openPane({ cols, rows: 50, env: isolatedEnv() });
      for (const args of [["builds", "ls", "--help"], ["sandbox", "--help"], ["--help"], ["help", "exit-codes"]]) {
        const r = await pane.run(`valar ${args.join(" ")}`).done;
        expect(r.exitCode).toBe(0);
        const lines = r.raw.replace(/\r\n$/, "").split("\r\n");
        for (const line of lines) expect([...line].length, `${args.join(" ")}: ${JSON.stringify(line)}`).toBeLessThanOrEqual(cols);
        // The same words as the help written to a pipe, only wrapped differently.
        const piped = await runValar(args);
        expect(words(r.raw)).toEqual(words(piped.stdout));
      }
    },
    60_000,
  );

  it("at 40 columns a description goes under its option, wrapped on words", async () => {
    pane = await openPane({ cols: 40, rows: 50, env: isolatedEnv() });
    const r = await pane.run("valar builds ls --help").done;
    expect(r.raw).toMatch(/\r\n {2}--status <s\[,s\.\.\.\]>\r\n {6}only builds with these statuses\r\n/);
  }, 30_000);
});
