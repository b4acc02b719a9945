// One Gateway's HTTP listeners and the HTTPRoutes attached to them, as port plans. Sources:
// sigs.k8s.io/gateway-api apis/v1 gateway_types.go (GatewaySpec.Listeners, Listener,
// AllowedRoutes, RouteNamespaces), shared_types.go (ParentReference), httproute_types.go
// (HTTPRouteSpec.Hostnames, HTTPRouteRule).
//
//   served        gatewayClassName is a class the implementation serves by name, or a declared
//                 GatewayClass whose spec.controllerName is the implementation's.
//   listeners     protocol HTTP only (HTTPS, TLS, TCP, UDP are left out with a note). Listeners
//                 of one port with the same hostname are not distinct: "ALL indistinct
//                 Listeners must not be accepted".
//   isolation     "requests SHOULD match at most one Listener": a request belongs to the most
//                 specific listener of its port whose hostname matches its Host (exact, then
//                 the wildcard with most labels, then the one without hostname); only that
//                 listener's routes answer, and a request no listener takes gets 404.
//   attachment    a parentRef names the Gateway (group, kind Gateway and namespace default to
//                 the Gateway API group, Gateway and the route's namespace), optionally a
//                 listener (sectionName) and a port; the listener allows the route's kind and
//                 namespace (from: Same by default, All, or Selector over the namespace's
//                 labels); route and listener hostnames intersect, or the route does not
//                 attach there ("any HTTPRoute hostnames that do not match the Listener
//                 hostname MUST be ignored").
//   precedence    among the matches of a listener's routes: the most specific hostname
//                 ("Characters in a matching non-wildcard hostname", then "in a matching
//                 hostname"), then the HTTPRouteRule.Matches criteria (matches.ts), then the
//                 oldest route, then "{namespace}/{name}", then rule and match order.
import { GATEWAY_API_GROUP, type Gateway, type HTTPRoute, type HTTPRouteRule, type Listener } from "../../../kube/gateway-types.js";
import { selectorMatches, type Labels } from "../../../kube/labels.js";
import type { Layer7Implementation } from "../../../scenario/implementation.js";
import type { NamespaceModel } from "../../../scenario/model.js";
import { resolveBackendRef, type BackendContext } from "./backends.js";
import { compileFilters, withoutTrailingSlash } from "./filters.js";
import { hostnameSyntax } from "./haproxy.js";
import { compareNumbers, compareText, olderFirst, type Layer7Manifests, type Named } from "./manifests.js";
import { compareMatches, compileMatch, type CompiledMatch } from "./matches.js";
import type { Action, HostPattern, MatchEntry, PortPlan, Selector, Share } from "./plan.js";

export interface GatewayPlanInput {
  readonly namespace: string;
  readonly name: string;
  readonly manifests: Layer7Manifests;
  readonly namespaces: readonly NamespaceModel[];
  readonly implementation: Layer7Implementation;
  readonly backends: BackendContext;
}

interface ServedListener {
  readonly listener: Listener;
  /** Lower case; undefined: every hostname. */
  readonly hostname?: string;
  readonly label: string;
}

/** A route attached to a listener, with its hostnames intersected with the listener's. */
interface Attachment {
  readonly route: Named<HTTPRoute>;
  /** undefined: no hostname condition. */
  readonly hostnames: readonly (string | undefined)[];
}

export function planGateway(input: GatewayPlanInput, notes: string[]): PortPlan[] {
  const id = `${input.namespace}/${input.name}`;
  const gateway = input.manifests.gateways.find((g) => g.namespace === input.namespace && g.name === input.name);
  if (!gateway) {
    notes.push(`Gateway ${id} is not in the scenario`);
    return [];
  }
  const className = gateway.object.spec.gatewayClassName;
  const impl = input.implementation;
  const declared = input.manifests.gatewayClasses.find((c) => c.name === className);
  if (!impl.gatewayClassNames.includes(className) && declared?.object.spec.controllerName !== impl.gatewayController) {
    notes.push(`Gateway ${id}: GatewayClass ${className} is not served by this implementation (${impl.gatewayController})`);
    return [];
  }
  const listeners = servedListeners(gateway, notes);
  const attachments = new Map<ServedListener, Attachment[]>(listeners.map((l) => [l, []]));
  for (const route of [...input.manifests.routes].sort(olderFirst)) attach(route, gateway, listeners, input, attachments, notes);

  const ports = [...new Set(listeners.map((l) => l.listener.port))].sort((a, b) => a - b);
  return ports.map((port) => planPort(port, listeners.filter((l) => l.listener.port === port), attachments, input, notes));
}

