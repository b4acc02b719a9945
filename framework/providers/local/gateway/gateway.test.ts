// Gateway API routing through real HAProxy: each case compiles a Gateway's config from its
// manifests, runs it on loopback in front of echo "Services", and sends real requests. Most
// cases re-encode the public Gateway API conformance tests (conformance/tests/*.yaml, *.go of
// kubernetes-sigs/gateway-api) in this file's own terms.
import assert from "node:assert/strict";
import { before, describe, it } from "mocha";
import {
  check, checkConfig, freePort, HAPROXY, loopbackInput, rawManifests, startLab, type Expect, type Lab, type LabOptions, type Probe, type Request,
} from "./haproxy.test-helpers.js";
import { LOCAL_LAYER7 } from "../../../scenario/implementation.js";
import { compileGatewayConfig } from "./index.js";

interface Case {
  readonly name: string;
  /** Resources beside the common Services and Gateway infra/gw. */
  readonly resources: string;
  /** More resources, as a YAML list, past the scenario's validation (what the API server would refuse). */
  readonly unchecked?: string;
  readonly gateway?: string;
  readonly down?: readonly string[];
  readonly probes: readonly Probe[];
  /** Notes the compiler must give. */
  readonly notes?: readonly RegExp[];
}

const service = (ns: string, name: string, ports = "[ { port: 8080 } ]") =>
  `  - { apiVersion: v1, kind: Service, metadata: { name: ${name}, namespace: ${ns} }, spec: { ports: ${ports} } }`;

const BODY = (resources: string) => `
namespaces:
  - { name: infra, labels: { team: infra } }
  - { name: apps, labels: { team: apps, exposed: "yes" } }
  - { name: other, labels: { team: other } }
resources:
${service("infra", "be-v1")}
${service("infra", "be-v2")}
${service("infra", "be-v3")}
${service("apps", "web")}
${service("apps", "web-named", "[ { name: http, port: 8080 }, { name: admin, port: 9090 } ]")}
${service("other", "tool")}
  - apiVersion: gateway.networking.k8s.io/v1
    kind: Gateway
    metadata: { name: gw, namespace: infra }
    spec:
      gatewayClassName: "{GATEWAY_CLASS_NAME}"
      listeners: [ { name: http, port: 80, protocol: HTTP } ]
${resources}`;

/** An HTTPRoute in flow style. */
const route = (ns: string, name: string, spec: string, meta = "") =>
  `  - { apiVersion: gateway.networking.k8s.io/v1, kind: HTTPRoute, metadata: { name: ${name}, namespace: ${ns}${meta} }, spec: ${spec} }`;
const toGw = "parentRefs: [ { name: gw, namespace: infra } ]";
const ref = (name: string, extra = "") => `{ name: ${name}, port: 8080${extra} }`;
const prefix = (value: string) => `{ path: { type: PathPrefix, value: ${value} } }`;
const exact = (value: string) => `{ path: { type: Exact, value: ${value} } }`;
const rule = (matches: string, backends: string, filters = "") =>
  `{ matches: [ ${matches} ], ${filters ? `filters: [ ${filters} ], ` : ""}backendRefs: [ ${backends} ] }`;
/** A rule redirecting PathPrefix /<path> to example.org, with more requestRedirect fields. */
const redirect = (path: string, fields: string) =>
  `{ matches: [ ${prefix(`/${path}`)} ], filters: [ { type: RequestRedirect, requestRedirect: { hostname: example.org${fields} } } ] }`;
const ok = (backend: string, more: Omit<Expect, "backend"> = {}): Expect => ({ backend, ...more });
const V1 = "infra/be-v1", V2 = "infra/be-v2", V3 = "infra/be-v3";

