// @ts-check
// The console's only way to the service: a client typed by openapi.d.ts (generated from /q/openapi by
// src/main/console/regenerate.sh), openapi-fetch (vendored, unchanged) underneath. The token lives in this tab's
// sessionStorage and leaves it only in the Authorization header of API calls: never in a URL, never in a log.
import createClient from "../vendor/openapi-fetch-0.17.0/index.mjs";

/** @typedef {import("./openapi").paths} paths */
/** @typedef {import("./openapi").components["schemas"]} schemas */

const TOKEN_KEY = "reelvault.token";

/** @returns {string | null} */
export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

/** @param {string | null} value */
export function setToken(value) {
  if (value) {
    sessionStorage.setItem(TOKEN_KEY, value);
  } else {
    sessionStorage.removeItem(TOKEN_KEY);
  }
}

/**
 * What the token says about its bearer (read, not verified: the service verifies it on every call).
 * @param {string} jwt
 * @returns {{ sub: string, groups: string[], exp: number | null } | null}
 */
export function claims(jwt) {
  const parts = jwt.split(".");
  if (parts.length !== 3) {
    return null;
  }
  try {
    const base64 = parts[1].replace(/-/g, "+").replace(/_/g, "/");
    const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
    const json = JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(padded), (c) => c.charCodeAt(0))));
    return {
      sub: typeof json.sub === "string" ? json.sub : "",
      groups: Array.isArray(json.groups) ? json.groups.filter((/** @type {unknown} */ g) => typeof g === "string") : [],
      exp: typeof json.exp === "number" ? json.exp : null,
    };
  } catch {
    return null;
  }
}

/** The typed client of this origin's API; every call carries the current token. */
/** @type {import("../vendor/openapi-fetch-0.17.0/index.mjs").Client<paths>} */
export const api = createClient({ baseUrl: location.origin });
api.use({
  onRequest({ request }) {
    const current = token();
    if (current) {
      request.headers.set("Authorization", `Bearer ${current}`);
    }
    return request;
  },
});

/**
 * The text to show for a failed call: a problem document's detail (and code), or the status.
 * @param {unknown} error the parsed error body, if any
 * @param {Response} response
 * @returns {string}
 */
export function problemText(error, response) {
  if (error && typeof error === "object" && "detail" in error) {
    const problem = /** @type {schemas["Problem"]} */ (error);
    return `${problem.detail} (${problem.code}, ${response.status})`;
  }
  return `the service answered ${response.status}`;
}

/** Thrown for an API answer that is not a success, with the text to show. */
export class ApiError extends Error {
  /**
   * @param {string} message
   * @param {number} status
   */
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

/**
 * The data of a call's answer, or an ApiError with the problem's detail.
 * @template T
 * @param {Promise<{ data?: T, error?: unknown, response: Response }>} call
 * @returns {Promise<T>}
 */
export async function ok(call) {
  const { data, error, response } = await call;
  if (!response.ok || data === undefined) {
    throw new ApiError(problemText(error, response), response.status);
  }
  return data;
}
