// What the API server rejects in Layer 7 objects, field by field, as problems with the path of
// the field concerned (the route conditions an implementation would report are the oracle's:
// oracle/http/conditions.ts).
// Sources:
//   Gateway API CRDs, standard channel (sigs.k8s.io/gateway-api config/crd/standard/*.yaml,
//   generated from the kubebuilder markers in apis/v1): OpenAPI limits (MaxItems, MaxLength,
//   Pattern) and CEL rules (x-kubernetes-validations); each check names its marker's type.
//   Ingress, IngressClass: kubernetes pkg/apis/networking/validation/validation.go
//   (ValidateIngressCreate, ValidateIngressSpec, validateIngressRules, validateHTTPIngressPath,
//   validateIngressBackend, validateIngressClassSpec, validateIngressClassParametersReference).
// The schemas in kube/gateway-types.ts check structure, required fields and enums; this module
// checks the rest, so that no mistake is reported twice.
import { checkDns1035Label, checkDns1123Label, checkDns1123Subdomain, checkPortName } from "../kube/labels.js";
import { isIpAddress } from "../kube/net.js";
import {
  INGRESS_CLASS_ANNOTATION,
  type BackendObjectReference, type Gateway, type GatewayClass, type HTTPHeaderFilter, type HTTPPathModifier, type HTTPRoute, type HTTPRouteFilter,
  type HTTPRouteMatch, type HTTPRouteRule, type Ingress, type IngressBackend, type IngressClass, type ParentReference, type ReferenceGrant,
} from "../kube/gateway-types.js";

export type FieldPath = readonly (string | number)[];

export interface Problem {
  readonly path: FieldPath;
  readonly message: string;
  readonly severity: "error" | "warning";
}

/** A problem of one object among several (route conditions, several default IngressClasses). */
export interface ObjectProblem extends Problem {
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
}

class Problems {
  readonly list: Problem[] = [];
  error(path: FieldPath, message: string): void { this.list.push({ path, message, severity: "error" }); }
  warn(path: FieldPath, message: string): void { this.list.push({ path, message, severity: "warning" }); }

  /** MaxItems. */
  atMost(path: FieldPath, items: readonly unknown[] | undefined, max: number, what: string): void {
    if (items && items.length > max) this.error(path, `at most ${max} ${what} (found ${items.length})`);
  }

  /** MinLength, MaxLength and Pattern of a string type. */
  format(path: FieldPath, value: string | undefined, type: StringType): void {
    if (value === undefined) return;
    if (value.length < (type.min ?? 0)) this.error(path, type.min === 1 ? "must not be empty" : `must be at least ${type.min} characters`);
    else if (value.length > type.max) this.error(path, `must be at most ${type.max} characters (found ${value.length})`);
    else if (type.pattern && !type.pattern.test(value)) this.error(path, `${JSON.stringify(value)} ${type.describe}`);
  }

  /** listType=map / listType=set: no two entries with the same key. */
  unique(path: FieldPath, keys: readonly string[], what: string): void {
    keys.forEach((key, i) => {
      if (keys.indexOf(key) !== i) this.error([...path, i], `duplicate ${what} ${JSON.stringify(key)}`);
    });
  }
}

interface StringType { readonly min?: number; readonly max: number; readonly pattern?: RegExp; readonly describe?: string }

