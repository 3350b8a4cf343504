import type { Dispatcher } from "undici";
import Agent from "undici/lib/dispatcher/agent.js";
import EnvHttpProxyAgent from "undici/lib/dispatcher/env-http-proxy-agent.js";
import Dispatcher_ from "undici/lib/dispatcher/dispatcher.js";
import api from "undici/lib/api/index.js";

/**
 * The parts of undici the client uses, taken from its modules directly. undici's index
 * loads everything it has (fetch, WebSocket, mocks, caches, cookies — the last wakes Node's
 * own bundled copy of undici through globalThis.Headers): about twice the code, and twice
 * the start-up time, of the request API and the agents alone.
 */

export type { Dispatcher };
export type ResponseData = Dispatcher.ResponseData;
export type RequestOptions = Omit<Dispatcher.RequestOptions, "origin" | "path" | "method"> & {
  method: Dispatcher.HttpMethod;
  dispatcher?: Dispatcher;
};

// What undici's index does for every dispatcher: the proxy agent's tunnel uses connect().
Object.assign(Dispatcher_.prototype, api);

let defaultAgent: Dispatcher | undefined;

/** undici's `request(url, options)`, on its own agent instead of a process-wide global one. */
export function request(url: URL, options: RequestOptions): Promise<ResponseData> {
  const { dispatcher = (defaultAgent ??= new Agent()), ...rest } = options;
  return dispatcher.request({ ...rest, origin: url.origin, path: `${url.pathname}${url.search}` });
}

export function proxyAgent(options: ConstructorParameters<typeof EnvHttpProxyAgent>[0]): Dispatcher {
  return new EnvHttpProxyAgent(options);
}
