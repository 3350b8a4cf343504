import type { Ctx } from "../../app/context.js";
import { ApiUnreachableError, AuthError, NotFoundError } from "../../errors.js";
import type { ApiClient } from "../../api/client.js";
import type { UserInfo } from "../../api/types.js";
import { normalizeEndpoint } from "../../api/endpoint.js";
import { getApiVersion, getUserInfo } from "../../api/users.js";
import { isTransportError } from "../../api/http-errors.js";
import { describeSource } from "../../settings/resolve-settings.js";
import { openSettingsStore } from "../../settings/settings-writer.js";
import { promptSecret, readPipedToken } from "./read-token.js";
import { whereToGetToken } from "./where-token.js";

export interface LoginOptions {
  endpoint?: string;
}

/**
 * `valar auth login`: reads a token, checks it with GET /users/info and stores it only
 * when the API accepts it, bound to the endpoint it was checked against (it is never sent
 * elsewhere). That endpoint also becomes the stored default when it was chosen explicitly
 * (--endpoint or VALAR_ENDPOINT).
 */
export async function run(ctx: Ctx, _args: string[], opts: LoginOptions): Promise<number> {
  const settings = await ctx.settings();
  const fromFlag = opts.endpoint ?? ctx.globals.endpoint;
  const source = fromFlag !== undefined ? "flag" : settings.endpoint.source;
  const endpoint = normalizeEndpoint(fromFlag ?? settings.endpoint.value, describeSource(source, "endpoint"));

  const where = whereToGetToken(endpoint);
  if (ctx.io.stdinIsTTY) ctx.io.note(ctx.io.err.dim(`Token: ${where}.`));
  const token = ctx.io.stdinIsTTY ? await promptSecret(ctx.io, `Paste your Valar token for ${endpoint}: `, ctx.signal) : await readPipedToken(ctx.io);
  if (!token) throw new AuthError("no token entered", { hint: `${where}; then run \`valar auth login\` again` });

  const client = await ctx.client({ endpoint, token });
  const user = await checkToken(client, endpoint);

  // One write: the token never lands in the file without the endpoint it belongs to.
  const explicit = source === "flag" || source === "env";
  openSettingsStore(ctx.env, (m) => ctx.io.warn(m)).update({ ...(explicit ? { endpoint } : {}), token, tokenEndpoint: endpoint });

  ctx.io.success(`logged in to ${endpoint} as ${user.name}`);
  if (settings.token?.source === "env") {
    ctx.io.warn("VALAR_TOKEN is set in the environment and takes precedence over the stored token");
  }
  return 0;
}

async function checkToken(client: ApiClient, endpoint: string): Promise<UserInfo> {
  try {
    return await getUserInfo(client);
  } catch (err) {
    if (err instanceof AuthError) {
      throw new AuthError(`the token was rejected by ${endpoint}: ${err.message}`, {
        hint: "check that you copied the whole token and that it belongs to this endpoint; nothing was stored",
      });
    }
    // A 404 or a strange answer to /users/info: say so plainly if the endpoint is no v2 API.
    if (err instanceof NotFoundError || (err instanceof ApiUnreachableError && !isTransportError(err))) {
      if (!(await speaksV2(client))) {
        throw new ApiUnreachableError(`${endpoint} does not look like a Valar v2 API`, {
          hint: "check the endpoint: it ends in /v2, e.g. https://api.valar.dev/v2",
        });
      }
    }
    throw err;
  }
}

async function speaksV2(client: ApiClient): Promise<boolean> {
  try {
    return (await getApiVersion(client)).version === "v2";
  } catch {
    return false;
  }
}
