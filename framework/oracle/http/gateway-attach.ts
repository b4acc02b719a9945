// Gateway API: which Gateways the implementation serves, which listener takes a request, and
// which HTTPRoutes attach to which listeners (with the hostnames they serve there).
// Sources (https://gateway-api.sigs.k8s.io/reference/spec/, and the v1 Go types' doc comments
// in sigs.k8s.io/gateway-api apis/v1):
//   [gateway]  GatewaySpec.Listeners ("Distinct Listeners", "Listeners that are distinct only by
//              Hostname", "General Listener behavior"), Listener.Hostname, AllowedRoutes,
//              RouteNamespaces, RouteGroupKind (gateway_types.go)
//   [route]    HTTPRouteSpec.Hostnames (httproute_types.go); CommonRouteSpec.ParentRefs,
//              ParentReference, RouteConditionReason (shared_types.go)
import { selectorMatches, type Labels } from "../../kube/labels.js";
import {
  GATEWAY_API_GROUP, GATEWAY_CLASS_PLACEHOLDER,
  type Gateway, type GatewayClass, type HTTPRoute, type Listener, type ParentReference, type ReferenceGrant,
} from "../../kube/gateway-types.js";

/** The Gateway API implementation under test. */
export interface GatewayImplementation {
  /** GatewayClass names it serves without a GatewayClass object (default: the conformance placeholder). */
  readonly gatewayClassNames?: readonly string[];
  /** Its controller name: it also serves every GatewayClass whose spec.controllerName is this. */
  readonly controllerName?: string;
  /**
   * Whether it claims GatewayHTTPListenerIsolation (Extended): a request a listener's routes do
   * not match gets 404 even when a less specific listener's routes would. Unset: not known,
   * so such requests are undefined.
   */
  readonly listenerIsolation?: boolean;
}

/** A hostname as Gateway API matches it: exact, a wildcard (`*.` plus one or more labels), or any. */
export type HostPattern =
  | { readonly kind: "exact"; readonly host: string }
  | { readonly kind: "wildcard"; readonly suffix: string }
  | { readonly kind: "any" };

export function hostPattern(hostname: string | undefined): HostPattern {
  if (hostname === undefined || hostname === "") return { kind: "any" };
  const lower = hostname.toLowerCase();
  return lower.startsWith("*.") ? { kind: "wildcard", suffix: lower.slice(1) } : { kind: "exact", host: lower };
}

export function formatHostPattern(pattern: HostPattern): string {
  switch (pattern.kind) {
    case "any": return "(any host)";
    case "exact": return pattern.host;
    case "wildcard": return `*${pattern.suffix}`;
  }
}

/**
 * [gateway] Listener.Hostname: "Hostnames that are prefixed with a wildcard label (`*.`) are
 * interpreted as a suffix match": `*.example.com` matches `test.example.com` and
 * `foo.test.example.com`, not `example.com` (unlike Ingress, where a wildcard is one label).
 */
export function hostMatches(pattern: HostPattern, host: string): boolean {
  switch (pattern.kind) {
    case "any": return true;
    case "exact": return pattern.host === host;
    case "wildcard": return host.length > pattern.suffix.length && host.endsWith(pattern.suffix);
  }
}

/**
 * [gateway] "Listeners that are distinct only by Hostname": exact before wildcard before no
 * hostname; among wildcards, "the higher the number of dots in the hostname to the right of
 * the wildcard character, the higher the precedence". Larger is more specific.
 */
export function listenerSpecificity(pattern: HostPattern): number {
  switch (pattern.kind) {
    case "any": return 0;
    case "wildcard": return 1 + [...pattern.suffix].filter((c) => c === ".").length;
    case "exact": return 1_000;
  }
}

/**
 * [route] HTTPRouteSpec.Hostnames: with hostnames on both, a route hostname serves on the
 * listener when the two intersect, as the more specific of the two (`*.example.com` on a
 * `test.example.com` listener serves `test.example.com`); other route hostnames "MUST be
 * ignored". Returns undefined when they do not intersect.
 */
export function intersectHosts(route: HostPattern, listener: HostPattern): HostPattern | undefined {
  if (listener.kind === "any") return route;
  if (route.kind === "any") return listener;
  if (listener.kind === "exact") {
    if (route.kind === "exact") return route.host === listener.host ? route : undefined;
    return hostMatches(route, listener.host) ? listener : undefined;
  }
  if (route.kind === "exact") return hostMatches(listener, route.host) ? route : undefined;
  if (route.suffix.endsWith(listener.suffix)) return route;
  if (listener.suffix.endsWith(route.suffix)) return listener;
  return undefined;
}

