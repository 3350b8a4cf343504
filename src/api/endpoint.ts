import { isIP } from "node:net";
import { UsageError } from "../errors.js";

/** 127.0.0.0/8, ::1 and localhost: the only hosts a plain http:// endpoint may name. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  if (isIP(host) === 4) return host.startsWith("127.");
  if (isIP(host) === 6) return host === "::1" || host === "0:0:0:0:0:0:0:1" || /^::ffff:127\./.test(host);
  return false;
}

/**
 * Checks an endpoint before anything is sent to it: an http(s) URL without credentials,
 * and plain http only on loopback, because the token travels in every request.
 * `from` names where the value came from, for the error message.
 */
export function parseEndpoint(raw: string, from?: string): URL {
  const where = from ? ` (from ${from})` : "";
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`invalid endpoint "${raw}"${where}: not a URL`, {
      hint: "use a full URL such as https://api.valar.dev/v2",
    });
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new UsageError(`invalid endpoint "${raw}"${where}: only http and https are supported`, {
      hint: "use a full URL such as https://api.valar.dev/v2",
    });
  }
  if (url.username || url.password) {
    throw new UsageError(`invalid endpoint${where}: credentials in the URL are not supported`, {
      hint: "log in with `valar auth login` instead",
    });
  }
  if (url.search || url.hash) {
    throw new UsageError(`invalid endpoint "${raw}"${where}: it must not have a query or fragment`);
  }
  if (url.protocol === "http:" && !isLoopbackHost(url.hostname)) {
    throw new UsageError(`refusing plain http:// endpoint ${url.origin}${where}: the token would travel unencrypted`, {
      hint: "use https://, or http:// only for 127.0.0.1, ::1 or localhost",
    });
  }
  return url;
}

/** The endpoint as stored and used: checked, without trailing slashes. */
export function normalizeEndpoint(raw: string, from?: string): string {
  const url = parseEndpoint(raw.trim(), from);
  return url.href.replace(/\/+$/, "");
}

/** Whether two endpoint strings name the same API (case of the host and trailing slashes aside). */
export function sameEndpoint(a: string, b: string): boolean {
  const canonical = (raw: string) => {
    try {
      return new URL(raw.trim()).href.replace(/\/+$/, "");
    } catch {
      return raw.trim().replace(/\/+$/, "");
    }
  };
  return canonical(a) === canonical(b);
}
