// Gateway API HTTP routing: which rule of which HTTPRoute answers a request sent to a Gateway,
// and what that rule does with it.
// Sources (https://gateway-api.sigs.k8s.io/reference/spec/, and the v1 Go types' doc comments
// in sigs.k8s.io/gateway-api apis/v1):
//   [rule]     HTTPRouteRule.Matches (the precedence chain), .BackendRefs (500 / 503 shares),
//              HTTPRouteMatch, HTTPPathMatch, PathMatchType, HTTPHeaderMatch,
//              HTTPQueryParamMatch, HTTPRouteFilter and its types (httproute_types.go)
//   [hosts]    HTTPRouteSpec.Hostnames: precedence by matching hostname (httproute_types.go)
//   [backend]  HTTPBackendRef.BackendRef (InvalidKind, BackendNotFound, RefNotPermitted),
//              BackendRef.Weight (shared_types.go), BackendObjectReference (object_reference_types.go)
//   [gateway]  GatewaySpec.Listeners ("General Listener behavior": no listener matches → 404;
//              Listener Isolation is Extended) (gateway_types.go)
// Attachment and listener selection are gateway-attach.ts's; filters gateway-filters.ts's.
//
// Compiled once per scenario (GatewayRouter): every match gets its rank in the precedence order,
// and each listener's matches are bucketed by the hostname they serve and indexed by the first
// path segment they need. `route` then meets, per request, only the matches of its listener's
// buckets that its path may match, in precedence order, and stops at the runner-up.
import type { Labels } from "../../kube/labels.js";
import {
  GATEWAY_API_GROUP,
  type BackendObjectReference, type Gateway, type GatewayClass, type HTTPBackendRef, type HTTPRoute, type HTTPRouteFilter, type HTTPRouteRule,
  type ReferenceGrant,
} from "../../kube/gateway-types.js";
import type { Service } from "../../kube/types.js";
import type { HttpRequest } from "../../scenario/target.js";
import { createdAt, ServiceIndex, type ReadyEndpoints } from "./backends.js";
import {
  attachParent, compileListener, formatHostPattern, gatewayServed, hostMatches, isHttpProtocol, listenerSpecificity, referencePermitted, refersTo,
  type AttachmentFailure, type CompiledListener, type GatewayImplementation, type HostPattern, type NamespaceLabels,
} from "./gateway-attach.js";
import { applyHeaderFilter, applyUrlRewrite, cloneDraft, finishDraft, redirectOf, type RequestDraft } from "./gateway-filters.js";
import { compilePrefix, parseRequest, prefixMatches, type ParsedRequest, type PathPrefix } from "./request.js";
import {
  statusOf, statusVerdict, undefinedVerdict, unservedVerdict,
  type HttpBackendShare, type HttpFailedShare, type HttpMirror, type HttpRedirect, type HttpVerdict,
} from "./result.js";

export type { GatewayImplementation } from "./gateway-attach.js";

export interface GatewayObjects {
  readonly gatewayClasses?: readonly GatewayClass[];
  readonly gateways: readonly Gateway[];
  readonly httpRoutes: readonly HTTPRoute[];
  readonly referenceGrants?: readonly ReferenceGrant[];
  readonly services: readonly Service[];
  /** Namespace labels, for allowedRoutes `from: Selector` (kubernetes.io/metadata.name is added). */
  readonly namespaceLabels?: Readonly<Record<string, Labels>>;
}

export interface GatewayRouterOptions extends GatewayImplementation {
  readonly readyEndpoints?: ReadyEndpoints;
}

/** A route condition the implementation would report in the route's status (validate.ts warns with them). */
export interface RouteCondition {
  /** `namespace/name` of the HTTPRoute. */
  readonly route: string;
  /** Where in the route: `["spec", "parentRefs", 0]`, `["spec", "rules", 1, "backendRefs", 0]`. */
  readonly path: readonly (string | number)[];
  readonly type: "Accepted" | "ResolvedRefs";
  readonly reason: AttachmentFailure | BackendCondition | "ParentNotFound";
  readonly message: string;
}

type BackendCondition = "RefNotPermitted" | "BackendNotFound" | "InvalidKind";

interface CompiledRoute {
  readonly route: HTTPRoute;
  readonly id: string;
  readonly namespace: string;
  readonly createdAt: number | undefined;
  /** Position among the scenario's routes: the order they are applied in. */
  readonly declared: number;
  readonly entries: readonly MatchEntry[];
}

type PathCondition =
  | { readonly kind: "Exact"; readonly value: string }
  | { readonly kind: "PathPrefix"; readonly value: string; readonly prefix: PathPrefix }
  | { readonly kind: "RegularExpression"; readonly value: string; readonly regex: RegExp | "unknown" };

interface ValueCondition { readonly name: string; readonly value: string; readonly regex: RegExp | "unknown" | undefined }

