import { Command } from "commander";
import type { Runtime } from "../runtime.js";
import type { Ctx } from "../context.js";

/** Completion must never make the shell wait long: past this, it offers nothing. */
export const COMPLETE_TIMEOUT_MS = 2000;

/**
 * `valar __complete build-ids [prefix]`: the dynamic candidates the completion scripts ask
 * for, one `ID<TAB>status, age` line each, newest first. Hidden from help. Whatever goes
 * wrong (no token, no project, unreachable, an error answer, a bad word) it prints nothing
 * and exits 0: a completion must never spill errors into the user's command line.
 */
export function defineComplete(rt: Runtime): Command {
  const cmd = new Command("__complete")
    .description("print completion candidates (used by the completion scripts)")
    .argument("[words...]")
    .allowUnknownOption()
    .allowExcessArguments()
    .helpOption(false);
  return cmd.action(rt.action(run));
}

export async function run(ctx: Ctx, args: string[]): Promise<number> {
  const [kind, word = ""] = args;
  try {
    if (kind === "build-ids") {
      for (const line of await buildIdCandidates(ctx, word)) ctx.io.println(line);
    }
  } catch {
    // Nothing: see above.
  }
  return 0;
}

async function buildIdCandidates(ctx: Ctx, prefix: string): Promise<string[]> {
  const { BUILD_PREFIX } = await import("../api/types.js");
  if (prefix !== "" && !BUILD_PREFIX.test(prefix)) return [];
  const [{ requireTarget }, { BuildsApi }, { relativeTime }, { abortable }] = await Promise.all([
    import("../settings/resolve.js"),
    import("../api/builds.js"),
    import("../output/time.js"),
    import("../builds/retry.js"),
  ]);
  const target = requireTarget(await ctx.settings());
  const deadline = AbortSignal.timeout(COMPLETE_TIMEOUT_MS);
  // The shared client's checks (loopback-only http, proxies), but one try under a deadline:
  // a completion that waits on backoff is worse than none.
  const client = await ctx.client({ signal: deadline, noRetry: true });
  const api = new BuildsApi(client, target.project, target.service);
  // The deadline holds even if the request does not heed its signal.
  const builds = await abortable(api.list(prefix || undefined), deadline);
  const now = ctx.clock.now();
  return [...builds]
    .sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt))
    .slice(0, 50)
    .map((b) => `${b.id}\t${b.status}, ${relativeTime(b.createdAt, now)}`);
}
