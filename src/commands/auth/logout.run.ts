import type { Ctx } from "../../app/context.js";
import { openSettingsStore } from "../../settings/settings-writer.js";

/** `valar auth logout`: forgets the stored token (the stored endpoint stays). */
export function run(ctx: Ctx): number {
  const store = openSettingsStore(ctx.env, (m) => ctx.io.warn(m));
  if (store.read().token) {
    store.update({ token: undefined, tokenEndpoint: undefined });
    ctx.io.success("logged out: the stored token is forgotten");
  } else {
    ctx.io.note("no token was stored");
  }
  if (ctx.env.VALAR_TOKEN?.trim()) ctx.io.warn("VALAR_TOKEN is still set in the environment and will be used");
  return 0;
}