/** One HTTPRouteMatch of one rule: the unit the precedence chain orders. */
interface MatchEntry {
  readonly route: CompiledRoute;
  readonly ruleIndex: number;
  readonly matchIndex: number;
  readonly rule: HTTPRouteRule;
  readonly path: PathCondition;
  readonly method: string | undefined;
  /** Header names in lower case; only the first of equivalent names ([rule] HTTPHeaderMatch.Name). */
  readonly headers: readonly ValueCondition[];
  readonly query: readonly ValueCondition[];
  /** `HTTPRoute ns/name rules[0] matches[1] (PathPrefix /v2, header version=two)`. */
  readonly label: string;
  /** Position in the precedence order of every match of the scenario (compareEntries), set once compiled. */
  rank: number;
}

/**
 * The matches that serve one hostname on one listener, in precedence order, indexed by the
 * first path segment they need (`/app/v2` needs `app`), so that a request meets only those that
 * may match its path and those any path may match (PathPrefix `/`, RegularExpression).
 */
interface Bucket {
  readonly host: HostPattern;
  readonly bySegment: Map<string, MatchEntry[]>;
  readonly anyPath: MatchEntry[];
}

/** The routes attached to one listener, by the hostname they serve there. */
interface ListenerTable {
  readonly listener: CompiledListener;
  readonly exact: Map<string, Bucket>;
  readonly wildcard: Map<string, Bucket>;
  readonly any: Bucket;
  readonly routes: Set<CompiledRoute>;
}

interface GatewayTable {
  readonly gateway: Gateway;
  readonly id: string;
  readonly served: boolean;
  readonly reason: string;
  readonly listeners: readonly CompiledListener[];
  readonly tables: ReadonlyMap<CompiledListener, ListenerTable>;
}

type Resolved =
  | { readonly kind: "service"; readonly id: string; readonly port: number }
  | { readonly kind: "failure"; readonly status: 500 | 503; readonly condition: BackendCondition | "NoReadyEndpoints"; readonly message: string }
  | { readonly kind: "undefined"; readonly message: string };

export class GatewayRouter {
  private readonly services: ServiceIndex;
  private readonly grants: readonly ReferenceGrant[];
  private readonly gateways = new Map<string, GatewayTable>();
  private readonly routeConditions: RouteCondition[] = [];

  constructor(objects: GatewayObjects, private readonly options: GatewayRouterOptions = {}) {
    this.services = new ServiceIndex(objects.services, options.readyEndpoints);
    this.grants = objects.referenceGrants ?? [];
    const labels: NamespaceLabels = (ns) => ({ ...(objects.namespaceLabels?.[ns] ?? {}), "kubernetes.io/metadata.name": ns });
    const routes = objects.httpRoutes.map(compileRoute);
    routes.flatMap((r) => r.entries).sort(compareEntries).forEach((entry, rank) => { entry.rank = rank; });
    for (const gateway of objects.gateways) {
      const table = compileGateway(gateway, objects.gatewayClasses ?? [], options, routes, labels, this.routeConditions);
      this.gateways.set(table.id, table);
    }
    for (const route of routes) this.checkBackendRefs(route);
    for (const route of routes) {
      (route.route.spec.parentRefs ?? []).forEach((ref, i) => {
        const namespace = ref.namespace ?? route.namespace;
        const gatewayKind = (ref.group ?? GATEWAY_API_GROUP) === GATEWAY_API_GROUP && (ref.kind ?? "Gateway") === "Gateway";
        if (gatewayKind && !this.gateways.has(`${namespace}/${ref.name}`)) {
          this.routeConditions.push({
            route: route.id, path: ["spec", "parentRefs", i], type: "Accepted", reason: "ParentNotFound",
            message: `Gateway ${namespace}/${ref.name} does not exist: the route attaches nowhere through this parentRef`,
          });
        }
      });
    }
  }

  /** The conditions the routes would carry in their status: attachment failures and unresolved backendRefs. */
  conditions(): readonly RouteCondition[] {
    return this.routeConditions;
  }

