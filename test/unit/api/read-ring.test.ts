import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { request } from "../../../src/api/undici.js";
import { forEachChunk } from "../../../src/logs/chunks.js";

// 12 MiB of numbered lines: three times round the ring, every byte's place checkable.
const BODY = Buffer.from(Array.from({ length: 700_000 }, (_, i) => `line ${String(i).padStart(8, "0")}\n`).join(""));
const digest = (b: Buffer) => createHash("sha256").update(b).digest("hex");

let server: Server;
let url: URL;

beforeAll(async () => {
  server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/plain" });
    // Odd-sized writes, so reads end anywhere.
    let at = 0;
    const more = () => {
      while (at < BODY.length) {
        const piece = BODY.subarray(at, at + 77_777);
        at += piece.length;
        if (!res.write(piece)) return void res.once("drain", more);
      }
      res.end();
    };
    more();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/log`);
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("socket reads into a ring (long response bodies)", () => {
  it("hands on every byte in order, reading into the same memory over and over", async () => {
    const res = await request(url, { method: "GET" });
    const hash = createHash("sha256");
    const memory = new Set<ArrayBufferLike>();
    await forEachChunk(res.body, (chunk) => {
      memory.add(chunk.buffer);
      hash.update(chunk);
    });
    expect(hash.digest("hex")).toBe(digest(BODY));
    // The first read's buffer and one ring: not one buffer per read (~50 to ~190 of them).
    expect(memory.size).toBeLessThanOrEqual(2);
  });

  it("keeps the bytes intact for a consumer that makes the stream wait", async () => {
    const res = await request(url, { method: "GET" });
    const copies: Buffer[] = [];
    let n = 0;
    await forEachChunk(res.body, async (chunk) => {
      copies.push(Buffer.from(chunk));
      // Every few chunks, stdout is full: the reader pauses and the socket buffers fill.
      if (++n % 5 === 0) await new Promise((resolve) => setTimeout(resolve, 2));
    });
    expect(digest(Buffer.concat(copies))).toBe(digest(BODY));
  });
});
