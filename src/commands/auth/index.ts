import { Command } from "commander";
import type { Runtime } from "../../runtime.js";
import type { Ctx } from "../../context.js";
import { addJsonOption, withExamples } from "../shared/options.js";
import { notImplemented } from "../shared/not-implemented.js";

export function defineAuth(rt: Runtime): Command {
  const auth = new Command("auth").description("log in to Valar, log out, show who you are");

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

export async function runLogin(_ctx: Ctx, _args: string[], _opts: { endpoint?: string }): Promise<number> {
  return notImplemented("auth login");
}
export async function runLogout(_ctx: Ctx): Promise<number> {
  return notImplemented("auth logout");
}
export async function runStatus(_ctx: Ctx, _args: string[], _opts: { json?: boolean }): Promise<number> {
  return notImplemented("auth status");
}