const DNS_SUBDOMAIN = "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
const URI_PATH_CHARS = "[A-Za-z0-9\\/\\-._~%!$&'()*+,;=:]+";
// The Gateway API's string types (apis/v1/shared_types.go), as their markers define them.
const HOSTNAME: StringType = { min: 1, max: 253, pattern: new RegExp(`^(\\*\\.)?${DNS_SUBDOMAIN}$`), describe: "is not a hostname (lower-case DNS labels, optionally after a leading '*.')" };
const PRECISE_HOSTNAME: StringType = { min: 1, max: 253, pattern: new RegExp(`^${DNS_SUBDOMAIN}$`), describe: "is not a precise hostname (lower-case DNS labels, no wildcard)" };
const GROUP: StringType = { max: 253, pattern: new RegExp(`^$|^${DNS_SUBDOMAIN}$`), describe: "is not an API group (empty, or a DNS subdomain)" };
const KIND: StringType = { min: 1, max: 63, pattern: /^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$/, describe: "is not a kind (a letter, then letters, digits and '-')" };
const OBJECT_NAME: StringType = { min: 1, max: 253 };
const NAMESPACE: StringType = { min: 1, max: 63, pattern: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, describe: "is not a namespace name (a DNS-1123 label)" };
const SECTION_NAME: StringType = { min: 1, max: 253, pattern: new RegExp(`^${DNS_SUBDOMAIN}$`), describe: "is not a section name (lower-case DNS labels)" };
const HEADER_NAME: StringType = { min: 1, max: 256, pattern: /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/, describe: "is not a header name (RFC 7230 token characters)" };
const CONTROLLER_NAME: StringType = { min: 1, max: 253, pattern: new RegExp(`^${DNS_SUBDOMAIN}\\/${URI_PATH_CHARS}$`), describe: "is not a controller name (a domain-prefixed path, e.g. example.net/gateway-controller)" };
const PROTOCOL: StringType = { min: 1, max: 255, pattern: new RegExp(`^[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?$|${DNS_SUBDOMAIN}\\/[A-Za-z0-9]+$`), describe: "is not a protocol (HTTP, HTTPS, TLS, TCP, UDP or a domain-prefixed name)" };
const ADDRESS_TYPE: StringType = { min: 1, max: 253, pattern: new RegExp(`^Hostname|IPAddress|NamedAddress|${DNS_SUBDOMAIN}\\/${URI_PATH_CHARS}$`), describe: "is not an address type (IPAddress, Hostname or a domain-prefixed name)" };
const PATH_CHARACTERS = /^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$/;

// ---- HTTPRoute ----------------------------------------------------------------------------------------------

export function validateHTTPRoute(route: HTTPRoute): Problem[] {
  const p = new Problems();
  const spec = route.spec;
  // HTTPRouteSpec.Hostnames: MaxItems=16, each a Hostname.
  p.atMost(["spec", "hostnames"], spec.hostnames, 16, "hostnames");
  (spec.hostnames ?? []).forEach((host, i) => {
    p.format(["spec", "hostnames", i], host, HOSTNAME);
    // The pattern accepts dotted digits; the doc comment says "IPs are not allowed": they never match a Host header as a hostname.
    if (isIpAddress(host)) p.warn(["spec", "hostnames", i], `${host} is an IP address: HTTPRoute hostnames are names, so it never matches`);
  });
  parentRefs(p, spec.parentRefs ?? []);
  if (spec.rules !== undefined) {
    // HTTPRouteSpec.Rules: MinItems=1, MaxItems=16, and the CEL sum of matches <= 128.
    if (spec.rules.length === 0) p.error(["spec", "rules"], "must list at least one rule when set (omit it for the default rule)");
    p.atMost(["spec", "rules"], spec.rules, 16, "rules");
    const matches = spec.rules.slice(0, 16).reduce((n, rule) => n + effectiveMatches(rule).length, 0);
    if (matches > 128) p.error(["spec", "rules"], `at most 128 matches across all rules (found ${matches})`);
    const names = spec.rules.map((r) => r.name).filter((n): n is string => n !== undefined);
    // Experimental-channel CEL "Rule name must be unique within the route"; the doc comment requires it everywhere.
    spec.rules.forEach((rule, r) => {
      if (rule.name !== undefined && names.indexOf(rule.name) !== names.lastIndexOf(rule.name)) p.warn(["spec", "rules", r, "name"], `rule name ${rule.name} is not unique within the route (the experimental CRD rejects it)`);
      httpRouteRule(p, rule, ["spec", "rules", r]);
    });
  }
  return p.list;
}

/**
 * ParentReference fields, and CommonRouteSpec.ParentRefs (MaxItems=32, standard-channel CEL):
 * several references to one parent must all set sectionName, each to a different value.
 */
function parentRefs(p: Problems, refs: readonly ParentReference[]): void {
  p.atMost(["spec", "parentRefs"], refs, 32, "parentRefs");
  const parentKey = (ref: ParentReference) => JSON.stringify([ref.group ?? "gateway.networking.k8s.io", ref.kind ?? "Gateway", ref.name, ref.namespace ?? ""]);
  const keys = refs.map((ref) => `${parentKey(ref)}|${ref.sectionName ?? ""}`);
  refs.forEach((ref, i) => {
    const at = ["spec", "parentRefs", i];
    p.format([...at, "group"], ref.group, GROUP);
    p.format([...at, "kind"], ref.kind, KIND);
    p.format([...at, "namespace"], ref.namespace, NAMESPACE);
    p.format([...at, "name"], ref.name, OBJECT_NAME);
    p.format([...at, "sectionName"], ref.sectionName, SECTION_NAME);
    const same = refs.filter((other) => parentKey(other) === parentKey(ref));
    if (same.length < 2) return;
    const hasSection = (r: ParentReference) => (r.sectionName ?? "") !== "";
    if (same.some((other) => hasSection(other) !== hasSection(ref))) {
      p.error([...at, "sectionName"], `${ref.name} is referenced ${same.length} times: every reference to the same parent must set sectionName`);
    } else if (keys.indexOf(keys[i]!) !== i) {
      p.error([...at, "sectionName"], `${ref.name} is referenced twice with sectionName ${JSON.stringify(ref.sectionName ?? "")}: references to the same parent need distinct sectionNames`);
    }
  });
}

