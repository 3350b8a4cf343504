import { Command } from "commander";
import { CommandGroup } from "../shared/help-layout.js";
import type { Runtime } from "../../app/runtime.js";
import { addJsonOption, withExamples } from "../shared/options.js";

export function defineAuth(rt: Runtime): Command {
  const auth = new CommandGroup("auth").description("log in to Valar, log out, show who you are");
  withExamples(auth, ["valar auth login", "valar auth status"]);

  const login = new Command("login")
    .description("store a token after checking it (read from stdin when piped, else prompted)")
    .option("--endpoint <url>", "API endpoint to log in to (stored with the token)");
  withExamples(login, ["valar auth login", 'printf %s "$VALAR_TOKEN" | valar auth login --endpoint https://api.valar.dev/v2']);
  login.action(rt.action(() => import("./login.run.js")));

  const logout = new Command("logout").description("forget the stored token");
  withExamples(logout, ["valar auth logout"]);
  logout.action(rt.action(() => import("./logout.run.js"), { offline: true }));

  const status = new Command("status").description("show endpoint, user, projects and where the token comes from");
  addJsonOption(status);
  withExamples(status, ["valar auth status"]);
  status.action(rt.action(() => import("./status.run.js")));

  return auth.addCommand(login).addCommand(logout).addCommand(status);
}
