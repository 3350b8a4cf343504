import { isLoopbackHost } from "../../api/endpoint.js";

/** Where a newcomer gets a token for `endpoint`, in the words the login prompt uses. */
export function whereToGetToken(endpoint: string): string {
  let host = "";
  try {
    host = new URL(endpoint).hostname;
  } catch {
    // An endpoint that is not a URL was refused before the prompt; say the general thing.
  }
  if (isLoopbackHost(host)) {
    return "a local endpoint: `valar sandbox` prints its token when it starts, and writes it to DATA_DIR/token (its --data-dir)";
  }
  if (host === "api.valar.dev") return "create a token in the Valar dashboard at https://valar.dev";
  return `create a token in the dashboard of the Valar at ${host}`;
}