function servedListeners(gateway: Named<Gateway>, notes: string[]): ServedListener[] {
  const id = `Gateway ${gateway.namespace}/${gateway.name}`;
  const served: ServedListener[] = [];
  for (const listener of gateway.object.spec.listeners) {
    const hostname = listener.hostname?.toLowerCase();
    const label = `${id} listener ${listener.name} (port ${listener.port}, ${hostname ?? "any hostname"})`;
    if (listener.protocol !== "HTTP") {
      notes.push(`${label}: protocol ${listener.protocol} is not served (HTTP only)`);
    } else if (hostname !== undefined && !hostnameSyntax(hostname)) {
      notes.push(`${label}: the hostname is not a DNS name or wildcard: left out`);
    } else {
      served.push({ listener, label, ...(hostname === undefined ? {} : { hostname }) });
    }
  }
  return served.filter((l) => {
    const twins = served.filter((o) => o.listener.port === l.listener.port && o.hostname === l.hostname);
    if (twins.length === 1) return true;
    notes.push(`${l.label}: conflicts with ${twins.filter((o) => o !== l).map((o) => o.listener.name).join(", ")} (same port and hostname): left out`);
    return false;
  });
}

function attach(
  route: Named<HTTPRoute>,
  gateway: Named<Gateway>,
  listeners: readonly ServedListener[],
  input: GatewayPlanInput,
  attachments: Map<ServedListener, Attachment[]>,
  notes: string[],
): void {
  const routeId = `HTTPRoute ${route.namespace}/${route.name}`;
  const attached = new Set<ServedListener>();
  (route.object.spec.parentRefs ?? []).forEach((ref, r) => {
    const names = (ref.group ?? GATEWAY_API_GROUP) === GATEWAY_API_GROUP && (ref.kind ?? "Gateway") === "Gateway"
      && (ref.namespace ?? route.namespace) === gateway.namespace && ref.name === gateway.name;
    if (!names) return;
    const why: string[] = [];
    let accepted = 0;
    for (const served of listeners) {
      const l = served.listener;
      if ((ref.sectionName !== undefined && ref.sectionName !== l.name) || (ref.port !== undefined && ref.port !== l.port)) continue;
      const refusal = allowedRoutesRefusal(l, gateway.namespace, route.namespace, input.namespaces);
      if (refusal) {
        why.push(`listener ${l.name}: ${refusal}`);
        continue;
      }
      const hostnames = effectiveHostnames(served.hostname, route.object.spec.hostnames ?? []);
      if (hostnames.length === 0) {
        why.push(`listener ${l.name}: ${served.hostname === undefined ? "no route hostname is a DNS name" : `no route hostname intersects ${served.hostname}`}`);
        continue;
      }
      accepted++;
      if (attached.has(served)) continue;
      attached.add(served);
      attachments.get(served)!.push({ route, hostnames });
    }
    if (accepted === 0) {
      const selected = [ref.sectionName && `sectionName ${ref.sectionName}`, ref.port && `port ${ref.port}`].filter(Boolean).join(", ");
      notes.push(`${routeId} parentRef ${r}${selected ? ` (${selected})` : ""} attaches to no listener: ${why.length > 0 ? why.join("; ") : "no served HTTP listener matches"}`);
    }
  });
}

/** Why a listener's allowedRoutes refuse an HTTPRoute of `routeNamespace`, or undefined. */
function allowedRoutesRefusal(listener: Listener, gatewayNamespace: string, routeNamespace: string, namespaces: readonly NamespaceModel[]): string | undefined {
  const kinds = listener.allowedRoutes?.kinds ?? [];
  if (kinds.length > 0 && !kinds.some((k) => (k.group ?? GATEWAY_API_GROUP) === GATEWAY_API_GROUP && k.kind === "HTTPRoute")) {
    return "allowedRoutes.kinds does not include HTTPRoute";
  }
  const from = listener.allowedRoutes?.namespaces?.from ?? "Same";
  if (from === "All") return undefined;
  if (from === "Same") return routeNamespace === gatewayNamespace ? undefined : `allows routes from namespace ${gatewayNamespace} only`;
  const selector = listener.allowedRoutes?.namespaces?.selector;
  if (!selector) return "allowedRoutes from: Selector without a selector";
  const labels: Labels = namespaces.find((n) => n.name === routeNamespace)?.labels ?? { "kubernetes.io/metadata.name": routeNamespace };
  return selectorMatches(selector, labels) ? undefined : `namespace ${routeNamespace} does not match allowedRoutes.namespaces.selector`;
}

