import { describe, expect, it } from "vitest";
import { isLoopbackHost, normalizeEndpoint, parseEndpoint } from "../../../src/api/endpoint.js";
import { UsageError } from "../../../src/errors.js";

describe("isLoopbackHost", () => {
  it.each(["127.0.0.1", "127.1.2.3", "localhost", "LOCALHOST", "[::1]", "::1", "app.localhost"])("%s is loopback", (h) => {
    expect(isLoopbackHost(h)).toBe(true);
  });
  it.each(["128.0.0.1", "10.0.0.1", "example.com", "localhost.example.com", "[::2]", "127.example.com", "0.0.0.0"])("%s is not", (h) =>
    expect(isLoopbackHost(h)).toBe(false),
  );
});

describe("parseEndpoint", () => {
  it("accepts https anywhere and http on loopback", () => {
    expect(parseEndpoint("https://api.valar.dev/v2").host).toBe("api.valar.dev");
    expect(parseEndpoint("http://127.0.0.1:8080/v2").port).toBe("8080");
    expect(parseEndpoint("http://[::1]:8080/v2").hostname).toBe("[::1]");
  });

  it("refuses plain http to other hosts, naming where the value came from", () => {
    expect(() => parseEndpoint("http://api.valar.dev/v2", "VALAR_ENDPOINT")).toThrowError(/refusing plain http:\/\/.*VALAR_ENDPOINT/);
    try {
      parseEndpoint("http://10.0.0.1/v2");
    } catch (err) {
      expect(err).toBeInstanceOf(UsageError);
      expect((err as UsageError).exitCode).toBe(2);
      expect((err as UsageError).hint).toMatch(/loopback|127\.0\.0\.1/);
    }
  });

  it.each([
    ["not a url", /not a URL/],
    ["ftp://example.com", /only http and https/],
    ["https://user:pw@example.com/v2", /credentials/],
    ["https://example.com/v2?x=1", /query or fragment/],
  ])("refuses %s", (raw, message) => {
    expect(() => parseEndpoint(raw)).toThrowError(message);
  });

  it("normalizes away trailing slashes and whitespace", () => {
    expect(normalizeEndpoint(" https://api.valar.dev/v2/ ")).toBe("https://api.valar.dev/v2");
    expect(normalizeEndpoint("http://localhost:3000")).toBe("http://localhost:3000");
  });
});