/** The rule's matches after defaulting (an absent list is one PathPrefix "/" match). */
const effectiveMatches = (rule: HTTPRouteRule): readonly HTTPRouteMatch[] => rule.matches ?? [{ path: { type: "PathPrefix", value: "/" } }];

function httpRouteRule(p: Problems, rule: HTTPRouteRule, at: FieldPath): void {
  p.format([...at, "name"], rule.name, SECTION_NAME);
  p.atMost([...at, "matches"], rule.matches, 64, "matches");
  (rule.matches ?? []).forEach((match, m) => httpRouteMatch(p, match, [...at, "matches", m]));
  filterList(p, rule.filters, [...at, "filters"]);
  p.atMost([...at, "backendRefs"], rule.backendRefs, 16, "backendRefs");
  (rule.backendRefs ?? []).forEach((ref, b) => {
    backendObjectReference(p, ref, [...at, "backendRefs", b]);
    filterList(p, ref.filters, [...at, "backendRefs", b, "filters"]);
  });
  // HTTPRouteRule CEL: "RequestRedirect filter must not be used together with backendRefs".
  const redirectAt = (rule.filters ?? []).findIndex((f) => f.requestRedirect !== undefined);
  if ((rule.backendRefs ?? []).length > 0 && redirectAt >= 0) {
    p.error([...at, "filters", redirectAt], "a RequestRedirect filter answers the request itself: it cannot be used together with backendRefs");
  }
  // HTTPRouteRule CEL (four rules): ReplacePrefixMatch, in the rule's filters or in one
  // backendRef's, needs exactly one match, a PathPrefix one.
  const matches = effectiveMatches(rule);
  const onePrefix = matches.length === 1 && matches[0]!.path?.type === "PathPrefix";
  const prefixRewrites = (filters: readonly HTTPRouteFilter[] | undefined) => ({
    redirect: (filters ?? []).filter((f) => f.requestRedirect?.path?.type === "ReplacePrefixMatch" && f.requestRedirect.path.replacePrefixMatch !== undefined).length === 1,
    rewrite: (filters ?? []).filter((f) => f.urlRewrite?.path?.type === "ReplacePrefixMatch" && f.urlRewrite.path.replacePrefixMatch !== undefined).length === 1,
  });
  const own = prefixRewrites(rule.filters);
  const backends = (rule.backendRefs ?? []).map((b) => prefixRewrites(b.filters));
  for (const kind of ["redirect", "rewrite"] as const) {
    const name = kind === "redirect" ? "RequestRedirect" : "URLRewrite";
    if (own[kind] && !onePrefix) p.error([...at, "matches"], `a ${name} with path.replacePrefixMatch needs exactly one match, of type PathPrefix`);
    if (backends.filter((b) => b[kind]).length === 1 && !onePrefix) {
      p.error([...at, "matches"], `a backendRef's ${name} with path.replacePrefixMatch needs exactly one match in the rule, of type PathPrefix`);
    }
  }
}

