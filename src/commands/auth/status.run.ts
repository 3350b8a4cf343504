import type { Ctx } from "../../app/context.js";
import { AuthError } from "../../errors.js";
import { getUserInfo } from "../../api/users.js";
import { describeSource, notLoggedIn } from "../../settings/resolve-settings.js";
import { maskToken } from "./mask.js";

export interface StatusOptions {
  json?: boolean;
}

/** What `auth status --json` prints: the API's `name` and `projects`, plus where things come from. */
export interface AuthStatus {
  endpoint: string;
  name: string;
  projects: string[];
  tokenSource: "env" | "stored" | "go-config";
  token: string;
}

/** `valar auth status`: checks the token in use with GET /users/info; exit 4 without a valid one. */
export async function run(ctx: Ctx, _args: string[], opts: StatusOptions): Promise<number> {
  const settings = await ctx.settings();
  const endpoint = settings.endpoint.value;
  if (!settings.token) throw notLoggedIn(settings);
  const tokenSource = settings.token.source;
  const goOrigin = tokenSource === "go-config" ? settings.token.origin : undefined;
  const from = tokenSource === "env" ? "VALAR_TOKEN" : goOrigin ? `the token of ${goOrigin}` : "the stored token";
  const client = await ctx.client();
  let user;
  try {
    user = await getUserInfo(client);
  } catch (err) {
    if (err instanceof AuthError) {
      throw new AuthError(`${from} was rejected by ${endpoint}: ${err.message}`, {
        hint:
          tokenSource === "env"
            ? "check VALAR_TOKEN, or unset it to use the stored token"
            : goOrigin
              ? "fix the token in that file, or run `valar auth login` (a stored token comes first)"
              : "run `valar auth login` again",
      });
    }
    throw err;
  }
  const status: AuthStatus = {
    endpoint: client.url([]).href.replace(/\/+$/, ""),
    name: user.name,
    projects: user.projects,
    tokenSource,
    token: maskToken(settings.token.value),
  };
  if (opts.json) {
    ctx.io.printJson(status);
    return 0;
  }
  const rows: Array<[string, string]> = [
    ["Endpoint", `${status.endpoint} (${describeSource(settings.endpoint.source, "endpoint", undefined, settings.endpoint.origin)})`],
    ["User", status.name],
    ["Projects", status.projects.length ? status.projects.join(", ") : "(none)"],
    ["Token", `${status.token} (${tokenSource === "env" ? "from VALAR_TOKEN" : (goOrigin ?? "stored")})`],
  ];
  for (const [k, v] of rows) ctx.io.println(`${(k + ":").padEnd(10)} ${v}`);
  return 0;
}