  /**
   * The verdict for `request` sent to Gateway `entry` on listener port `port` (default: the
   * Gateway's only HTTP or HTTPS port; a RangeError when there are several).
   */
  route(entry: { readonly namespace: string; readonly name: string }, request: HttpRequest, port?: number): HttpVerdict {
    const table = this.gateways.get(`${entry.namespace}/${entry.name}`);
    if (!table) throw new RangeError(`no Gateway ${entry.namespace}/${entry.name} among the scenario's Gateways`);
    if (!table.served) return unservedVerdict(`Gateway ${table.id}: ${table.reason}`);
    const chosenPort = port ?? onlyHttpPort(table);
    const onPort = table.listeners.filter((l) => l.listener.port === chosenPort);
    if (onPort.length === 0) return unservedVerdict(`Gateway ${table.id} has no listener on port ${chosenPort}`);
    const protocols = new Set(onPort.map((l) => l.listener.protocol));
    if (protocols.has("TCP") || protocols.has("UDP")) {
      // [gateway] "Distinct Listeners": listeners sharing a port with a TCP listener "MUST NOT be accepted".
      if ([...protocols].some(isHttpProtocol)) return unservedVerdict(`Gateway ${table.id} port ${chosenPort}: HTTP listeners share the port with a TCP or UDP listener, so they are Conflicted and not accepted`);
    }
    if (![...protocols].every(isHttpProtocol)) {
      return undefinedVerdict(`Gateway ${table.id} port ${chosenPort} serves ${[...protocols].join(", ")}: not HTTP listeners (not modelled)`);
    }
    if (protocols.size > 1) return undefinedVerdict(`Gateway ${table.id} port ${chosenPort} mixes HTTP and HTTPS listeners: whether they are compatible is the implementation's`);

    const parsed = parseRequest(request);
    // [gateway] "Listeners that are distinct only by Hostname": the most specific hostname that
    // matches takes the request; none matching → rejected, "HTTP returns a 404 status code".
    const takers = onPort.filter((l) => hostMatches(l.host, parsed.host)).sort((a, b) => listenerSpecificity(b.host) - listenerSpecificity(a.host));
    const chosen = takers[0];
    if (!chosen) return statusVerdict(404, `no listener of Gateway ${table.id} on port ${chosenPort} matches host ${parsed.host}: 404`);
    const verdict = this.routeOnListener(table.tables.get(chosen)!, parsed);
    if (verdict.outcome !== "status" || verdict.status !== 404 || verdict.failures) return verdict;
    // Listener Isolation is Extended: without it, a less specific listener's routes may answer.
    for (const other of takers.slice(1)) {
      const fallback = this.routeOnListener(table.tables.get(other)!, parsed);
      if (fallback.outcome === "status" && fallback.status === 404) continue;
      if (this.options.listenerIsolation === true) {
        return statusVerdict(404, `${verdict.reason}; the implementation isolates listeners, so ${other.label} does not take it`);
      }
      return undefinedVerdict(
        `${verdict.reason}; ${other.label} would route it, and Listener Isolation (GatewayHTTPListenerIsolation) is an Extended feature: ${fallback.reason}`,
        [verdict, fallback],
      );
    }
    return verdict;
  }

  private routeOnListener(table: ListenerTable, parsed: ParsedRequest): HttpVerdict {
    const buckets = bucketsFor(table, parsed.host);
    const segment = firstSegment(parsed.path);
    const maybe: MatchEntry[] = [];
    let winner: { entry: MatchEntry; bucket: Bucket } | undefined;
    let runnerUp: { entry: MatchEntry; bucket: Bucket } | undefined;
    scan: for (const bucket of buckets) {
      for (const entry of candidates(bucket, segment)) {
        const result = evaluate(entry, parsed);
        if (result === "no") continue;
        if (!winner) {
          if (result === "maybe") maybe.push(entry);
          else winner = { entry, bucket };
          continue;
        }
        if (entry.route === winner.entry.route && entry.ruleIndex === winner.entry.ruleIndex) continue;
        runnerUp = { entry, bucket };
        break scan;
      }
    }
    const listenerText = table.listener.label;
    if (maybe.length > 0) {
      const first = maybe[0]!;
      const alternatives = [...maybe.map((m) => this.ruleVerdict(m, table.listener, parsed, "")), winner ? this.ruleVerdict(winner.entry, table.listener, parsed, "") : statusVerdict(404, "")];
      return undefinedVerdict(
        `${listenerText}: ${first.label} uses a RegularExpression or a repeated query parameter (implementation-specific), ` +
        `and would take precedence if it matches; otherwise ${winner ? winner.entry.label : "no rule matches (404)"}`,
        alternatives,
      );
    }
    if (!winner) {
      const none = `no rule of the ${table.routes.size} route(s) attached matches host ${parsed.host} and ${parsed.request.method} ${parsed.request.path}`;
      return { ...statusVerdict(404, `${listenerText}: ${none}: 404`), decision: { listener: listenerText, criterion: none } };
    }
    const decided = runnerUp ? precedence(winner, runnerUp) : { text: "the only matching rule", certain: true };
    const why = `${listenerText}: ${winner.entry.label}; ${runnerUp ? `won over ${runnerUp.entry.label} by ${decided.text}` : decided.text}`;
    const decision = { listener: listenerText, match: winner.entry.label, ...(runnerUp ? { runnerUp: runnerUp.entry.label } : {}), criterion: decided.text };
    if (!decided.certain) {
      return { ...undefinedVerdict(why, [this.ruleVerdict(winner.entry, table.listener, parsed, ""), this.ruleVerdict(runnerUp!.entry, table.listener, parsed, "")]), decision };
    }
    return { ...this.ruleVerdict(winner.entry, table.listener, parsed, why), decision };
  }