/** HTTPPathMatch CEL rules, HTTPHeaderMatch and HTTPQueryParamMatch lists and fields. */
function httpRouteMatch(p: Problems, match: HTTPRouteMatch, at: FieldPath): void {
  const type = match.path?.type ?? "PathPrefix";
  const value = match.path?.value ?? "/";
  const pathAt = [...at, "path", "value"];
  if (value.length > 1024) p.error(pathAt, `must be at most 1024 characters (found ${value.length})`);
  if (type === "Exact" || type === "PathPrefix") {
    if (!value.startsWith("/")) p.error(pathAt, `${JSON.stringify(value)} must be an absolute path, starting with '/', for ${type}`);
    for (const sequence of ["//", "/./", "/../", "%2f", "%2F", "#"]) {
      if (value.includes(sequence)) p.error(pathAt, `${JSON.stringify(value)} must not contain '${sequence}' for ${type}`);
    }
    for (const suffix of ["/..", "/."]) {
      if (value.endsWith(suffix)) p.error(pathAt, `${JSON.stringify(value)} must not end with '${suffix}' for ${type}`);
    }
    if (!PATH_CHARACTERS.test(value)) p.error(pathAt, `${JSON.stringify(value)} holds characters a URI path may not (RFC 3986 pchar or %XX only)`);
  }
  for (const [field, list, valueMax] of [["headers", match.headers, 4096], ["queryParams", match.queryParams, 1024]] as const) {
    p.atMost([...at, field], list, 16, field);
    (list ?? []).forEach((entry, i) => {
      p.format([...at, field, i, "name"], entry.name, HEADER_NAME);
      p.format([...at, field, i, "value"], entry.value, { min: 1, max: valueMax });
    });
    // listType=map, listMapKey=name: exact duplicates are rejected...
    p.unique([...at, field], (list ?? []).map((e) => e.name), field === "headers" ? "header name" : "query parameter name");
    // ...but names equal up to case are accepted, and only the first one is considered.
    if (field === "headers") {
      const lower = (list ?? []).map((e) => e.name.toLowerCase());
      lower.forEach((name, i) => {
        if (lower.indexOf(name) !== i && list![lower.indexOf(name)]!.name !== list![i]!.name) {
          p.warn([...at, field, i, "name"], `${list![i]!.name} is the same header as ${list![lower.indexOf(name)]!.name} (names are case-insensitive): only the first is matched`);
        }
      });
    }
  }
}

/** HTTPRouteRule.Filters / HTTPBackendRef.Filters: MaxItems=16 and their CEL rules, then each filter. */
function filterList(p: Problems, filters: readonly HTTPRouteFilter[] | undefined, at: FieldPath): void {
  if (!filters) return;
  p.atMost(at, filters, 16, "filters");
  const count = (type: string) => filters.filter((f) => f.type === type).length;
  if (count("RequestRedirect") > 0 && count("URLRewrite") > 0) p.error(at, "may specify either a RequestRedirect or a URLRewrite filter, but not both");
  for (const type of ["CORS", "RequestHeaderModifier", "ResponseHeaderModifier", "RequestRedirect", "URLRewrite"]) {
    if (count(type) > 1) p.error(at, `the ${type} filter cannot be repeated`);
  }
  filters.forEach((filter, i) => httpRouteFilter(p, filter, [...at, i]));
}

const FILTER_FIELDS = {
  RequestHeaderModifier: "requestHeaderModifier", ResponseHeaderModifier: "responseHeaderModifier", RequestMirror: "requestMirror",
  RequestRedirect: "requestRedirect", URLRewrite: "urlRewrite", CORS: "cors", ExternalAuth: "externalAuth", ExtensionRef: "extensionRef",
} as const;

/** HTTPRouteFilter CEL: the field named by `type` is set, and no other. Then each kind's own fields. */
function httpRouteFilter(p: Problems, filter: HTTPRouteFilter, at: FieldPath): void {
  for (const [type, field] of Object.entries(FILTER_FIELDS)) {
    const set = filter[field] !== undefined;
    if (set && filter.type !== type) p.error([...at, field], `filter.${field} must not be set when the filter's type is ${filter.type}`);
    if (!set && filter.type === type) p.error([...at], `filter.${field} must be specified for a ${type} filter`);
  }
  if (filter.requestHeaderModifier) headerFilter(p, filter.requestHeaderModifier, [...at, "requestHeaderModifier"]);
  if (filter.responseHeaderModifier) headerFilter(p, filter.responseHeaderModifier, [...at, "responseHeaderModifier"]);
  const redirect = filter.requestRedirect;
  if (redirect) {
    p.format([...at, "requestRedirect", "hostname"], redirect.hostname, PRECISE_HOSTNAME);
    if (redirect.path) pathModifier(p, redirect.path, [...at, "requestRedirect", "path"]);
  }
  const rewrite = filter.urlRewrite;
  if (rewrite) {
    p.format([...at, "urlRewrite", "hostname"], rewrite.hostname, PRECISE_HOSTNAME);
    if (rewrite.path) pathModifier(p, rewrite.path, [...at, "urlRewrite", "path"]);
  }
  const mirror = filter.requestMirror;
  if (mirror) {
    backendObjectReference(p, mirror.backendRef, [...at, "requestMirror", "backendRef"]);
    // HTTPRequestMirrorFilter CEL; Fraction CEL (denominator defaults to 100).
    if (mirror.percent !== undefined && mirror.fraction !== undefined) p.error([...at, "requestMirror"], "only one of percent or fraction may be specified");
    if (mirror.fraction && mirror.fraction.numerator > (mirror.fraction.denominator ?? 100)) {
      p.error([...at, "requestMirror", "fraction"], "numerator must be less than or equal to denominator");
    }
  }
  if (filter.extensionRef) {
    p.format([...at, "extensionRef", "group"], filter.extensionRef.group, GROUP);
    p.format([...at, "extensionRef", "kind"], filter.extensionRef.kind, KIND);
    p.format([...at, "extensionRef", "name"], filter.extensionRef.name, OBJECT_NAME);
  }
}

