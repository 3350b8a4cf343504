import type { Command } from "commander";
import type { Clock, Ctx, GlobalOptions } from "./context.js";
import type { IOStreams } from "./output/io.js";
import { sleep } from "./util/sleep.js";

/** A command's implementation: the module its action loads when it runs. */
export interface CommandModule<O = never> {
  run(ctx: Ctx, args: string[], opts: O, cmd: Command): Promise<number | void>;
}

/** What one process run shares among its commands: the injected world before parsing. */
export interface Runtime {
  io: IOStreams;
  env: NodeJS.ProcessEnv;
  cwd: string;
  clock: Clock;
  signal: AbortSignal;
  version: string;
  /**
   * The one lazy boundary: a commander action that loads the command's module (its own
   * chunk of the bundle) only when the command runs, builds the Ctx from the parsed global
   * options and records the exit code the run returns.
   */
  action<O>(load: () => Promise<CommandModule<O>>): (...a: unknown[]) => Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep,
};

export interface RuntimeState {
  exitCode: number;
}

export function createRuntime(base: Omit<Runtime, "action">, state: RuntimeState): Runtime {
  const rt: Runtime = {
    ...base,
    action(load) {
      return async (...a: unknown[]) => {
        const cmd = a[a.length - 1] as Command;
        const opts = cmd.opts();
        const positionals = a.slice(0, -2).flatMap((x) => (Array.isArray(x) ? x : x === undefined ? [] : [x])) as string[];
        // The settings and API services are shared by every command, so they are one chunk
        // of their own, loaded beside the command's.
        const [mod, { createCtx }] = await Promise.all([load(), import("./ctx.js")]);
        const ctx = createCtx(rt, cmd.optsWithGlobals() as GlobalOptions);
        const code = await mod.run(ctx, positionals, opts as never, cmd);
        state.exitCode = code ?? 0;
      };
    },
  };
  return rt;
}