  /** What the rule of `entry` does with the request: its filters, then its backendRefs. */
  private ruleVerdict(entry: MatchEntry, listener: CompiledListener, parsed: ParsedRequest, why: string): HttpVerdict {
    const rule = entry.rule;
    const matchedPrefix = entry.path.kind === "PathPrefix" ? entry.path.value : undefined;
    const draft: RequestDraft = {
      method: parsed.request.method, path: parsed.path, query: parsed.query, host: parsed.request.host,
      headers: new Map(parsed.headers), absent: new Set(),
    };
    const mirrors: HttpMirror[] = [];
    const notes: string[] = [];
    const scheme = listener.listener.protocol === "HTTPS" ? "https" : "http";
    for (const filter of rule.filters ?? []) {
      const effect = this.applyFilter(filter, draft, parsed, matchedPrefix, mirrors, notes, entry.route.namespace);
      if (effect === "redirect") {
        const redirect = redirectOf(filter.requestRedirect!, { host: parsed.host, path: parsed.path }, { scheme, port: listener.listener.port }, matchedPrefix);
        if (!redirect) return undefinedVerdict(`${why}: RequestRedirect ReplacePrefixMatch needs a PathPrefix match (the CRD rejects this rule)`);
        return { outcome: "redirect", status: redirect.status, backends: [], redirect, reason: `${why}: RequestRedirect to ${formatLocation(redirect)} (${redirect.status})` };
      }
      if (typeof effect === "string") return undefinedVerdict(`${why}: ${effect}`);
    }

    const refs = rule.backendRefs ?? [];
    if (refs.length === 0) {
      // [rule] BackendRefs: all invalid (none at all included) "and there are also no filters
      // specified in this route rule" → 500; with filters the spec does not say.
      if ((rule.filters ?? []).length === 0) return statusVerdict(500, `${why}: the rule has no backendRefs: 500`);
      return undefinedVerdict(`${why}: the rule has filters but no backendRefs: what answers is not specified`, [statusVerdict(500, "")]);
    }
    const shares: HttpBackendShare[] = [];
    const failures: HttpFailedShare[] = [];
    const redirects: HttpRedirect[] = [];
    const zero: string[] = [];
    const failureText: string[] = [];
    for (const ref of refs) {
      const weight = ref.weight ?? 1;
      const text = formatRef(ref, entry.route.namespace);
      // [backend] BackendRef.Weight: "If weight is set to 0, no traffic should be forwarded for this entry."
      if (weight === 0) { zero.push(text); continue; }
      const resolved = this.resolve(ref, entry.route.namespace);
      if (resolved.kind === "undefined") return undefinedVerdict(`${why}: ${resolved.message}`);
      if (resolved.kind === "failure") {
        failures.push({ backendRef: text, weight, status: resolved.status, condition: resolved.condition });
        failureText.push(`${resolved.status} for ${text} (weight ${weight}): ${resolved.message}`);
        continue;
      }
      const own = cloneDraft(draft);
      let ownRedirect: HttpRedirect | undefined;
      for (const filter of ref.filters ?? []) {
        const effect = this.applyFilter(filter, own, parsed, matchedPrefix, mirrors, notes, entry.route.namespace);
        if (effect === "redirect") {
          ownRedirect = redirectOf(filter.requestRedirect!, { host: parsed.host, path: parsed.path }, { scheme, port: listener.listener.port }, matchedPrefix);
          if (!ownRedirect) return undefinedVerdict(`${why}: RequestRedirect ReplacePrefixMatch needs a PathPrefix match`);
        } else if (typeof effect === "string") {
          return undefinedVerdict(`${why}: backendRef ${text}: ${effect}`);
        }
      }
      if (ownRedirect) redirects.push(ownRedirect);
      else shares.push({ service: resolved.id, port: resolved.port, weight, backendRequest: finishDraft(own) });
    }
    if (shares.length + failures.length + redirects.length === 0) {
      return statusVerdict(500, `${why}: every backendRef has weight 0 (${zero.join(", ")}): no backend takes traffic: 500`);
    }
    const statuses = [...shares.map(() => 200), ...failures.map((f) => f.status), ...redirects.map((r) => r.status)];
    const requests = new Set(shares.map((s) => JSON.stringify(s.backendRequest)));
    const parts = [
      ...shares.map((s) => `${s.service}:${s.port}${refs.length > 1 ? ` (weight ${s.weight})` : ""}`),
      ...failureText,
      ...redirects.map((r) => `a ${r.status} redirect to ${formatLocation(r)}`),
      ...(zero.length > 0 ? [`never ${zero.join(", ")} (weight 0)`] : []),
    ];
    return {
      outcome: shares.length > 0 ? "routed" : redirects.length > 0 ? "redirect" : "status",
      status: statusOf(statuses),
      backends: shares,
      ...(failures.length > 0 ? { failures } : {}),
      ...(shares.length > 0 && requests.size === 1 ? { backendRequest: shares[0]!.backendRequest } : {}),
      ...(redirects.length > 0 ? { redirect: redirects[0]! } : {}),
      ...(mirrors.length > 0 ? { mirrors } : {}),
      reason: `${why}: ${parts.join("; ")}${notes.length > 0 ? ` [${notes.join("; ")}]` : ""}`,
    };
  }

