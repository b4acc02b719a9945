// Validation of Layer 7 objects: one case per CRD limit, CEL rule or validation function, each
// with the path it must name; valid objects (the conformance suite's manifests among them) must
// produce no problem.
import assert from "node:assert/strict";
import { describe, it } from "mocha";
import type { Gateway, HTTPRoute, HTTPRouteRule, Ingress, IngressClass, Listener, ReferenceGrant } from "../../kube/gateway-types.js";
import { BASE_GATEWAYS, BASE_SERVICES, gateway, httpListener, httpRoute, ingress, ingressClass, NAMESPACE_LABELS, referenceGrant } from "./fixtures.test-helpers.js";
import {
  validateGateway, validateGatewayClass, validateHTTPRoute, validateIngress, validateIngressClass, validateReferenceGrant, type Problem,
} from "../../scenario/gateway-checks.js";
import { ingressClassWarnings, routeConditionWarnings } from "./conditions.js";

interface Expected { readonly path: readonly (string | number)[]; readonly message: RegExp; readonly severity?: "error" | "warning" }
interface Case<T> { readonly name: string; readonly object: T; readonly problems: readonly Expected[] }

function check<T>(title: string, validate: (object: T) => Problem[], cases: readonly Case<T>[]): void {
  describe(title, () => {
    for (const c of cases) {
      it(c.name, () => {
        const problems = validate(c.object);
        const context = JSON.stringify(problems);
        assert.equal(problems.length, c.problems.length, context);
        c.problems.forEach((want, i) => {
          assert.deepEqual(problems[i]!.path, want.path, context);
          assert.match(problems[i]!.message, want.message);
          assert.equal(problems[i]!.severity, want.severity ?? "error", context);
        });
      });
    }
  });
}

const ref = { name: "infra-backend-v1", port: 8080 };
const route = (rules: HTTPRouteRule[], more: Partial<HTTPRoute["spec"]> = {}) => httpRoute("infra/r", { parentRefs: [{ name: "same-namespace" }], rules, ...more });
const prefixRule = (value: string, more: Partial<HTTPRouteRule> = {}): HTTPRouteRule => ({ matches: [{ path: { type: "PathPrefix", value } }], backendRefs: [ref], ...more });
const rewrite = (replacePrefixMatch: string) => ({ type: "URLRewrite" as const, urlRewrite: { path: { type: "ReplacePrefixMatch" as const, replacePrefixMatch } } });
const redirect = { type: "RequestRedirect" as const, requestRedirect: { hostname: "example.org" } };

