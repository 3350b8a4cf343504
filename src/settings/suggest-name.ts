import { PROJECT_NAME, SERVICE_NAME } from "../api/types.js";

/**
 * The valid name nearest to one refused: a newcomer names a service after its folder
 * (`node-app`), and the error should say what would do (`nodeapp`). Undefined when nothing
 * valid is left (no letter at all).
 */
export function nearestValidName(kind: "project" | "service", name: string): string | undefined {
  // A name must start with a letter: whatever comes before the first one goes.
  const from = name.search(/[A-Za-z]/);
  if (from < 0) return undefined;
  const rest = name.slice(from);
  const candidate = kind === "service" ? rest.replace(/[^A-Za-z0-9]/g, "") : rest.replace(/[^A-Za-z0-9]+/g, "-").replace(/-+$/, "");
  return (kind === "service" ? SERVICE_NAME : PROJECT_NAME).test(candidate) ? candidate : undefined;
}