  /**
   * Applies one filter to `draft`. Returns "redirect" for RequestRedirect (the caller builds the
   * answer), a reason text when the effect is the implementation's, or undefined.
   */
  private applyFilter(
    filter: HTTPRouteFilter, draft: RequestDraft, parsed: ParsedRequest, matchedPrefix: string | undefined,
    mirrors: HttpMirror[], notes: string[], routeNamespace: string,
  ): "redirect" | string | undefined {
    switch (filter.type) {
      case "RequestHeaderModifier":
        if (filter.requestHeaderModifier) applyHeaderFilter(draft, filter.requestHeaderModifier);
        return undefined;
      case "URLRewrite":
        if (filter.urlRewrite && !applyUrlRewrite(draft, filter.urlRewrite, matchedPrefix)) {
          return "URLRewrite ReplacePrefixMatch needs a PathPrefix match (the CRD rejects this rule)";
        }
        return undefined;
      case "RequestRedirect":
        return "redirect";
      case "RequestMirror": {
        const mirror = filter.requestMirror!;
        const resolved = this.resolve(mirror.backendRef, routeNamespace);
        // HTTPRequestMirrorFilter.BackendRef: an invalid reference "must be dropped from the Gateway".
        if (resolved.kind !== "service") notes.push(`mirror ${formatRef(mirror.backendRef, routeNamespace)} dropped: ${resolved.message}`);
        else {
          const fraction = mirror.fraction;
          const percent = mirror.percent ?? (fraction ? (100 * fraction.numerator) / (fraction.denominator ?? 100) : 100);
          mirrors.push({ service: resolved.id, port: resolved.port, percent });
        }
        return undefined;
      }
      case "ResponseHeaderModifier":
        return undefined; // changes the answer's headers only
      case "CORS":
        return parsed.headers.has("origin") ? "a CORS filter answers cross-origin requests as configured (not modelled)" : undefined;
      case "ExternalAuth":
        return "ExternalAuth: the authorization server decides (not modelled)";
      case "ExtensionRef":
        return `ExtensionRef ${filter.extensionRef?.group}/${filter.extensionRef?.kind} ${filter.extensionRef?.name}: an implementation-specific filter`;
    }
  }

  /**
   * A backendRef as the implementation resolves it ([backend] HTTPBackendRef.BackendRef): a core
   * Service (group "", kind Service by default) in the route's namespace or, with a ReferenceGrant
   * in the target namespace, another; otherwise InvalidKind, BackendNotFound or RefNotPermitted,
   * each a 500 for its share ([rule] BackendRefs). A Service with no ready endpoints: "SHOULD
   * return a 503".
   */
  private resolve(ref: BackendObjectReference, routeNamespace: string): Resolved {
    const group = ref.group ?? "";
    const kind = ref.kind ?? "Service";
    const namespace = ref.namespace ?? routeNamespace;
    const id = `${namespace}/${ref.name}`;
    if (group === "multicluster.x-k8s.io" && kind === "ServiceImport") return { kind: "undefined", message: `ServiceImport ${id} (Extended support): not modelled` };
    if (group !== "" || kind !== "Service") {
      return { kind: "failure", status: 500, condition: "InvalidKind", message: `${group ? `${group}/` : ""}${kind} is not a kind of backend the implementation supports (InvalidKind)` };
    }
    if (!this.services.exists(id)) return { kind: "failure", status: 500, condition: "BackendNotFound", message: `Service ${id} does not exist (BackendNotFound)` };
    if (namespace !== routeNamespace && !referencePermitted(this.grants, routeNamespace, namespace, ref.name)) {
      return { kind: "failure", status: 500, condition: "RefNotPermitted", message: `no ReferenceGrant in ${namespace} lets HTTPRoutes of ${routeNamespace} reference Service ${id} (RefNotPermitted)` };
    }
    if (ref.port === undefined) return { kind: "undefined", message: `the reference to Service ${id} has no port (the CRD rejects it)` };
    const lookup = this.services.port(id, ref.port);
    if (lookup.kind !== "found") {
      return { kind: "undefined", message: `Service ${id} has no port ${ref.port}: no route condition names this; implementations answer 500 or 503` };
    }
    if (lookup.service.spec.type === "ExternalName") {
      return { kind: "undefined", message: `Service ${id} is ExternalName: implementations "SHOULD NOT support" it` };
    }
    if (!this.services.hasReadyEndpoints(id, lookup.port)) {
      return { kind: "failure", status: 503, condition: "NoReadyEndpoints", message: `Service ${id} port ${lookup.port} has no ready endpoints: 503 (a SHOULD of the spec)` };
    }
    return { kind: "service", id, port: lookup.port };
  }

  /** ResolvedRefs conditions of every backendRef (rule-level, per-backend filters and mirrors). */
  private checkBackendRefs(route: CompiledRoute): void {
    const report = (path: (string | number)[], ref: BackendObjectReference) => {
      const resolved = this.resolve(ref, route.namespace);
      if (resolved.kind === "failure" && resolved.condition !== "NoReadyEndpoints") {
        this.routeConditions.push({ route: route.id, path, type: "ResolvedRefs", reason: resolved.condition, message: resolved.message });
      }
    };
    const mirrorsOf = (filters: readonly HTTPRouteFilter[] | undefined, path: (string | number)[]) =>
      (filters ?? []).forEach((f, i) => { if (f.requestMirror) report([...path, "filters", i, "requestMirror", "backendRef"], f.requestMirror.backendRef); });
    (route.route.spec.rules ?? []).forEach((rule, r) => {
      mirrorsOf(rule.filters, ["spec", "rules", r]);
      (rule.backendRefs ?? []).forEach((ref, b) => {
        report(["spec", "rules", r, "backendRefs", b], ref);
        mirrorsOf(ref.filters, ["spec", "rules", r, "backendRefs", b]);
      });
    });
  }
}

// ---- compilation ------------------------------------------------------------------------------------

