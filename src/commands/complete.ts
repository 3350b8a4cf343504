import { Command } from "commander";
import type { Runtime } from "../runtime.js";
import type { Ctx } from "../context.js";
import type { ApiClient } from "../api/client.js";

/** Completion must never make the shell wait long: past this, it offers nothing. */
export const COMPLETE_TIMEOUT_MS = 2000;

/**
 * `valar __complete build-ids|deploy-versions [word]`: the dynamic candidates the completion
 * scripts ask for, one `CANDIDATE<TAB>description` line each, newest first. Hidden from help.
 * Whatever goes wrong (no token, no project, unreachable, an error answer, a bad word) it
 * prints nothing and exits 0: a completion must never spill errors into the user's command line.
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
    const lines = kind === "build-ids" ? await buildIdCandidates(ctx, word) : kind === "deploy-versions" ? await versionCandidates(ctx, word) : [];
    for (const line of lines) ctx.io.println(line);
  } catch {
    // Nothing: see above.
  }
  return 0;
}

/** The service's APIs on the shared client's checks (loopback-only http, proxies), under a short deadline. */
async function quickService(ctx: Ctx): Promise<{ client: ApiClient; project: string; service: string; deadline: AbortSignal }> {
  const { requireTarget } = await import("../settings/resolve.js");
  const target = requireTarget(await ctx.settings());
  const deadline = AbortSignal.timeout(COMPLETE_TIMEOUT_MS);
  // One try under a deadline: a completion that waits on backoff is worse than none.
  const client = await ctx.client({ signal: deadline, noRetry: true });
  return { client, ...target, deadline };
}

async function buildIdCandidates(ctx: Ctx, prefix: string): Promise<string[]> {
  const { BUILD_PREFIX } = await import("../api/types.js");
  if (prefix !== "" && !BUILD_PREFIX.test(prefix)) return [];
  const [{ BuildsApi }, { relativeTime }, { abortable }] = await Promise.all([
    import("../api/builds.js"),
    import("../output/time.js"),
    import("../builds/retry.js"),
  ]);
  const { client, project, service, deadline } = await quickService(ctx);
  const api = new BuildsApi(client, project, service);
  // The deadline holds even if the request does not heed its signal.
  const builds = await abortable(api.list(prefix || undefined), deadline);
  const now = ctx.clock.now();
  return [...builds]
    .sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt))
    .slice(0, 50)
    .map((b) => `${b.id}\t${b.status}, ${relativeTime(b.createdAt, now)}`);
}

/** `12<TAB>done, build a1b2c3d4, 3 minutes ago` lines; a word typed as `v1` gets `v12`. */
async function versionCandidates(ctx: Ctx, word: string): Promise<string[]> {
  const typed = /^(v?)(\d*)$/i.exec(word);
  if (!typed) return [];
  const [{ DeploysApi }, { newestFirst }, { relativeTime }, { abortable }] = await Promise.all([
    import("../api/deploys.js"),
    import("../deploys/versions.js"),
    import("../output/time.js"),
    import("../builds/retry.js"),
  ]);
  const { client, project, service, deadline } = await quickService(ctx);
  const deploys = await abortable(new DeploysApi(client, project, service).list(), deadline);
  const now = ctx.clock.now();
  return newestFirst(deploys)
    .filter((d) => String(d.version).startsWith(typed[2]!))
    .slice(0, 50)
    .map((d) => `${typed[1]}${d.version}\t${d.status}, build ${d.build.slice(0, 8)}, ${relativeTime(d.createdAt, now)}`);
}
