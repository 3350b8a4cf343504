/** Enough of a token to tell two apart, never enough to use one: `abcd…wxyz`, or `****` when short. */
export function maskToken(token: string): string {
  if (token.length < 12) return "****";
  return `${token.slice(0, 4)}…${token.slice(-4)}`;
}
