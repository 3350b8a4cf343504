import { nearestName } from "../../util/nearest.js";

/**
 * What a user most likely meant by a top-level word that is not a command: a command
 * typed without its group (`valar logs`, as in other CLIs), or a misspelt group.
 */

/** Commands people type without their group, with the group they live in. */
const WITHOUT_GROUP: Record<string, string> = {
  ls: "builds ls",
  list: "builds ls",
  submit: "builds submit",
  inspect: "builds inspect",
  logs: "builds logs",
  log: "builds logs",
  abort: "builds abort",
  watch: "builds watch",
  status: "builds status",
  login: "auth login",
  logout: "auth logout",
  whoami: "auth status",
  rollback: "deploys rollback",
};

/** The full command a user meant by an unknown top-level `word`, e.g. "builds logs". */
export function meantCommand(word: string, commands: readonly string[]): string | undefined {
  return WITHOUT_GROUP[word.toLowerCase()] ?? nearestName(word, commands);
}
