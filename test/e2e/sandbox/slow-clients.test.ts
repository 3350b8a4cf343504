import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { connect, type Socket } from "node:net";
import { sandboxRequest, startSandbox, submitFiles, waitForBuild, type TestSandbox } from "../../helpers/sandbox.js";

interface RawClient {
  socket: Socket;
  /** Everything the server sent so far. */
  received(): string;
  /** Resolves when the server closed the connection (with what it had sent). */
  closed: Promise<string>;
}

/** A raw connection to the sandbox that sends `head` now and then one byte per `everyMs`, forever. */
function trickle(sb: TestSandbox, head: string, everyMs = 1000): Promise<RawClient> {
  const url = new URL(sb.endpoint);
  return new Promise((resolve, reject) => {
    let text = "";
    const socket = connect({ host: url.hostname, port: Number(url.port) }, () => {
      socket.write(head);
      const timer = setInterval(() => socket.writable && socket.write("x"), everyMs);
      const closed = new Promise<string>((done) => socket.once("close", () => (clearInterval(timer), done(text))));
      resolve({ socket, received: () => text, closed });
    });
    socket.setEncoding("utf8");
    socket.on("data", (s: string) => (text += s));
    socket.on("error", () => {}); // a reset from the server is an answer too
    socket.once("error", reject);
  });
}

/** Resolves with what happened first: the promise, or "timeout" after ms. */
function within<T>(p: Promise<T>, ms: number): Promise<T | "timeout"> {
  return Promise.race([p, new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), ms))]);
}

describe("sandbox: slow clients cannot starve it", () => {
  let sb: TestSandbox;
  const open: RawClient[] = [];
  beforeAll(async () => {
    sb = await startSandbox();
  });
  afterEach(() => {
    for (const c of open.splice(0)) c.socket.destroy();
  });
  afterAll(async () => {
    await sb?.stop();
  });

  it("stays responsive with 200 sockets trickling their headers, and cuts them off after the headers timeout", async () => {
    for (let i = 0; i < 200; i++) open.push(await trickle(sb, `GET /v2/users/info HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: `));
    const started = Date.now();
    const answer = await sandboxRequest(sb, "GET", "/projects/demo/services/web/builds");
    expect(answer.status).toBe(200);
    // Generous on a loaded machine; a starved server does not answer at all.
    expect(Date.now() - started).toBeLessThan(5000);
    const ends = await within(Promise.all(open.map((c) => c.closed)), 25_000);
    expect(ends).not.toBe("timeout");
    for (const text of ends as string[]) expect(text).toMatch(/^HTTP\/1\.1 408 [\s\S]*"request headers took too long"/);
  }, 40_000);

  it("answers a body that trickles in below the minimum rate 408 and closes the connection", async () => {
    const head = `POST /v2/projects/demo/services/web/builds HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${sb.token}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{`;
    const client = await trickle(sb, head);
    open.push(client);
    const text = await within(client.closed, 15_000);
    expect(text).not.toBe("timeout");
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
    expect(text).toMatch(/"error":"request body too slow: /);
  }, 20_000);

  it("after a failed login answers 401 at once and closes, without reading the slow body", async () => {
    const head = `POST /v2/projects/demo/services/web/artifacts HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer wrong\r\nContent-Length: 1000000\r\n\r\nabc`;
    const client = await trickle(sb, head);
    open.push(client);
    const text = await within(client.closed, 3000);
    expect(text).not.toBe("timeout");
    expect(text).toMatch(/^HTTP\/1\.1 401 /);
    expect(text).toMatch(/connection: close/i);
    expect(text).toContain('{"error":"invalid token"}');
  });
});

describe("sandbox: slow clients with few file descriptors", () => {
  let sb: TestSandbox;
  beforeAll(async () => {
    sb = await startSandbox({ openFiles: 64 });
  });
  afterAll(async () => {
    await sb?.stop();
  });

  it("45 sockets sending a byte every 5 s do not lock everyone out: they are capped and cut, builds still run", async () => {
    const slow: RawClient[] = [];
    for (let i = 0; i < 45; i++) slow.push(await trickle(sb, `GET /v2/users/info HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: `, 5000));
    expect(await within(Promise.all(slow.map((c) => c.closed)), 25_000)).not.toBe("timeout");
    const sub = await submitFiles(sb, { "build.sh": "echo still building\n" });
    expect((await waitForBuild(sb, sub.id)).status).toBe("done");
    const logs = await sandboxRequest(sb, "GET", `/projects/demo/services/web/builds/${sub.id}/logs`);
    expect(logs.text).toContain("still building");
  }, 60_000);
});
