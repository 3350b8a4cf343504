// undici's own modules, imported directly by src/api/undici.ts (undici declares types only
// for its index); these are the shapes of its public API, which the modules implement.
declare module "undici/lib/dispatcher/agent.js" {
  import { Agent } from "undici";
  export default Agent;
}
declare module "undici/lib/dispatcher/env-http-proxy-agent.js" {
  import { EnvHttpProxyAgent } from "undici";
  export default EnvHttpProxyAgent;
}
declare module "undici/lib/dispatcher/dispatcher.js" {
  import { Dispatcher } from "undici";
  export default Dispatcher;
}
declare module "undici/lib/api/api-request.js" {
  // Dispatcher's request method, mixed into its prototype.
  const request: (...args: never[]) => unknown;
  export default request;
}
declare module "undici/lib/api/api-connect.js" {
  // Dispatcher's connect method, mixed into its prototype.
  const connect: (...args: never[]) => unknown;
  export default connect;
}
