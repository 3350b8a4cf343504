import { Command } from "commander";
import type { Runtime } from "../../runtime.js";
import type { Ctx } from "../../context.js";
import { addJsonOption, withExamples } from "../shared/options.js";

export function defineAuth(rt: Runtime): Command {
  const auth = new Command("auth").description("log in to Valar, log out, show who you are");
  withExamples(auth, ["valar auth login", "valar auth status"]);

  const login = new Command("login")
    .description("store a token after checking it (read from stdin when piped, else prompted)")
    .option("--endpoint <url>", "API endpoint to log in to (stored with the token)");
  withExamples(login, ["valar auth login", 'printf %s "$VALAR_TOKEN" | valar auth login --endpoint https://api.valar.dev/v2']);
  login.action(rt.action(runLogin));

  const logout = new Command("logout").description("forget the stored token");
  withExamples(logout, ["valar auth logout"]);
  logout.action(rt.action(runLogout));

  const status = new Command("status").description("show endpoint, user, projects and where the token comes from");
  addJsonOption(status);
  withExamples(status, ["valar auth status"]);
  status.action(rt.action(runStatus));

  return auth.addCommand(login).addCommand(logout).addCommand(status);
}

export async function runLogin(ctx: Ctx, args: string[], opts: { endpoint?: string }): Promise<number> {
  return (await import("./login.js")).runLogin(ctx, args, opts);
}
export async function runLogout(ctx: Ctx): Promise<number> {
  return (await import("./logout.js")).runLogout(ctx);
}
export async function runStatus(ctx: Ctx, args: string[], opts: { json?: boolean }): Promise<number> {
  return (await import("./status.js")).runStatus(ctx, args, opts);
}
