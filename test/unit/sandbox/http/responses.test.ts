import { describe, expect, it } from "vitest";
import type { ServerResponse } from "node:http";
import { sendError } from "../../../../src/sandbox/http/responses.js";

function fakeResponse() {
  const sent: { status?: number; headers?: Record<string, unknown>; body?: string } = {};
  const res = {
    writeHead(status: number, headers: Record<string, unknown>) {
      sent.status = status;
      sent.headers = headers;
    },
    end(body: string) {
      sent.body = body;
    },
  } as unknown as ServerResponse;
  return { res, sent };
}

describe("sendError", () => {
  it("sends 4xx messages as they are, as a JSON error body", () => {
    const { res, sent } = fakeResponse();
    sendError(res, 404, "build not found");
    expect(sent.status).toBe(404);
    expect(sent.headers!["Content-Type"]).toMatch(/^application\/json/);
    expect(JSON.parse(sent.body!)).toEqual({ error: "build not found" });
  });

  it("never tells what went wrong inside in a 5xx", () => {
    const { res, sent } = fakeResponse();
    sendError(res, 500, "ENOSPC: no space left on device, write '/secret/path'");
    expect(JSON.parse(sent.body!)).toEqual({ error: "internal error" });
  });

  it("keeps a 501's message: it names a missing feature, not a failure inside", () => {
    const { res, sent } = fakeResponse();
    sendError(res, 501, "domain management is not implemented by the sandbox");
    expect(sent.status).toBe(501);
    expect(JSON.parse(sent.body!)).toEqual({ error: "domain management is not implemented by the sandbox" });
  });
});