check("HTTPRoute", validateHTTPRoute, [
  { name: "the conformance suite's httproute-matching route is valid", object: route([
    { matches: [{ path: { type: "PathPrefix", value: "/" } }, { headers: [{ name: "version", value: "one" }] }], backendRefs: [ref] },
  ]), problems: [] },
  { name: "at most 16 hostnames", object: route([prefixRule("/")], { hostnames: Array.from({ length: 17 }, (_, i) => `h${i}.example.com`) }), problems: [{ path: ["spec", "hostnames"], message: /at most 16 hostnames \(found 17\)/ }] },
  { name: "a hostname is lower-case DNS labels", object: route([prefixRule("/")], { hostnames: ["Foo.example.com"] }), problems: [{ path: ["spec", "hostnames", 0], message: /is not a hostname/ }] },
  { name: "a wildcard only as the first label", object: route([prefixRule("/")], { hostnames: ["foo.*.com"] }), problems: [{ path: ["spec", "hostnames", 0], message: /is not a hostname/ }] },
  { name: "an IP address as a hostname: accepted, never matches", object: route([prefixRule("/")], { hostnames: ["192.0.2.1"] }), problems: [{ path: ["spec", "hostnames", 0], message: /IP address/, severity: "warning" }] },
  { name: "at most 16 rules", object: route(Array.from({ length: 17 }, () => prefixRule("/"))), problems: [{ path: ["spec", "rules"], message: /at most 16 rules/ }] },
  { name: "rules, when set, are not empty", object: route([]), problems: [{ path: ["spec", "rules"], message: /at least one rule/ }] },
  {
    name: "at most 128 matches across the rules",
    object: route(Array.from({ length: 3 }, () => ({ matches: Array.from({ length: 60 }, () => ({ path: { type: "PathPrefix" as const, value: "/" } })), backendRefs: [ref] }))),
    problems: [{ path: ["spec", "rules"], message: /at most 128 matches across all rules \(found 180\)/ }],
  },
  { name: "a path value starts with /", object: route([prefixRule("api")]), problems: [{ path: ["spec", "rules", 0, "matches", 0, "path", "value"], message: /must be an absolute path/ }] },
  { name: "a path value holds no //", object: route([prefixRule("/a//b")]), problems: [{ path: ["spec", "rules", 0, "matches", 0, "path", "value"], message: /must not contain '\/\/'/ }] },
  { name: "a path value does not end with /..", object: route([prefixRule("/a/..")]), problems: [{ path: ["spec", "rules", 0, "matches", 0, "path", "value"], message: /must not end with '\/\.\.'/ }] },
  { name: "a path value holds URI path characters only", object: route([prefixRule("/a b")]), problems: [{ path: ["spec", "rules", 0, "matches", 0, "path", "value"], message: /characters a URI path may not/ }] },
  { name: "a RegularExpression value is not a path", object: route([{ matches: [{ path: { type: "RegularExpression", value: "^/v[0-9]+" } }], backendRefs: [ref] }]), problems: [] },
  { name: "a header name is an RFC 7230 token", object: route([prefixRule("/", { matches: [{ headers: [{ name: ":method", value: "GET" }] }] })]), problems: [{ path: ["spec", "rules", 0, "matches", 0, "headers", 0, "name"], message: /is not a header name/ }] },
  { name: "a header value is not empty", object: route([prefixRule("/", { matches: [{ headers: [{ name: "x", value: "" }] }] })]), problems: [{ path: ["spec", "rules", 0, "matches", 0, "headers", 0, "value"], message: /must not be empty/ }] },
  { name: "header names are unique (listMapKey)", object: route([prefixRule("/", { matches: [{ headers: [{ name: "x", value: "1" }, { name: "x", value: "2" }] }] })]), problems: [{ path: ["spec", "rules", 0, "matches", 0, "headers", 1], message: /duplicate header name "x"/ }] },
  { name: "header names equal up to case: the second is ignored", object: route([prefixRule("/", { matches: [{ headers: [{ name: "x-a", value: "1" }, { name: "X-A", value: "2" }] }] })]), problems: [{ path: ["spec", "rules", 0, "matches", 0, "headers", 1, "name"], message: /only the first is matched/, severity: "warning" }] },
  { name: "RequestRedirect and URLRewrite not both in one rule", object: route([prefixRule("/", { backendRefs: [], filters: [redirect, rewrite("/x")] })]), problems: [{ path: ["spec", "rules", 0, "filters"], message: /either a RequestRedirect or a URLRewrite filter, but not both/ }] },
  { name: "RequestRedirect not with backendRefs", object: route([prefixRule("/", { filters: [redirect] })]), problems: [{ path: ["spec", "rules", 0, "filters", 0], message: /cannot be used together with backendRefs/ }] },
  { name: "a filter type is not repeated", object: route([prefixRule("/", { filters: [rewrite("/a"), rewrite("/b")] })]), problems: [{ path: ["spec", "rules", 0, "filters"], message: /URLRewrite filter cannot be repeated/ }] },
  { name: "ReplacePrefixMatch only with a PathPrefix match", object: route([{ matches: [{ path: { type: "Exact", value: "/a" } }], filters: [rewrite("/b")], backendRefs: [ref] }]), problems: [{ path: ["spec", "rules", 0, "matches"], message: /URLRewrite with path\.replacePrefixMatch needs exactly one match, of type PathPrefix/ }] },
  { name: "ReplacePrefixMatch with two matches", object: route([{ matches: [{ path: { type: "PathPrefix", value: "/a" } }, { path: { type: "PathPrefix", value: "/b" } }], filters: [rewrite("/c")], backendRefs: [ref] }]), problems: [{ path: ["spec", "rules", 0, "matches"], message: /exactly one match/ }] },
  { name: "ReplacePrefixMatch with the default match is fine", object: route([{ filters: [rewrite("/c")], backendRefs: [ref] }]), problems: [] },
  { name: "a backendRef's ReplacePrefixMatch needs the rule's PathPrefix match", object: route([{ matches: [{ path: { type: "Exact", value: "/a" } }], backendRefs: [{ ...ref, filters: [rewrite("/b")] }] }]), problems: [{ path: ["spec", "rules", 0, "matches"], message: /a backendRef's URLRewrite/ }] },
  { name: "the filter's field matches its type", object: route([prefixRule("/", { filters: [{ type: "RequestHeaderModifier", urlRewrite: { hostname: "a.example" } }] })]), problems: [
    { path: ["spec", "rules", 0, "filters", 0], message: /filter\.requestHeaderModifier must be specified/ },
    { path: ["spec", "rules", 0, "filters", 0, "urlRewrite"], message: /filter\.urlRewrite must not be set when the filter's type is RequestHeaderModifier/ },
  ] },
  { name: "a path modifier names the field of its type", object: route([prefixRule("/", { filters: [{ type: "URLRewrite", urlRewrite: { path: { type: "ReplaceFullPath", replacePrefixMatch: "/x" } } }] })]), problems: [
    { path: ["spec", "rules", 0, "filters", 0, "urlRewrite", "path"], message: /replaceFullPath must be specified/ },
    { path: ["spec", "rules", 0, "filters", 0, "urlRewrite", "path", "replacePrefixMatch"], message: /type must be ReplacePrefixMatch/ },
  ] },
  { name: "a redirect hostname is precise (no wildcard)", object: route([{ matches: [{ path: { type: "PathPrefix", value: "/" } }], filters: [{ type: "RequestRedirect", requestRedirect: { hostname: "*.example.org" } }] }]), problems: [{ path: ["spec", "rules", 0, "filters", 0, "requestRedirect", "hostname"], message: /not a precise hostname/ }] },
  { name: "a Service reference has a port", object: route([{ backendRefs: [{ name: "svc" }] }]), problems: [{ path: ["spec", "rules", 0, "backendRefs", 0], message: /must have a port/ }] },
  { name: "another kind's reference needs no port", object: route([{ backendRefs: [{ group: "example.net", kind: "Bucket", name: "b" }] }]), problems: [] },
  { name: "a mirror sets percent or fraction, not both", object: route([prefixRule("/", { filters: [{ type: "RequestMirror", requestMirror: { backendRef: ref, percent: 10, fraction: { numerator: 1 } } }] })]), problems: [{ path: ["spec", "rules", 0, "filters", 0, "requestMirror"], message: /only one of percent or fraction/ }] },
  { name: "a mirror fraction's numerator is at most its denominator", object: route([prefixRule("/", { filters: [{ type: "RequestMirror", requestMirror: { backendRef: ref, fraction: { numerator: 150 } } }] })]), problems: [{ path: ["spec", "rules", 0, "filters", 0, "requestMirror", "fraction"], message: /numerator must be less than or equal to denominator/ }] },
  { name: "header filter names are unique per action", object: route([prefixRule("/", { filters: [{ type: "RequestHeaderModifier", requestHeaderModifier: { set: [{ name: "a", value: "1" }, { name: "a", value: "2" }] } }] })]), problems: [
    { path: ["spec", "rules", 0, "filters", 0, "requestHeaderModifier", "set", 1], message: /duplicate header name/ },
    { path: ["spec", "rules", 0, "filters", 0, "requestHeaderModifier"], message: /more than one action/, severity: "warning" },
  ] },
  { name: "one action per header name (not enforced by the CRD)", object: route([prefixRule("/", { filters: [{ type: "RequestHeaderModifier", requestHeaderModifier: { set: [{ name: "A", value: "1" }], remove: ["a"] } }] })]), problems: [{ path: ["spec", "rules", 0, "filters", 0, "requestHeaderModifier"], message: /header a has more than one action/, severity: "warning" }] },
  { name: "two references to one parent both set sectionName", object: route([prefixRule("/")], { parentRefs: [{ name: "gw" }, { name: "gw", sectionName: "http" }] }), problems: [
    { path: ["spec", "parentRefs", 0, "sectionName"], message: /must set sectionName/ },
    { path: ["spec", "parentRefs", 1, "sectionName"], message: /must set sectionName/ },
  ] },
  { name: "two references to one parent with one sectionName", object: route([prefixRule("/")], { parentRefs: [{ name: "gw", sectionName: "http" }, { name: "gw", sectionName: "http" }] }), problems: [{ path: ["spec", "parentRefs", 1, "sectionName"], message: /distinct sectionNames/ }] },
  { name: "references to two sections of one parent are fine", object: route([prefixRule("/")], { parentRefs: [{ name: "gw", sectionName: "a" }, { name: "gw", sectionName: "b" }] }), problems: [] },
  { name: "a parentRef namespace is a DNS label", object: route([prefixRule("/")], { parentRefs: [{ name: "gw", namespace: "Infra" }] }), problems: [{ path: ["spec", "parentRefs", 0, "namespace"], message: /not a namespace name/ }] },
]);

const listener = (more: Partial<Listener>): Listener => ({ name: "http", port: 80, protocol: "HTTP", ...more });
const gw = (listeners: Listener[], more: Partial<Gateway["spec"]> = {}): Gateway => ({ ...gateway("infra/gw", listeners), spec: { gatewayClassName: "x", listeners, ...more } });
check("Gateway", validateGateway, [
  { name: "the conformance base Gateways are valid", object: BASE_GATEWAYS[2]!, problems: [] },
  { name: "at least one listener", object: gw([]), problems: [{ path: ["spec", "listeners"], message: /at least one listener/ }] },
  { name: "listener names are unique", object: gw([listener({}), listener({ port: 8080 })]), problems: [{ path: ["spec", "listeners", 1, "name"], message: /must be unique/ }] },
  { name: "port, protocol and hostname are unique together", object: gw([listener({ name: "a" }), listener({ name: "b" })]), problems: [{ path: ["spec", "listeners", 1], message: /combination of port 80, protocol HTTP and hostname \(none\) must be unique/ }] },
  { name: "the same port with different hostnames is fine", object: gw([listener({ name: "a", hostname: "a.example" }), listener({ name: "b", hostname: "*.example" })]), problems: [] },
  { name: "no hostname for TCP", object: gw([listener({ protocol: "TCP", hostname: "a.example" })]), problems: [{ path: ["spec", "listeners", 0, "hostname"], message: /must not be specified for protocol TCP/ }] },
  { name: "no tls for HTTP", object: gw([listener({ tls: { mode: "Terminate" } })]), problems: [{ path: ["spec", "listeners", 0, "tls"], message: /tls must not be specified for protocol HTTP/ }] },
  { name: "TLS needs a tls mode", object: gw([listener({ protocol: "TLS", port: 443 })]), problems: [{ path: ["spec", "listeners", 0, "tls"], message: /tls mode must be set/ }] },
  { name: "a listener hostname is a Hostname", object: gw([listener({ hostname: "*" })]), problems: [{ path: ["spec", "listeners", 0, "hostname"], message: /is not a hostname/ }] },
  { name: "a listener name is a section name", object: gw([listener({ name: "HTTP_1" })]), problems: [{ path: ["spec", "listeners", 0, "name"], message: /is not a section name/ }] },
  { name: "from: Selector without a selector", object: gw([listener({ allowedRoutes: { namespaces: { from: "Selector" } } })]), problems: [{ path: ["spec", "listeners", 0, "allowedRoutes", "namespaces"], message: /no route namespace is selected/, severity: "warning" }] },
  { name: "IPAddress values are unique", object: gw([listener({})], { addresses: [{ value: "192.0.2.1" }, { type: "IPAddress", value: "192.0.2.1" }] }), problems: [{ path: ["spec", "addresses", 1, "value"], message: /IPAddress values must be unique/ }] },
]);

check("GatewayClass", validateGatewayClass, [
  { name: "a domain-prefixed controller name is valid", object: { apiVersion: "gateway.networking.k8s.io/v1", kind: "GatewayClass", metadata: { name: "c" }, spec: { controllerName: "example.net/gateway-controller" } }, problems: [] },
  { name: "a controller name needs a path", object: { apiVersion: "gateway.networking.k8s.io/v1", kind: "GatewayClass", metadata: { name: "c" }, spec: { controllerName: "example.net" } }, problems: [{ path: ["spec", "controllerName"], message: /domain-prefixed path/ }] },
]);

check<ReferenceGrant>("ReferenceGrant", validateReferenceGrant, [
  { name: "the conformance grant is valid", object: referenceGrant("web/g", [["gateway.networking.k8s.io", "HTTPRoute", "infra"]], [["", "Service", "web-backend"]]), problems: [] },
  { name: "from is not empty", object: referenceGrant("web/g", [], [["", "Service"]]), problems: [{ path: ["spec", "from"], message: /at least one entry/ }] },
  { name: "a from namespace is a DNS label", object: referenceGrant("web/g", [["gateway.networking.k8s.io", "HTTPRoute", "in_fra"]], [["", "Service"]]), problems: [{ path: ["spec", "from", 0, "namespace"], message: /not a namespace name/ }] },
]);

const svcBackend = (name: string, port: { number?: number; name?: string } = { number: 80 }) => ({ service: { name, port } });
const ing = (spec: NonNullable<Ingress["spec"]>, annotations?: Record<string, string>) => ingress("shop/web", spec, annotations);
const paths = (...list: { path?: string; pathType?: string }[]) => ({ rules: [{ http: { paths: list.map((p) => ({ ...p, backend: svcBackend("web") })) } }] });
check<Ingress>("Ingress", validateIngress, [
  { name: "a simple fanout is valid", object: ing({ ingressClassName: "nginx", ...paths({ path: "/foo", pathType: "Prefix" }, { path: "/bar", pathType: "Exact" }) }), problems: [] },
  { name: "rules or a defaultBackend", object: ing({}), problems: [{ path: ["spec"], message: /either defaultBackend or rules/ }] },
  { name: "pathType is required", object: ing(paths({ path: "/" })), problems: [{ path: ["spec", "rules", 0, "http", "paths", 0, "pathType"], message: /pathType must be specified/ }] },
  { name: "an unknown pathType", object: ing(paths({ path: "/", pathType: "Regex" })), problems: [{ path: ["spec", "rules", 0, "http", "paths", 0, "pathType"], message: /unsupported pathType "Regex"/ }] },
  { name: "Prefix paths are absolute", object: ing(paths({ path: "foo", pathType: "Prefix" })), problems: [{ path: ["spec", "rules", 0, "http", "paths", 0, "path"], message: /must be an absolute path for pathType Prefix/ }] },
  { name: "Exact paths need a path", object: ing(paths({ pathType: "Exact" })), problems: [{ path: ["spec", "rules", 0, "http", "paths", 0, "path"], message: /must be an absolute path/ }] },
  { name: "no /../ in a path", object: ing(paths({ path: "/a/../b", pathType: "Prefix" })), problems: [{ path: ["spec", "rules", 0, "http", "paths", 0, "path"], message: /must not contain '\/\.\.\/'/ }] },
  { name: "ImplementationSpecific may omit the path", object: ing(paths({ pathType: "ImplementationSpecific" })), problems: [] },
  { name: "a backend is a service or a resource, not both", object: ing({ defaultBackend: { ...svcBackend("web"), resource: { kind: "Bucket", name: "b" } } }), problems: [{ path: ["spec", "defaultBackend"], message: /cannot set both resource and service/ }] },
  { name: "a backend names one of them", object: ing({ defaultBackend: {} }), problems: [{ path: ["spec", "defaultBackend"], message: /resource or service backend is required/ }] },
  { name: "a service port name or number, not both", object: ing({ defaultBackend: svcBackend("web", { number: 80, name: "http" }) }), problems: [{ path: ["spec", "defaultBackend", "service", "port"], message: /cannot set both port name & port number/ }] },
  { name: "a service port is required", object: ing({ defaultBackend: svcBackend("web", {}) }), problems: [{ path: ["spec", "defaultBackend", "service", "port"], message: /port name or number is required/ }] },
  { name: "a Service name is a DNS-1035 label", object: ing({ defaultBackend: svcBackend("1web") }), problems: [{ path: ["spec", "defaultBackend", "service", "name"], message: /DNS-1035/ }] },
  { name: "a host is not an IP address", object: ing({ rules: [{ host: "192.0.2.1", http: { paths: [{ path: "/", pathType: "Prefix", backend: svcBackend("web") }] } }] }), problems: [{ path: ["spec", "rules", 0, "host"], message: /must be a DNS name, not an IP address/ }] },
  { name: "a wildcard host is '*.' and a subdomain", object: ing({ rules: [{ host: "*", http: { paths: [{ path: "/", pathType: "Prefix", backend: svcBackend("web") }] } }] }), problems: [{ path: ["spec", "rules", 0, "host"], message: /a wildcard host is/ }] },
  { name: "the class annotation matches ingressClassName", object: ing({ ingressClassName: "nginx", defaultBackend: svcBackend("web") }, { "kubernetes.io/ingress.class": "traefik" }), problems: [{ path: ["metadata", "annotations", "kubernetes.io/ingress.class"], message: /must match ingressClassName nginx/ }] },
]);

const withParams = (parameters: NonNullable<IngressClass["spec"]>["parameters"]): IngressClass => ({ ...ingressClass("c", "example.com/ingress"), spec: { controller: "example.com/ingress", parameters } });
check<IngressClass>("IngressClass", validateIngressClass, [
  { name: "a domain-prefixed controller is valid", object: ingressClass("nginx", "k8s.io/ingress-nginx"), problems: [] },
  { name: "a controller is required", object: ingressClass("c", ""), problems: [{ path: ["spec", "controller"], message: /a controller is required/ }] },
  { name: "a controller is a domain-prefixed path", object: ingressClass("c", "nginx"), problems: [{ path: ["spec", "controller"], message: /domain-prefixed path/ }] },
  { name: "Namespace-scoped parameters name their namespace", object: withParams({ kind: "Params", name: "p", scope: "Namespace" }), problems: [{ path: ["spec", "parameters", "namespace"], message: /required when parameters\.scope is Namespace/ }] },
  { name: "Cluster-scoped parameters have no namespace (scope defaults to Cluster)", object: withParams({ kind: "Params", name: "p", namespace: "ops" }), problems: [{ path: ["spec", "parameters", "namespace"], message: /forbidden when parameters\.scope is Cluster/ }] },
]);

describe("route condition warnings", () => {
  it("name the route, the field and the condition", () => {
    const warnings = routeConditionWarnings({
      gateways: BASE_GATEWAYS, services: BASE_SERVICES, namespaceLabels: NAMESPACE_LABELS,
      httpRoutes: [
        httpRoute("web/wrong-namespace", { parentRefs: [{ name: "same-namespace", namespace: "infra" }], rules: [{ backendRefs: [{ name: "web-backend", port: 8080 }] }] }),
        httpRoute("infra/grant-missing", { parentRefs: [{ name: "same-namespace" }, { name: "ghost" }], rules: [{ backendRefs: [{ name: "web-backend", namespace: "web", port: 8080 }] }] }),
      ],
    });
    assert.deepEqual(warnings.map((w) => [`${w.namespace}/${w.name}`, w.path.join("."), w.message.split(":")[0]]), [
      ["web/wrong-namespace", "spec.parentRefs.0", "Accepted NotAllowedByListeners"],
      ["infra/grant-missing", "spec.rules.0.backendRefs.0", "ResolvedRefs RefNotPermitted"],
      ["infra/grant-missing", "spec.parentRefs.1", "Accepted ParentNotFound"],
    ]);
    assert.ok(warnings.every((w) => w.severity === "warning"));
  });
  it("a ReferenceGrant in the route's namespace instead of the Service's does not help", () => {
    const warnings = routeConditionWarnings({
      gateways: BASE_GATEWAYS, services: BASE_SERVICES,
      referenceGrants: [referenceGrant("infra/misplaced", [["gateway.networking.k8s.io", "HTTPRoute", "infra"]], [["", "Service", "web-backend"]])],
      httpRoutes: [httpRoute("infra/r", { parentRefs: [{ name: "same-namespace" }], rules: [{ backendRefs: [{ name: "web-backend", namespace: "web", port: 8080 }] }] })],
    });
    assert.match(warnings[0]!.message, /RefNotPermitted: no ReferenceGrant in web/);
  });
  it("a listener hostname that shares nothing with the route", () => {
    const warnings = routeConditionWarnings({
      gateways: [gateway("infra/gw", [httpListener("a", 80, { hostname: "a.example.com" })])], services: BASE_SERVICES,
      httpRoutes: [httpRoute("infra/r", { parentRefs: [{ name: "gw" }], hostnames: ["b.example.com"], rules: [{ backendRefs: [{ name: "infra-backend-v1", port: 8080 }] }] })],
    });
    assert.match(warnings[0]!.message, /^Accepted NoMatchingListenerHostname: no hostname of the route \(b\.example\.com\) intersects listener a/);
  });
});

describe("IngressClass warnings", () => {
  it("several default classes", () => {
    const warnings = ingressClassWarnings([ingressClass("a", "x.io/a", true), ingressClass("b", "x.io/b", true), ingressClass("c", "x.io/c")]);
    assert.deepEqual(warnings.map((w) => w.name), ["a", "b"]);
    assert.match(warnings[0]!.message, /get the newest one/);
  });
});