function compileRoute(route: HTTPRoute, declared: number): CompiledRoute {
  const namespace = route.metadata.namespace ?? "default";
  const id = `${namespace}/${route.metadata.name}`;
  const entries: MatchEntry[] = [];
  const compiled: CompiledRoute = { route, id, namespace, createdAt: createdAt(route.metadata), declared, entries };
  // The CRD defaults spec.rules to one rule matching PathPrefix "/" (and no backendRefs), and
  // [rule] Matches: "If no matches are specified, the default is a prefix path match on "/"".
  const rules: readonly HTTPRouteRule[] = route.spec.rules ?? [{ matches: [{ path: { type: "PathPrefix", value: "/" } }] }];
  rules.forEach((rule, ruleIndex) => {
    const matches = rule.matches && rule.matches.length > 0 ? rule.matches : [{}];
    matches.forEach((match, matchIndex) => {
      const type = match.path?.type ?? "PathPrefix";
      const value = match.path?.value ?? "/";
      const path: PathCondition = type === "PathPrefix" ? { kind: type, value, prefix: compilePrefix(value) }
        : type === "Exact" ? { kind: type, value } : { kind: type, value, regex: searchable(value) };
      const regexOf = (m: { type?: string; value: string }) => (m.type === "RegularExpression" ? searchable(m.value) : undefined);
      const headers = firstOfEach((match.headers ?? []).map((h) => ({ name: h.name.toLowerCase(), value: h.value, regex: regexOf(h) })));
      const query = firstOfEach((match.queryParams ?? []).map((q) => ({ name: q.name, value: q.value, regex: regexOf(q) })));
      const conditions = [
        `${type} ${value}`,
        ...(match.method ? [`method ${match.method}`] : []),
        ...headers.map((h) => `header ${h.name}${h.regex ? " ~ " : "="}${h.value}`),
        ...query.map((q) => `query ${q.name}${q.regex ? " ~ " : "="}${q.value}`),
      ];
      entries.push({
        route: compiled, ruleIndex, matchIndex, rule, path, method: match.method, headers, query, rank: 0,
        label: `HTTPRoute ${id} rules[${ruleIndex}]${rule.name ? ` (${rule.name})` : ""} matches[${matchIndex}] (${conditions.join(", ")})`,
      });
    });
  });
  return compiled;
}

/**
 * A RegularExpression as a JavaScript search, to rule matches out: the dialect is the
 * implementation's ("POSIX, PCRE, RE2 or any other"), and so is whether it must match the whole
 * value, but a pattern found nowhere in the value by an unanchored search matches in none of
 * them. "unknown" where JavaScript cannot stand in: it does not compile, or uses POSIX classes.
 */
function searchable(pattern: string): RegExp | "unknown" {
  if (pattern.includes("[:")) return "unknown";
  try {
    return new RegExp(pattern);
  } catch {
    return "unknown";
  }
}

/** Whether a regular expression may match `value` in some dialect (see searchable). */
const mayMatch = (regex: RegExp | "unknown", value: string) => regex === "unknown" || regex.test(value);

/** [rule] HTTPHeaderMatch / HTTPQueryParamMatch Name: "only the first entry with an equivalent name MUST be considered". */
function firstOfEach(conditions: ValueCondition[]): ValueCondition[] {
  const seen = new Set<string>();
  return conditions.filter((c) => !seen.has(c.name) && seen.add(c.name));
}

function compileGateway(
  gateway: Gateway, classes: readonly GatewayClass[], impl: GatewayImplementation, routes: readonly CompiledRoute[],
  labels: NamespaceLabels, conditions: RouteCondition[],
): GatewayTable {
  const id = `${gateway.metadata.namespace ?? "default"}/${gateway.metadata.name}`;
  const { served, reason } = gatewayServed(gateway, classes, impl);
  const listeners = gateway.spec.listeners.map((l) => compileListener(id, l));
  const tables = new Map<CompiledListener, ListenerTable>(listeners.map((l) => [l, { listener: l, exact: new Map(), wildcard: new Map(), any: emptyBucket({ kind: "any" }), routes: new Set() }]));
  if (!served) return { gateway, id, served, reason, listeners, tables };
  for (const route of routes) {
    const hostsByListener = new Map<CompiledListener, Map<string, HostPattern>>();
    (route.route.spec.parentRefs ?? []).forEach((ref, i) => {
      if (!refersTo(ref, route.namespace, gateway)) return;
      const attachment = attachParent(route.route, i, gateway, listeners, labels);
      if (attachment.failure) {
        conditions.push({ route: route.id, path: ["spec", "parentRefs", i], type: "Accepted", reason: attachment.failure.reason, message: attachment.failure.message });
      }
      for (const { listener, hosts } of attachment.listeners) {
        const known = hostsByListener.get(listener) ?? new Map<string, HostPattern>();
        for (const host of hosts) known.set(formatHostPattern(host), host);
        hostsByListener.set(listener, known);
      }
    });
    for (const [listener, hosts] of hostsByListener) {
      const table = tables.get(listener)!;
      table.routes.add(route);
      for (const host of hosts.values()) {
        const bucket = bucketOf(table, host);
        for (const entry of route.entries) {
          const key = segmentOf(entry.path);
          if (key === undefined) bucket.anyPath.push(entry);
          else {
            const list = bucket.bySegment.get(key);
            if (list) list.push(entry);
            else bucket.bySegment.set(key, [entry]);
          }
        }
      }
    }
  }
  const byRank = (a: MatchEntry, b: MatchEntry) => a.rank - b.rank;
  for (const table of tables.values()) {
    for (const bucket of [...table.exact.values(), ...table.wildcard.values(), table.any]) {
      bucket.anyPath.sort(byRank);
      for (const list of bucket.bySegment.values()) list.sort(byRank);
    }
  }
  return { gateway, id, served, reason, listeners, tables };
}

