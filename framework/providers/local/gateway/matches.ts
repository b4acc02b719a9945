// HTTPRouteMatch in the plan's terms (sigs.k8s.io/gateway-api apis/v1 httproute_types.go:
// HTTPRouteMatch, HTTPPathMatch, HTTPHeaderMatch, HTTPQueryParamMatch), and its precedence.
//   - path defaults to PathPrefix "/"; PathPrefix is element-wise with a trailing `/` ignored;
//     Exact is case-sensitive; RegularExpression is implementation-specific (here PCRE, whole
//     path);
//   - header names are case-insensitive and query parameter names exact; of entries with
//     equivalent names "only the first entry ... MUST be considered";
//   - header and parameter types default to Exact.
import type { HTTPRouteMatch } from "../../../kube/gateway-types.js";
import { argumentName, representable } from "./haproxy.js";
import { withoutTrailingSlash } from "./filters.js";
import type { PathCondition, ValueCondition } from "./plan.js";

export interface CompiledMatch {
  readonly path: PathCondition;
  /** The path value as written, for precedence ("Prefix path match with largest number of characters"). */
  readonly pathText: string;
  readonly method?: string;
  readonly headers: readonly ValueCondition[];
  readonly query: readonly ValueCondition[];
}

export function compileMatch(match: HTTPRouteMatch): CompiledMatch | string {
  const type = match.path?.type ?? "PathPrefix";
  const value = match.path?.value ?? "/";
  if (!representable(value)) return "the path has characters outside printable ASCII";
  let path: PathCondition;
  if (type === "RegularExpression") {
    const problem = regexProblem(value);
    if (problem) return `path regular expression: ${problem}`;
    path = { kind: "regex", pattern: value };
  } else if (type === "Exact" || type === "PathPrefix") {
    if (!value.startsWith("/")) return `the ${type} path ${JSON.stringify(value)} does not start with '/'`;
    path = type === "Exact" ? { kind: "exact", value } : { kind: "prefix", value: withoutTrailingSlash(value) };
  } else {
    return `path match type ${JSON.stringify(type)} is not supported`;
  }
  const headers = values(match.headers ?? [], "header", (n) => n.toLowerCase());
  if (typeof headers === "string") return headers;
  const query = values(match.queryParams ?? [], "query parameter", (n) => n);
  if (typeof query === "string") return query;
  if (match.method !== undefined && !/^[A-Z]+$/.test(match.method)) return `method ${JSON.stringify(match.method)} is not supported`;
  return { path, pathText: value, headers, query, ...(match.method === undefined ? {} : { method: match.method }) };
}

function values(
  list: readonly { type?: string; name: string; value: string }[],
  what: string,
  key: (name: string) => string,
): ValueCondition[] | string {
  const seen = new Set<string>();
  const out: ValueCondition[] = [];
  for (const item of list) {
    if (seen.has(key(item.name))) continue;
    seen.add(key(item.name));
    if (!argumentName(item.name)) return `${what} name ${JSON.stringify(item.name)} cannot be written into the proxy configuration`;
    if (item.value === "" || !representable(item.value)) return `the value of ${what} ${item.name} is empty or has characters outside printable ASCII`;
    const type = item.type ?? "Exact";
    if (type === "RegularExpression") {
      const problem = regexProblem(item.value);
      if (problem) return `${what} ${item.name} regular expression: ${problem}`;
      out.push({ name: item.name, kind: "regex", value: item.value });
    } else if (type === "Exact") {
      out.push({ name: item.name, kind: "exact", value: item.value });
    } else {
      return `${what} match type ${JSON.stringify(type)} is not supported`;
    }
  }
  return out;
}

/**
 * A regular expression HAProxy would refuse stops it from starting, so one that does not even
 * compile as an ECMAScript regex is left out here (PCRE2 and ECMAScript agree on the common
 * syntax; a pattern only PCRE2 rejects still reaches `haproxy -c`).
 */
function regexProblem(pattern: string): string | undefined {
  try {
    new RegExp(pattern);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/**
 * The HTTPRouteRule.Matches precedence between two matches of equal hostname specificity:
 * "Exact" path, then "Prefix" path with the largest number of characters, then method, then
 * the largest number of header matches, then of query param matches. RegularExpression paths
 * ("implementation-specific") come after Exact and before PathPrefix, the longer pattern first.
 */
export function compareMatches(a: CompiledMatch, b: CompiledMatch): number {
  const rank = (m: CompiledMatch) => ({ exact: 0, regex: 1, prefix: 2 })[m.path.kind];
  return rank(a) - rank(b)
    || b.pathText.length - a.pathText.length
    || Number(b.method !== undefined) - Number(a.method !== undefined)
    || b.headers.length - a.headers.length
    || b.query.length - a.query.length;
}