/** HTTPHeaderFilter: set/add are maps by name, remove a set, each MaxItems=16; "Only one action for a given header name is permitted". */
function headerFilter(p: Problems, filter: HTTPHeaderFilter, at: FieldPath): void {
  for (const field of ["set", "add"] as const) {
    const list = filter[field] ?? [];
    p.atMost([...at, field], list, 16, `${field} headers`);
    list.forEach((h, i) => {
      p.format([...at, field, i, "name"], h.name, HEADER_NAME);
      p.format([...at, field, i, "value"], h.value, { min: 1, max: 4096 });
    });
    p.unique([...at, field], list.map((h) => h.name), "header name");
  }
  const remove = filter.remove ?? [];
  p.atMost([...at, "remove"], remove, 16, "removed headers");
  p.unique([...at, "remove"], remove, "header name");
  const actions = [...(filter.set ?? []).map((h) => h.name), ...(filter.add ?? []).map((h) => h.name), ...remove].map((n) => n.toLowerCase());
  const repeated = [...new Set(actions.filter((n, i) => actions.indexOf(n) !== i))];
  // Not a CEL rule: the CRD accepts it, and the result is the implementation's.
  for (const name of repeated) p.warn(at, `header ${name} has more than one action (set, add, remove); the API permits one per header name`);
}

/** HTTPPathModifier CEL: the field that goes with `type` is set, and only with it. */
function pathModifier(p: Problems, modifier: HTTPPathModifier, at: FieldPath): void {
  const full = modifier.replaceFullPath !== undefined;
  const prefix = modifier.replacePrefixMatch !== undefined;
  if (modifier.type === "ReplaceFullPath" && !full) p.error(at, "replaceFullPath must be specified when type is ReplaceFullPath");
  if (full && modifier.type !== "ReplaceFullPath") p.error([...at, "replaceFullPath"], "type must be ReplaceFullPath when replaceFullPath is set");
  if (modifier.type === "ReplacePrefixMatch" && !prefix) p.error(at, "replacePrefixMatch must be specified when type is ReplacePrefixMatch");
  if (prefix && modifier.type !== "ReplacePrefixMatch") p.error([...at, "replacePrefixMatch"], "type must be ReplacePrefixMatch when replacePrefixMatch is set");
  for (const field of ["replaceFullPath", "replacePrefixMatch"] as const) {
    const value = modifier[field];
    if (value !== undefined && value.length > 1024) p.error([...at, field], `must be at most 1024 characters (found ${value.length})`);
  }
}

/** BackendObjectReference fields, and its CEL rule "Must have port for Service reference". */
function backendObjectReference(p: Problems, ref: BackendObjectReference, at: FieldPath): void {
  p.format([...at, "group"], ref.group, GROUP);
  p.format([...at, "kind"], ref.kind, KIND);
  p.format([...at, "name"], ref.name, OBJECT_NAME);
  p.format([...at, "namespace"], ref.namespace, NAMESPACE);
  if ((ref.group ?? "") === "" && (ref.kind ?? "Service") === "Service" && ref.port === undefined) {
    p.error(at, `a reference to Service ${ref.name} must have a port (the Service port, not the target port)`);
  }
}

// ---- Gateway, GatewayClass, ReferenceGrant --------------------------------------------------------------------