const CASES: readonly Case[] = [
  {
    name: "path precedence: Exact over PathPrefix, the longer prefix first, element-wise (HTTPRoutePathMatchOrder)",
    resources: route("infra", "order", `{ ${toGw}, rules: [
      ${rule(exact("/match"), ref("be-v1"))}, ${rule(exact("/match/exact"), ref("be-v2"))}, ${rule(exact("/match/exact/one"), ref("be-v3"))},
      ${rule(prefix("/match/"), ref("be-v3"))}, ${rule(prefix("/match/prefix/"), ref("be-v1"))}, ${rule(prefix("/match/prefix/one"), ref("be-v2"))},
      ${rule(prefix("/aaa"), ref("be-v1"))} ] }`),
    probes: [
      { path: "/match/exact/one", expect: ok(V3) },
      { path: "/match/exact", expect: ok(V2) },
      { path: "/match", expect: ok(V1) },
      { path: "/match/prefix/one/any", expect: ok(V2) },
      { path: "/match/prefix/any", expect: ok(V1) },
      { path: "/match/prefix", expect: ok(V1) },
      { path: "/match/any", expect: ok(V3) },
      { path: "/match/exact/one/", expect: ok(V3) },
      { path: "/aaa", expect: ok(V1) },
      { path: "/aaa/", expect: ok(V1) },
      { path: "/aaa/bbb", expect: ok(V1) },
      { path: "/aaabbb", expect: { status: 404 } },
      { path: "/matches", expect: { status: 404 } },
      { path: "/", expect: { status: 404 } },
    ],
  },
  {
    name: "Exact is exact and case-sensitive; the query string is not part of the path (HTTPRouteExactPathMatching)",
    resources: route("infra", "exact", `{ ${toGw}, rules: [ ${rule(exact("/one"), ref("be-v1"))}, ${rule(exact("/two"), ref("be-v2"))} ] }`),
    probes: [
      { path: "/one", expect: ok(V1, { path: "/one" }) },
      { path: "/two?x=1", expect: ok(V2, { path: "/two?x=1" }) },
      { path: "/one/", expect: { status: 404 } },
      { path: "/One", expect: { status: 404 } },
      { path: "/onex", expect: { status: 404 } },
    ],
  },
  {
    name: "matches across routes, by hostname and header; the Host header's port and case do not matter (HTTPRouteMatchingAcrossRoutes)",
    resources: [
      route("infra", "part1", `{ ${toGw}, hostnames: [ example.com, example.net ], rules: [ { matches: [ ${prefix("/")}, { headers: [ { name: version, value: one } ] } ], backendRefs: [ ${ref("be-v1")} ] } ] }`),
      route("infra", "part2", `{ ${toGw}, hostnames: [ example.com ], rules: [ { matches: [ ${prefix("/v2")}, { headers: [ { name: version, value: two } ] } ], backendRefs: [ ${ref("be-v2")} ] } ] }`),
    ].join("\n"),
    probes: [
      { host: "example.com", path: "/", expect: ok(V1) },
      { host: "example.com", path: "/example", expect: ok(V1) },
      { host: "example.net", path: "/example", expect: ok(V1) },
      { host: "example.com", path: "/example", headers: { Version: "one" }, expect: ok(V1) },
      { host: "example.com", path: "/v2", expect: ok(V2) },
      { host: "Example.COM:8080", path: "/v2", expect: ok(V2, { host: "Example.COM:8080" }) },
      { host: "example.net", path: "/v2", expect: ok(V1) },
      { host: "example.com", path: "/v2/example", expect: ok(V2) },
      { host: "example.com", path: "/", headers: { Version: "two" }, expect: ok(V2) },
      { host: "example.org", path: "/", expect: { status: 404 } },
    ],
  },
  {
    name: "header matches: more headers first, names case-insensitive, only the first of equivalent names counts (HTTPRouteHeaderMatching)",
    resources: route("infra", "headers", `{ ${toGw}, rules: [
      { matches: [ { headers: [ { name: version, value: one } ] } ], backendRefs: [ ${ref("be-v1")} ] },
      { matches: [ { headers: [ { name: version, value: two } ] } ], backendRefs: [ ${ref("be-v2")} ] },
      { matches: [ { headers: [ { name: version, value: two }, { name: color, value: orange } ] } ], backendRefs: [ ${ref("be-v1")} ] },
      { matches: [ { headers: [ { name: color, value: blue } ] }, { headers: [ { name: color, value: green } ] } ], backendRefs: [ ${ref("be-v1")} ] },
      { matches: [ { headers: [ { name: color, value: red } ] }, { headers: [ { name: color, value: yellow } ] } ], backendRefs: [ ${ref("be-v2")} ] },
      { matches: [ { headers: [ { name: Shape, value: round }, { name: shape, value: square } ] } ], backendRefs: [ ${ref("be-v3")} ] },
      { matches: [ { headers: [ { name: build, type: RegularExpression, value: "v[0-9]+" } ] } ], backendRefs: [ ${ref("be-v3")} ] } ] }`),
    probes: [
      { path: "/", headers: { Version: "one" }, expect: ok(V1) },
      { path: "/", headers: { Version: "two" }, expect: ok(V2) },
      { path: "/", headers: { Version: "two", Color: "orange" }, expect: ok(V1) },
      { path: "/", headers: { Version: "two", Color: "blue" }, expect: ok(V2) },
      { path: "/", headers: { Color: "orange" }, expect: { status: 404 } },
      { path: "/", headers: { "Some-Other-Header": "one" }, expect: { status: 404 } },
      { path: "/", headers: { Color: "blue" }, expect: ok(V1) },
      { path: "/", headers: { Color: "green" }, expect: ok(V1) },
      { path: "/", headers: { Color: "red" }, expect: ok(V2) },
      { path: "/", headers: { Color: "yellow" }, expect: ok(V2) },
      { path: "/", headers: { Color: "purple" }, expect: { status: 404 } },
      { path: "/", headers: { VERSION: "one" }, expect: ok(V1) },
      { path: "/", headers: { Version: "One" }, expect: { status: 404 } },
      { path: "/", headers: { shape: "round" }, expect: ok(V3) },
      { path: "/", headers: { shape: "square" }, expect: { status: 404 } },
      { path: "/", headers: { build: "v42" }, expect: ok(V3) },
      { path: "/", headers: { build: "xv42" }, expect: { status: 404 } },
    ],
  },
  {
    name: "query parameter matches: names case-sensitive, more parameters first, path before query (HTTPRouteQueryParamMatching)",
    resources: route("infra", "query", `{ ${toGw}, rules: [
      { matches: [ { queryParams: [ { name: animal, value: whale } ] } ], backendRefs: [ ${ref("be-v1")} ] },
      { matches: [ { queryParams: [ { name: animal, value: dolphin } ] } ], backendRefs: [ ${ref("be-v2")} ] },
      { matches: [ { queryParams: [ { name: animal, value: dolphin }, { name: color, value: blue } ] }, { queryParams: [ { name: ANIMAL, value: Whale } ] } ], backendRefs: [ ${ref("be-v3")} ] },
      { matches: [ ${prefix("/path5")} ], backendRefs: [ ${ref("be-v1")} ] },
      { matches: [ { queryParams: [ { name: animal, value: hydra } ] } ], backendRefs: [ ${ref("be-v2")} ] },
      { matches: [ { headers: [ { name: version, value: four } ] } ], backendRefs: [ ${ref("be-v3")} ] },
      { matches: [ { queryParams: [ { name: id, type: RegularExpression, value: "[0-9]{3}" } ] } ], backendRefs: [ ${ref("be-v1")} ] } ] }`),
    probes: [
      { path: "/?animal=whale", expect: ok(V1) },
      { path: "/?animal=dolphin", expect: ok(V2) },
      { path: "/?animal=dolphin&color=blue", expect: ok(V3) },
      { path: "/?ANIMAL=Whale", expect: ok(V3) },
      { path: "/?animal=whale&otherparam=irrelevant", expect: ok(V1) },
      { path: "/?animal=dolphin&color=yellow", expect: ok(V2) },
      { path: "/?color=blue", expect: { status: 404 } },
      { path: "/?animal=dog", expect: { status: 404 } },
      { path: "/?animal=whaledolphin", expect: { status: 404 } },
      { path: "/", expect: { status: 404 } },
      { path: "/path5?animal=hydra", expect: ok(V1) },
      { path: "/?animal=hydra", headers: { version: "four" }, expect: ok(V3) },
      { path: "/?id=123", expect: ok(V1) },
      { path: "/?id=1234", expect: { status: 404 } },
    ],
  },
  {
    name: "method matches: a method match comes before header matches (HTTPRouteMethodMatching)",
    resources: route("infra", "methods", `{ ${toGw}, rules: [
      { matches: [ { method: POST } ], backendRefs: [ ${ref("be-v1")} ] },
      { matches: [ { method: GET } ], backendRefs: [ ${ref("be-v2")} ] },
      { matches: [ { path: { type: PathPrefix, value: /path1 }, method: GET } ], backendRefs: [ ${ref("be-v1")} ] },
      { matches: [ { headers: [ { name: version, value: one } ], method: PUT } ], backendRefs: [ ${ref("be-v2")} ] },
      { matches: [ { path: { type: PathPrefix, value: /path5 } } ], backendRefs: [ ${ref("be-v1")} ] },
      { matches: [ { method: PATCH } ], backendRefs: [ ${ref("be-v2")} ] },
      { matches: [ { headers: [ { name: version, value: four } ] } ], backendRefs: [ ${ref("be-v3")} ] } ] }`),
    probes: [
      { method: "POST", path: "/", expect: ok(V1) },
      { method: "GET", path: "/", expect: ok(V2) },
      { method: "HEAD", path: "/", expect: { status: 404 } },
      { method: "GET", path: "/path1", expect: ok(V1) },
      { method: "PUT", path: "/", headers: { version: "one" }, expect: ok(V2) },
      { method: "PUT", path: "/", expect: { status: 404 } },
      { method: "PATCH", path: "/path5", expect: ok(V1) },
      { method: "PATCH", path: "/", headers: { version: "four" }, expect: ok(V2) },
      { method: "DELETE", path: "/", headers: { version: "four" }, expect: ok(V3) },
    ],
  },
  {
    name: "RegularExpression paths match the whole path, after Exact and before PathPrefix",
    resources: route("infra", "regex", `{ ${toGw}, rules: [
      ${rule(`{ path: { type: RegularExpression, value: "/items/[0-9]+" } }`, ref("be-v1"))},
      ${rule(exact("/items/7"), ref("be-v2"))}, ${rule(prefix("/items"), ref("be-v3"))} ] }`),
    probes: [
      { path: "/items/42", expect: ok(V1) },
      { path: "/items/7", expect: ok(V2) },
      { path: "/items/42/x", expect: ok(V3) },
      { path: "/x/items/42", expect: { status: 404 } },
    ],
  },
  {
    name: "listener isolation: a request belongs to the most specific listener only (GatewayHTTPListenerIsolation)",
    gateway: "infra/isolation",
    resources: [
      `  - apiVersion: gateway.networking.k8s.io/v1
    kind: Gateway
    metadata: { name: isolation, namespace: infra }
    spec:
      gatewayClassName: "{GATEWAY_CLASS_NAME}"
      listeners:
        - { name: empty-hostname, port: 80, protocol: HTTP, allowedRoutes: { namespaces: { from: All } } }
        - { name: wildcard-example-com, port: 80, protocol: HTTP, hostname: "*.example.com", allowedRoutes: { namespaces: { from: All } } }
        - { name: wildcard-foo-example-com, port: 80, protocol: HTTP, hostname: "*.foo.example.com", allowedRoutes: { namespaces: { from: All } } }
        - { name: abc-foo-example-com, port: 80, protocol: HTTP, hostname: abc.foo.example.com, allowedRoutes: { namespaces: { from: All } } }`,
      ...["empty-hostname", "wildcard-example-com", "wildcard-foo-example-com", "abc-foo-example-com"].map((l) =>
        route("infra", `to-${l}`, `{ parentRefs: [ { name: isolation, sectionName: ${l} } ], rules: [ ${rule(prefix(`/${l}`), ref("be-v1"))} ] }`)),
    ].join("\n"),
    probes: [
      ...([
        ["bar.com", "empty-hostname"], ["bar.example.com", "wildcard-example-com"],
        ["bar.foo.example.com", "wildcard-foo-example-com"], ["abc.foo.example.com", "abc-foo-example-com"],
      ] as const).flatMap(([host, listener]) => ["empty-hostname", "wildcard-example-com", "wildcard-foo-example-com", "abc-foo-example-com"]
        .map((path): Probe => ({ host, path: `/${path}`, expect: path === listener ? ok(V1) : { status: 404 } }))),
    ],
  },
  {
    name: "listener hostnames: exact over wildcard, a wildcard matches one or more labels, not the bare suffix (HTTPRouteListenerHostnameMatching)",
    gateway: "infra/hostnames",
    resources: [
      `  - apiVersion: gateway.networking.k8s.io/v1
    kind: Gateway
    metadata: { name: hostnames, namespace: infra }
    spec:
      gatewayClassName: "{GATEWAY_CLASS_NAME}"
      listeners:
        - { name: listener-1, port: 80, protocol: HTTP, hostname: bar.com }
        - { name: listener-2, port: 80, protocol: HTTP, hostname: foo.bar.com }
        - { name: listener-3, port: 80, protocol: HTTP, hostname: "*.bar.com" }
        - { name: listener-4, port: 80, protocol: HTTP, hostname: "*.foo.com" }`,
      route("infra", "backend-v1", `{ parentRefs: [ { name: hostnames, sectionName: listener-1 } ], rules: [ { backendRefs: [ ${ref("be-v1")} ] } ] }`),
      route("infra", "backend-v2", `{ parentRefs: [ { name: hostnames, sectionName: listener-2 } ], rules: [ { backendRefs: [ ${ref("be-v2")} ] } ] }`),
      route("infra", "backend-v3", `{ parentRefs: [ { name: hostnames, sectionName: listener-3 }, { name: hostnames, sectionName: listener-4 } ], rules: [ { backendRefs: [ ${ref("be-v3")} ] } ] }`),
    ].join("\n"),
    probes: [
      { host: "bar.com", path: "/", expect: ok(V1) },
      { host: "foo.bar.com", path: "/", expect: ok(V2) },
      { host: "baz.bar.com", path: "/", expect: ok(V3) },
      { host: "boo.baz.bar.com", path: "/", expect: ok(V3) },
      { host: "bar.foo.com", path: "/", expect: ok(V3) },
      { host: "a.b.foo.com", path: "/", expect: ok(V3) },
      { host: "foo.com", path: "/", expect: { status: 404 } },
      { host: "no.match.org", path: "/", expect: { status: 404 } },
    ],
  },
  {
    name: "route and listener hostnames intersect; a route without intersection does not attach (HTTPRouteHostnameIntersection)",
    gateway: "infra/intersection",
    resources: [
      `  - apiVersion: gateway.networking.k8s.io/v1
    kind: Gateway
    metadata: { name: intersection, namespace: infra }
    spec:
      gatewayClassName: "{GATEWAY_CLASS_NAME}"
      listeners:
        - { name: listener-1, port: 80, protocol: HTTP, hostname: very.specific.com }
        - { name: listener-2, port: 80, protocol: HTTP, hostname: "*.wildcard.io" }
        - { name: listener-3, port: 80, protocol: HTTP, hostname: "*.anotherwildcard.io" }`,
      route("infra", "s1", `{ parentRefs: [ { name: intersection } ], hostnames: [ non.matching.com, "*.nonmatchingwildcard.io", very.specific.com ], rules: [ ${rule(prefix("/s1"), ref("be-v1"))} ] }`),
      route("infra", "s2", `{ parentRefs: [ { name: intersection } ], hostnames: [ non.matching.com, wildcard.io, foo.wildcard.io, bar.wildcard.io, foo.bar.wildcard.io ], rules: [ ${rule(prefix("/s2"), ref("be-v2"))} ] }`),
      route("infra", "s3", `{ parentRefs: [ { name: intersection } ], hostnames: [ non.matching.com, "*.specific.com" ], rules: [ ${rule(prefix("/s3"), ref("be-v3"))} ] }`),
      route("infra", "s4", `{ parentRefs: [ { name: intersection } ], hostnames: [ "*.anotherwildcard.io" ], rules: [ ${rule(prefix("/s4"), ref("be-v1"))} ] }`),
      route("infra", "s5", `{ parentRefs: [ { name: intersection } ], hostnames: [ specific.but.wrong.com, wildcard.io ], rules: [ ${rule(prefix("/s5"), ref("be-v2"))} ] }`),
    ].join("\n"),
    notes: [/HTTPRoute infra\/s5 parentRef 0 attaches to no listener/],
    probes: [
      { host: "very.specific.com", path: "/s1", expect: ok(V1) },
      { host: "very.specific.com:1234", path: "/s1", expect: ok(V1) },
      { host: "non.matching.com", path: "/s1", expect: { status: 404 } },
      { host: "foo.nonmatchingwildcard.io", path: "/s1", expect: { status: 404 } },
      { host: "foo.wildcard.io", path: "/s1", expect: { status: 404 } },
      { host: "foo.wildcard.io", path: "/s2", expect: ok(V2) },
      { host: "foo.bar.wildcard.io", path: "/s2", expect: ok(V2) },
      { host: "baz.wildcard.io", path: "/s2", expect: { status: 404 } },
      { host: "wildcard.io", path: "/s2", expect: { status: 404 } },
      { host: "very.specific.com", path: "/s3", expect: ok(V3) },
      { host: "foo.specific.com", path: "/s3", expect: { status: 404 } },
      { host: "foo.anotherwildcard.io", path: "/s4", expect: ok(V1) },
      { host: "foo.bar.anotherwildcard.io", path: "/s4", expect: ok(V1) },
      { host: "anotherwildcard.io", path: "/s4", expect: { status: 404 } },
      { host: "specific.but.wrong.com", path: "/s5", expect: { status: 404 } },
      { host: "wildcard.io", path: "/s5", expect: { status: 404 } },
    ],
  },
  {
    name: "route hostnames: exact before wildcard, the longer wildcard first, no hostname last",
    resources: [
      route("infra", "any", `{ ${toGw}, rules: [ { backendRefs: [ ${ref("be-v1")} ] } ] }`),
      route("infra", "wide", `{ ${toGw}, hostnames: [ "*.example.com" ], rules: [ { backendRefs: [ ${ref("be-v2")} ] } ] }`),
      route("infra", "narrow", `{ ${toGw}, hostnames: [ "*.shop.example.com", checkout.shop.example.com ], rules: [ ${rule(prefix("/"), ref("be-v3"))}, ${rule(exact("/exact"), ref("be-v1"))} ] }`),
    ].join("\n"),
    probes: [
      { host: "elsewhere.org", path: "/exact", expect: ok(V1) },
      { host: "www.example.com", path: "/exact", expect: ok(V2) },
      { host: "cart.shop.example.com", path: "/", expect: ok(V3) },
      { host: "checkout.shop.example.com", path: "/", expect: ok(V3) },
      { host: "checkout.shop.example.com", path: "/exact", expect: ok(V1) },
    ],
  },
  {
    name: "allowedRoutes namespaces: Same by default, All, Selector over namespace labels; kinds without HTTPRoute",
    gateway: "infra/multi",
    resources: [
      `  - apiVersion: gateway.networking.k8s.io/v1
    kind: Gateway
    metadata: { name: multi, namespace: infra }
    spec:
      gatewayClassName: "{GATEWAY_CLASS_NAME}"
      listeners:
        - { name: same, port: 80, protocol: HTTP }
        - { name: all, port: 8080, protocol: HTTP, allowedRoutes: { namespaces: { from: All } } }
        - { name: selector, port: 8081, protocol: HTTP, allowedRoutes: { namespaces: { from: Selector, selector: { matchLabels: { exposed: "yes" } } } } }
        - { name: by-name, port: 8082, protocol: HTTP, allowedRoutes: { namespaces: { from: Selector, selector: { matchExpressions: [ { key: kubernetes.io/metadata.name, operator: In, values: [ other ] } ] } } } }
        - { name: grpc-only, port: 8083, protocol: HTTP, allowedRoutes: { namespaces: { from: All }, kinds: [ { kind: GRPCRoute } ] } }`,
      route("infra", "r", `{ parentRefs: [ { name: multi } ], rules: [ ${rule(prefix("/infra"), ref("be-v1"))} ] }`),
      route("apps", "r", `{ parentRefs: [ { name: multi, namespace: infra } ], rules: [ ${rule(prefix("/apps"), ref("web"))} ] }`),
      route("other", "r", `{ parentRefs: [ { name: multi, namespace: infra } ], rules: [ ${rule(prefix("/other"), ref("tool"))} ] }`),
    ].join("\n"),
    probes: [
      ...([[80, ["infra"]], [8080, ["infra", "apps", "other"]], [8081, ["apps"]], [8082, ["other"]], [8083, []]] as const).flatMap(([port, allowed]) =>
        (["infra", "apps", "other"] as const).map((ns): Probe => ({
          port, path: `/${ns}`,
          expect: (allowed as readonly string[]).includes(ns) ? ok(({ infra: V1, apps: "apps/web", other: "other/tool" })[ns]) : { status: 404 },
        }))),
    ],
  },
  {
    name: "parentRef sectionName and port select listeners; a mismatch attaches nowhere (HTTPRouteInvalidParentRefNotMatchingSectionName, ListenerPortMatching)",
    gateway: "infra/two",
    resources: [
      `  - apiVersion: gateway.networking.k8s.io/v1
    kind: Gateway
    metadata: { name: two, namespace: infra }
    spec:
      gatewayClassName: "{GATEWAY_CLASS_NAME}"
      listeners: [ { name: web, port: 80, protocol: HTTP }, { name: alt, port: 8080, protocol: HTTP } ]`,
      route("infra", "by-section", `{ parentRefs: [ { name: two, sectionName: alt } ], rules: [ ${rule(prefix("/section"), ref("be-v1"))} ] }`),
      route("infra", "by-port", `{ parentRefs: [ { name: two, port: 80 } ], rules: [ ${rule(prefix("/port"), ref("be-v2"))} ] }`),
      route("infra", "both", `{ parentRefs: [ { name: two } ], rules: [ ${rule(prefix("/both"), ref("be-v3"))} ] }`),
      route("infra", "no-section", `{ parentRefs: [ { name: two, sectionName: nope } ], rules: [ ${rule(prefix("/nope"), ref("be-v3"))} ] }`),
      route("infra", "section-not-port", `{ parentRefs: [ { name: two, sectionName: web, port: 8080 } ], rules: [ ${rule(prefix("/mixed"), ref("be-v3"))} ] }`),
    ].join("\n"),
    notes: [/HTTPRoute infra\/no-section parentRef 0 \(sectionName nope\) attaches to no listener/, /infra\/section-not-port parentRef 0 \(sectionName web, port 8080\)/],
    probes: [
      { port: 8080, path: "/section", expect: ok(V1) },
      { port: 80, path: "/section", expect: { status: 404 } },
      { port: 80, path: "/port", expect: ok(V2) },
      { port: 8080, path: "/port", expect: { status: 404 } },
      { port: 80, path: "/both", expect: ok(V3) },
      { port: 8080, path: "/both", expect: ok(V3) },
      { port: 80, path: "/nope", expect: { status: 404 } },
      { port: 80, path: "/mixed", expect: { status: 404 } },
      { port: 8080, path: "/mixed", expect: { status: 404 } },
    ],
  },
  {
    name: "cross-namespace backends need a ReferenceGrant in the target namespace (HTTPRouteReferenceGrant, HTTPRouteInvalidCrossNamespaceBackendRef)",
    resources: [
      `  - apiVersion: gateway.networking.k8s.io/v1
    kind: Gateway
    metadata: { name: open, namespace: infra }
    spec: { gatewayClassName: "{GATEWAY_CLASS_NAME}", listeners: [ { name: http, port: 80, protocol: HTTP, allowedRoutes: { namespaces: { from: All } } } ] }`,
      route("other", "cross", `{ parentRefs: [ { name: open, namespace: infra } ], rules: [
        ${rule(prefix("/granted"), `{ name: be-v1, namespace: infra, port: 8080 }`)},
        ${rule(prefix("/not-named"), `{ name: be-v2, namespace: infra, port: 8080 }`)},
        ${rule(prefix("/no-grant"), `{ name: web, namespace: apps, port: 8080 }`)},
        ${rule(prefix("/local"), ref("tool"))} ] }`),
      `  - { apiVersion: gateway.networking.k8s.io/v1beta1, kind: ReferenceGrant, metadata: { name: to-v1, namespace: infra },
      spec: { from: [ { group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: other } ], to: [ { group: "", kind: Service, name: be-v1 } ] } }`,
      `  - { apiVersion: gateway.networking.k8s.io/v1beta1, kind: ReferenceGrant, metadata: { name: wrong-place, namespace: other },
      spec: { from: [ { group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: other } ], to: [ { group: "", kind: Service } ] } }`,
      `  - { apiVersion: gateway.networking.k8s.io/v1beta1, kind: ReferenceGrant, metadata: { name: wrong-from, namespace: apps },
      spec: { from: [ { group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: infra } ], to: [ { group: "", kind: Service } ] } }`,
    ].join("\n"),
    gateway: "infra/open",
    notes: [/backendRef 0: no ReferenceGrant in namespace infra lets HTTPRoutes of other reference Service be-v2: its share answers 500/],
    probes: [
      { path: "/granted", expect: ok(V1) },
      { path: "/not-named", expect: { status: 500 } },
      { path: "/no-grant", expect: { status: 500 } },
      { path: "/local", expect: ok("other/tool") },
    ],
  },
  {
    name: "invalid backendRefs answer 500: missing Service or port, another kind, ExternalName; no endpoints answers 503",
    resources: [
      `  - { apiVersion: v1, kind: Service, metadata: { name: external, namespace: infra }, spec: { type: ExternalName, externalName: example.org } }`,
      service("infra", "empty"),
      route("infra", "broken", `{ ${toGw}, rules: [
        ${rule(prefix("/missing"), ref("nope"))},
        ${rule(prefix("/wrong-port"), `{ name: be-v1, port: 9999 }`)},
        ${rule(prefix("/kind"), `{ group: multicluster.x-k8s.io, kind: ServiceImport, name: be-v1, port: 8080 }`)},
        ${rule(prefix("/external"), `{ name: external, port: 80 }`)},
        ${rule(prefix("/no-endpoints"), ref("empty"))},
        ${rule(prefix("/fine"), ref("be-v1"))} ] }`),
    ].join("\n"),
    unchecked: `[ { apiVersion: gateway.networking.k8s.io/v1, kind: HTTPRoute, metadata: { name: no-port, namespace: infra },
      spec: { ${toGw}, rules: [ ${rule(prefix("/no-port"), "{ name: be-v1 }")} ] } } ]`,
    down: ["infra/empty"],
    notes: [/Service infra\/nope does not exist/, /has no TCP port 9999/, /a port is required/, /kind ServiceImport.multicluster.x-k8s.io is not supported/, /is of type ExternalName/],
    probes: [
      { path: "/missing", expect: { status: 500 } },
      { path: "/wrong-port", expect: { status: 500 } },
      { path: "/no-port", expect: { status: 500 } },
      { path: "/kind", expect: { status: 500 } },
      { path: "/external", expect: { status: 500 } },
      { path: "/no-endpoints", expect: { status: 503 } },
      { path: "/fine", expect: ok(V1) },
    ],
  },
  {
    name: "rules without backendRefs, or only with weight 0, answer 500; a route without rules gets the default rule (HTTPRouteOmittedBackendRefs)",
    resources: [
      route("infra", "omitted", `{ ${toGw}, rules: [
        { matches: [ ${exact("/omitted-no-forward")} ] },
        { matches: [ ${exact("/empty-no-forward")} ], backendRefs: [] },
        { matches: [ ${exact("/zero")} ], backendRefs: [ ${ref("be-v2", ", weight: 0")} ] },
        ${rule(prefix("/"), ref("be-v1"))} ] }`),
      route("infra", "no-rules", `{ ${toGw}, hostnames: [ bare.example.com ] }`),
    ].join("\n"),
    probes: [
      { path: "/forward", expect: ok(V1) },
      { path: "/omitted-no-forward", expect: { status: 500 } },
      { path: "/empty-no-forward", expect: { status: 500 } },
      { path: "/zero", expect: { status: 500 } },
      { host: "bare.example.com", path: "/anything", expect: { status: 500 } },
    ],
  },
  {
    name: "RequestHeaderModifier: set overwrites, add appends to the value, remove deletes, names case-insensitive (HTTPRouteRequestHeaderModifier)",
    resources: route("infra", "headers", `{ ${toGw}, rules: [
      ${rule(prefix("/set"), ref("be-v1"), `{ type: RequestHeaderModifier, requestHeaderModifier: { set: [ { name: X-Header-Set, value: set-overwrites-values } ] } }`)},
      ${rule(prefix("/add"), ref("be-v1"), `{ type: RequestHeaderModifier, requestHeaderModifier: { add: [ { name: X-Header-Add, value: add-appends-values } ] } }`)},
      ${rule(prefix("/remove"), ref("be-v1"), `{ type: RequestHeaderModifier, requestHeaderModifier: { remove: [ X-Header-Remove ] } }`)},
      ${rule(prefix("/multiple"), ref("be-v1"), `{ type: RequestHeaderModifier, requestHeaderModifier: {
        set: [ { name: X-Header-Set-1, value: header-set-1 }, { name: X-Header-Set-2, value: header-set-2 } ],
        add: [ { name: X-Header-Add-1, value: header-add-1 }, { name: X-Header-Add-2, value: header-add-2 }, { name: X-Header-Add-3, value: header-add-3 } ],
        remove: [ X-Header-Remove-1, X-Header-Remove-2 ] } }`)},
      ${rule(prefix("/case-insensitivity"), ref("be-v1"), `{ type: RequestHeaderModifier, requestHeaderModifier: {
        set: [ { name: X-Header-Set, value: header-set }, { name: x-header-set, value: ignored } ], add: [ { name: X-Header-Add, value: header-add } ], remove: [ X-Header-Remove ] } }`)} ] }`),
    probes: [
      { path: "/set", headers: { "Some-Other-Header": "val" }, expect: ok(V1, { headers: { "some-other-header": "val", "x-header-set": "set-overwrites-values" } }) },
      { path: "/set", headers: { "X-Header-Set": "some-other-value" }, expect: ok(V1, { headers: { "x-header-set": "set-overwrites-values" } }) },
      { path: "/add", expect: ok(V1, { headers: { "x-header-add": "add-appends-values" } }) },
      { path: "/add", headers: { "X-Header-Add": "some-other-value" }, expect: ok(V1, { headers: { "x-header-add": "some-other-value,add-appends-values" } }) },
      { path: "/remove", headers: { "X-Header-Remove": "val" }, expect: ok(V1, { headers: { "x-header-remove": null } }) },
      {
        path: "/multiple", headers: { "X-Header-Set-2": "set-val-2", "X-Header-Add-2": "add-val-2", "X-Header-Remove-2": "remove-val-2", "Another-Header": "another-header-val" },
        expect: ok(V1, { headers: {
          "x-header-set-1": "header-set-1", "x-header-set-2": "header-set-2", "x-header-add-1": "header-add-1", "x-header-add-2": "add-val-2,header-add-2",
          "x-header-add-3": "header-add-3", "another-header": "another-header-val", "x-header-remove-1": null, "x-header-remove-2": null,
        } }),
      },
      {
        path: "/case-insensitivity", headers: { "x-header-set": "original-val-set", "x-header-add": "original-val-add", "x-header-remove": "original-val-remove" },
        expect: ok(V1, { headers: { "x-header-set": "header-set", "x-header-add": "original-val-add,header-add", "x-header-remove": null } }),
      },
    ],
  },
  {
    name: "ResponseHeaderModifier changes the response, not the request",
    resources: route("infra", "response", `{ ${toGw}, rules: [
      ${rule(prefix("/"), ref("be-v1"), `{ type: ResponseHeaderModifier, responseHeaderModifier: { set: [ { name: X-Set, value: one } ], add: [ { name: X-Add, value: two } ], remove: [ Content-Type ] } }`)} ] }`),
    probes: [
      { path: "/", expect: { status: 200, responseHeaders: { "x-set": "one", "x-add": "two", "content-type": null } } },
    ],
  },
  {
    name: "RequestRedirect scheme and port: unset port keeps the listener's, a scheme brings its well-known port, 80 and 443 are left out (HTTPRouteRedirectPortAndScheme)",
    gateway: "infra/redirects",
    resources: [
      `  - apiVersion: gateway.networking.k8s.io/v1
    kind: Gateway
    metadata: { name: redirects, namespace: infra }
    spec:
      gatewayClassName: "{GATEWAY_CLASS_NAME}"
      listeners: [ { name: http, port: 80, protocol: HTTP }, { name: http-8080, port: 8080, protocol: HTTP } ]`,
      route("infra", "redirects", `{ parentRefs: [ { name: redirects } ], rules: [ ${[
        redirect("nil-nil", ""), redirect("nil-80", ", port: 80"), redirect("nil-8080", ", port: 8080"), redirect("https-nil", ", scheme: https"),
        redirect("https-443", ", scheme: https, port: 443"), redirect("https-8443", ", scheme: https, port: 8443"), redirect("http-nil", ", scheme: http"),
      ].join(", ")} ] }`),
    ].join("\n"),
    probes: [
      { port: 80, path: "/nil-nil", expect: { status: 302, location: "http://example.org/nil-nil" } },
      { port: 80, path: "/nil-80", expect: { status: 302, location: "http://example.org/nil-80" } },
      { port: 80, path: "/nil-8080", expect: { status: 302, location: "http://example.org:8080/nil-8080" } },
      { port: 80, path: "/https-nil", expect: { status: 302, location: "https://example.org/https-nil" } },
      { port: 80, path: "/https-443", expect: { status: 302, location: "https://example.org/https-443" } },
      { port: 80, path: "/https-8443", expect: { status: 302, location: "https://example.org:8443/https-8443" } },
      { port: 8080, path: "/nil-nil", expect: { status: 302, location: "http://example.org:8080/nil-nil" } },
      { port: 8080, path: "/nil-80", expect: { status: 302, location: "http://example.org/nil-80" } },
      { port: 8080, path: "/https-nil", expect: { status: 302, location: "https://example.org/https-nil" } },
      { port: 8080, path: "/http-nil", expect: { status: 302, location: "http://example.org/http-nil" } },
      { port: 8080, path: "/nil-nil/deeper?q=1&r", expect: { status: 302, location: "http://example.org:8080/nil-nil/deeper?q=1&r" } },
    ],
  },
  {
    name: "RequestRedirect path, host and status; the request's host without its port when unset (HTTPRouteRedirectPath, HTTPRouteRedirectHostAndStatus)",
    resources: route("infra", "paths", `{ ${toGw}, rules: [
      { matches: [ ${prefix("/original-prefix")} ], filters: [ { type: RequestRedirect, requestRedirect: { path: { type: ReplacePrefixMatch, replacePrefixMatch: /replacement-prefix } } } ] },
      { matches: [ ${prefix("/full")} ], filters: [ { type: RequestRedirect, requestRedirect: { path: { type: ReplaceFullPath, replaceFullPath: /full-path-replacement } } } ] },
      { matches: [ ${prefix("/path-and-host")} ], filters: [ { type: RequestRedirect, requestRedirect: { hostname: example.org, path: { type: ReplacePrefixMatch, replacePrefixMatch: /replacement-prefix } } } ] },
      { matches: [ ${prefix("/path-and-status")} ], filters: [ { type: RequestRedirect, requestRedirect: { path: { type: ReplacePrefixMatch, replacePrefixMatch: /replacement-prefix }, statusCode: 301 } } ] },
      { matches: [ ${prefix("/strip")} ], filters: [ { type: RequestRedirect, requestRedirect: { path: { type: ReplacePrefixMatch, replacePrefixMatch: / } } } ] },
      { matches: [ ${prefix("/host-and-status")} ], filters: [ { type: RequestRedirect, requestRedirect: { statusCode: 301, hostname: example.org } } ] },
      ${[303, 307, 308].map((code) => `{ matches: [ ${prefix(`/code-${code}`)} ], filters: [ { type: RequestRedirect, requestRedirect: { statusCode: ${code} } } ] }`).join(", ")} ] }`),
    probes: [
      { host: "gw.example.com", path: "/original-prefix/lemon", expect: { status: 302, location: "http://gw.example.com/replacement-prefix/lemon" } },
      { host: "gw.example.com", path: "/original-prefix", expect: { status: 302, location: "http://gw.example.com/replacement-prefix" } },
      { host: "gw.example.com", path: "/original-prefixes", expect: { status: 404 } },
      { host: "gw.example.com:80", path: "/full/path/original?a=b", expect: { status: 302, location: "http://gw.example.com/full-path-replacement?a=b" } },
      { host: "GW.example.com", path: "/path-and-host", expect: { status: 302, location: "http://example.org/replacement-prefix" } },
      { host: "gw.example.com", path: "/path-and-status", expect: { status: 301, location: "http://gw.example.com/replacement-prefix" } },
      { host: "gw.example.com", path: "/strip/a/b", expect: { status: 302, location: "http://gw.example.com/a/b" } },
      { host: "gw.example.com", path: "/strip", expect: { status: 302, location: "http://gw.example.com/" } },
      { host: "gw.example.com", path: "/strip/", expect: { status: 302, location: "http://gw.example.com/" } },
      { host: "gw.example.com", path: "/host-and-status", expect: { status: 301, location: "http://example.org/host-and-status" } },
      { host: "gw.example.com", path: "/code-303", expect: { status: 303, location: "http://gw.example.com/code-303" } },
      { host: "gw.example.com", path: "/code-307", expect: { status: 307, location: "http://gw.example.com/code-307" } },
      { host: "gw.example.com", path: "/code-308", expect: { status: 308, location: "http://gw.example.com/code-308" } },
    ],
  },
  {
    name: "URLRewrite path: ReplacePrefixMatch element-wise without '//', ReplaceFullPath, the query kept; hostname replaces Host (HTTPRouteRewritePath, HTTPRouteRewriteHost)",
    resources: route("infra", "rewrite", `{ ${toGw}, rules: [
      ${rule(prefix("/prefix/one"), ref("be-v1"), `{ type: URLRewrite, urlRewrite: { path: { type: ReplacePrefixMatch, replacePrefixMatch: /one } } }`)},
      ${rule(prefix("/strip-prefix"), ref("be-v1"), `{ type: URLRewrite, urlRewrite: { path: { type: ReplacePrefixMatch, replacePrefixMatch: / } } }`)},
      ${rule(prefix("/full/one"), ref("be-v1"), `{ type: URLRewrite, urlRewrite: { path: { type: ReplaceFullPath, replaceFullPath: /one } } }`)},
      ${rule(prefix("/full/rewrite-path-and-modify-headers"), ref("be-v1"), `{ type: URLRewrite, urlRewrite: { path: { type: ReplaceFullPath, replaceFullPath: /test } } }, { type: RequestHeaderModifier, requestHeaderModifier: { set: [ { name: X-Header-Set, value: set-overwrites-values } ], add: [ { name: X-Header-Add, value: header-val-1 } ], remove: [ X-Header-Remove ] } }`)},
      ${rule(prefix("/foo/"), ref("be-v2"), `{ type: URLRewrite, urlRewrite: { path: { type: ReplacePrefixMatch, replacePrefixMatch: /xyz/ } } }`)},
      ${rule(prefix("/empty"), ref("be-v2"), `{ type: URLRewrite, urlRewrite: { path: { type: ReplacePrefixMatch, replacePrefixMatch: "" } } }`)},
      ${rule(`{ path: { type: PathPrefix, value: / }, headers: [ { name: root, value: "yes" } ] }`, ref("be-v3"), `{ type: URLRewrite, urlRewrite: { path: { type: ReplacePrefixMatch, replacePrefixMatch: /under } } }`)},
      ${rule(prefix("/host"), ref("be-v3"), `{ type: URLRewrite, urlRewrite: { hostname: one.example.org } }`)} ] }`),
    probes: [
      { path: "/prefix/one/two", expect: ok(V1, { path: "/one/two" }) },
      { path: "/prefix/one", expect: ok(V1, { path: "/one" }) },
      { path: "/prefix/one/", expect: ok(V1, { path: "/one/" }) },
      { path: "/strip-prefix/three", expect: ok(V1, { path: "/three" }) },
      { path: "/strip-prefix", expect: ok(V1, { path: "/" }) },
      { path: "/strip-prefix/", expect: ok(V1, { path: "/" }) },
      { path: "/strip-prefix/three?x=1", expect: ok(V1, { path: "/three?x=1" }) },
      { path: "/full/one/two?q=a", expect: ok(V1, { path: "/one?q=a" }) },
      {
        path: "/full/rewrite-path-and-modify-headers/test", headers: { "X-Header-Set": "x", "X-Header-Add": "old", "X-Header-Remove": "gone" },
        expect: ok(V1, { path: "/test", headers: { "x-header-set": "set-overwrites-values", "x-header-add": "old,header-val-1", "x-header-remove": null } }),
      },
      { path: "/foo/bar", expect: ok(V2, { path: "/xyz/bar" }) },
      { path: "/foo", expect: ok(V2, { path: "/xyz" }) },
      { path: "/empty/bar", expect: ok(V2, { path: "/bar" }) },
      { path: "/empty", expect: ok(V2, { path: "/" }) },
      { path: "/a/b", headers: { root: "yes" }, expect: ok(V3, { path: "/under/a/b" }) },
      { host: "gw.example.com", path: "/host/x", expect: ok(V3, { host: "one.example.org", path: "/host/x" }) },
    ],
  },
  {
    name: "weights: shares follow weight/total, weight 0 never answers, an invalid ref's share answers 500 (HTTPRouteWeight)",
    resources: route("infra", "weights", `{ ${toGw}, rules: [
      ${rule(prefix("/split"), `${ref("be-v1", ", weight: 70")}, ${ref("be-v2", ", weight: 30")}, ${ref("be-v3", ", weight: 0")}`)},
      ${rule(prefix("/half-broken"), `${ref("be-v1")}, ${ref("missing")}`)} ] }`),
    probes: [],
  },
  {
    name: "a backendRef's own filters apply only when it is picked (HTTPRouteBackendRequestHeaderModifier)",
    resources: route("infra", "per-ref", `{ ${toGw}, rules: [ ${rule(prefix("/"), ["be-v1", "be-v2"].map((b) =>
      `{ name: ${b}, port: 8080, filters: [ { type: RequestHeaderModifier, requestHeaderModifier: { set: [ { name: X-Picked, value: ${b} } ] } } ] }`).join(", "),
    `{ type: RequestHeaderModifier, requestHeaderModifier: { set: [ { name: X-Rule, value: applied } ] } }`)} ] }`),
    probes: [],
  },
  {
    name: "unsupported filters make the rule answer 500",
    resources: route("infra", "unsupported", `{ ${toGw}, rules: [
      ${rule(prefix("/mirror"), ref("be-v1"), `{ type: RequestMirror, requestMirror: { backendRef: { name: be-v2, port: 8080 } } }`)},
      ${rule(prefix("/extension"), ref("be-v1"), `{ type: ExtensionRef, extensionRef: { group: example.net, kind: Filter, name: f } }`)},
      ${rule(prefix("/ok"), ref("be-v1"))} ] }`),
    notes: [/rule 0: filter RequestMirror: not supported by this implementation: the rule answers 500/, /rule 1: filter ExtensionRef/],
    probes: [
      { path: "/mirror", expect: { status: 500 } },
      { path: "/extension", expect: { status: 500 } },
      { path: "/ok", expect: ok(V1) },
    ],
  },
  {
    name: "ties between routes: the oldest creationTimestamp, then namespace/name; without timestamps, declaration order",
    resources: [
      route("infra", "b-old", `{ ${toGw}, rules: [ ${rule(prefix("/stamped"), ref("be-v2"))} ] }`, `, creationTimestamp: "2024-01-01T00:00:00Z"`),
      route("infra", "a-new", `{ ${toGw}, rules: [ ${rule(prefix("/stamped"), ref("be-v1"))} ] }`, `, creationTimestamp: "2024-06-01T00:00:00Z"`),
      route("infra", "z-same", `{ ${toGw}, rules: [ ${rule(prefix("/same-time"), ref("be-v3"))} ] }`, `, creationTimestamp: "2024-01-01T00:00:00Z"`),
      route("infra", "y-same", `{ ${toGw}, rules: [ ${rule(prefix("/same-time"), ref("be-v2"))} ] }`, `, creationTimestamp: "2024-01-01T00:00:00Z"`),
      route("infra", "z-first", `{ ${toGw}, rules: [ ${rule(prefix("/declared"), ref("be-v3"))} ] }`),
      route("infra", "a-second", `{ ${toGw}, rules: [ ${rule(prefix("/declared"), ref("be-v1"))}, ${rule(prefix("/declared"), ref("be-v2"))} ] }`),
    ].join("\n"),
    probes: [
      { path: "/stamped", expect: ok(V2) },
      { path: "/same-time", expect: ok(V2) },
      { path: "/declared", expect: ok(V3) },
    ],
  },
];

