// The parts of an HTTP request that routing reads, parsed once per request, and the path and
// host comparisons Ingress and Gateway API share.
import type { HttpRequest } from "../../scenario/target.js";
import type { HttpBackendRequest } from "./result.js";

export interface ParsedRequest {
  readonly request: HttpRequest;
  /** The Host header without its port, lower case (DNS names compare case-insensitively). */
  readonly host: string;
  /** The path without query or fragment ("/" when empty). */
  readonly path: string;
  /** The query with its `?`, or "" (kept as sent when a rewrite replaces the path). */
  readonly query: string;
  /** Query parameters by exact name (names are case-sensitive), every value in order. */
  readonly queryParams: ReadonlyMap<string, readonly string[]>;
  /** Headers by lower-case name (names are case-insensitive, RFC 7230 §3.2). */
  readonly headers: ReadonlyMap<string, string>;
}

export function parseRequest(request: HttpRequest): ParsedRequest {
  const fragmentless = request.path.split("#", 1)[0]!;
  const q = fragmentless.indexOf("?");
  const path = (q < 0 ? fragmentless : fragmentless.slice(0, q)) || "/";
  const query = q < 0 ? "" : fragmentless.slice(q);
  const queryParams = new Map<string, string[]>();
  for (const pair of query.slice(1).split("&")) {
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    const name = eq < 0 ? pair : pair.slice(0, eq);
    const value = eq < 0 ? "" : pair.slice(eq + 1);
    const values = queryParams.get(name);
    if (values) values.push(value);
    else queryParams.set(name, [value]);
  }
  const headers = new Map<string, string>();
  for (const [name, value] of Object.entries(request.headers)) headers.set(name.toLowerCase(), value);
  return { request, host: hostWithoutPort(request.host), path, query, queryParams, headers };
}

/**
 * The host of a Host header: `name:port` loses its port, `[v6]:port` its brackets and port.
 * Both APIs ignore the port when matching (HTTPRouteSpec.hostnames: "Implementations MUST
 * ignore any port value specified in the HTTP Host header"; IngressRule.host: "ports are not
 * allowed").
 */
export function hostWithoutPort(hostHeader: string): string {
  const host = hostHeader.trim().toLowerCase();
  if (host.startsWith("[")) {
    const end = host.indexOf("]");
    return end < 0 ? host : host.slice(1, end);
  }
  const colon = host.indexOf(":");
  return colon < 0 || host.indexOf(":", colon + 1) >= 0 ? host : host.slice(0, colon);
}

/** The request as sent, as a backend receives it when nothing rewrites it. */
export function unchangedBackendRequest(parsed: ParsedRequest): HttpBackendRequest {
  return {
    method: parsed.request.method,
    path: parsed.request.path,
    host: parsed.request.host,
    headers: Object.fromEntries(parsed.headers),
    absentHeaders: [],
  };
}

/** A path prefix compiled for element-wise matching. */
export interface PathPrefix {
  /** The prefix without trailing slashes ("" for "/": every path). */
  readonly trimmed: string;
  /** `trimmed + "/"`, precomputed. */
  readonly withSlash: string;
}

export function compilePrefix(value: string): PathPrefix {
  const trimmed = value.replace(/\/+$/, "");
  return { trimmed, withSlash: `${trimmed}/` };
}

/**
 * Element-wise prefix match, the same in both APIs (networking/v1 PathTypePrefix; Gateway API
 * PathMatchPathPrefix "is semantically equivalent to the Prefix path type in the Kubernetes
 * Ingress API"): the path split by `/` must start with the prefix's elements, a trailing `/` on
 * the prefix is ignored, so `/abc` matches `/abc`, `/abc/` and `/abc/def` but not `/abcd`, and
 * `/` matches every path. Case-sensitive.
 */
export function prefixMatches(prefix: PathPrefix, path: string): boolean {
  return prefix.trimmed === "" || path === prefix.trimmed || path.startsWith(prefix.withSlash);
}