export function validateGateway(gateway: Gateway): Problem[] {
  const p = new Problems();
  const spec = gateway.spec;
  p.format(["spec", "gatewayClassName"], spec.gatewayClassName, OBJECT_NAME);
  // GatewaySpec.Listeners: MinItems=1, MaxItems=64, and its CEL rules.
  if (spec.listeners.length === 0) p.error(["spec", "listeners"], "must list at least one listener");
  p.atMost(["spec", "listeners"], spec.listeners, 64, "listeners");
  const sameListener = (a: Gateway["spec"]["listeners"][number], b: typeof a) =>
    a.port === b.port && a.protocol === b.protocol && (a.hostname !== undefined && b.hostname !== undefined ? a.hostname === b.hostname : a.hostname === undefined && b.hostname === undefined);
  spec.listeners.forEach((listener, i) => {
    const at = ["spec", "listeners", i];
    p.format([...at, "name"], listener.name, SECTION_NAME);
    p.format([...at, "hostname"], listener.hostname, HOSTNAME);
    p.format([...at, "protocol"], listener.protocol, PROTOCOL);
    if ((listener.protocol === "TCP" || listener.protocol === "UDP") && (listener.hostname ?? "") !== "") {
      p.error([...at, "hostname"], `hostname must not be specified for protocol ${listener.protocol}`);
    }
    if (spec.listeners.findIndex((l) => l.name === listener.name) !== i) p.error([...at, "name"], `listener name ${listener.name} must be unique within the Gateway`);
    if (spec.listeners.findIndex((l) => sameListener(l, listener)) !== i) {
      p.error(at, `the combination of port ${listener.port}, protocol ${listener.protocol} and hostname ${listener.hostname ?? "(none)"} must be unique for each listener`);
    }
    const tls = listener.tls as { mode?: string } | undefined;
    if (["HTTP", "TCP", "UDP"].includes(listener.protocol) && tls !== undefined) p.error([...at, "tls"], `tls must not be specified for protocol ${listener.protocol}`);
    if (listener.protocol === "HTTPS" && tls !== undefined && (tls.mode ?? "") !== "" && tls.mode !== "Terminate") p.error([...at, "tls", "mode"], "tls mode must be Terminate for protocol HTTPS");
    if (listener.protocol === "TLS" && (tls === undefined || (tls.mode ?? "") === "")) p.error([...at, "tls"], "tls mode must be set for protocol TLS");
    const allowed = listener.allowedRoutes;
    p.atMost([...at, "allowedRoutes", "kinds"], allowed?.kinds, 8, "route kinds");
    (allowed?.kinds ?? []).forEach((k, j) => {
      p.format([...at, "allowedRoutes", "kinds", j, "group"], k.group, GROUP);
      p.format([...at, "allowedRoutes", "kinds", j, "kind"], k.kind, KIND);
    });
    // RouteNamespaces.Selector: "Selector must be specified when From is set to Selector" (no CEL rule enforces it).
    if (allowed?.namespaces?.from === "Selector" && allowed.namespaces.selector === undefined) {
      p.warn([...at, "allowedRoutes", "namespaces"], "from: Selector without a selector: no route namespace is selected");
    }
  });
  // GatewaySpec.Addresses: MaxItems=16, unique IPAddress and Hostname values (CEL); GatewaySpecAddress CEL on Hostname values.
  const addresses = spec.addresses ?? [];
  p.atMost(["spec", "addresses"], addresses, 16, "addresses");
  addresses.forEach((address, i) => {
    const at = ["spec", "addresses", i];
    const type = address.type ?? "IPAddress";
    p.format([...at, "type"], address.type, ADDRESS_TYPE);
    if (address.value !== undefined && address.value.length > 253) p.error([...at, "value"], "must be at most 253 characters");
    if (type === "Hostname" && address.value !== undefined && address.value !== "" && !HOSTNAME.pattern!.test(address.value)) {
      p.error([...at, "value"], `${JSON.stringify(address.value)} is not a hostname`);
    }
    if ((type === "IPAddress" || type === "Hostname") && address.value !== undefined
      && addresses.findIndex((a) => (a.type ?? "IPAddress") === type && a.value === address.value) !== i) {
      p.error([...at, "value"], `${type} values must be unique (${address.value} is listed twice)`);
    }
  });
  return p.list;
}

export function validateGatewayClass(gatewayClass: GatewayClass): Problem[] {
  const p = new Problems();
  p.format(["spec", "controllerName"], gatewayClass.spec.controllerName, CONTROLLER_NAME);
  const description = gatewayClass.spec.description;
  if (description !== undefined && description.length > 64) p.error(["spec", "description"], `must be at most 64 characters (found ${description.length})`);
  return p.list;
}

export function validateReferenceGrant(grant: ReferenceGrant): Problem[] {
  const p = new Problems();
  // ReferenceGrantSpec.From / To: MinItems=1, MaxItems=16.
  for (const field of ["from", "to"] as const) {
    const list = grant.spec[field];
    if (list.length === 0) p.error(["spec", field], "must list at least one entry");
    p.atMost(["spec", field], list, 16, `${field} entries`);
  }
  grant.spec.from.forEach((from, i) => {
    p.format(["spec", "from", i, "group"], from.group, GROUP);
    p.format(["spec", "from", i, "kind"], from.kind, KIND);
    p.format(["spec", "from", i, "namespace"], from.namespace, NAMESPACE);
  });
  grant.spec.to.forEach((to, i) => {
    p.format(["spec", "to", i, "group"], to.group, GROUP);
    p.format(["spec", "to", i, "kind"], to.kind, KIND);
    p.format(["spec", "to", i, "name"], to.name, OBJECT_NAME);
  });
  return p.list;
}