function labOptions(c: Pick<Case, "resources" | "unchecked" | "gateway">): LabOptions {
  const [namespace, name] = (c.gateway ?? "infra/gw").split("/") as [string, string];
  return { body: BODY(c.resources), entry: { kind: "gateway", namespace, name }, ...(c.unchecked ? { extraManifests: rawManifests(c.unchecked) } : {}) };
}

async function withLab<T>(c: Pick<Case, "resources" | "unchecked" | "gateway" | "down">, body: (lab: Lab) => Promise<T>): Promise<T> {
  const lab = await startLab({ ...labOptions(c), ...(c.down ? { down: c.down } : {}) });
  try {
    return await body(lab);
  } finally {
    await lab.stop();
  }
}

/** Who answers `count` requests. */
async function tally(lab: Lab, request: Request, count: number): Promise<Map<string, number>> {
  const seen = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const answer = await lab.send(request);
    const who = answer.echo?.service ?? String(answer.status);
    seen.set(who, (seen.get(who) ?? 0) + 1);
  }
  return seen;
}

const caseNamed = (prefixText: string) => CASES.find((c) => c.name.startsWith(prefixText))!;

describe("local gateway: Gateway API through real HAProxy", function () {
  this.timeout(60_000);
  before(function () {
    if (!HAPROXY) this.skip();
  });

  for (const c of CASES.filter((x) => x.probes.length > 0)) {
    it(c.name, async () => {
      await withLab(c, async (lab) => {
        for (const pattern of c.notes ?? []) assert.ok(lab.compiled.notes.some((n) => pattern.test(n)), `no note ${pattern} in:\n${lab.compiled.notes.join("\n")}`);
        for (const probe of c.probes) check(await lab.send(probe), probe);
      });
    });
  }

  it("weights: shares follow weight/total, weight 0 never answers, an invalid ref's share answers 500 (HTTPRouteWeight)", async () => {
    await withLab(caseNamed("weights"), async (lab) => {
      // 400 draws: with p = 0.7 the v1 count lies within 280 ± 60 but for odds below 1e-9.
      const split = await tally(lab, { path: "/split" }, 400);
      assert.deepEqual([...split.keys()].sort(), [V1, V2], `answered by ${[...split.keys()]}`);
      assert.ok(Math.abs(split.get(V1)! - 280) < 60, `be-v1 answered ${split.get(V1)} of 400 (weight 70 of 100)`);
      const half = await tally(lab, { path: "/half-broken" }, 100);
      assert.deepEqual([...half.keys()].sort(), ["500", V1]);
      assert.ok(half.get("500")! > 20 && half.get(V1)! > 20, `answers: ${JSON.stringify([...half])}`);
    });
  });

  it("a backendRef's own filters apply only when it is picked (HTTPRouteBackendRequestHeaderModifier)", async () => {
    await withLab(caseNamed("a backendRef's own"), async (lab) => {
      const seen = new Set<string>();
      for (let i = 0; i < 60; i++) {
        const { echo } = await lab.send({ path: "/x" });
        assert.equal(echo?.headers["x-picked"], echo?.service.split("/")[1], "the picked ref's header only");
        assert.equal(echo?.headers["x-rule"], "applied");
        seen.add(echo!.service);
      }
      assert.deepEqual([...seen].sort(), [V1, V2]);
    });
  });
});

