import { describe, expect, it } from "vitest";
import { whereToGetToken } from "../../../../src/commands/auth/where-token.js";

describe("where the login prompt says to get a token", () => {
  it("Valar's own API: its dashboard", () => {
    expect(whereToGetToken("https://api.valar.dev/v2")).toBe("create a token in the Valar dashboard at https://valar.dev");
  });

  it.each(["http://127.0.0.1:8080/v2", "http://localhost:9000/v2", "http://[::1]:8080/v2"])("a loopback endpoint (%s): the sandbox", (endpoint) => {
    expect(whereToGetToken(endpoint)).toMatch(/`valar sandbox` prints its token when it starts, and writes it to DATA_DIR\/token/);
  });

  it("another server: its own dashboard, named", () => {
    expect(whereToGetToken("https://valar.example.com/v2")).toBe("create a token in the dashboard of the Valar at valar.example.com");
  });
});