export interface CompiledListener {
  readonly gateway: string;
  readonly listener: Listener;
  readonly host: HostPattern;
  /** `listener http (port 80, hostname *.example.com) of Gateway infra/gw`. */
  readonly label: string;
}

export function compileListener(gatewayId: string, listener: Listener): CompiledListener {
  const host = hostPattern(listener.hostname);
  const hostText = host.kind === "any" ? "no hostname" : `hostname ${formatHostPattern(host)}`;
  return { gateway: gatewayId, listener, host, label: `listener ${listener.name} (port ${listener.port}, ${listener.protocol}, ${hostText}) of Gateway ${gatewayId}` };
}

export const isHttpProtocol = (protocol: string) => protocol === "HTTP" || protocol === "HTTPS";

/** Whether `gateway` is served by the implementation, and why. */
export function gatewayServed(gateway: Gateway, classes: readonly GatewayClass[], impl: GatewayImplementation): { served: boolean; reason: string } {
  const className = gateway.spec.gatewayClassName;
  if ((impl.gatewayClassNames ?? [GATEWAY_CLASS_PLACEHOLDER]).includes(className)) {
    return { served: true, reason: `gatewayClassName ${className} is served by the implementation under test` };
  }
  const declared = classes.find((c) => c.metadata.name === className);
  if (!declared) return { served: false, reason: `gatewayClassName ${className}: no such GatewayClass, and not a class the implementation serves` };
  const ours = impl.controllerName !== undefined && declared.spec.controllerName === impl.controllerName;
  return {
    served: ours,
    reason: `GatewayClass ${className} has controllerName ${declared.spec.controllerName}${ours ? "" : `, not the implementation under test${impl.controllerName ? ` (${impl.controllerName})` : ""}`}`,
  };
}

/** Labels of a namespace, with the `kubernetes.io/metadata.name` label the API server always sets. */
export type NamespaceLabels = (namespace: string) => Labels;

/**
 * [gateway] AllowedRoutes: `kinds` unset means the kinds the protocol supports (HTTPRoute for
 * HTTP and HTTPS); RouteGroupKind.group defaults to gateway.networking.k8s.io; an HTTPRoute
 * kind on a TLS, TCP or UDP listener is not compatible with its protocol. RouteNamespaces.from
 * defaults to Same; Selector selects namespaces by label ("Selector must be specified"; without
 * one, no namespace is selected).
 */
export function listenerAllows(
  listener: CompiledListener, gatewayNamespace: string, routeNamespace: string, labels: NamespaceLabels,
): { allowed: boolean; why: string } {
  const { protocol, allowedRoutes } = listener.listener;
  const kinds = allowedRoutes?.kinds ?? [];
  const kindListed = kinds.some((k) => k.kind === "HTTPRoute" && (k.group ?? GATEWAY_API_GROUP) === GATEWAY_API_GROUP);
  if (!isHttpProtocol(protocol)) return { allowed: false, why: `${listener.label} is ${protocol}: HTTPRoutes do not attach to it` };
  if (kinds.length > 0 && !kindListed) {
    return { allowed: false, why: `${listener.label} allows only ${kinds.map((k) => k.kind).join(", ")}` };
  }
  const from = allowedRoutes?.namespaces?.from ?? "Same";
  switch (from) {
    case "All": return { allowed: true, why: "allowedRoutes from All" };
    case "Same":
      return routeNamespace === gatewayNamespace
        ? { allowed: true, why: "allowedRoutes from Same" }
        : { allowed: false, why: `${listener.label} allows routes from its own namespace ${gatewayNamespace} only` };
    case "Selector": {
      const selector = allowedRoutes?.namespaces?.selector;
      const ok = selector !== undefined && selectorMatches(selector, labels(routeNamespace));
      return ok
        ? { allowed: true, why: "allowedRoutes selector matches the route's namespace" }
        : { allowed: false, why: `${listener.label} selects route namespaces by label and ${routeNamespace} ${selector ? "does not match" : "(no selector given) is not selected"}` };
    }
  }
}

export type AttachmentFailure = "NoMatchingParent" | "NotAllowedByListeners" | "NoMatchingListenerHostname";