describe("local gateway: Gateway config", () => {
  const compile = (c: Pick<Case, "resources" | "unchecked" | "gateway">) => compileGatewayConfig(loopbackInput(labOptions(c)).input);

  before(function () {
    if (!HAPROXY) this.skip();
  });

  it("every case's config passes haproxy -c without warnings", async () => {
    for (const c of CASES) checkConfig(compile(c).config);
  });

  it("serves only its classes: the placeholder, or a declared GatewayClass with its controller", async () => {
    const gateway = (name: string, cls: string) => `  - { apiVersion: gateway.networking.k8s.io/v1, kind: Gateway, metadata: { name: ${name}, namespace: infra },
      spec: { gatewayClassName: ${cls}, listeners: [ { name: http, port: 8080, protocol: HTTP } ] } }`;
    const resources = [
      gateway("ours", "mine"), gateway("theirs", "other"), gateway("undeclared", "nobody"),
      "  - { apiVersion: gateway.networking.k8s.io/v1, kind: GatewayClass, metadata: { name: mine }, spec: { controllerName: netspec.dev/gateway } }",
      "  - { apiVersion: gateway.networking.k8s.io/v1, kind: GatewayClass, metadata: { name: other }, spec: { controllerName: example.net/gateway } }",
    ].join("\n");
    assert.deepEqual(compile({ resources, gateway: "infra/ours" }).ports, [8080]);
    const theirs = compile({ resources, gateway: "infra/theirs" });
    assert.deepEqual(theirs.ports, []);
    assert.match(theirs.notes.join("\n"), /GatewayClass other is not served/);
    assert.deepEqual(compile({ resources, gateway: "infra/undeclared" }).ports, []);
    assert.deepEqual(compile({ resources, gateway: "infra/missing" }).notes, ["Gateway infra/missing is not in the scenario"]);
  });

  it("leaves out non-HTTP and conflicting listeners, with notes", async () => {
    const compiled = compile({ resources: "", gateway: "infra/mixed", unchecked: `
- apiVersion: gateway.networking.k8s.io/v1
  kind: Gateway
  metadata: { name: mixed, namespace: infra }
  spec:
    gatewayClassName: "{GATEWAY_CLASS_NAME}"
    listeners:
      - { name: tls, port: 443, protocol: HTTPS, tls: { certificateRefs: [ { name: cert } ] } }
      - { name: a, port: 8080, protocol: HTTP, hostname: a.example.com }
      - { name: b, port: 8080, protocol: HTTP, hostname: a.example.com }
      - { name: c, port: 8081, protocol: HTTP }` });
    assert.deepEqual(compiled.ports, [8081]);
    const notes = compiled.notes.join("\n");
    assert.match(notes, /listener tls \(port 443, any hostname\): protocol HTTPS is not served/);
    assert.match(notes, /listener a .*: conflicts with b/);
    assert.match(notes, /listener b .*: conflicts with a/);
  });
});