// ---- Ingress, IngressClass (kubernetes pkg/apis/networking/validation) ------------------------------------------

const WILDCARD_DNS_SUBDOMAIN = new RegExp(`^\\*\\.${DNS_SUBDOMAIN}$`);

export function validateIngress(ingress: Ingress): Problem[] {
  const p = new Problems();
  const spec = ingress.spec ?? {};
  const rules = spec.rules ?? [];
  // ValidateIngressSpec.
  if (rules.length === 0 && spec.defaultBackend === undefined) p.error(["spec"], "either defaultBackend or rules must be specified");
  if (spec.defaultBackend) ingressBackend(p, spec.defaultBackend, ["spec", "defaultBackend"]);
  if (spec.ingressClassName !== undefined) {
    const problem = checkDns1123Subdomain(spec.ingressClassName);
    if (problem) p.error(["spec", "ingressClassName"], problem);
  }
  // ValidateIngressCreate: the deprecated annotation "must match `ingressClassName` when both are specified".
  const annotated = ingress.metadata.annotations?.[INGRESS_CLASS_ANNOTATION];
  if (annotated !== undefined && spec.ingressClassName !== undefined && annotated !== spec.ingressClassName) {
    p.error(["metadata", "annotations", INGRESS_CLASS_ANNOTATION], `${annotated} must match ingressClassName ${spec.ingressClassName} when both are specified`);
  }
  // validateIngressRules.
  rules.forEach((rule, r) => {
    const at = ["spec", "rules", r];
    const host = rule.host ?? "";
    if (host !== "") {
      if (isIpAddress(host)) p.error([...at, "host"], `${host} must be a DNS name, not an IP address`);
      if (host.includes("*")) {
        if (host.length > 253 || !WILDCARD_DNS_SUBDOMAIN.test(host)) p.error([...at, "host"], `${host}: a wildcard host is '*.' followed by a DNS subdomain (e.g. *.example.com)`);
      } else {
        const problem = checkDns1123Subdomain(host);
        if (problem) p.error([...at, "host"], `${host} ${problem}`);
      }
    }
    if (!rule.http) return;
    // validateHTTPIngressRuleValue.
    if (rule.http.paths.length === 0) p.error([...at, "http", "paths"], "at least one path is required");
    rule.http.paths.forEach((path, i) => {
      const pathAt = [...at, "http", "paths", i];
      ingressPath(p, path.path, path.pathType, pathAt);
      ingressBackend(p, path.backend, [...pathAt, "backend"]);
    });
  });
  // validateIngressTLS: hosts are DNS subdomains or wildcards.
  (spec.tls ?? []).forEach((tls, t) => (tls.hosts ?? []).forEach((host, h) => {
    const valid = host.includes("*") ? host.length <= 253 && WILDCARD_DNS_SUBDOMAIN.test(host) : checkDns1123Subdomain(host) === undefined;
    if (!valid) p.error(["spec", "tls", t, "hosts", h], `${host} is not a DNS name or a '*.' wildcard`);
  }));
  return p.list;
}

/** validateHTTPIngressPath: pathType is required; Exact and Prefix paths are absolute and free of traversal sequences. */
function ingressPath(p: Problems, path: string | undefined, pathType: string | undefined, at: FieldPath): void {
  if (pathType === undefined) return p.error([...at, "pathType"], "pathType must be specified (Exact, Prefix or ImplementationSpecific)");
  const value = path ?? "";
  switch (pathType) {
    case "Exact":
    case "Prefix":
      if (!value.startsWith("/")) p.error([...at, "path"], `${JSON.stringify(value)} must be an absolute path for pathType ${pathType}`);
      for (const sequence of ["//", "/./", "/../", "%2f", "%2F"]) {
        if (value.includes(sequence)) p.error([...at, "path"], `${JSON.stringify(value)} must not contain '${sequence}'`);
      }
      for (const suffix of ["/..", "/."]) {
        if (value.endsWith(suffix)) p.error([...at, "path"], `${JSON.stringify(value)} cannot end with '${suffix}'`);
      }
      return;
    case "ImplementationSpecific":
      if (value !== "" && !value.startsWith("/")) p.error([...at, "path"], `${JSON.stringify(value)} must be an absolute path`);
      return;
    default:
      p.error([...at, "pathType"], `unsupported pathType ${JSON.stringify(pathType)}: Exact, ImplementationSpecific or Prefix`);
  }
}