/** One parentRef of a route that names the Gateway at hand: where it attached, or why not. */
export interface ParentAttachment {
  readonly parentIndex: number;
  /** Listeners it attached to, with the hostnames it serves on each. */
  readonly listeners: readonly { readonly listener: CompiledListener; readonly hosts: readonly HostPattern[] }[];
  readonly failure?: { readonly reason: AttachmentFailure; readonly message: string };
}

/** Whether a parentRef names `gateway` ([route] ParentReference defaults: group gateway.networking.k8s.io, kind Gateway, the route's namespace). */
export function refersTo(ref: ParentReference, routeNamespace: string, gateway: Gateway): boolean {
  return (ref.group ?? GATEWAY_API_GROUP) === GATEWAY_API_GROUP && (ref.kind ?? "Gateway") === "Gateway"
    && (ref.namespace ?? routeNamespace) === (gateway.metadata.namespace ?? "default") && ref.name === gateway.metadata.name;
}

/**
 * [route] ParentReference.SectionName / Port: a parentRef selects the listeners with that name
 * and/or port (both must match when both are set), else all of them; the route attaches to each
 * selected listener that allows it and shares a hostname with it. RouteConditionReason gives
 * the reason when none does, checked in that order: no listener selected (NoMatchingParent),
 * none allows the route (NotAllowedByListeners), none shares a hostname (NoMatchingListenerHostname).
 */
export function attachParent(
  route: HTTPRoute, parentIndex: number, gateway: Gateway, listeners: readonly CompiledListener[], labels: NamespaceLabels,
): ParentAttachment {
  const ref = route.spec.parentRefs![parentIndex]!;
  const routeNamespace = route.metadata.namespace ?? "default";
  const gatewayNamespace = gateway.metadata.namespace ?? "default";
  const gatewayId = `${gatewayNamespace}/${gateway.metadata.name}`;
  const selected = listeners.filter((l) =>
    (ref.sectionName === undefined || l.listener.name === ref.sectionName) && (ref.port === undefined || l.listener.port === ref.port));
  const fail = (reason: AttachmentFailure, message: string): ParentAttachment => ({ parentIndex, listeners: [], failure: { reason, message } });
  if (selected.length === 0) {
    const wanted = [ref.sectionName !== undefined ? `sectionName ${ref.sectionName}` : "", ref.port !== undefined ? `port ${ref.port}` : ""].filter(Boolean).join(" and ");
    return fail("NoMatchingParent", `Gateway ${gatewayId} has no listener with ${wanted} (listeners: ${listeners.map((l) => `${l.listener.name}/${l.listener.port}`).join(", ")})`);
  }
  const verdicts = selected.map((l) => ({ l, ...listenerAllows(l, gatewayNamespace, routeNamespace, labels) }));
  const allowed = verdicts.filter((v) => v.allowed).map((v) => v.l);
  if (allowed.length === 0) return fail("NotAllowedByListeners", verdicts.map((v) => v.why).join("; "));
  const routeHosts = (route.spec.hostnames ?? []).map(hostPattern);
  const attached = allowed.flatMap((listener) => {
    const hosts = routeHosts.length === 0 ? [listener.host] : routeHosts.flatMap((h) => intersectHosts(h, listener.host) ?? []);
    return hosts.length > 0 ? [{ listener, hosts }] : [];
  });
  if (attached.length === 0) {
    return fail("NoMatchingListenerHostname", `no hostname of the route (${route.spec.hostnames!.join(", ")}) intersects ${allowed.map((l) => `${l.label.split(" of ")[0]}`).join(", ")}`);
  }
  return { parentIndex, listeners: attached };
}

/**
 * ReferenceGrant ([gateway] referencegrant_types.go): a reference from an HTTPRoute in
 * `fromNamespace` to the Service `name` in `toNamespace` is permitted by a grant in
 * `toNamespace` whose `from` lists (gateway.networking.k8s.io, HTTPRoute, fromNamespace) and
 * whose `to` lists ("", Service) with that name or no name. Entries of `from` and of `to` are ORed.
 */
export function referencePermitted(grants: readonly ReferenceGrant[], fromNamespace: string, toNamespace: string, name: string): ReferenceGrant | undefined {
  return grants.find((grant) =>
    (grant.metadata.namespace ?? "default") === toNamespace
    && grant.spec.from.some((f) => f.group === GATEWAY_API_GROUP && f.kind === "HTTPRoute" && f.namespace === fromNamespace)
    && grant.spec.to.some((t) => t.group === "" && t.kind === "Service" && (t.name === undefined || t.name === "" || t.name === name)));
}
