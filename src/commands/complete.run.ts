import type { Ctx } from "../app/context.js";
import type { ApiClient } from "../api/client.js";
import { BUILD_PREFIX } from "../api/types.js";
import { BuildsApi } from "../api/builds.js";
import { DeploysApi } from "../api/deploys.js";
import { newestFirst } from "../deploys/versions.js";
import { requireTarget } from "../settings/resolve-settings.js";
import { relativeTime } from "../output/time.js";
import { oneLine } from "../output/text.js";
import { abortable } from "../builds/wait-policy.js";
import { COMPLETE_TIMEOUT_MS } from "./complete.js";

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
  const target = requireTarget(await ctx.settings());
  const deadline = AbortSignal.timeout(COMPLETE_TIMEOUT_MS);
  // One try under a deadline: a completion that waits on backoff is worse than none.
  const client = await ctx.client({ signal: deadline, noRetry: true });
  return { client, ...target, deadline };
}

async function buildIdCandidates(ctx: Ctx, prefix: string): Promise<string[]> {
  if (prefix !== "" && !BUILD_PREFIX.test(prefix)) return [];
  const { client, project, service, deadline } = await quickService(ctx);
  const api = new BuildsApi(client, project, service);
  // The deadline holds even if the request does not heed its signal.
  const builds = await abortable(api.list(prefix || undefined), deadline);
  const now = ctx.clock.now();
  return (
    [...builds]
      .sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt))
      .slice(0, 50)
      // Candidates are server text the shell shows: an ID is only ever letters, digits and
      // dashes, and the description loses its control characters.
      .filter((b) => BUILD_PREFIX.test(b.id))
      .map((b) => `${b.id}\t${oneLine(`${b.status}, ${relativeTime(b.createdAt, now)}`)}`)
  );
}

/** `12<TAB>done, build a1b2c3d4, 3 minutes ago` lines; a word typed as `v1` gets `v12`. */
async function versionCandidates(ctx: Ctx, word: string): Promise<string[]> {
  const typed = /^(v?)(\d*)$/i.exec(word);
  if (!typed) return [];
  const { client, project, service, deadline } = await quickService(ctx);
  const deploys = await abortable(new DeploysApi(client, project, service).list(), deadline);
  const now = ctx.clock.now();
  return newestFirst(deploys)
    .filter((d) => String(d.version).startsWith(typed[2]!))
    .slice(0, 50)
    .map((d) => `${typed[1]}${d.version}\t${oneLine(`${d.status}, build ${d.build.slice(0, 8)}, ${relativeTime(d.createdAt, now)}`)}`);
}
