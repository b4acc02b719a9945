// Which Layer 7 features an HTTP cell exercises, for the conformance report's GATEWAY-HTTP and
// INGRESS-HTTP profiles.
//
// Gateway API: the GATEWAY-HTTP profile and its feature names are the project's own
// (kubernetes-sigs/gateway-api, conformance/utils/suite/profiles.go: core Gateway,
// ReferenceGrant, HTTPRoute; extended GatewayExtendedFeatures and HTTPRouteExtendedFeatures, from
// pkg/features/gateway.go and pkg/features/httproute.go). BackendTLSPolicy, which the profile
// also lists, is left out: netspec's listeners and backends are plain HTTP.
//
// Ingress has no conformance profile of its own; INGRESS-HTTP is netspec's, its features named
// after kubernetes-sigs/ingress-controller-conformance's feature files (features/path_rules,
// host_rules, default_backend).
//
// A cell exercises a feature only when it proves something about it: its connection was
// allowed and its answer asserted (`expected: allow`; a denied cell gets no HTTP answer, an
// undefined one holds whatever answers). Features come from the structured fields first (the
// port, the request against the expected redirect and backend request, the answering pods);
// the rest is read from the oracle's reason, which names the listener, the route, the rule and
// the match that decided (oracle/http/gateway.ts and ingress.ts labels): that part is a
// heuristic over text, marked where it is done, and only ever adds a feature the cell's rule used.
import type { ScenarioTopology } from "../runner/results.js";
import type { BackendRequestExpectation, HttpCell, RedirectExpectation } from "./http-cell.js";

export type FeatureLevel = "core" | "extended";

export interface ProfileCatalogue {
  readonly name: string;
  readonly summary: string;
  /** Which cells the profile judges. */
  readonly judges: (cell: HttpCell) => boolean;
  readonly core: readonly string[];
  readonly extended: readonly string[];
  /** The features one cell exercises (called only for cells the profile judges, `expected: allow`). */
  readonly features: (cell: HttpCell, topology: ScenarioTopology | undefined) => string[];
}

/** pkg/features/gateway.go GatewayExtendedFeatures. */
const GATEWAY_EXTENDED = [
  "GatewayPort8080", "GatewayStaticAddresses", "GatewayHTTPListenerIsolation", "GatewayHTTPSListenerDetectMisdirectedRequests",
  "GatewayInfrastructurePropagation", "GatewayAddressEmpty", "GatewayBackendClientCertificate",
  "GatewayFrontendClientCertificateValidation", "GatewayFrontendClientCertificateValidationInsecureFallback", "ListenerSet",
];

/** pkg/features/httproute.go HTTPRouteExtendedFeatures. */
const HTTPROUTE_EXTENDED = [
  "HTTPRouteDestinationPortMatching", "HTTPRouteBackendRequestHeaderModification", "HTTPRouteQueryParamMatching",
  "HTTPRouteMethodMatching", "HTTPRouteResponseHeaderModification", "HTTPRoutePortRedirect", "HTTPRouteSchemeRedirect",
  "HTTPRoutePathRedirect", "HTTPRouteHostRewrite", "HTTPRoutePathRewrite", "HTTPRouteRequestMirror",
  "HTTPRouteRequestMultipleMirrors", "HTTPRouteRequestPercentageMirror", "HTTPRouteRequestTimeout", "HTTPRouteBackendTimeout",
  "HTTPRouteParentRefPort", "HTTPRouteBackendProtocolH2C", "HTTPRouteBackendProtocolWebSocket", "HTTPRouteNamedRouteRule",
  "HTTPRouteCORS", "HTTPRoute303RedirectStatusCode", "HTTPRoute307RedirectStatusCode", "HTTPRoute308RedirectStatusCode",
  "HTTPRouteRetry", "HTTPRouteRetryBackendTimeout", "HTTPRouteRetryConnectionError", "HTTPRouteBackendURLRewrite",
  "HTTPRouteBackendRequestRedirect",
];

/** The path component of a request path (`/v2?animal=whale` → `/v2`). */
const pathOnly = (path: string) => path.split("?")[0]!;

/** The Host header without its port (a redirect's hostname is compared without it). */
const hostOnly = (host: string) => (host.startsWith("[") ? host.slice(0, host.indexOf("]") + 1) : host.split(":")[0]!);

const wellKnownPort = (scheme: string) => (scheme === "https" ? 443 : 80);

/**
 * What a redirect proves, field by field, against the request (netspec's requests are plain
 * HTTP): a scheme other than http, a port other than the one the spec derives without a port
 * filter (HTTPRequestRedirectFilter.Port: the scheme's well-known port when the scheme changes,
 * else the listener's), a path other than the request's, a 303/307/308 status.
 */
function redirectFeatures(cell: HttpCell, redirect: RedirectExpectation): string[] {
  const features: string[] = [];
  const scheme = redirect.scheme ?? "http";
  if (redirect.scheme !== undefined && redirect.scheme !== "http") features.push("HTTPRouteSchemeRedirect");
  if (redirect.port !== undefined && redirect.port !== (scheme !== "http" ? wellKnownPort(scheme) : cell.port)) features.push("HTTPRoutePortRedirect");
  if (redirect.path !== undefined && redirect.path !== pathOnly(cell.request.path)) features.push("HTTPRoutePathRedirect");
  const status = redirect.status ?? (cell.status?.length === 1 ? cell.status[0] : undefined);
  if (status === 303 || status === 307 || status === 308) features.push(`HTTPRoute${status}RedirectStatusCode`);
  return features;
}

