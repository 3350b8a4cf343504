import { createServer } from "node:http";
import { connect, type AddressInfo } from "node:net";
import type { Duplex } from "node:stream";

/**
 * How the proxy answers a CONNECT to loopback: "tunnel" (a working proxy), "close" (200,
 * then the tunnel is closed at once), "hangup" (the connection is closed, no answer) or
 * "silent" (never answers).
 */
export type ConnectBehaviour = "tunnel" | "close" | "hangup" | "silent";

/**
 * A minimal CONNECT proxy on loopback (undici tunnels through proxies), recording what it
 * was asked. It only tunnels to loopback targets: anything else is recorded and refused,
 * so a test of a refusal can never send traffic off this machine.
 */
export async function startConnectProxy(behaviour: ConnectBehaviour = "tunnel") {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    res.writeHead(502).end();
  });
  const tunnels = new Set<Duplex>();
  server.on("connect", (req, client, head) => {
    seen.push(`CONNECT ${req.url}`);
    tunnels.add(client);
    const [host, port] = (req.url ?? "").split(":");
    if (!host?.startsWith("127.") && host !== "localhost") {
      client.end("HTTP/1.1 502 Bad Gateway\r\n\r\n");
      return;
    }
    client.on("error", () => undefined);
    if (behaviour === "silent") return;
    if (behaviour === "hangup") {
      client.destroy();
      return;
    }
    if (behaviour === "close") {
      client.end("HTTP/1.1 200 Connection Established\r\n\r\n");
      return;
    }
    const upstream = connect(Number(port), host, () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on("error", () => client.destroy());
    client.on("error", () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = () =>
    new Promise<void>((r) => {
      for (const t of tunnels) t.destroy();
      server.closeAllConnections();
      server.close(() => r());
    });
  return { url, seen, close };
}