const emptyBucket = (host: HostPattern): Bucket => ({ host, bySegment: new Map(), anyPath: [] });

function bucketOf(table: ListenerTable, host: HostPattern): Bucket {
  if (host.kind === "any") return table.any;
  const map = host.kind === "exact" ? table.exact : table.wildcard;
  const key = host.kind === "exact" ? host.host : host.suffix;
  let bucket = map.get(key);
  if (!bucket) map.set(key, (bucket = emptyBucket(host)));
  return bucket;
}

/** The first segment a path condition needs of a request path, or undefined when any path may match. */
function segmentOf(path: PathCondition): string | undefined {
  if (path.kind === "RegularExpression" || !path.value.startsWith("/")) return undefined;
  const value = path.kind === "PathPrefix" ? path.prefix.trimmed : path.value;
  if (value === "") return undefined;
  return firstSegment(value);
}

/** `/app/v2` → `app`; `/` → "". */
function firstSegment(path: string): string {
  const end = path.indexOf("/", 1);
  return end < 0 ? path.slice(1) : path.slice(1, end);
}

/** A bucket's matches a request path may meet, in precedence order. */
function candidates(bucket: Bucket, segment: string): readonly MatchEntry[] {
  const keyed = bucket.bySegment.get(segment);
  if (!keyed) return bucket.anyPath;
  if (bucket.anyPath.length === 0) return keyed;
  const merged: MatchEntry[] = [];
  let i = 0;
  let j = 0;
  while (i < keyed.length || j < bucket.anyPath.length) {
    const a = keyed[i];
    const b = bucket.anyPath[j];
    if (b === undefined || (a !== undefined && a.rank < b.rank)) { merged.push(a!); i++; } else { merged.push(b); j++; }
  }
  return merged;
}

/**
 * The hostname buckets a request host falls in, most specific first ([hosts]: "precedence must
 * be given to rules from the HTTPRoute with the largest number of: Characters in a matching
 * non-wildcard hostname. Characters in a matching hostname."): the exact host, then wildcards
 * from the longest suffix, then routes that serve any host.
 */
function bucketsFor(table: ListenerTable, host: string): Bucket[] {
  const buckets: Bucket[] = [];
  const exact = table.exact.get(host);
  if (exact) buckets.push(exact);
  for (let dot = host.indexOf(".", 1); dot > 0; dot = host.indexOf(".", dot + 1)) {
    const wildcard = table.wildcard.get(host.slice(dot));
    if (wildcard) buckets.push(wildcard);
  }
  buckets.push(table.any);
  return buckets;
}

// ---- matching and precedence --------------------------------------------------------------------------

/**
 * Whether one HTTPRouteMatch matches ([rule] HTTPRouteMatch: its conditions are ANDed):
 * Exact paths exactly; PathPrefix element-wise; headers by case-insensitive name and exact
 * value; query parameters by exact name and value; the method exactly. "maybe" where the
 * answer is the implementation's: RegularExpression matches ("implementations can support
 * POSIX, PCRE, RE2 or any other regular expression dialect") and a repeated query parameter
 * ("the behavior is purposely left undefined").
 */
function evaluate(entry: MatchEntry, parsed: ParsedRequest): "yes" | "no" | "maybe" {
  let maybe = false;
  const path = entry.path;
  if (path.kind === "Exact") { if (parsed.path !== path.value) return "no"; }
  else if (path.kind === "PathPrefix") { if (!prefixMatches(path.prefix, parsed.path)) return "no"; }
  else if (mayMatch(path.regex, parsed.path)) maybe = true;
  else return "no";
  if (entry.method !== undefined && entry.method !== parsed.request.method) return "no";
  for (const header of entry.headers) {
    const value = parsed.headers.get(header.name);
    if (value === undefined) return "no";
    if (header.regex) { if (!mayMatch(header.regex, value)) return "no"; maybe = true; }
    else if (value !== header.value) return "no";
  }
  for (const param of entry.query) {
    const values = parsed.queryParams.get(param.name);
    if (values === undefined) return "no";
    if (param.regex) { if (!values.some((v) => mayMatch(param.regex!, v))) return "no"; maybe = true; }
    else if (values.length > 1) { if (!values.includes(param.value)) return "no"; maybe = true; }
    else if (values[0] !== param.value) return "no";
  }
  return maybe ? "maybe" : "yes";
}

