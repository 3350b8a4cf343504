import type { Command } from "commander";
import { commandWorld, type Clock, type Ctx, type GlobalOptions } from "./context.js";
import type { IOStreams } from "../output/io.js";
import { sleep } from "../util/sleep.js";
import { debugFromEnv } from "./debug.js";

/** A command's implementation: the module its action loads when it runs. */
export interface CommandModule<O = never> {
  run(ctx: Ctx, args: string[], opts: O, cmd: Command): number | void | Promise<number | void>;
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
  action<O>(load: () => Promise<CommandModule<O>>, options?: ActionOptions): (...a: unknown[]) => Promise<void>;
}

interface ActionOptions {
  /**
   * The command reads no settings and sends no request (help, config, completion, the
   * sandbox): the settings and API chunk (undici among it) is not loaded for it.
   */
  offline?: boolean;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep,
};

export interface RuntimeState {
  exitCode: number;
}

/** The global options as a command sees them. */
function globalOptions(rt: Runtime, g: GlobalOptions): GlobalOptions {
  return {
    debug: Boolean(g.debug) || debugFromEnv(rt.env),
    endpoint: g.endpoint,
    project: g.project,
    service: g.service,
  };
}

/** The world of a command declared offline: asking it for settings or the API is a bug. */
function offlineCtx(rt: Runtime, globals: GlobalOptions): Ctx {
  const offline = () => Promise.reject(new Error("an offline command asked for settings or the API"));
  const ctx: Ctx = {
    ...commandWorld(rt, globals),
    settings: offline,
    client: offline,
    builds: offline,
    withValarYmlFrom: () => ctx,
  };
  return ctx;
}

export function createRuntime(base: Omit<Runtime, "action">, state: RuntimeState): Runtime {
  const rt: Runtime = {
    ...base,
    action(load, options = {}) {
      return async (...a: unknown[]) => {
        const cmd = a[a.length - 1] as Command;
        const opts = cmd.opts();
        const positionals = a.slice(0, -2).flatMap((x): unknown[] => (Array.isArray(x) ? x : x === undefined ? [] : [x])) as string[];
        const globals = globalOptions(rt, cmd.optsWithGlobals<GlobalOptions>());
        let mod: CommandModule<never>;
        let ctx: Ctx;
        if (options.offline) {
          mod = await load();
          ctx = offlineCtx(rt, globals);
        } else {
          // The settings and API services are shared by the commands that talk to the API,
          // so they are one chunk of their own, loaded beside the command's.
          const [loaded, { createCtx }] = await Promise.all([load(), import("./online-context.js")]);
          mod = loaded;
          ctx = createCtx(rt, globals);
        }
        const code = await mod.run(ctx, positionals, opts as never, cmd);
        state.exitCode = code ?? 0;
      };
    },
  };
  return rt;
}