/**
 * The hostnames a route serves on a listener: the intersections of each route hostname with
 * the listener's ("A Listener with `test.example.com` as the hostname matches HTTPRoutes that
 * have ... specified at least one of `test.example.com` or `*.example.com`"; "A Listener with
 * `*.example.com` ... `*.example.com`, `test.example.com`, and `foo.test.example.com` would all
 * match"). A route without hostnames takes the listener's; neither: no condition.
 */
export function effectiveHostnames(listener: string | undefined, routeHostnames: readonly string[]): (string | undefined)[] {
  if (routeHostnames.length === 0) return [listener];
  const out: (string | undefined)[] = [];
  for (const raw of routeHostnames) {
    const hostname = raw.toLowerCase();
    if (!hostnameSyntax(hostname)) continue;
    const both = listener === undefined ? hostname : intersect(listener, hostname);
    if (both !== undefined && !out.includes(both)) out.push(both);
  }
  return out;
}

function intersect(a: string, b: string): string | undefined {
  if (a === b) return a;
  if (covers(a, b)) return b;
  if (covers(b, a)) return a;
  return undefined;
}

/** Whether wildcard `pattern` (`*.suffix`) matches every name `hostname` stands for, with one more label at least. */
function covers(pattern: string, hostname: string): boolean {
  return pattern.startsWith("*.") && hostname.endsWith(pattern.slice(1)) && hostname.length > pattern.length - 1;
}

function hostPattern(hostname: string | undefined): HostPattern | undefined {
  if (hostname === undefined) return undefined;
  return hostname.startsWith("*.") ? { kind: "wildcard", suffix: hostname.slice(2) } : { kind: "exact", name: hostname };
}

/**
 * Listener order for isolation: exact hostnames, then wildcards by the labels after the `*`
 * ("the higher the number of dots in the hostname to the right of the wildcard character, the
 * higher the precedence"), then no hostname.
 */
function listenerSpecificity(hostname: string | undefined): number[] {
  if (hostname === undefined) return [2, 0];
  if (!hostname.startsWith("*.")) return [0, 0];
  return [1, -hostname.split(".").length];
}

/** Route hostname order: non-wildcard first, then the wildcard with most characters, then none. */
function hostnameSpecificity(hostname: string | undefined): number[] {
  if (hostname === undefined) return [2, 0];
  return [hostname.startsWith("*.") ? 1 : 0, -hostname.length];
}

interface Candidate {
  readonly entry: MatchEntry;
  readonly hostname?: string;
  readonly match: CompiledMatch;
  readonly route: Named<HTTPRoute>;
  readonly rule: number;
  readonly matchIndex: number;
}

