// HTTPRoute filters that change the request or answer it: RequestHeaderModifier, URLRewrite and
// RequestRedirect (sigs.k8s.io/gateway-api apis/v1/httproute_types.go: HTTPHeaderFilter,
// HTTPPathModifier, HTTPURLRewriteFilter, HTTPRequestRedirectFilter).
import type { HTTPHeaderFilter, HTTPPathModifier, HTTPRequestRedirectFilter, HTTPURLRewriteFilter } from "../../kube/gateway-types.js";
import { compilePrefix } from "./request.js";
import type { HttpBackendRequest, HttpRedirect } from "./result.js";

/** A request being modified by filters (header names in lower case). */
export interface RequestDraft {
  method: string;
  /** Path without the query. */
  path: string;
  readonly query: string;
  host: string;
  readonly headers: Map<string, string>;
  readonly absent: Set<string>;
}

export function cloneDraft(draft: RequestDraft): RequestDraft {
  return { ...draft, headers: new Map(draft.headers), absent: new Set(draft.absent) };
}

export function finishDraft(draft: RequestDraft): HttpBackendRequest {
  return {
    method: draft.method,
    path: draft.path + draft.query,
    host: draft.host,
    headers: Object.fromEntries([...draft.headers].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    absentHeaders: [...draft.absent].sort(),
  };
}

/**
 * HTTPHeaderFilter: `set` overwrites, `add` "appends to any existing values associated with the
 * header name" (comma-separated, as the conformance suite expects `existing,added`), `remove`
 * drops the header; names are case-insensitive. The Host header is the request's host.
 */
export function applyHeaderFilter(draft: RequestDraft, filter: HTTPHeaderFilter): void {
  const put = (name: string, value: string) => {
    const lower = name.toLowerCase();
    if (lower === "host") draft.host = value;
    else draft.headers.set(lower, value);
    draft.absent.delete(lower);
  };
  for (const { name, value } of filter.set ?? []) put(name, value);
  for (const { name, value } of filter.add ?? []) {
    const existing = draft.headers.get(name.toLowerCase());
    put(name, existing === undefined ? value : `${existing},${value}`);
  }
  for (const name of filter.remove ?? []) {
    const lower = name.toLowerCase();
    draft.headers.delete(lower);
    draft.absent.add(lower);
  }
}

/**
 * HTTPPathModifier ReplacePrefixMatch: the matched prefix's elements are replaced, following the
 * table in its doc comment: trailing slashes of both the prefix and the replacement are
 * ignored, so the result never holds `//` (`/foo` replaced by `/` turns `/foo/bar` into `/bar`),
 * and an empty result is `/`. `path` must match `prefix` element-wise (the rule matched it).
 */
export function replacePrefix(path: string, prefix: string, replacement: string): string {
  const rest = path.slice(compilePrefix(prefix).trimmed.length);
  const result = replacement.replace(/\/+$/, "") + rest;
  return result === "" ? "/" : result;
}

/**
 * The path a modifier produces, or undefined when it needs the matched PathPrefix and the rule
 * matched otherwise (the CRD's CEL rules reject ReplacePrefixMatch without exactly one PathPrefix match).
 */
export function modifyPath(path: string, modifier: HTTPPathModifier, matchedPrefix: string | undefined): string | undefined {
  if (modifier.type === "ReplaceFullPath") return modifier.replaceFullPath ?? "/";
  if (matchedPrefix === undefined) return undefined;
  return replacePrefix(path, matchedPrefix, modifier.replacePrefixMatch ?? "");
}

/** HTTPURLRewriteFilter: `hostname` replaces the Host header; `path` rewrites the path. Undefined: see modifyPath. */
export function applyUrlRewrite(draft: RequestDraft, rewrite: HTTPURLRewriteFilter, matchedPrefix: string | undefined): boolean {
  if (rewrite.hostname !== undefined) draft.host = rewrite.hostname;
  if (!rewrite.path) return true;
  const path = modifyPath(draft.path, rewrite.path, matchedPrefix);
  if (path === undefined) return false;
  draft.path = path;
  return true;
}

const WELL_KNOWN_PORTS = { http: 80, https: 443 } as const;

/**
 * HTTPRequestRedirectFilter: scheme "When empty, the scheme of the request is used"; hostname
 * "When empty, the hostname in the Host header of the request is used"; path "When empty, the
 * request path is used as-is"; statusCode defaults to 302; Port: "If redirect scheme is
 * not-empty, the redirect port MUST be the well-known port associated with the redirect scheme
 * ... If redirect scheme is empty, the redirect port MUST be the Gateway Listener port."
 * Undefined: see modifyPath.
 */
export function redirectOf(
  filter: HTTPRequestRedirectFilter,
  request: { readonly host: string; readonly path: string },
  listener: { readonly scheme: "http" | "https"; readonly port: number },
  matchedPrefix: string | undefined,
): HttpRedirect | undefined {
  const path = filter.path ? modifyPath(request.path, filter.path, matchedPrefix) : request.path;
  if (path === undefined) return undefined;
  const scheme = filter.scheme ?? listener.scheme;
  const port = filter.port ?? (filter.scheme ? WELL_KNOWN_PORTS[filter.scheme] : listener.port);
  return { scheme, host: filter.hostname ?? request.host, port, path, status: filter.statusCode ?? 302 };
}