/** validateIngressBackend: a service or a resource, not both; a service has a name and a port name or number. */
function ingressBackend(p: Problems, backend: IngressBackend, at: FieldPath): void {
  if (backend.service && backend.resource) return p.error(at, "cannot set both resource and service backends");
  if (backend.resource) {
    const { apiGroup, kind, name } = backend.resource;
    if (apiGroup !== undefined && checkDns1123Subdomain(apiGroup)) p.error([...at, "resource", "apiGroup"], `${apiGroup} ${checkDns1123Subdomain(apiGroup)}`);
    pathSegmentName(p, kind, [...at, "resource", "kind"]);
    pathSegmentName(p, name, [...at, "resource", "name"]);
    return;
  }
  if (!backend.service) return p.error(at, "resource or service backend is required");
  const { name, port } = backend.service;
  if (name === "") p.error([...at, "service", "name"], "a service name is required");
  else {
    // ValidateServiceName: a DNS-1035 label (RelaxedServiceNameValidation, beta, relaxes it to DNS-1123).
    const problem = checkDns1035Label(name);
    if (problem) p.error([...at, "service", "name"], `${name} ${problem}`);
  }
  const hasName = (port?.name ?? "") !== "";
  const hasNumber = (port?.number ?? 0) !== 0;
  if (hasName && hasNumber) p.error([...at, "service", "port"], "cannot set both port name & port number");
  else if (hasName) {
    const problem = checkPortName(port!.name!);
    if (problem) p.error([...at, "service", "port", "name"], problem);
  } else if (hasNumber) {
    if (port!.number! < 1 || port!.number! > 65535) p.error([...at, "service", "port", "number"], `${port!.number} must be between 1 and 65535`);
  } else p.error([...at, "service", "port"], "port name or number is required");
}

/** content.IsPathSegmentName: not "." or "..", no "/" or "%". */
function pathSegmentName(p: Problems, value: string, at: FieldPath): void {
  if (value === "") p.error(at, "is required");
  else if (value === "." || value === "..") p.error(at, `may not be '${value}'`);
  else if (/[/%]/.test(value)) p.error(at, `${value} may not contain '/' or '%'`);
}

export function validateIngressClass(ingressClass: IngressClass): Problem[] {
  const p = new Problems();
  const controller = ingressClass.spec?.controller ?? "";
  // validateIngressClassSpec: required, at most 250 characters, a domain-prefixed path.
  if (controller === "") p.error(["spec", "controller"], "a controller is required, e.g. k8s.io/ingress-nginx");
  else if (controller.length > 250) p.error(["spec", "controller"], `must be at most 250 characters (found ${controller.length})`);
  else {
    const slash = controller.indexOf("/");
    const domain = slash < 0 ? controller : controller.slice(0, slash);
    const path = slash < 0 ? "" : controller.slice(slash + 1);
    if (slash < 0 || checkDns1123Subdomain(domain) || path === "" || !new RegExp(`^${URI_PATH_CHARS}$`).test(path)) {
      p.error(["spec", "controller"], `${controller} must be a domain-prefixed path, e.g. example.com/ingress-controller`);
    }
  }
  // validateIngressClassParametersReference; scope defaults to Cluster (networking/v1 SetDefaults_IngressClass).
  const params = ingressClass.spec?.parameters;
  if (params) {
    const at = ["spec", "parameters"];
    if (params.apiGroup !== undefined && checkDns1123Subdomain(params.apiGroup)) p.error([...at, "apiGroup"], `${params.apiGroup} ${checkDns1123Subdomain(params.apiGroup)}`);
    pathSegmentName(p, params.kind, [...at, "kind"]);
    pathSegmentName(p, params.name, [...at, "name"]);
    const scope = params.scope ?? "Cluster";
    if (scope !== "Cluster" && scope !== "Namespace") p.error([...at, "scope"], `unsupported scope ${JSON.stringify(scope)}: Cluster or Namespace`);
    if (scope === "Namespace") {
      if (params.namespace === undefined) p.error([...at, "namespace"], "required when parameters.scope is Namespace");
      else if (checkDns1123Label(params.namespace)) p.error([...at, "namespace"], `${params.namespace} ${checkDns1123Label(params.namespace)}`);
    }
    if (scope === "Cluster" && params.namespace !== undefined) p.error([...at, "namespace"], "forbidden when parameters.scope is Cluster");
  }
  return p.list;
}
