/**
 * The one way a URL is printed: in logs, `/health`, error messages, `--help` and the config log,
 * a URL keeps its scheme, host, path and harmless query, but its password and the values of
 * password-like query parameters (`?password=`, `?token=`, `?api_key=`, ...) become `***`.
 */

/**
 * Query parameters whose values are masked, compared lowercased with `-` and `_` removed:
 * libpq's `password`/`sslpassword`, OAuth's tokens, API keys, and the signatures the
 * OpenTelemetry semantic conventions name for `url.query`.
 */
const SECRET_PARAMS = new Set([
  "password",
  "passwd",
  "pwd",
  "pass",
  "secret",
  "clientsecret",
  "token",
  "accesstoken",
  "refreshtoken",
  "idtoken",
  "apikey",
  "key",
  "auth",
  "authorization",
  "sslpassword",
  "signature",
  "sig",
  "xgoogsignature",
  "xamzsignature",
  "xamzcredential",
  "xamzsecuritytoken",
  "awsaccesskeyid",
]);

/** Words that make any parameter containing them secret (`db_password`, `github_token`). */
const SECRET_WORDS = ["password", "passwd", "secret", "token", "apikey", "credential"];

/** Whether a query parameter's value is masked. */
export function isSecretParam(name: string): boolean {
  let key = name.toLowerCase().replace(/[-_]/g, "");
  try {
    key = decodeURIComponent(key);
  } catch {
    // A malformed escape: judge the name as written.
  }
  return SECRET_PARAMS.has(key) || SECRET_WORDS.some((word) => key.includes(word));
}

/** How `redactUrl` masks. */
export interface RedactOptions {
  /** What replaces a secret; `***` unless told (`REDACTED` for span attributes). */
  mask?: string;
  /** Mask the user name too, as the semantic conventions ask for `url.full`. */
  username?: boolean;
}

/**
 * `url` with its password and secret query values masked (`amqp://user:***@host`,
 * `postgres://host/db?password=***&sslmode=require`); everything else as written. Text that is
 * not a URL is still masked where it looks like userinfo or a query.
 */
export function redactUrl(url: string | URL, options: RedactOptions = {}): string {
  const text = typeof url === "string" ? url : url.href;
  const mask = options.mask ?? "***";
  const hash = text.indexOf("#");
  const beforeHash = hash === -1 ? text : text.slice(0, hash);
  const fragment = hash === -1 ? "" : text.slice(hash);
  const question = beforeHash.indexOf("?");
  const base = question === -1 ? beforeHash : beforeHash.slice(0, question);
  const query = question === -1 ? undefined : beforeHash.slice(question + 1);
  return redactUserinfo(base, mask, options.username === true) +
    (query === undefined ? "" : `?${redactQuery(query, mask)}`) + fragment;
}

function redactUserinfo(base: string, mask: string, username: boolean): string {
  const scheme = base.indexOf("://");
  if (scheme === -1) return base;
  const authorityStart = scheme + 3;
  const pathStart = base.indexOf("/", authorityStart);
  const authorityEnd = pathStart === -1 ? base.length : pathStart;
  // The last "@" of the authority, so an unencoded "@" in a password is masked with it.
  const at = base.lastIndexOf("@", authorityEnd - 1);
  if (at < authorityStart) return base;
  const userinfo = base.slice(authorityStart, at);
  const colon = userinfo.indexOf(":");
  const user = colon === -1 ? userinfo : userinfo.slice(0, colon);
  const shownUser = username && user !== "" ? mask : user;
  const shown = colon === -1 ? shownUser : `${shownUser}:${mask}`;
  return base.slice(0, authorityStart) + shown + base.slice(at);
}

function redactQuery(query: string, mask: string): string {
  return query.split("&").map((pair) => {
    const equals = pair.indexOf("=");
    if (equals === -1) return pair;
    return isSecretParam(pair.slice(0, equals)) ? `${pair.slice(0, equals)}=${mask}` : pair;
  }).join("&");
}

/**
 * A URL inside free text (error messages, log lines): a scheme, then no space, quote or bracket,
 * and not ending in the punctuation of the sentence around it.
 */
const URL_IN_TEXT = /\b[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^\s"'<>`()]*[^\s"'<>`().,:;]/g;

/** `text` with every URL in it passed through `redactUrl` (for messages from libraries). */
export function redactUrlsIn(text: string, options: RedactOptions = {}): string {
  if (!text.includes("://")) return text;
  return text.replace(URL_IN_TEXT, (url) => redactUrl(url, options));
}

/** Masks a secret variable's text: a URL keeps all but its secrets, anything else is `***`. */
export function maskSecret(text: string): string {
  return text.includes("://") ? redactUrl(text) : "***";
}
