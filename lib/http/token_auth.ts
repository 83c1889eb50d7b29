/**
 * Access by shared token: one token for requests that change state, an optional one for reads.
 * `authorization: Bearer <token>` with the scheme in any case (RFC 9110 §11.1); `Basic` with the
 * token as password is accepted too, so a browser can open pages behind a read token.
 */
import type { MiddlewareHandler } from "hono";
import { HttpError } from "./errors.ts";

/** Who may do what; an unset token leaves that kind of request open. */
export interface TokenAuthOptions {
  /** Needed by every request that is not a read; it also grants reads. */
  writeToken?: string | undefined;
  /** Needed by reads (GET, HEAD and `readPosts`) when set. */
  readToken?: string | undefined;
  /** Paths open to everyone whatever the tokens (health probes). */
  openPaths?: readonly string[];
  /** POST paths that only compute an answer and store nothing, so they count as reads. */
  readPosts?: readonly string[];
  /** Named in the `www-authenticate` challenge. */
  realm: string;
}

/** Middleware answering 401 (JSON error with `www-authenticate`) without the needed token. */
export function tokenAuth(options: TokenAuthOptions): MiddlewareHandler {
  const open = new Set(options.openPaths ?? []);
  const readPosts = new Set(options.readPosts ?? []);
  return async (c, next) => {
    const method = c.req.method;
    if (method === "OPTIONS" || open.has(c.req.path)) return await next();
    const read = method === "GET" || method === "HEAD" ||
      (method === "POST" && readPosts.has(c.req.path));
    const needed = read ? options.readToken : options.writeToken;
    if (needed === undefined) return await next();
    const tokens = read ? [needed, options.writeToken] : [needed];
    const header = c.req.header("authorization");
    const sent = presentedToken(header);
    if (sent !== undefined && tokens.some((token) => token !== undefined && same(sent, token))) {
      return await next();
    }
    const challenge = [
      `Bearer realm="${options.realm}"${header === undefined ? "" : ', error="invalid_token"'}`,
      ...(read ? [`Basic realm="${options.realm}"`] : []),
    ].join(", ");
    throw new HttpError(
      401,
      "unauthorized",
      header === undefined
        ? `Missing ${read ? "read" : "write"} token: send authorization: Bearer <token>`
        : `Wrong ${read ? "read" : "write"} token`,
      { headers: { "www-authenticate": challenge } },
    );
  };
}

/** The token of a `Bearer` or `Basic` authorization header, the scheme in any case. */
export function presentedToken(header: string | undefined): string | undefined {
  const match = /^\s*([A-Za-z]+) +(\S+)\s*$/.exec(header ?? "");
  if (match === null) return undefined;
  const scheme = match[1]!.toLowerCase();
  if (scheme === "bearer") return match[2];
  if (scheme !== "basic") return undefined;
  try {
    const decoded = new TextDecoder().decode(
      Uint8Array.from(atob(match[2]!), (ch) => ch.charCodeAt(0)),
    );
    const colon = decoded.indexOf(":");
    return colon < 0 ? undefined : decoded.slice(colon + 1);
  } catch {
    return undefined;
  }
}

/** Compares in time that depends on the length only, not on where the strings differ. */
function same(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}