function planPort(
  port: number,
  listeners: readonly ServedListener[],
  attachments: ReadonlyMap<ServedListener, readonly Attachment[]>,
  input: GatewayPlanInput,
  notes: string[],
): PortPlan {
  const isolated = input.implementation.listenerIsolation !== false;
  const ordered = [...listeners].sort((a, b) => compareNumbers(listenerSpecificity(a.hostname), listenerSpecificity(b.hostname)));
  const selectors: Selector[] = isolated ? ordered.map((l) => ({ label: l.label, ...optionalHost(hostPattern(l.hostname)) })) : [];
  const actions: Action[] = [];
  const actionOf = new Map<string, number>();
  const candidates: Candidate[] = [];

  ordered.forEach((listener, selector) => {
    for (const { route, hostnames } of attachments.get(listener) ?? []) {
      rulesOf(route.object).forEach((rule, r) => {
        const key = `${route.namespace}/${route.name}#${r}`;
        if (!actionOf.has(key)) actionOf.set(key, actions.push(ruleAction(route, r, rule, port, input.backends, notes)) - 1);
        const action = actionOf.get(key)!;
        matchesOf(rule).forEach((m, j) => {
          const label = `HTTPRoute ${route.namespace}/${route.name} rule ${r} match ${j}`;
          const match = compileMatch(m);
          if (typeof match === "string") {
            notes.push(`${label}: ${match}: left out`);
            return;
          }
          for (const hostname of hostnames) {
            const host = hostPattern(hostname);
            const entry: MatchEntry = {
              ...(isolated ? { selector } : {}),
              ...optionalHost(host),
              path: match.path,
              headers: match.headers,
              query: match.query,
              ...(match.method === undefined ? {} : { method: match.method }),
              action,
              label: `${label}, ${hostname ?? "any hostname"}${isolated ? `, on listener ${listener.listener.name}` : ""}`,
            };
            candidates.push({ entry, match, route, rule: r, matchIndex: j, ...(hostname === undefined ? {} : { hostname }) });
          }
        });
      });
    }
  });

  candidates.sort((a, b) => compareNumbers(hostnameSpecificity(a.hostname), hostnameSpecificity(b.hostname))
    || compareMatches(a.match, b.match)
    || olderFirst(a.route, b.route)
    || a.rule - b.rule
    || a.matchIndex - b.matchIndex
    || compareText(a.entry.label, b.entry.label));
  return { port, selectors, entries: candidates.map((c) => c.entry), actions, fallback: { kind: "status", status: 404 } };
}

function optionalHost(host: HostPattern | undefined): { host?: HostPattern } {
  return host === undefined ? {} : { host };
}

/** spec.rules, defaulted as the CRD does: one rule matching PathPrefix "/" (and no backend). */
function rulesOf(route: HTTPRoute): readonly HTTPRouteRule[] {
  return route.spec.rules ?? [{}];
}

/** "If no matches are specified, the default is a prefix path match on "/"". */
function matchesOf(rule: HTTPRouteRule): NonNullable<HTTPRouteRule["matches"]> {
  return rule.matches && rule.matches.length > 0 ? rule.matches : [{}];
}

/** The rule's filters and weighted backendRefs, for requests arriving on `port`. */
function ruleAction(route: Named<HTTPRoute>, r: number, rule: HTTPRouteRule, port: number, backends: BackendContext, notes: string[]): Action {
  const label = `HTTPRoute ${route.namespace}/${route.name} rule ${r}${rule.name ? ` (${rule.name})` : ""}`;
  const matches = matchesOf(rule);
  const only = matches.length === 1 ? matches[0]! : undefined;
  const matchedPrefix = only && (only.path?.type ?? "PathPrefix") === "PathPrefix" ? withoutTrailingSlash(only.path?.value ?? "/") : undefined;
  const ctx = { listenerPort: port, ...(matchedPrefix === undefined ? {} : { matchedPrefix }) };
  const compiled = compileFilters(rule.filters, ctx);
  if (compiled.problem !== undefined) {
    notes.push(`${label}: ${compiled.problem}: the rule answers 500`);
    return { label, filters: [], shares: [] };
  }
  const shares: Share[] = [];
  (rule.backendRefs ?? []).forEach((ref, k) => {
    // BackendRef.Weight: "If unspecified, weight defaults to 1"; 0: "no traffic should be forwarded for this entry".
    const weight = ref.weight ?? 1;
    if (weight === 0) return;
    const refLabel = `${label} backendRef ${k}`;
    const resolved = resolveBackendRef(ref, route, backends);
    if (resolved.problem !== undefined) {
      notes.push(`${refLabel}: ${resolved.problem}: its share answers 500`);
      shares.push({ weight, target: resolved.target, filters: [] });
      return;
    }
    // HTTPBackendRef.Filters: "executed if and only if the request is being forwarded to the backend defined here".
    const own = compileFilters(ref.filters, ctx);
    if (own.problem !== undefined) {
      notes.push(`${refLabel}: ${own.problem}: its share answers 500`);
      shares.push({ weight, target: { kind: "status", status: 500 }, filters: [] });
      return;
    }
    shares.push({ weight, target: resolved.target, filters: own.filters });
  });
  if (shares.length === 0 && !compiled.filters.some((f) => f.kind === "redirect")) {
    notes.push(`${label}: no backendRef with a weight above 0: the rule answers 500`);
  }
  return { label, filters: compiled.filters, shares };
}