/**
 * [rule] Matches: "precedence must be given to the match having: "Exact" path match. "Prefix"
 * path match with largest number of characters. Method match. Largest number of header
 * matches. Largest number of query param matches." (RegularExpression paths: "implementation-
 * specific", so they sort first and make any verdict they might change undefined); then "The
 * oldest Route based on creation timestamp", "alphabetical order by {namespace}/{name}", and
 * within a route "the FIRST matching rule (in list order)".
 */
function compareEntries(a: MatchEntry, b: MatchEntry): number {
  return (b.path.kind === "RegularExpression" ? 1 : 0) - (a.path.kind === "RegularExpression" ? 1 : 0)
    || (a.path.kind === "Exact" ? 0 : 1) - (b.path.kind === "Exact" ? 0 : 1)
    || b.path.value.length - a.path.value.length
    || (b.method ? 1 : 0) - (a.method ? 1 : 0)
    || b.headers.length - a.headers.length
    || b.query.length - a.query.length
    || compareAge(a.route, b.route)
    || (a.route.id < b.route.id ? -1 : a.route.id > b.route.id ? 1 : 0)
    || a.ruleIndex - b.ruleIndex
    || a.matchIndex - b.matchIndex;
}

/** Older first; a route without creationTimestamp after those with one. */
function compareAge(a: CompiledRoute, b: CompiledRoute): number {
  if (a.createdAt === b.createdAt) return 0;
  if (a.createdAt === undefined) return 1;
  if (b.createdAt === undefined) return -1;
  return a.createdAt - b.createdAt;
}

/** The criterion that put the winner before the runner-up, and whether the cluster must agree. */
function precedence(winner: { entry: MatchEntry; bucket: Bucket }, runnerUp: { entry: MatchEntry; bucket: Bucket }): { text: string; certain: boolean } {
  const a = winner.entry;
  const b = runnerUp.entry;
  if (winner.bucket !== runnerUp.bucket) {
    return { text: `the more specific hostname (${formatHostPattern(winner.bucket.host)} over ${formatHostPattern(runnerUp.bucket.host)})`, certain: true };
  }
  if (a.path.kind !== b.path.kind && (a.path.kind === "Exact" || b.path.kind === "Exact")) return { text: "an Exact path match over a PathPrefix", certain: true };
  if (a.path.value.length !== b.path.value.length) return { text: `the longer PathPrefix (${a.path.value.length} over ${b.path.value.length} characters)`, certain: true };
  if (!!a.method !== !!b.method) return { text: "a method match", certain: true };
  if (a.headers.length !== b.headers.length) return { text: `more header matches (${a.headers.length} over ${b.headers.length})`, certain: true };
  if (a.query.length !== b.query.length) return { text: `more query param matches (${a.query.length} over ${b.query.length})`, certain: true };
  if (a.route !== b.route) {
    const ra = a.route;
    const rb = b.route;
    if (ra.createdAt !== undefined && rb.createdAt !== undefined && ra.createdAt !== rb.createdAt) {
      return { text: `the older route (created ${ra.route.metadata.creationTimestamp} before ${rb.route.metadata.creationTimestamp})`, certain: true };
    }
    const name = `alphabetical namespace/name (${ra.id} before ${rb.id})`;
    if (ra.createdAt !== undefined && rb.createdAt !== undefined) return { text: `${name}, on equal creation timestamps`, certain: true };
    // The API server sets creationTimestamp with one-second resolution when the route is
    // created: routes applied together tie (and fall to their names) unless a second passes
    // between them. The answer is certain only when creation order and names agree.
    if (ra.createdAt === undefined && rb.createdAt === undefined && ra.declared < rb.declared) {
      return { text: `${name}; without creation timestamps, applied in that order too`, certain: true };
    }
    return { text: `${name} if both were created in the same second; otherwise the older route, and netspec does not know their creation times`, certain: false };
  }
  return { text: `rule order within the route (rules[${a.ruleIndex}] before rules[${b.ruleIndex}])`, certain: true };
}

// ---- small helpers ------------------------------------------------------------------------------------

function onlyHttpPort(table: GatewayTable): number {
  const ports = [...new Set(table.listeners.filter((l) => isHttpProtocol(l.listener.protocol)).map((l) => l.listener.port))];
  if (ports.length !== 1) throw new RangeError(`Gateway ${table.id} has ${ports.length === 0 ? "no HTTP listener" : `HTTP listeners on ports ${ports.join(", ")}`}: name the port`);
  return ports[0]!;
}

function formatRef(ref: BackendObjectReference | HTTPBackendRef, routeNamespace: string): string {
  const group = ref.group ?? "";
  const kind = ref.kind ?? "Service";
  const prefix = group === "" && kind === "Service" ? "" : `${group ? `${group}/` : ""}${kind} `;
  return `${prefix}${ref.namespace ?? routeNamespace}/${ref.name}${ref.port !== undefined ? `:${ref.port}` : ""}`;
}

/** The Location a redirect sends: the port only where it is not the scheme's (Port: "SHOULD NOT add the port number" for http:80, https:443). */
export function formatLocation(redirect: HttpRedirect): string {
  const defaultPort = redirect.scheme === "https" ? 443 : 80;
  return `${redirect.scheme}://${redirect.host}${redirect.port === defaultPort ? "" : `:${redirect.port}`}${redirect.path}`;
}
