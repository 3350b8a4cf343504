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

/** Edit distance counting a swap of two neighbours as one edit (`buidls` is one from `builds`). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** The candidate nearest to `word`, when it is near enough to be a typo of it. */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate);
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  // Two edits for a long word, one for a short one: `cofig` is config, `lo` is nothing.
  return bestDistance <= (word.length > 4 ? 2 : 1) ? best : undefined;
}

/** The full command a user meant by an unknown top-level `word`, e.g. "builds logs". */
export function meantCommand(word: string, commands: readonly string[]): string | undefined {
  return WITHOUT_GROUP[word.toLowerCase()] ?? nearest(word, commands);
}
