import { subscribe, unsubscribe } from "node:diagnostics_channel";
import type { Dispatcher } from "undici";
import EnvHttpProxyAgent from "undici/lib/dispatcher/env-http-proxy-agent.js";
import Dispatcher_ from "undici/lib/dispatcher/dispatcher.js";
import apiConnect from "undici/lib/api/api-connect.js";

/**
 * The proxy agent, in a chunk of its own: with its SOCKS5 client it is a sixth of the HTTP
 * code, which every command would otherwise compile for a proxy most never have. Taken
 * from undici's modules like undici.ts's agent (the reasons and figures are there):
 * undici's index here would bring its fetch body encoder and HTTP/2 client into the bundle,
 * which scripts/build.js replaces with stand-ins. test/e2e/hardening/undici-modules.test.ts
 * fails if the tunnel stops working this way.
 */

// undici's index gives every dispatcher connect(): the proxy agent's tunnel uses it.
Object.assign(Dispatcher_.prototype, { connect: apiConnect });

export function proxyAgent(options: ConstructorParameters<typeof EnvHttpProxyAgent>[0]): Dispatcher {
  return new EnvHttpProxyAgent(options);
}

/**
 * Calls `onConnect` as undici starts to open each connection (its public diagnostics
 * channel: through a proxy, one to the proxy and one through its tunnel), until the
 * returned function is called. A proxy that hangs up on each CONNECT, or closes each
 * tunnel before the request is written, makes undici connect again at once for the request
 * still waiting — a thousand CONNECTs a second — so the client counts them per attempt
 * (client.ts).
 */
export function watchConnects(onConnect: () => void): () => void {
  const listener = () => onConnect();
  subscribe("undici:client:beforeConnect", listener);
  return () => unsubscribe("undici:client:beforeConnect", listener);
}