/**
 * What a backend request proves: a path or a Host other than the request's is a URLRewrite
 * (rule-level or on a backendRef: the answer alone does not tell which, so both count as
 * HTTPRoutePathRewrite / HTTPRouteHostRewrite). Header changes are RequestHeaderModifier, core.
 */
function rewriteFeatures(cell: HttpCell, want: BackendRequestExpectation): string[] {
  const features: string[] = [];
  if (want.path !== undefined && pathOnly(want.path) !== pathOnly(cell.request.path)) features.push("HTTPRoutePathRewrite");
  if (want.host !== undefined && hostOnly(want.host) !== hostOnly(cell.request.host)) features.push("HTTPRouteHostRewrite");
  return features;
}

/** `HTTPRoute ns/name rules[i] (name)? matches[j] (conditions)`, as oracle/http/gateway.ts labels a match. */
const ROUTE_MATCH = /HTTPRoute ([^\s/]+)\/\S+ rules\[\d+\]( \([^)]*\))? matches\[\d+\] \(([^)]*)\)/g;

/**
 * Heuristic, from the reason's text: the matches it names (the winner, and the runner-up it won
 * over) and their conditions (`PathPrefix /, method GET, header a=b, query animal=whale`).
 */
function reasonMatches(reason: string): { namespace: string; named: boolean; conditions: string }[] {
  return [...reason.matchAll(ROUTE_MATCH)].map((m) => ({ namespace: m[1]!, named: m[2] !== undefined, conditions: m[3]! }));
}

function gatewayFeatures(cell: HttpCell): string[] {
  const features = ["Gateway", "HTTPRoute"];
  // GatewayPort8080: "the Gateway can also use port 8080".
  if (cell.port === 8080) features.push("GatewayPort8080");
  if (cell.redirect) features.push(...redirectFeatures(cell, cell.redirect));
  if (cell.backendRequest) features.push(...rewriteFeatures(cell, cell.backendRequest));
  const matches = reasonMatches(cell.reason);
  if (matches.some((m) => /(^|, )method /.test(m.conditions))) features.push("HTTPRouteMethodMatching");
  if (matches.some((m) => /(^|, )query /.test(m.conditions))) features.push("HTTPRouteQueryParamMatching");
  if (matches[0]?.named) features.push("HTTPRouteNamedRouteRule");
  // ReferenceGrant: an answering pod outside the deciding route's namespace (a cross-namespace
  // backendRef a grant permits), or the 500 of one no grant permits (RefNotPermitted).
  const routeNamespace = matches[0]?.namespace;
  const crossNamespace = routeNamespace !== undefined && (cell.backends ?? []).some((pod) => pod.split("/")[0] !== routeNamespace);
  if (crossNamespace || /\bReferenceGrant\b/.test(cell.reason)) features.push("ReferenceGrant");
  return features;
}

/** `Ingress ns/name rules[i].http.paths[j] (Prefix /foo)`, as oracle/http/ingress.ts describes a path. */
const INGRESS_PATH = /Ingress (\S+)\/(\S+) rules\[(\d+)\]\.http\.paths\[\d+\] \((Exact|Prefix) /;

interface IngressRuleObject { readonly spec?: { readonly rules?: readonly { readonly host?: string }[] } }

/**
 * Heuristic, from the reason's text: the path that decided (its pathType), or the defaultBackend;
 * the deciding rule's host is then read from the Ingress in the scenario's topology.
 */
function ingressFeatures(cell: HttpCell, topology: ScenarioTopology | undefined): string[] {
  const features = ["Ingress"];
  if (/\bdefaultBackend\b/.test(cell.reason)) features.push("IngressDefaultBackend");
  const path = INGRESS_PATH.exec(cell.reason);
  if (!path) return features;
  const [, namespace, name, rule, pathType] = path;
  features.push(pathType === "Exact" ? "IngressExactPathRules" : "IngressPrefixPathRules");
  const ingress = topology?.policies.find((p) => p.kind === "Ingress" && p.namespace === namespace && p.name === name)?.object as IngressRuleObject | undefined;
  const host = ingress?.spec?.rules?.[Number(rule)]?.host;
  if (host) features.push(host.startsWith("*.") ? "IngressWildcardHostRules" : "IngressHostRules");
  return features;
}

export const GATEWAY_HTTP: ProfileCatalogue = {
  name: "GATEWAY-HTTP",
  summary: "HTTP through Gateways: the Gateway API's GATEWAY-HTTP profile (core Gateway, ReferenceGrant, HTTPRoute; extended Gateway and HTTPRoute features)",
  judges: (cell) => cell.to.startsWith("gateway/"),
  core: ["Gateway", "HTTPRoute", "ReferenceGrant"],
  extended: [...GATEWAY_EXTENDED, ...HTTPROUTE_EXTENDED],
  features: gatewayFeatures,
};

export const INGRESS_HTTP: ProfileCatalogue = {
  name: "INGRESS-HTTP",
  summary: "HTTP through Ingresses (netspec's profile, after ingress-controller-conformance: path rules, host rules, default backend)",
  judges: (cell) => cell.to.startsWith("ingress/"),
  core: ["Ingress", "IngressPrefixPathRules", "IngressExactPathRules", "IngressHostRules", "IngressWildcardHostRules", "IngressDefaultBackend"],
  extended: [],
  features: ingressFeatures,
};
