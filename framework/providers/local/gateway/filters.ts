// HTTPRouteFilters of a rule or of a backendRef (sigs.k8s.io/gateway-api apis/v1
// httproute_types.go: HTTPRouteFilter, HTTPHeaderFilter, HTTPRequestRedirectFilter,
// HTTPURLRewriteFilter, HTTPPathModifier), checked and put in the plan's terms.
//
// Supported: RequestHeaderModifier, ResponseHeaderModifier, RequestRedirect and URLRewrite, in
// the order written ("implementations SHOULD implement filters in the order they are
// specified"). Any other type (RequestMirror, CORS, ExternalAuth, ExtensionRef, or one unknown)
// makes the rule, or the backendRef's share, answer 500 with a note: the spec requires that for
// an ExtensionRef it cannot honour ("the filter MUST NOT be skipped ... MUST receive a HTTP
// error response"), and this implementation treats every filter it does not implement alike.
import type { HTTPHeaderFilter, HTTPPathModifier, HTTPRequestRedirectFilter, HTTPRouteFilter, HTTPURLRewriteFilter } from "../../../kube/gateway-types.js";
import { argumentName, hostnameSyntax, representable } from "./haproxy.js";
import type { Filter, HeaderValue, PathModifier } from "./plan.js";

export interface FilterContext {
  /** The listener's port: a redirect without port or scheme keeps it. */
  readonly listenerPort: number;
  /**
   * The rule's only match's PathPrefix, without trailing slash: what ReplacePrefixMatch
   * replaces. Undefined when the rule has not exactly one PathPrefix match, which the CRD's
   * validation rules forbid with ReplacePrefixMatch.
   */
  readonly matchedPrefix?: string;
}

export type CompiledFilters = { readonly filters: readonly Filter[]; readonly problem?: undefined } | { readonly problem: string };

export function compileFilters(filters: readonly HTTPRouteFilter[] | undefined, ctx: FilterContext): CompiledFilters {
  const out: Filter[] = [];
  for (const filter of filters ?? []) {
    const compiled = compileFilter(filter, ctx);
    if (typeof compiled === "string") return { problem: `filter ${filter.type}: ${compiled}` };
    out.push(compiled);
  }
  return { filters: out };
}

function compileFilter(filter: HTTPRouteFilter, ctx: FilterContext): Filter | string {
  switch (filter.type) {
    case "RequestHeaderModifier":
      return filter.requestHeaderModifier ? headerFilter("request", filter.requestHeaderModifier) : "requestHeaderModifier is missing";
    case "ResponseHeaderModifier":
      return filter.responseHeaderModifier ? headerFilter("response", filter.responseHeaderModifier) : "responseHeaderModifier is missing";
    case "RequestRedirect":
      return filter.requestRedirect ? redirectFilter(filter.requestRedirect, ctx) : "requestRedirect is missing";
    case "URLRewrite":
      return filter.urlRewrite ? rewriteFilter(filter.urlRewrite, ctx) : "urlRewrite is missing";
    default:
      return "not supported by this implementation";
  }
}

/**
 * HTTPHeaderFilter. Header names are case-insensitive, and of entries with equivalent names
 * "the first entry ... MUST be considered" (HTTPHeader.Name).
 */
function headerFilter(phase: "request" | "response", spec: HTTPHeaderFilter): Filter | string {
  const firstOfEach = (headers: readonly HeaderValue[]) => {
    const seen = new Set<string>();
    return headers.filter((h) => !seen.has(h.name.toLowerCase()) && seen.add(h.name.toLowerCase()));
  };
  const set = firstOfEach(spec.set ?? []);
  const add = firstOfEach(spec.add ?? []);
  const remove = [...new Set((spec.remove ?? []).map((name) => name.toLowerCase()))];
  for (const name of [...set.map((h) => h.name), ...add.map((h) => h.name), ...remove]) {
    if (!argumentName(name)) return `header name ${JSON.stringify(name)} cannot be written into the proxy configuration`;
  }
  for (const { name, value } of [...set, ...add]) {
    if (value === "" || !representable(value)) return `the value of header ${name} is empty or has characters outside printable ASCII`;
  }
  return { kind: "headers", phase, set, add, remove };
}

/**
 * HTTPRequestRedirectFilter. Scheme: "When empty, the scheme of the request is used" (http:
 * only HTTP listeners are served). Port: "If redirect scheme is not-empty, the redirect port
 * MUST be the well-known port associated with the redirect scheme ... If redirect scheme is
 * empty, the redirect port MUST be the Gateway Listener port". Hostname: "When empty, the
 * hostname in the Host header of the request is used". StatusCode defaults to 302.
 */
function redirectFilter(spec: HTTPRequestRedirectFilter, ctx: FilterContext): Filter | string {
  const scheme = spec.scheme ?? "http";
  if (scheme !== "http" && scheme !== "https") return `scheme ${JSON.stringify(scheme)} is not supported`;
  const status = spec.statusCode ?? 302;
  if (![301, 302, 303, 307, 308].includes(status)) return `status code ${status} is not supported`;
  const port = spec.port ?? (spec.scheme === undefined ? ctx.listenerPort : scheme === "https" ? 443 : 80);
  const hostname = spec.hostname?.toLowerCase();
  if (hostname !== undefined && (!hostnameSyntax(hostname) || hostname.startsWith("*"))) return `hostname ${JSON.stringify(spec.hostname)} is not a DNS name`;
  const path = spec.path && pathModifier(spec.path, ctx);
  if (typeof path === "string") return path;
  return { kind: "redirect", scheme, port, status, ...(hostname === undefined ? {} : { hostname }), ...(path ? { path } : {}) };
}

/** HTTPURLRewriteFilter: hostname replaces the Host header, path as HTTPPathModifier says. */
function rewriteFilter(spec: HTTPURLRewriteFilter, ctx: FilterContext): Filter | string {
  const hostname = spec.hostname?.toLowerCase();
  if (hostname !== undefined && (!hostnameSyntax(hostname) || hostname.startsWith("*"))) return `hostname ${JSON.stringify(spec.hostname)} is not a DNS name`;
  const path = spec.path && pathModifier(spec.path, ctx);
  if (typeof path === "string") return path;
  return { kind: "rewrite", ...(hostname === undefined ? {} : { hostname }), ...(path ? { path } : {}) };
}

function pathModifier(spec: HTTPPathModifier, ctx: FilterContext): PathModifier | string {
  if (spec.type === "ReplaceFullPath") {
    const value = spec.replaceFullPath ?? "";
    if (!representable(value)) return "replaceFullPath has characters outside printable ASCII";
    return { kind: "full", value };
  }
  if (spec.type !== "ReplacePrefixMatch") return `path modifier type ${JSON.stringify(spec.type)} is not supported`;
  if (ctx.matchedPrefix === undefined) return "ReplacePrefixMatch needs a rule with exactly one PathPrefix match";
  const replacement = spec.replacePrefixMatch ?? "";
  if (!representable(replacement)) return "replacePrefixMatch has characters outside printable ASCII";
  return { kind: "prefix", matched: ctx.matchedPrefix, replacement: withoutTrailingSlash(replacement) };
}

/** A path prefix as element-wise matching sees it: "When specified, a trailing `/` is ignored" ("/" becomes ""). */
export function withoutTrailingSlash(path: string): string {
  return path.replace(/\/+$/, "");
}
