import { setFlagsFromString } from "node:v8";
import type { Dispatcher } from "undici";
import Agent from "undici/lib/dispatcher/agent.js";
import Dispatcher_ from "undici/lib/dispatcher/dispatcher.js";
import apiRequest from "undici/lib/api/api-request.js";
import { ringReads } from "./read-ring.js";

/**
 * The parts of undici the client uses, taken from its modules directly. undici's index
 * loads everything it has (fetch, WebSocket, mocks, caches, cookies — the last wakes Node's
 * own bundled copy of undici through globalThis.Headers): about four times the code of the
 * request API and the agents alone. Measured whole-process on `builds ls` against a
 * loopback server (medians of 30 interleaved runs, a busy machine): through the index,
 * 0.153 s CPU and 59.2 MiB peak, 2.56× `node -e 0`; through the modules, 0.116 s and
 * 53.2 MiB, 1.94× — the index alone would break the ≤ 2.0× target. So this trick stays;
 * test/e2e/hardening/undici-modules.test.ts fails if requests stop working this way or the
 * index loads. On an undici upgrade, check that these module paths and the methods the
 * index assigns to Dispatcher.prototype (lib/api/index.js) are still what they were.
 */

export type { Dispatcher };
export type ResponseData = Dispatcher.ResponseData;
export type RequestOptions = Omit<Dispatcher.RequestOptions, "origin" | "path" | "method"> & {
  method: Dispatcher.HttpMethod;
  dispatcher?: Dispatcher;
};

// undici parses HTTP with WebAssembly. V8 compiles it at once with its baseline compiler,
// then recompiles it with its optimising tier in the background, and a short command
// waits for that at exit: tens of milliseconds and ~35 MiB for nothing; the baseline code
// is as fast for what a CLI reads (measured on a 138 MB log). undici compiles its parser
// on the first request, so this runs first. (Here, not at start-up: node:v8 itself costs
// a command that sends no request a few modules.)
setFlagsFromString("--liftoff-only");

// What undici's index does for every dispatcher, for the method valar uses (its others,
// stream, pipeline, upgrade and connect, are code every request would compile; connect,
// for the proxy agent's tunnel, comes with the proxy agent: ./proxy-agent.ts).
Object.assign(Dispatcher_.prototype, { request: apiRequest });

let defaultAgent: Dispatcher | undefined;

/**
 * undici's `request(url, options)`, on its own agent instead of a process-wide global one.
 * Its sockets read into reused memory (read-ring.ts): a log's body costs no allocation per
 * read, and one connection serves a command's requests, its log among them.
 */
export function request(url: URL, options: RequestOptions): Promise<ResponseData> {
  const { dispatcher = (defaultAgent ??= new Agent({ connect: { onread: ringReads() } })), ...rest } = options;
  return dispatcher.request({ ...rest, origin: url.origin, path: `${url.pathname}${url.search}` });
}
