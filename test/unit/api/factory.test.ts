import { describe, expect, it } from "vitest";
import { createApiClient, proxyFromEnv, timeoutFromEnv } from "../../../src/api/factory.js";
import { DEFAULT_TIMEOUT_MS } from "../../../src/api/client.js";
import { UsageError } from "../../../src/errors.js";

describe("client settings from the environment", () => {
  it("VALAR_HTTP_TIMEOUT is seconds, fractions allowed; nonsense means the default", () => {
    expect(timeoutFromEnv({})).toBe(DEFAULT_TIMEOUT_MS);
    expect(timeoutFromEnv({ VALAR_HTTP_TIMEOUT: "2" })).toBe(2000);
    expect(timeoutFromEnv({ VALAR_HTTP_TIMEOUT: "0.25" })).toBe(250);
    expect(timeoutFromEnv({ VALAR_HTTP_TIMEOUT: "0" })).toBe(DEFAULT_TIMEOUT_MS);
    expect(timeoutFromEnv({ VALAR_HTTP_TIMEOUT: "soon" })).toBe(DEFAULT_TIMEOUT_MS);
  });

  it("proxies only when a proxy variable is set; lower case wins", () => {
    expect(proxyFromEnv({})).toBeUndefined();
    expect(proxyFromEnv({ NO_PROXY: "x" })).toBeUndefined();
    expect(proxyFromEnv({ HTTPS_PROXY: "http://p:1", https_proxy: "http://q:2", no_proxy: "localhost" })).toEqual({
      httpsProxy: "http://q:2",
      httpProxy: undefined,
      noProxy: "localhost",
    });
    expect(proxyFromEnv({ HTTP_PROXY: "http://p:1" })).toMatchObject({ httpProxy: "http://p:1", noProxy: "" });
  });

  it("builds a client with a descriptive User-Agent, refusing unsafe endpoints", () => {
    const c = createApiClient({ env: {}, version: "1.2.3" }, "https://api.valar.dev/v2", "t");
    expect(c.options.userAgent).toMatch(/^valar-cli\/1\.2\.3 node\/\d+/);
    expect(c.timeoutMs).toBe(DEFAULT_TIMEOUT_MS);
    expect(() => createApiClient({ env: {}, version: "1" }, "http://10.1.1.1/v2")).toThrowError(UsageError);
  });
});