describe("local gateway: an implementation without listener isolation", function () {
  this.timeout(60_000);
  before(function () {
    if (!HAPROXY) this.skip();
  });

  it("lets every listener of the port answer a request its hostname matches, the most specific match first", async () => {
    const isolation = caseNamed("listener isolation");
    const lab = await startLab({ ...labOptions(isolation), implementation: { ...LOCAL_LAYER7, listenerIsolation: false } });
    try {
      const probes: Probe[] = [
        { host: "bar.foo.example.com", path: "/wildcard-example-com", expect: ok(V1) },
        { host: "abc.foo.example.com", path: "/wildcard-foo-example-com", expect: ok(V1) },
        { host: "abc.foo.example.com", path: "/empty-hostname", expect: ok(V1) },
        { host: "bar.com", path: "/wildcard-example-com", expect: { status: 404 } },
        { host: "bar.example.com", path: "/abc-foo-example-com", expect: { status: 404 } },
      ];
      for (const probe of probes) check(await lab.send(probe), probe);
    } finally {
      await lab.stop();
    }
  });
});

describe("local gateway: IPv6 frontends forward to IPv6 cluster IPs", function () {
  this.timeout(60_000);
  before(function () {
    if (!HAPROXY) this.skip();
  });

  it("each family's frontend reaches the Service over the same family", async () => {
    const [listener, one, two] = [await freePort("::1"), await freePort("::1"), await freePort("::1")];
    const lab = await startLab({
      ipv6: true,
      entry: { kind: "gateway", namespace: "infra", name: "gw" },
      body: `
cluster: { ipFamily: dual }
namespaces: [ { name: infra } ]
resources:
${service("infra", "one", `[ { port: ${one} } ]`)}
${service("infra", "two", `[ { port: ${two} } ]`)}
  - { apiVersion: gateway.networking.k8s.io/v1, kind: Gateway, metadata: { name: gw, namespace: infra },
      spec: { gatewayClassName: "{GATEWAY_CLASS_NAME}", listeners: [ { name: http, port: ${listener}, protocol: HTTP } ] } }
${route("infra", "r", `{ parentRefs: [ { name: gw } ], rules: [ { matches: [ ${prefix("/one")} ], backendRefs: [ { name: one, port: ${one} } ] }, { matches: [ ${prefix("/two")} ], backendRefs: [ { name: two, port: ${two} } ] } ] }`)}`,
    });
    try {
      for (const family of ["ipv4", "ipv6"] as const) {
        for (const name of ["one", "two"]) {
          const { status, echo } = await lab.send({ family, path: `/${name}` });
          assert.equal(status, 200);
          assert.equal(echo?.service, `infra/${name}`);
          assert.equal(echo?.address, lab.input.services.find((s) => s.id === `infra/${name}`)!.clusterIPs[family], `${family} frontend`);
        }
      }
    } finally {
      await lab.stop();
    }
  });
});
