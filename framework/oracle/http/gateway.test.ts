// Gateway API routing, table-driven. Most suites re-encode a Gateway API conformance test
// (kubernetes-sigs/gateway-api conformance/tests/<name>.go and .yaml): the same objects and
// requests, written in this file's own format, with the answer the suite requires. The
// "spec:" suites add one case per rule the conformance suite leaves untested, and the traps.
import assert from "node:assert/strict";
import { describe, it } from "mocha";
import type {
  Gateway, HTTPBackendRef, HTTPHeaderFilter, HTTPRequestRedirectFilter, HTTPRoute, HTTPRouteMatch, ReferenceGrant,
} from "../../kube/gateway-types.js";
import type { Service } from "../../kube/types.js";
import type { HttpRequest } from "../../scenario/target.js";
import {
  assertVerdict, BASE_GATEWAYS, BASE_SERVICES, gateway, httpListener, httpRoute, NAMESPACE_LABELS, referenceGrant, request, service,
  type Expectation,
} from "./fixtures.test-helpers.js";
import { GatewayRouter, type GatewayRouterOptions } from "./gateway.js";
import { statusList } from "./result.js";

const V1 = "infra/infra-backend-v1";
const V2 = "infra/infra-backend-v2";
const V3 = "infra/infra-backend-v3";
const SAME = "infra/same-namespace";

const ref = (name: string, more: Partial<HTTPBackendRef> = {}): HTTPBackendRef => ({ name, port: 8080, ...more });
const prefix = (value: string, more: HTTPRouteMatch = {}): HTTPRouteMatch => ({ path: { type: "PathPrefix", value }, ...more });
const exact = (value: string, more: HTTPRouteMatch = {}): HTTPRouteMatch => ({ path: { type: "Exact", value }, ...more });
const headers = (values: Record<string, string>) => Object.entries(values).map(([name, value]) => ({ name, value }));
const to = (...backends: string[]): Expectation => ({ backends });
const status = (code: number, reason?: RegExp): Expectation => ({ outcome: "status", status: code, ...(reason ? { reason } : {}) });

interface Case {
  readonly request: HttpRequest;
  readonly expect: Expectation;
  readonly gateway?: string;
  readonly port?: number;
  readonly name?: string;
}

interface Suite {
  readonly title: string;
  readonly routes: readonly HTTPRoute[];
  readonly gateways?: readonly Gateway[];
  readonly services?: readonly Service[];
  readonly grants?: readonly ReferenceGrant[];
  readonly options?: GatewayRouterOptions;
  readonly cases: readonly Case[];
}

const routerFor = (suite: Omit<Suite, "cases" | "title">) => new GatewayRouter({
  gateways: [...BASE_GATEWAYS, ...(suite.gateways ?? [])],
  httpRoutes: suite.routes,
  services: [...BASE_SERVICES, ...(suite.services ?? [])],
  referenceGrants: suite.grants ?? [],
  namespaceLabels: NAMESPACE_LABELS,
}, suite.options);

const expectText = (e: Expectation) =>
  e.backends ? e.backends.join(", ") : e.redirect ? `redirect ${JSON.stringify(e.redirect)}` : [e.outcome, e.status].filter((x) => x !== undefined).join(" ");
const caseName = (c: Case) => c.name ?? `${c.request.method} ${c.request.host}${c.request.path}` +
  `${Object.keys(c.request.headers).length > 0 ? ` ${JSON.stringify(c.request.headers)}` : ""} -> ${expectText(c.expect)}`;

let caseCount = 0;
function run(suite: Suite): void {
  caseCount += suite.cases.length;
  describe(suite.title, () => {
    const router = routerFor(suite);
    for (const c of suite.cases) {
      it(caseName(c), () => {
        const [namespace, name] = (c.gateway ?? SAME).split("/");
        assertVerdict(router.route({ namespace: namespace!, name: name! }, c.request, c.port), c.expect);
      });
    }
  });
}

const get = (path: string, host?: string, more: Partial<HttpRequest> = {}) => request(path, { ...(host ? { host } : {}), ...more });
const withHeaders = (path: string, values: Record<string, string>, more: Partial<HttpRequest> = {}) => request(path, { headers: values, ...more });

// ---- conformance: matching ----------------------------------------------------------------------------

run({
  title: "httproute-simple-same-namespace",
  routes: [httpRoute("infra/gateway-conformance-infra-test", { parentRefs: [{ name: "same-namespace" }], rules: [{ backendRefs: [ref("infra-backend-v1")] }] })],
  cases: [{ request: get("/"), expect: to(V1) }],
});

const MATCHING_RULES = [
  { matches: [prefix("/"), { headers: headers({ version: "one" }) }], backendRefs: [ref("infra-backend-v1")] },
  { matches: [prefix("/v2"), { headers: headers({ version: "two" }) }], backendRefs: [ref("infra-backend-v2")] },
];
run({
  title: "httproute-matching",
  routes: [httpRoute("infra/matching", { parentRefs: [{ name: "same-namespace" }], rules: MATCHING_RULES })],
  cases: [
    { request: get("/"), expect: to(V1) },
    { request: get("/example"), expect: to(V1) },
    { request: withHeaders("/", { Version: "one" }), expect: to(V1) },
    { request: get("/v2"), expect: { ...to(V2), reason: /longer PathPrefix \(3 over 1/ } },
    { request: get("/v2/example"), expect: to(V2) },
    { request: withHeaders("/", { Version: "two" }), expect: { ...to(V2), reason: /more header matches \(1 over 0\)/ } },
    { request: get("/v2/"), expect: to(V2) },
    { name: "/v2example is not under the /v2 prefix", request: get("/v2example"), expect: to(V1) },
    { request: get("/foo/v2/example"), expect: to(V1) },
  ],
});

run({
  title: "httproute-matching-across-routes",
  routes: [
    httpRoute("infra/matching-part1", { parentRefs: [{ name: "same-namespace" }], hostnames: ["example.com", "example.net"], rules: [MATCHING_RULES[0]!] }),
    httpRoute("infra/matching-part2", { parentRefs: [{ name: "same-namespace" }], hostnames: ["example.com"], rules: [MATCHING_RULES[1]!] }),
  ],
  cases: [
    { request: get("/", "example.com"), expect: to(V1) },
    { request: get("/example", "example.com"), expect: to(V1) },
    { request: get("/example", "example.net"), expect: to(V1) },
    { request: get("/example", "example.com", { headers: { Version: "one" } }), expect: to(V1) },
    { request: get("/v2", "example.com"), expect: to(V2) },
    { name: "part2 serves example.com only", request: get("/v2", "example.net"), expect: to(V1) },
    { request: get("/v2/example", "example.com"), expect: to(V2) },
    { request: get("/", "example.com", { headers: { Version: "two" } }), expect: to(V2) },
  ],
});

run({
  title: "httproute-header-matching",
  routes: [httpRoute("infra/header-matching", {
    parentRefs: [{ name: "same-namespace" }],
    rules: [
      { matches: [{ headers: headers({ version: "one" }) }], backendRefs: [ref("infra-backend-v1")] },
      { matches: [{ headers: headers({ version: "two" }) }], backendRefs: [ref("infra-backend-v2")] },
      { matches: [{ headers: headers({ version: "two", color: "orange" }) }], backendRefs: [ref("infra-backend-v1")] },
      { matches: [{ headers: headers({ color: "blue" }) }, { headers: headers({ color: "green" }) }], backendRefs: [ref("infra-backend-v1")] },
      { matches: [{ headers: headers({ color: "red" }) }, { headers: headers({ color: "yellow" }) }], backendRefs: [ref("infra-backend-v2")] },
    ],
  })],
  cases: [
    { request: withHeaders("/", { Version: "one" }), expect: to(V1) },
    { request: withHeaders("/", { Version: "two" }), expect: to(V2) },
    { request: withHeaders("/", { Version: "two", Color: "orange" }), expect: to(V1) },
    { name: "version=two color=blue: two single-header rules tie, the earlier rule wins", request: withHeaders("/", { Version: "two", Color: "blue" }), expect: { ...to(V2), reason: /rule order within the route \(rules\[1\] before rules\[3\]\)/ } },
    { request: withHeaders("/", { Color: "orange" }), expect: status(404) },
    { request: withHeaders("/", { "Some-Other-Header": "one" }), expect: status(404) },
    { request: withHeaders("/", { Color: "blue" }), expect: to(V1) },
    { request: withHeaders("/", { Color: "green" }), expect: to(V1) },
    { request: withHeaders("/", { Color: "red" }), expect: to(V2) },
    { request: withHeaders("/", { Color: "yellow" }), expect: to(V2) },
    { request: withHeaders("/", { Color: "purple" }), expect: status(404) },
    { name: "spec: header names are case-insensitive", request: withHeaders("/", { VERSION: "one" }), expect: to(V1) },
    { name: "spec: header values are exact and case-sensitive", request: withHeaders("/", { version: "One" }), expect: status(404) },
  ],
});

run({
  title: "httproute-query-param-matching",
  routes: [httpRoute("infra/query-param-matching", {
    parentRefs: [{ name: "same-namespace" }],
    rules: [
      { matches: [{ queryParams: headers({ animal: "whale" }) }], backendRefs: [ref("infra-backend-v1")] },
      { matches: [{ queryParams: headers({ animal: "dolphin" }) }], backendRefs: [ref("infra-backend-v2")] },
      { matches: [{ queryParams: headers({ animal: "dolphin", color: "blue" }) }, { queryParams: headers({ ANIMAL: "Whale" }) }], backendRefs: [ref("infra-backend-v3")] },
      { matches: [prefix("/path1", { queryParams: headers({ animal: "whale" }) })], backendRefs: [ref("infra-backend-v1")] },
      { matches: [{ headers: headers({ version: "one" }), queryParams: headers({ animal: "whale" }) }], backendRefs: [ref("infra-backend-v2")] },
      { matches: [prefix("/path2", { headers: headers({ version: "two" }), queryParams: headers({ animal: "whale" }) })], backendRefs: [ref("infra-backend-v3")] },
      {
        matches: [
          prefix("/path3", { queryParams: headers({ animal: "shark" }) }),
          prefix("/path4", { headers: headers({ version: "three" }), queryParams: headers({ animal: "kraken" }) }),
        ],
        backendRefs: [ref("infra-backend-v1")],
      },
      { matches: [prefix("/path5")], backendRefs: [ref("infra-backend-v1")] },
      { matches: [{ queryParams: headers({ animal: "hydra" }) }], backendRefs: [ref("infra-backend-v2")] },
      { matches: [{ headers: headers({ version: "four" }) }], backendRefs: [ref("infra-backend-v3")] },
    ],
  })],
  cases: [
    { request: get("/?animal=whale"), expect: to(V1) },
    { request: get("/?animal=dolphin"), expect: to(V2) },
    { request: get("/?animal=dolphin&color=blue"), expect: { ...to(V3), reason: /more query param matches \(2 over 1\)/ } },
    { name: "query names are case-sensitive: ANIMAL=Whale is its own match", request: get("/?ANIMAL=Whale"), expect: to(V3) },
    { request: get("/?animal=whale&otherparam=irrelevant"), expect: to(V1) },
    { request: get("/?animal=dolphin&color=yellow"), expect: to(V2) },
    { request: get("/?color=blue"), expect: status(404) },
    { request: get("/?animal=dog"), expect: status(404) },
    { request: get("/?animal=whaledolphin"), expect: status(404) },
    { request: get("/"), expect: status(404) },
    { request: get("/path1?animal=whale"), expect: to(V1) },
    { request: withHeaders("/?animal=whale", { version: "one" }), expect: to(V2) },
    { request: withHeaders("/path2?animal=whale", { version: "two" }), expect: to(V3) },
    { request: get("/path3?animal=shark"), expect: to(V1) },
    { request: withHeaders("/path4?animal=kraken", { version: "three" }), expect: to(V1) },
    { name: "ANDed conditions: the query alone does not match /path3's rule", request: get("/?animal=shark"), expect: status(404) },
    { name: "ANDed conditions: /path4 without the header does not match", request: get("/path4?animal=kraken"), expect: status(404) },
    { name: "a longer path beats a query match", request: get("/path5?animal=hydra"), expect: to(V1) },
    { name: "a header match beats a query match", request: withHeaders("/?animal=hydra", { version: "four" }), expect: to(V3) },
  ],
});

run({
  title: "httproute-method-matching",
  routes: [httpRoute("infra/method-matching", {
    parentRefs: [{ name: "same-namespace" }],
    rules: [
      { matches: [{ method: "POST" }], backendRefs: [ref("infra-backend-v1")] },
      { matches: [{ method: "GET" }], backendRefs: [ref("infra-backend-v2")] },
      { matches: [prefix("/path1", { method: "GET" })], backendRefs: [ref("infra-backend-v1")] },
      { matches: [{ headers: headers({ version: "one" }), method: "PUT" }], backendRefs: [ref("infra-backend-v2")] },
      { matches: [prefix("/path2", { headers: headers({ version: "two" }), method: "POST" })], backendRefs: [ref("infra-backend-v3")] },
      { matches: [prefix("/path3", { method: "PATCH" }), prefix("/path4", { headers: headers({ version: "three" }), method: "DELETE" })], backendRefs: [ref("infra-backend-v1")] },
      { matches: [prefix("/path5")], backendRefs: [ref("infra-backend-v1")] },
      { matches: [{ method: "PATCH" }], backendRefs: [ref("infra-backend-v2")] },
      { matches: [{ headers: headers({ version: "four" }) }], backendRefs: [ref("infra-backend-v3")] },
    ],
  })],
  cases: [
    { request: get("/", undefined, { method: "POST" }), expect: to(V1) },
    { request: get("/"), expect: to(V2) },
    { request: get("/", undefined, { method: "HEAD" }), expect: status(404) },
    { request: get("/path1"), expect: to(V1) },
    { request: withHeaders("/", { version: "one" }, { method: "PUT" }), expect: to(V2) },
    { request: withHeaders("/path2", { version: "two" }, { method: "POST" }), expect: to(V3) },
    { request: get("/path3", undefined, { method: "PATCH" }), expect: to(V1) },
    { request: withHeaders("/path4", { version: "three" }, { method: "DELETE" }), expect: to(V1) },
    { request: get("/", undefined, { method: "PUT" }), expect: status(404) },
    { request: get("/path4", undefined, { method: "DELETE" }), expect: status(404) },
    { name: "a longer path beats a method match", request: get("/path5", undefined, { method: "PATCH" }), expect: to(V1) },
    { name: "a method match beats a header match", request: withHeaders("/", { version: "four" }, { method: "PATCH" }), expect: { ...to(V2), reason: /by a method match/ } },
  ],
});

run({
  title: "httproute-exact-path-matching",
  routes: [httpRoute("infra/exact-matching", {
    parentRefs: [{ name: "same-namespace" }],
    rules: [{ matches: [exact("/one")], backendRefs: [ref("infra-backend-v1")] }, { matches: [exact("/two")], backendRefs: [ref("infra-backend-v2")] }],
  })],
  cases: [
    { request: get("/one"), expect: to(V1) },
    { request: get("/two"), expect: to(V2) },
    { request: get("/"), expect: status(404) },
    { request: get("/one/example"), expect: status(404) },
    { name: "Exact does not ignore a trailing slash", request: get("/two/"), expect: status(404) },
    { name: "Exact is case-sensitive", request: get("/Two"), expect: status(404) },
  ],
});

run({
  title: "httproute-path-match-order",
  routes: [httpRoute("infra/path-matching-order", {
    parentRefs: [{ name: "same-namespace" }],
    rules: [
      { matches: [exact("/match")], backendRefs: [ref("infra-backend-v1")] },
      { matches: [exact("/match/exact")], backendRefs: [ref("infra-backend-v2")] },
      { matches: [exact("/match/exact/one")], backendRefs: [ref("infra-backend-v3")] },
      { matches: [prefix("/match/")], backendRefs: [ref("infra-backend-v3")] },
      { matches: [prefix("/match/prefix/")], backendRefs: [ref("infra-backend-v1")] },
      { matches: [prefix("/match/prefix/one")], backendRefs: [ref("infra-backend-v2")] },
    ],
  })],
  cases: [
    { request: get("/match/exact/one"), expect: { ...to(V3), reason: /an Exact path match over a PathPrefix/ } },
    { request: get("/match/exact"), expect: to(V2) },
    { request: get("/match"), expect: to(V1) },
    { request: get("/match/prefix/one/any"), expect: to(V2) },
    { request: get("/match/prefix/any"), expect: to(V1) },
    { request: get("/match/any"), expect: to(V3) },
  ],
});

// ---- conformance: hostnames and listeners -----------------------------------------------------------------

const INTERSECTION = "infra/httproute-hostname-intersection";
const INTERSECTION_ALL = "infra/httproute-hostname-intersection-all";
const onIntersection = (path: string, host: string, expect: Expectation, gw = INTERSECTION): Case => ({ request: get(path, host), expect, gateway: gw });
run({
  title: "httproute-hostname-intersection",
  gateways: [
    gateway(INTERSECTION, [
      httpListener("listener-1", 80, { from: "Same", hostname: "very.specific.com" }),
      httpListener("listener-2", 80, { from: "Same", hostname: "*.wildcard.io" }),
      httpListener("listener-3", 80, { from: "Same", hostname: "*.anotherwildcard.io" }),
    ]),
    gateway(INTERSECTION_ALL, [httpListener("listener-1", 80, { from: "Same" })]),
  ],
  routes: [
    httpRoute("infra/specific-host-matches-listener-specific-host", {
      parentRefs: [{ name: "httproute-hostname-intersection", namespace: "infra" }],
      hostnames: ["non.matching.com", "*.nonmatchingwildcard.io", "very.specific.com"],
      rules: [{ matches: [prefix("/s1")], backendRefs: [ref("infra-backend-v1")] }],
    }),
    httpRoute("infra/specific-host-matches-listener-wildcard-host", {
      parentRefs: [{ name: "httproute-hostname-intersection", namespace: "infra" }],
      hostnames: ["non.matching.com", "wildcard.io", "foo.wildcard.io", "bar.wildcard.io", "foo.bar.wildcard.io"],
      rules: [{ matches: [prefix("/s2")], backendRefs: [ref("infra-backend-v2")] }],
    }),
    httpRoute("infra/wildcard-host-matches-listener-specific-host", {
      parentRefs: [{ name: "httproute-hostname-intersection", namespace: "infra" }],
      hostnames: ["non.matching.com", "*.specific.com"],
      rules: [{ matches: [prefix("/s3")], backendRefs: [ref("infra-backend-v3")] }],
    }),
    httpRoute("infra/wildcard-host-matches-listener-wildcard-host", {
      parentRefs: [{ name: "httproute-hostname-intersection", namespace: "infra" }],
      hostnames: ["*.anotherwildcard.io"],
      rules: [{ matches: [prefix("/s4")], backendRefs: [ref("infra-backend-v1")] }],
    }),
    httpRoute("infra/no-intersecting-hosts", {
      parentRefs: [{ name: "httproute-hostname-intersection", namespace: "infra" }],
      hostnames: ["specific.but.wrong.com", "wildcard.io"],
      rules: [{ matches: [prefix("/s5")], backendRefs: [ref("infra-backend-v2")] }],
    }),
    httpRoute("infra/httproute-hostname-intersection-all", {
      parentRefs: [{ name: "httproute-hostname-intersection-all", namespace: "infra" }],
      hostnames: ["first.com", "sub.first.com", "second.com", "sub.second.com"],
      rules: [{ backendRefs: [ref("infra-backend-v2")] }],
    }),
  ],
  cases: [
    onIntersection("/s1", "very.specific.com", to(V1)),
    { name: "the Host header's port is ignored", request: get("/s1", "very.specific.com:1234"), expect: to(V1), gateway: INTERSECTION },
    onIntersection("/s1", "non.matching.com", status(404)),
    onIntersection("/s1", "foo.nonmatchingwildcard.io", status(404)),
    onIntersection("/s1", "foo.wildcard.io", status(404)),
    onIntersection("/non-matching-prefix", "very.specific.com", status(404)),
    onIntersection("/s2", "foo.wildcard.io", to(V2)),
    onIntersection("/s2", "bar.wildcard.io", to(V2)),
    onIntersection("/s2", "foo.bar.wildcard.io", to(V2)),
    onIntersection("/s2", "non.matching.com", status(404)),
    { name: "a wildcard listener does not take its bare domain", request: get("/s2", "wildcard.io"), expect: status(404, /no listener/), gateway: INTERSECTION },
    onIntersection("/s2", "very.specific.com", status(404)),
    onIntersection("/s3", "very.specific.com", to(V3)),
    onIntersection("/s3", "foo.specific.com", status(404)),
    onIntersection("/s3", "foo.wildcard.io", status(404)),
    onIntersection("/s4", "foo.anotherwildcard.io", to(V1)),
    onIntersection("/s4", "foo.bar.anotherwildcard.io", to(V1)),
    onIntersection("/s4", "anotherwildcard.io", status(404)),
    onIntersection("/s4", "very.specific.com", status(404)),
    onIntersection("/s5", "specific.but.wrong.com", status(404)),
    onIntersection("/s5", "wildcard.io", status(404)),
    onIntersection("/", "first.com", to(V2), INTERSECTION_ALL),
    onIntersection("/", "sub.second.com", to(V2), INTERSECTION_ALL),
    onIntersection("/", "third.com", status(404), INTERSECTION_ALL),
    onIntersection("/", "sub.third.com", status(404), INTERSECTION_ALL),
  ],
});

const HOSTNAME_MATCHING = "infra/httproute-listener-hostname-matching";
const sectionRef = (sectionName: string) => ({ name: "httproute-listener-hostname-matching", namespace: "infra", sectionName });
run({
  title: "httproute-listener-hostname-matching",
  gateways: [gateway(HOSTNAME_MATCHING, [
    httpListener("listener-1", 80, { from: "Same", hostname: "bar.com" }),
    httpListener("listener-2", 80, { from: "Same", hostname: "foo.bar.com" }),
    httpListener("listener-3", 80, { from: "Same", hostname: "*.bar.com" }),
    httpListener("listener-4", 80, { from: "Same", hostname: "*.foo.com" }),
  ])],
  routes: [
    httpRoute("infra/backend-v1", { parentRefs: [sectionRef("listener-1")], rules: [{ backendRefs: [ref("infra-backend-v1")] }] }),
    httpRoute("infra/backend-v2", { parentRefs: [sectionRef("listener-2")], rules: [{ backendRefs: [ref("infra-backend-v2")] }] }),
    httpRoute("infra/backend-v3", { parentRefs: [sectionRef("listener-3"), sectionRef("listener-4")], rules: [{ backendRefs: [ref("infra-backend-v3")] }] }),
  ],
  cases: [
    { request: get("/", "bar.com"), expect: to(V1), gateway: HOSTNAME_MATCHING },
    { name: "the exact listener takes foo.bar.com before *.bar.com", request: get("/", "foo.bar.com"), expect: { ...to(V2), reason: /listener listener-2/ }, gateway: HOSTNAME_MATCHING },
    { request: get("/", "baz.bar.com"), expect: to(V3), gateway: HOSTNAME_MATCHING },
    { request: get("/", "multiple.prefixes.bar.com"), expect: to(V3), gateway: HOSTNAME_MATCHING },
    { request: get("/", "multiple.prefixes.foo.com"), expect: to(V3), gateway: HOSTNAME_MATCHING },
    { request: get("/", "foo.com"), expect: status(404), gateway: HOSTNAME_MATCHING },
    { request: get("/", "no.matching.host"), expect: status(404), gateway: HOSTNAME_MATCHING },
  ],
});

const PORT_MATCHING = "infra/httproute-listener-port-matching";
const portRef = (port: number, sectionName?: string) => ({ name: "httproute-listener-port-matching", namespace: "infra", port, ...(sectionName ? { sectionName } : {}) });
run({
  title: "httproute-listener-port-matching",
  gateways: [gateway(PORT_MATCHING, [
    httpListener("listener-1", 80, { from: "Same", hostname: "foo.com" }),
    httpListener("listener-2", 8080, { from: "Same", hostname: "foo.com" }),
    httpListener("listener-3", 8080, { from: "Same", hostname: "bar.com" }),
    httpListener("listener-4", 8090, { from: "Same", hostname: "foo.com" }),
    httpListener("listener-5", 8090, { from: "Same", hostname: "bar.com" }),
  ])],
  routes: [
    httpRoute("infra/backend-v1", { parentRefs: [portRef(80)], rules: [{ backendRefs: [ref("infra-backend-v1")] }] }),
    httpRoute("infra/backend-v2", { parentRefs: [portRef(8080)], rules: [{ backendRefs: [ref("infra-backend-v2")] }] }),
    httpRoute("infra/backend-v3", { parentRefs: [portRef(8090, "listener-4")], rules: [{ backendRefs: [ref("infra-backend-v3")] }] }),
  ],
  cases: [
    { request: get("/", "foo.com"), port: 80, expect: to(V1), gateway: PORT_MATCHING },
    { request: get("/", "foo.com:8080"), port: 8080, expect: to(V2), gateway: PORT_MATCHING },
    { request: get("/", "bar.com:8080"), port: 8080, expect: to(V2), gateway: PORT_MATCHING },
    { request: get("/", "foo.com:8090"), port: 8090, expect: to(V3), gateway: PORT_MATCHING },
    { name: "sectionName narrows port 8090 to listener-4", request: get("/", "bar.com:8090"), port: 8090, expect: status(404), gateway: PORT_MATCHING },
  ],
});

// ---- conformance: backends ------------------------------------------------------------------------------

describe("httproute-weight", () => {
  const router = routerFor({ routes: [httpRoute("infra/weighted-backends", {
    parentRefs: [{ name: "same-namespace" }],
    rules: [{ backendRefs: [ref("infra-backend-v1", { weight: 70 }), ref("infra-backend-v2", { weight: 30 }), ref("infra-backend-v3", { weight: 0 })] }],
  })] });
  caseCount++;
  it("70/30 between v1 and v2; v3 (weight 0) never answers", () => {
    const verdict = router.route({ namespace: "infra", name: "same-namespace" }, get("/"));
    assertVerdict(verdict, { ...to(V1, V2), reason: /never infra\/infra-backend-v3:8080 \(weight 0\)/ });
    assert.deepEqual(verdict.backends.map((b) => [b.service, b.weight]), [[V1, 70], [V2, 30]]);
  });
});

const WEB_GRANT = referenceGrant("web/reference-grant", [["gateway.networking.k8s.io", "HTTPRoute", "infra"]], [["", "Service", "web-backend"]]);
const TO_WEB = httpRoute("infra/reference-grant", { parentRefs: [{ name: "same-namespace" }], rules: [{ backendRefs: [ref("web-backend", { namespace: "web" })] }] });
run({ title: "httproute-reference-grant", routes: [TO_WEB], grants: [WEB_GRANT], cases: [{ request: get("/"), expect: to("web/web-backend") }] });
run({
  title: "httproute-reference-grant, after the grant is deleted",
  routes: [TO_WEB],
  cases: [{ request: get("/"), expect: status(500, /RefNotPermitted/) }],
});
run({
  title: "httproute-invalid-reference-grant: none of the grants fits",
  routes: [TO_WEB],
  grants: [
    referenceGrant("infra/reference-grant-wrong-namespace", [["gateway.networking.k8s.io", "HTTPRoute", "infra"]], [["", "Service", "web-backend"]]),
    referenceGrant("web/reference-grant-wrong-from-group", [["not-the-group-youre-looking-for", "HTTPRoute", "infra"]], [["", "Service", "web-backend"]]),
    referenceGrant("web/reference-grant-wrong-from-kind", [["gateway.networking.k8s.io", "Gateway", "infra"]], [["", "Service", "web-backend"]]),
    referenceGrant("web/reference-grant-wrong-from-namespace", [["gateway.networking.k8s.io", "HTTPRoute", "not-the-namespace-youre-looking-for"]], [["", "Service", "web-backend"]]),
    referenceGrant("web/reference-grant-wrong-to-group", [["gateway.networking.k8s.io", "HTTPRoute", "infra"]], [["not-the-group-youre-looking-for", "Service", "web-backend"]]),
    referenceGrant("web/reference-grant-wrong-to-kind", [["gateway.networking.k8s.io", "HTTPRoute", "infra"]], [["", "Secret", "web-backend"]]),
    referenceGrant("web/reference-grant-wrong-to-name", [["gateway.networking.k8s.io", "HTTPRoute", "infra"]], [["", "Service", "not-the-service-youre-looking-for"]]),
  ],
  cases: [{ request: get("/"), expect: status(500, /RefNotPermitted/) }],
});
run({
  title: "httproute-invalid-cross-namespace-backend-ref",
  routes: [httpRoute("infra/invalid-cross-namespace-backend-ref", { parentRefs: [{ name: "same-namespace" }], rules: [{ backendRefs: [ref("web-backend", { namespace: "web" })] }] })],
  cases: [{ request: get("/"), expect: status(500, /no ReferenceGrant in web/) }],
});
run({
  title: "httproute-cross-namespace: a Selector listener takes a route from a labelled namespace",
  routes: [httpRoute("web/cross-namespace", { parentRefs: [{ name: "backend-namespaces", namespace: "infra" }], rules: [{ backendRefs: [ref("web-backend")] }] })],
  cases: [{ request: get("/"), expect: to("web/web-backend"), gateway: "infra/backend-namespaces" }],
});
run({
  title: "httproute-invalid-cross-namespace-parent-ref: a Same listener ignores a route of another namespace",
  routes: [httpRoute("web/invalid-cross-namespace-parent-ref", { parentRefs: [{ name: "same-namespace", namespace: "infra" }], rules: [{ backendRefs: [ref("web-backend")] }] })],
  cases: [{ request: get("/"), expect: status(404) }],
});
run({
  title: "httproute-invalid-nonexistent-backendref",
  routes: [httpRoute("infra/invalid-nonexistent-backend-ref", { parentRefs: [{ name: "same-namespace" }], rules: [{ backendRefs: [ref("nonexistent", { namespace: "infra" })] }] })],
  cases: [{ request: get("/"), expect: status(500, /BackendNotFound/) }],
});
run({
  title: "httproute-invalid-backendref-unknown-kind",
  routes: [httpRoute("infra/invalid-backend-ref-unknown-kind", {
    parentRefs: [{ name: "same-namespace" }],
    rules: [{ backendRefs: [ref("infra-backend-v1", { group: "unknownkind.example.com", kind: "NonExistent" })] }],
  })],
  cases: [{ request: get("/v2"), expect: status(500, /InvalidKind/) }],
});
run({
  title: "httproute-omitted-backendrefs",
  routes: [httpRoute("infra/omitted-backendrefs", {
    parentRefs: [{ name: "same-namespace" }],
    rules: [
      { matches: [exact("/omitted-no-forward")] },
      { matches: [exact("/empty-no-forward")], backendRefs: [] },
      { matches: [prefix("/")], backendRefs: [ref("infra-backend-v1")] },
    ],
  })],
  cases: [
    { request: get("/forward"), expect: to(V1) },
    { request: get("/omitted-no-forward"), expect: status(500, /no backendRefs/) },
    { request: get("/empty-no-forward"), expect: status(500) },
  ],
});
run({
  title: "httproute-partially-invalid-via-invalid-reference-grant",
  routes: [httpRoute("infra/invalid-reference-grant", {
    parentRefs: [{ name: "same-namespace" }],
    rules: [
      { matches: [prefix("/v2")], backendRefs: [ref("app-backend-v2", { namespace: "app" })] },
      { backendRefs: [ref("app-backend-v1", { namespace: "app" })] },
    ],
  })],
  grants: [referenceGrant("app/invalid-reference-grant", [["gateway.networking.k8s.io", "HTTPRoute", "infra"]], [["", "Service", "app-backend-v1"]])],
  cases: [
    { request: get("/v2"), expect: status(500, /RefNotPermitted/) },
    { name: "the sibling rule's backend is granted", request: get("/"), expect: to("app/app-backend-v1") },
  ],
});

// ---- conformance: filters ---------------------------------------------------------------------------------

const redirectRule = (path: string, requestRedirect: HTTPRequestRedirectFilter) =>
  ({ matches: [prefix(path)], filters: [{ type: "RequestRedirect" as const, requestRedirect }] });
run({
  title: "httproute-redirect-path",
  routes: [httpRoute("infra/redirect-path", {
    parentRefs: [{ name: "same-namespace" }],
    rules: [
      redirectRule("/original-prefix", { path: { type: "ReplacePrefixMatch", replacePrefixMatch: "/replacement-prefix" } }),
      redirectRule("/full", { path: { type: "ReplaceFullPath", replaceFullPath: "/full-path-replacement" } }),
      redirectRule("/path-and-host", { hostname: "example.org", path: { type: "ReplacePrefixMatch", replacePrefixMatch: "/replacement-prefix" } }),
      redirectRule("/path-and-status", { path: { type: "ReplacePrefixMatch", replacePrefixMatch: "/replacement-prefix" }, statusCode: 301 }),
      redirectRule("/full-path-and-host", { hostname: "example.org", path: { type: "ReplaceFullPath", replaceFullPath: "/replacement-full" } }),
      redirectRule("/full-path-and-status", { path: { type: "ReplaceFullPath", replaceFullPath: "/replacement-full" }, statusCode: 301 }),
    ],
  })],
  cases: [
    { request: get("/original-prefix/lemon"), expect: { status: 302, redirect: { path: "/replacement-prefix/lemon", status: 302 } } },
    { request: get("/full/path/original"), expect: { status: 302, redirect: { path: "/full-path-replacement" } } },
    { request: get("/path-and-host"), expect: { status: 302, redirect: { host: "example.org", path: "/replacement-prefix" } } },
    { request: get("/path-and-status"), expect: { status: 301, redirect: { path: "/replacement-prefix" } } },
    { request: get("/full-path-and-host"), expect: { status: 302, redirect: { host: "example.org", path: "/replacement-full" } } },
    { request: get("/full-path-and-status"), expect: { status: 301, redirect: { path: "/replacement-full" } } },
  ],
});

run({
  title: "httproute-redirect-host-and-status, -port and -scheme (listener on port 80)",
  routes: [httpRoute("infra/redirects", {
    parentRefs: [{ name: "same-namespace" }],
    rules: [
      redirectRule("/hostname-redirect", { hostname: "example.org" }),
      redirectRule("/host-and-status", { statusCode: 301, hostname: "example.org" }),
      redirectRule("/port", { port: 8083 }),
      redirectRule("/port-and-host", { hostname: "example.org", port: 8083 }),
      redirectRule("/port-and-status", { port: 8083, statusCode: 301 }),
      redirectRule("/scheme", { scheme: "https" }),
      redirectRule("/scheme-and-host", { scheme: "https", hostname: "example.org" }),
      redirectRule("/scheme-and-status", { scheme: "https", statusCode: 301 }),
    ],
  })],
  cases: [
    { request: get("/hostname-redirect"), expect: { status: 302, redirect: { host: "example.org", scheme: "http", port: 80, path: "/hostname-redirect" } } },
    { request: get("/host-and-status"), expect: { status: 301, redirect: { host: "example.org" } } },
    { request: get("/port"), expect: { status: 302, redirect: { port: 8083, host: "192.0.2.80" } } },
    { request: get("/port-and-host"), expect: { redirect: { host: "example.org", port: 8083 } } },
    { request: get("/port-and-status"), expect: { status: 301, redirect: { port: 8083 } } },
    { name: "https with no port: 443, not the listener's 80", request: get("/scheme"), expect: { redirect: { scheme: "https", port: 443 } } },
    { request: get("/scheme-and-host"), expect: { redirect: { scheme: "https", host: "example.org", port: 443 } } },
    { request: get("/scheme-and-status"), expect: { status: 301, redirect: { scheme: "https" } } },
  ],
});

const ON_8080 = "infra/same-namespace-with-http-listener-on-8080";
const ON_443 = "infra/same-namespace-with-https-listener";
const https = (name: string, hostname?: string) => ({ name, port: 443, protocol: "HTTPS", ...(hostname ? { hostname } : {}), allowedRoutes: { namespaces: { from: "Same" as const } }, tls: { certificateRefs: [{ name: "tls-validity-checks-certificate" }] } });
run({
  title: "httproute-redirect-port-and-scheme",
  gateways: [
    gateway(ON_8080, [httpListener("http", 8080, { from: "Same" })]),
    gateway(ON_443, [https("https"), https("https-with-hostname", "second-example.org"), https("https-with-wildcard-hostname", "*.wildcard.org"), https("https-with-hostname-matching-wildcard", "fourth-example.wildcard.org")]),
  ],
  routes: [
    httpRoute("infra/http-route-for-listener-on-port-80", {
      parentRefs: [{ name: "same-namespace" }],
      rules: [
        redirectRule("/scheme-nil-and-port-nil", { hostname: "example.org" }),
        redirectRule("/scheme-nil-and-port-80", { port: 80, hostname: "example.org" }),
        redirectRule("/scheme-nil-and-port-8080", { port: 8080, hostname: "example.org" }),
        redirectRule("/scheme-https-and-port-nil", { scheme: "https", hostname: "example.org" }),
        redirectRule("/scheme-https-and-port-443", { scheme: "https", port: 443, hostname: "example.org" }),
        redirectRule("/scheme-https-and-port-8443", { scheme: "https", port: 8443, hostname: "example.org" }),
      ],
    }),
    httpRoute("infra/http-route-for-listener-on-port-8080", {
      parentRefs: [{ name: "same-namespace-with-http-listener-on-8080" }],
      rules: [
        redirectRule("/scheme-nil-and-port-nil", { hostname: "example.org" }),
        redirectRule("/scheme-nil-and-port-80", { port: 80, hostname: "example.org" }),
        redirectRule("/scheme-https-and-port-nil", { scheme: "https", hostname: "example.org" }),
      ],
    }),
    httpRoute("infra/http-route-for-listener-on-port-443", {
      parentRefs: [{ name: "same-namespace-with-https-listener" }],
      rules: [
        redirectRule("/scheme-nil-and-port-nil", { hostname: "example.org" }),
        redirectRule("/scheme-nil-and-port-443", { port: 443, hostname: "example.org" }),
        redirectRule("/scheme-nil-and-port-8443", { port: 8443, hostname: "example.org" }),
        redirectRule("/scheme-http-and-port-nil", { scheme: "http", hostname: "example.org" }),
        redirectRule("/scheme-http-and-port-80", { scheme: "http", port: 80, hostname: "example.org" }),
        redirectRule("/scheme-http-and-port-8080", { scheme: "http", port: 8080, hostname: "example.org" }),
      ],
    }),
  ],
  cases: [
    { request: get("/scheme-nil-and-port-nil"), expect: { redirect: { scheme: "http", host: "example.org", port: 80 } } },
    { request: get("/scheme-nil-and-port-80"), expect: { redirect: { scheme: "http", port: 80 } } },
    { request: get("/scheme-nil-and-port-8080"), expect: { redirect: { scheme: "http", port: 8080 } } },
    { request: get("/scheme-https-and-port-nil"), expect: { redirect: { scheme: "https", port: 443 } } },
    { request: get("/scheme-https-and-port-443"), expect: { redirect: { scheme: "https", port: 443 } } },
    { request: get("/scheme-https-and-port-8443"), expect: { redirect: { scheme: "https", port: 8443 } } },
    { name: "8080 listener, no scheme, no port: the listener's port", request: get("/scheme-nil-and-port-nil"), gateway: ON_8080, expect: { redirect: { scheme: "http", port: 8080 } } },
    { request: get("/scheme-nil-and-port-80"), gateway: ON_8080, expect: { redirect: { scheme: "http", port: 80 } } },
    { request: get("/scheme-https-and-port-nil"), gateway: ON_8080, expect: { redirect: { scheme: "https", port: 443 } } },
    { name: "HTTPS listener, no scheme: https on 443", request: get("/scheme-nil-and-port-nil", "example.org"), gateway: ON_443, expect: { redirect: { scheme: "https", port: 443 } } },
    { request: get("/scheme-nil-and-port-443", "example.org"), gateway: ON_443, expect: { redirect: { scheme: "https", port: 443 } } },
    { request: get("/scheme-nil-and-port-8443", "example.org"), gateway: ON_443, expect: { redirect: { scheme: "https", port: 8443 } } },
    { request: get("/scheme-http-and-port-nil", "example.org"), gateway: ON_443, expect: { redirect: { scheme: "http", port: 80 } } },
    { request: get("/scheme-http-and-port-80", "example.org"), gateway: ON_443, expect: { redirect: { scheme: "http", port: 80 } } },
    { request: get("/scheme-http-and-port-8080", "example.org"), gateway: ON_443, expect: { redirect: { scheme: "http", port: 8080 } } },
  ],
});

const MODIFY = { set: [{ name: "X-Header-Set", value: "set-overwrites-values" }], add: [{ name: "X-Header-Add", value: "header-val-1" }, { name: "X-Header-Add-Append", value: "header-val-2" }], remove: ["X-Header-Remove"] };
const MODIFIED_HEADERS = { "X-Header-Add": "header-val-1", "X-Header-Add-Append": "append-val-1,header-val-2", "X-Header-Set": "set-overwrites-values" };
const SENT_HEADERS = { "X-Header-Remove": "remove-val", "X-Header-Add-Append": "append-val-1", "X-Header-Set": "set-val" };
run({
  title: "httproute-rewrite-path",
  routes: [httpRoute("infra/rewrite-path", {
    parentRefs: [{ name: "same-namespace" }],
    rules: [
      { matches: [prefix("/prefix/one")], filters: [{ type: "URLRewrite", urlRewrite: { path: { type: "ReplacePrefixMatch", replacePrefixMatch: "/one" } } }], backendRefs: [ref("infra-backend-v1")] },
      { matches: [prefix("/strip-prefix")], filters: [{ type: "URLRewrite", urlRewrite: { path: { type: "ReplacePrefixMatch", replacePrefixMatch: "/" } } }], backendRefs: [ref("infra-backend-v1")] },
      { matches: [prefix("/full/one")], filters: [{ type: "URLRewrite", urlRewrite: { path: { type: "ReplaceFullPath", replaceFullPath: "/one" } } }], backendRefs: [ref("infra-backend-v1")] },
      {
        matches: [prefix("/full/rewrite-path-and-modify-headers")],
        filters: [{ type: "URLRewrite", urlRewrite: { path: { type: "ReplaceFullPath", replaceFullPath: "/test" } } }, { type: "RequestHeaderModifier", requestHeaderModifier: MODIFY }],
        backendRefs: [ref("infra-backend-v1")],
      },
      {
        matches: [prefix("/prefix/rewrite-path-and-modify-headers")],
        filters: [{ type: "URLRewrite", urlRewrite: { path: { type: "ReplacePrefixMatch", replacePrefixMatch: "/prefix" } } }, { type: "RequestHeaderModifier", requestHeaderModifier: MODIFY }],
        backendRefs: [ref("infra-backend-v1")],
      },
    ],
  })],
  cases: [
    { request: get("/prefix/one/two"), expect: { ...to(V1), backendRequest: { path: "/one/two" } } },
    { name: "prefix replaced by / never doubles the slash", request: get("/strip-prefix/three"), expect: { ...to(V1), backendRequest: { path: "/three" } } },
    { request: get("/strip-prefix"), expect: { ...to(V1), backendRequest: { path: "/" } } },
    { request: get("/full/one/two"), expect: { ...to(V1), backendRequest: { path: "/one" } } },
    {
      request: withHeaders("/full/rewrite-path-and-modify-headers/test", SENT_HEADERS),
      expect: { ...to(V1), backendRequest: { path: "/test", headers: MODIFIED_HEADERS, absentHeaders: ["X-Header-Remove"] } },
    },
    {
      request: withHeaders("/prefix/rewrite-path-and-modify-headers/one", SENT_HEADERS),
      expect: { ...to(V1), backendRequest: { path: "/prefix/one", headers: MODIFIED_HEADERS, absentHeaders: ["X-Header-Remove"] } },
    },
  ],
});

run({
  title: "httproute-rewrite-host",
  routes: [httpRoute("infra/rewrite-host", {
    parentRefs: [{ name: "same-namespace" }],
    hostnames: ["rewrite.example"],
    rules: [
      { matches: [prefix("/one")], filters: [{ type: "URLRewrite", urlRewrite: { hostname: "one.example.org" } }], backendRefs: [ref("infra-backend-v1")] },
      { filters: [{ type: "URLRewrite", urlRewrite: { hostname: "example.org" } }], backendRefs: [ref("infra-backend-v2")] },
      {
        matches: [prefix("/rewrite-host-and-modify-headers")],
        filters: [{ type: "URLRewrite", urlRewrite: { hostname: "test.example.org" } }, { type: "RequestHeaderModifier", requestHeaderModifier: MODIFY }],
        backendRefs: [ref("infra-backend-v2")],
      },
    ],
  })],
  cases: [
    { request: get("/one", "rewrite.example"), expect: { ...to(V1), backendRequest: { path: "/one", host: "one.example.org" } } },
    { request: get("/two", "rewrite.example"), expect: { ...to(V2), backendRequest: { path: "/two", host: "example.org" } } },
    {
      request: get("/rewrite-host-and-modify-headers", "rewrite.example", { headers: { "X-Header-Remove": "remove-val", "X-Header-Add-Append": "append-val-1" } }),
      expect: { ...to(V2), backendRequest: { host: "test.example.org", headers: MODIFIED_HEADERS, absentHeaders: ["X-Header-Remove"] } },
    },
  ],
});

const headerRule = (path: string, requestHeaderModifier: HTTPHeaderFilter) =>
  ({ matches: [prefix(path)], filters: [{ type: "RequestHeaderModifier" as const, requestHeaderModifier }], backendRefs: [ref("infra-backend-v1")] });
run({
  title: "httproute-request-header-modifier",
  routes: [httpRoute("infra/request-header-modifier", {
    parentRefs: [{ name: "same-namespace" }],
    rules: [
      headerRule("/set", { set: [{ name: "X-Header-Set", value: "set-overwrites-values" }] }),
      headerRule("/add", { add: [{ name: "X-Header-Add", value: "add-appends-values" }] }),
      headerRule("/remove", { remove: ["X-Header-Remove"] }),
      headerRule("/multiple", {
        set: [{ name: "X-Header-Set-1", value: "header-set-1" }, { name: "X-Header-Set-2", value: "header-set-2" }],
        add: [{ name: "X-Header-Add-1", value: "header-add-1" }, { name: "X-Header-Add-2", value: "header-add-2" }, { name: "X-Header-Add-3", value: "header-add-3" }],
        remove: ["X-Header-Remove-1", "X-Header-Remove-2"],
      }),
      headerRule("/case-insensitivity", { set: [{ name: "X-Header-Set", value: "header-set" }], add: [{ name: "X-Header-Add", value: "header-add" }], remove: ["X-Header-Remove"] }),
    ],
  })],
  cases: [
    { request: withHeaders("/set", { "Some-Other-Header": "val" }), expect: { ...to(V1), backendRequest: { headers: { "Some-Other-Header": "val", "X-Header-Set": "set-overwrites-values" } } } },
    { request: withHeaders("/set", { "Some-Other-Header": "val", "X-Header-Set": "some-other-value" }), expect: { ...to(V1), backendRequest: { headers: { "X-Header-Set": "set-overwrites-values" } } } },
    { request: withHeaders("/add", { "Some-Other-Header": "val" }), expect: { ...to(V1), backendRequest: { headers: { "X-Header-Add": "add-appends-values" } } } },
    { request: withHeaders("/add", { "X-Header-Add": "some-other-value" }), expect: { ...to(V1), backendRequest: { headers: { "X-Header-Add": "some-other-value,add-appends-values" } } } },
    { request: withHeaders("/remove", { "X-Header-Remove": "val" }), expect: { ...to(V1), backendRequest: { absentHeaders: ["X-Header-Remove"] } } },
    {
      request: withHeaders("/multiple", { "X-Header-Set-2": "set-val-2", "X-Header-Add-2": "add-val-2", "X-Header-Remove-2": "remove-val-2", "Another-Header": "another-header-val" }),
      expect: {
        ...to(V1),
        backendRequest: {
          headers: { "X-Header-Set-1": "header-set-1", "X-Header-Set-2": "header-set-2", "X-Header-Add-1": "header-add-1", "X-Header-Add-2": "add-val-2,header-add-2", "X-Header-Add-3": "header-add-3", "Another-Header": "another-header-val" },
          absentHeaders: ["X-Header-Remove-1", "X-Header-Remove-2"],
        },
      },
    },
    {
      name: "filter names match request headers of any case",
      request: withHeaders("/case-insensitivity", { "x-header-set": "original-val-set", "x-header-add": "original-val-add", "x-header-remove": "original-val-remove", "Another-Header": "another-header-val" }),
      expect: { ...to(V1), backendRequest: { headers: { "X-Header-Set": "header-set", "X-Header-Add": "original-val-add,header-add" }, absentHeaders: ["X-Header-Remove"] } },
    },
  ],
});

describe("httproute-request-header-modifier-backend-weights: per-backend filters", () => {
  caseCount++;
  const backendFilter = (value: string) => [{ type: "RequestHeaderModifier" as const, requestHeaderModifier: { set: [{ name: "Backend", value }] } }];
  const router = routerFor({ routes: [httpRoute("infra/request-header-modifier-backend-weights", {
    parentRefs: [{ name: "same-namespace" }],
    rules: [{ backendRefs: [ref("infra-backend-v1", { weight: 10, filters: backendFilter("infra-backend-v1") }), ref("infra-backend-v2", { weight: 10, filters: backendFilter("infra-backend-v2") })] }],
  })] });
  it("each backend receives its own Backend header; no request common to both", () => {
    const verdict = router.route({ namespace: "infra", name: "same-namespace" }, get("/"));
    assertVerdict(verdict, to(V1, V2));
    assert.equal(verdict.backendRequest, undefined);
    assert.deepEqual(verdict.backends.map((b) => [b.service, b.backendRequest.headers["backend"]]), [[V1, "infra-backend-v1"], [V2, "infra-backend-v2"]]);
  });
});

describe("httproute-request-mirror", () => {
  caseCount += 2;
  const mirror = { type: "RequestMirror" as const, requestMirror: { backendRef: { name: "infra-backend-v2", namespace: "infra", port: 8080 } } };
  const router = routerFor({ routes: [httpRoute("infra/request-mirror", {
    parentRefs: [{ name: "same-namespace" }],
    rules: [
      { matches: [prefix("/mirror")], filters: [mirror], backendRefs: [ref("infra-backend-v1", { namespace: "infra" })] },
      { matches: [prefix("/mirror-and-modify-headers")], filters: [{ type: "RequestHeaderModifier", requestHeaderModifier: MODIFY }, mirror], backendRefs: [ref("infra-backend-v1", { namespace: "infra" })] },
    ],
  })] });
  it("/mirror answers from v1, a copy goes to v2", () => {
    const verdict = router.route({ namespace: "infra", name: "same-namespace" }, get("/mirror"));
    assertVerdict(verdict, { ...to(V1), backendRequest: { path: "/mirror" } });
    assert.deepEqual(verdict.mirrors, [{ service: V2, port: 8080, percent: 100 }]);
  });
  it("/mirror-and-modify-headers modifies the request and mirrors it", () => {
    const verdict = router.route({ namespace: "infra", name: "same-namespace" }, withHeaders("/mirror-and-modify-headers", { "X-Header-Remove": "remove-val", "X-Header-Add-Append": "append-val-1" }));
    assertVerdict(verdict, { ...to(V1), backendRequest: { headers: { "X-Header-Set": "set-overwrites-values", "X-Header-Add-Append": "append-val-1,header-val-2" }, absentHeaders: ["X-Header-Remove"] } });
    assert.equal(verdict.mirrors?.length, 1);
  });
});

// ---- conformance: attachment conditions ---------------------------------------------------------------------

describe("route conditions (httproute-invalid-*, httproute-disallowed-kind, httproute-hostname-intersection)", () => {
  const conditionCases: { title: string; route: HTTPRoute; gateways?: Gateway[]; reason: string; path: (string | number)[] }[] = [
    {
      title: "httproute-invalid-cross-namespace-parent-ref: NotAllowedByListeners",
      route: httpRoute("web/invalid-cross-namespace-parent-ref", { parentRefs: [{ name: "same-namespace", namespace: "infra" }], rules: [{ backendRefs: [ref("web-backend")] }] }),
      reason: "NotAllowedByListeners", path: ["spec", "parentRefs", 0],
    },
    {
      title: "httproute-invalid-parentref-not-matching-listener-port: NoMatchingParent",
      route: httpRoute("infra/httproute-listener-not-matching-route-port", { parentRefs: [{ name: "same-namespace", namespace: "infra", port: 81 }], rules: [{ backendRefs: [ref("infra-backend-v1")] }] }),
      reason: "NoMatchingParent", path: ["spec", "parentRefs", 0],
    },
    {
      title: "httproute-invalid-parentref-not-matching-section-name: NoMatchingParent",
      route: httpRoute("infra/httproute-listener-not-matching-section-name", { parentRefs: [{ name: "same-namespace", namespace: "infra", port: 80, sectionName: "http1" }], rules: [{ backendRefs: [ref("infra-backend-v1")] }] }),
      reason: "NoMatchingParent", path: ["spec", "parentRefs", 0],
    },
    {
      title: "httproute-invalid-parentref-section-name-not-matching-port: NoMatchingParent",
      gateways: [gateway("infra/gateway-with-one-not-matching-port-and-section-name-route", [{ name: "http", port: 80, protocol: "HTTP", allowedRoutes: { kinds: [{ kind: "HTTPRoute" }], namespaces: { from: "All" } } }])],
      route: httpRoute("infra/httproute-listener-section-name-not-matching-port", { parentRefs: [{ name: "gateway-with-one-not-matching-port-and-section-name-route", namespace: "infra", sectionName: "http", port: 81 }], rules: [{ backendRefs: [ref("infra-backend-v1")] }] }),
      reason: "NoMatchingParent", path: ["spec", "parentRefs", 0],
    },
    {
      title: "httproute-disallowed-kind: a TLS listener for TLSRoutes only",
      gateways: [gateway("infra/tlsroutes-only", [{ name: "tls", port: 443, protocol: "TLS", tls: { mode: "Passthrough" }, allowedRoutes: { namespaces: { from: "Same" }, kinds: [{ kind: "TLSRoute" }] } }])],
      route: httpRoute("infra/disallowed-kind", { parentRefs: [{ name: "tlsroutes-only", namespace: "infra" }], rules: [{ backendRefs: [ref("infra-backend-v1")] }] }),
      reason: "NotAllowedByListeners", path: ["spec", "parentRefs", 0],
    },
    {
      title: "httproute-hostname-intersection: no-intersecting-hosts",
      gateways: [gateway(INTERSECTION, [httpListener("listener-1", 80, { from: "Same", hostname: "very.specific.com" }), httpListener("listener-2", 80, { from: "Same", hostname: "*.wildcard.io" })])],
      route: httpRoute("infra/no-intersecting-hosts", { parentRefs: [{ name: "httproute-hostname-intersection", namespace: "infra" }], hostnames: ["specific.but.wrong.com", "wildcard.io"], rules: [{ backendRefs: [ref("infra-backend-v2")] }] }),
      reason: "NoMatchingListenerHostname", path: ["spec", "parentRefs", 0],
    },
    {
      title: "httproute-invalid-backendref-unknown-kind: InvalidKind",
      route: httpRoute("infra/invalid-backend-ref-unknown-kind", { parentRefs: [{ name: "same-namespace" }], rules: [{ backendRefs: [ref("infra-backend-v1", { group: "unknownkind.example.com", kind: "NonExistent" })] }] }),
      reason: "InvalidKind", path: ["spec", "rules", 0, "backendRefs", 0],
    },
    {
      title: "httproute-invalid-nonexistent-backendref: BackendNotFound",
      route: httpRoute("infra/invalid-nonexistent-backend-ref", { parentRefs: [{ name: "same-namespace" }], rules: [{ backendRefs: [ref("nonexistent")] }] }),
      reason: "BackendNotFound", path: ["spec", "rules", 0, "backendRefs", 0],
    },
    {
      title: "httproute-invalid-cross-namespace-backend-ref: RefNotPermitted",
      route: TO_WEB, reason: "RefNotPermitted", path: ["spec", "rules", 0, "backendRefs", 0],
    },
  ];
  for (const c of conditionCases) {
    caseCount++;
    it(c.title, () => {
      const router = routerFor({ routes: [c.route], gateways: c.gateways ?? [] });
      const found = router.conditions().filter((cond) => cond.reason === c.reason);
      assert.equal(found.length, 1, JSON.stringify(router.conditions()));
      assert.deepEqual(found[0]!.path, c.path);
    });
  }
});

// ---- the spec, where conformance does not look, and the traps -------------------------------------------------------

run({
  title: "spec: precedence traps",
  routes: [
    httpRoute("infra/api", { parentRefs: [{ name: "same-namespace" }], rules: [{ matches: [prefix("/api")], backendRefs: [ref("infra-backend-v1")] }] }),
    httpRoute("infra/api-v2", { parentRefs: [{ name: "same-namespace" }], rules: [{ matches: [prefix("/api/v2")], backendRefs: [ref("infra-backend-v2")] }] }),
    httpRoute("infra/host-short", { parentRefs: [{ name: "same-namespace" }], hostnames: ["shop.example.com"], rules: [{ matches: [prefix("/")], backendRefs: [ref("infra-backend-v1")] }] }),
    httpRoute("infra/host-wild", { parentRefs: [{ name: "same-namespace" }], hostnames: ["*.example.com"], rules: [{ matches: [prefix("/catalog/long")], backendRefs: [ref("infra-backend-v3")] }] }),
  ],
  cases: [
    { name: "a route's /api is shadowed by another route's longer /api/v2", request: get("/api/v2/users"), expect: { ...to(V2), reason: /won over HTTPRoute infra\/api rules\[0\].*longer PathPrefix \(7 over 4/ } },
    { name: "/api/v2x is not under /api/v2", request: get("/api/v2x"), expect: to(V1) },
    { name: "the hostname is compared before the path", request: get("/catalog/long", "shop.example.com"), expect: { ...to(V1), reason: /more specific hostname \(shop\.example\.com over \*\.example\.com\)/ } },
    { name: "a Gateway API wildcard covers several labels", request: get("/catalog/long", "a.b.example.com"), expect: to(V3) },
    { name: "a wildcard does not cover its bare domain", request: get("/catalog/long", "example.com"), expect: status(404) },
    { name: "host names compare case-insensitively", request: get("/", "SHOP.Example.COM"), expect: to(V1) },
  ],
});

const sameMatch = (id: string, backend: string, created?: string) =>
  httpRoute(id, { parentRefs: [{ name: "same-namespace", namespace: "infra" }], rules: [{ matches: [prefix("/tie")], backendRefs: [ref(backend)] }] }, created);
run({
  title: "spec: ties broken by age, then by namespace/name",
  gateways: [gateway("infra/ages", [httpListener("http", 80, { from: "All" })])],
  routes: [
    httpRoute("infra/z-older", { parentRefs: [{ name: "ages" }], rules: [{ matches: [prefix("/age")], backendRefs: [ref("infra-backend-v1")] }] }, "2024-01-01T00:00:00Z"),
    httpRoute("infra/a-newer", { parentRefs: [{ name: "ages" }], rules: [{ matches: [prefix("/age")], backendRefs: [ref("infra-backend-v2")] }] }, "2024-01-02T00:00:00Z"),
    httpRoute("infra/b-same-time", { parentRefs: [{ name: "ages" }], rules: [{ matches: [prefix("/same")], backendRefs: [ref("infra-backend-v2")] }] }, "2024-01-01T00:00:00Z"),
    httpRoute("app/b-same-time", { parentRefs: [{ name: "ages", namespace: "infra" }], rules: [{ matches: [prefix("/same")], backendRefs: [ref("app-backend-v1")] }] }, "2024-01-01T00:00:00Z"),
  ],
  cases: [
    { name: "the older route wins though its name sorts later", gateway: "infra/ages", request: get("/age"), expect: { ...to(V1), reason: /the older route \(created 2024-01-01T00:00:00Z before 2024-01-02/ } },
    { name: "equal timestamps: namespace/name decides (app/ before infra/)", gateway: "infra/ages", request: get("/same"), expect: { ...to("app/app-backend-v1"), reason: /alphabetical namespace\/name \(app\/b-same-time before infra\/b-same-time\), on equal creation timestamps/ } },
  ],
});
run({
  title: "spec: ties without creation timestamps",
  routes: [sameMatch("infra/alpha", "infra-backend-v1"), sameMatch("infra/beta", "infra-backend-v2"), httpRoute("infra/zulu", { parentRefs: [{ name: "same-namespace" }], rules: [{ matches: [prefix("/late")], backendRefs: [ref("infra-backend-v1")] }] }), httpRoute("infra/echo", { parentRefs: [{ name: "same-namespace" }], rules: [{ matches: [prefix("/late")], backendRefs: [ref("infra-backend-v3")] }] })],
  cases: [
    { name: "applied in name order: alpha wins either way", request: get("/tie"), expect: { ...to(V1), reason: /applied in that order too/ } },
    { name: "applied against name order: undefined (same second → name, else age)", request: get("/late"), expect: { outcome: "undefined", status: 200, backends: [V1, V3], reason: /netspec does not know their creation times/ } },
  ],
});

run({
  title: "spec: weights and backends",
  services: [service("infra/empty", 8080), service("infra/external", 8080), service("infra/other-port", 9090)],
  options: { readyEndpoints: (svc) => svc !== "infra/empty" },
  routes: [httpRoute("infra/weights", {
    parentRefs: [{ name: "same-namespace" }],
    rules: [
      { matches: [prefix("/all-zero")], backendRefs: [ref("infra-backend-v1", { weight: 0 }), ref("infra-backend-v2", { weight: 0 })] },
      { matches: [prefix("/half-broken")], backendRefs: [ref("infra-backend-v1"), ref("missing")] },
      { matches: [prefix("/empty")], backendRefs: [ref("empty")] },
      { matches: [prefix("/zero-and-broken")], backendRefs: [ref("infra-backend-v1", { weight: 0 }), ref("missing")] },
      { matches: [prefix("/wrong-port")], backendRefs: [ref("other-port")] },
      { matches: [prefix("/service-import")], backendRefs: [ref("imported", { group: "multicluster.x-k8s.io", kind: "ServiceImport" })] },
    ],
  })],
  cases: [
    { name: "every weight 0: 500", request: get("/all-zero"), expect: status(500, /every backendRef has weight 0/) },
    { name: "one invalid backend of two: its share gets 500", request: get("/half-broken"), expect: { outcome: "routed", status: [200, 500], backends: [V1], reason: /500 for infra\/missing:8080 \(weight 1\): Service infra\/missing does not exist \(BackendNotFound\)/ } },
    { name: "no ready endpoints: 503 (SHOULD)", request: get("/empty"), expect: status(503, /SHOULD/) },
    { name: "weight 0 never answers, even beside an invalid backend", request: get("/zero-and-broken"), expect: status(500) },
    { name: "a port the Service does not have: undefined", request: get("/wrong-port"), expect: { outcome: "undefined", reason: /has no port 8080/ } },
    { name: "ServiceImport: undefined (Extended)", request: get("/service-import"), expect: { outcome: "undefined" } },
  ],
});

run({
  title: "spec: implementation-specific matches",
  routes: [httpRoute("infra/regex", {
    parentRefs: [{ name: "same-namespace" }],
    rules: [
      { matches: [{ path: { type: "RegularExpression", value: "/re/[0-9]+" } }], backendRefs: [ref("infra-backend-v1")] },
      { matches: [prefix("/re")], backendRefs: [ref("infra-backend-v2")] },
      { matches: [prefix("/hdr", { headers: [{ type: "RegularExpression", name: "x-id", value: "[a-z]+" }] })], backendRefs: [ref("infra-backend-v1")] },
      { matches: [exact("/hdr/exact")], backendRefs: [ref("infra-backend-v3")] },
      { matches: [prefix("/hdr")], backendRefs: [ref("infra-backend-v2")] },
      { matches: [prefix("/q", { queryParams: headers({ a: "1" }) })], backendRefs: [ref("infra-backend-v1")] },
    ],
  })],
  cases: [
    { name: "a RegularExpression path that may match: undefined", request: get("/re/42"), expect: { outcome: "undefined", status: 200, backends: [V1, V2], reason: /RegularExpression/ } },
    { name: "a header regex ranked above the winner: undefined", request: withHeaders("/hdr/x", { "X-Id": "abc" }), expect: { outcome: "undefined", backends: [V1, V2] } },
    { name: "a header regex whose header is absent cannot match", request: get("/hdr/x"), expect: to(V2) },
    { name: "a header regex ranked below an Exact match does not matter", request: withHeaders("/hdr/exact", { "X-Id": "abc" }), expect: to(V3) },
    { name: "a header regex found nowhere in the value cannot match", request: withHeaders("/hdr/x", { "X-Id": "ABC" }), expect: to(V2) },
    { name: "a repeated query parameter: undefined", request: get("/q?a=1&a=2"), expect: { outcome: "undefined", reason: /repeated query parameter/ } },
    { name: "a repeated parameter that never has the value does not match", request: get("/q?a=3&a=4"), expect: status(404) },
  ],
});

run({
  title: "spec: rewrites never produce //",
  routes: [httpRoute("infra/rewrites", {
    parentRefs: [{ name: "same-namespace" }],
    rules: [
      { matches: [prefix("/foo")], filters: [{ type: "URLRewrite", urlRewrite: { path: { type: "ReplacePrefixMatch", replacePrefixMatch: "/" } } }], backendRefs: [ref("infra-backend-v1")] },
      { matches: [prefix("/slash/")], filters: [{ type: "URLRewrite", urlRewrite: { path: { type: "ReplacePrefixMatch", replacePrefixMatch: "/xyz/" } } }], backendRefs: [ref("infra-backend-v1")] },
      { matches: [prefix("/empty")], filters: [{ type: "URLRewrite", urlRewrite: { path: { type: "ReplacePrefixMatch", replacePrefixMatch: "" } } }], backendRefs: [ref("infra-backend-v1")] },
      { matches: [prefix("/")], filters: [{ type: "URLRewrite", urlRewrite: { path: { type: "ReplacePrefixMatch", replacePrefixMatch: "/root" } } }], backendRefs: [ref("infra-backend-v2")] },
    ],
  })],
  cases: [
    { name: "/foo replaced by / on /foo/bar: /bar", request: get("/foo/bar"), expect: { ...to(V1), backendRequest: { path: "/bar" } } },
    { name: "/foo replaced by / on /foo/: /", request: get("/foo/"), expect: { ...to(V1), backendRequest: { path: "/" } } },
    { name: "/slash/ replaced by /xyz/ on /slash/bar: /xyz/bar", request: get("/slash/bar"), expect: { ...to(V1), backendRequest: { path: "/xyz/bar" } } },
    { name: "/slash/ replaced by /xyz/ on /slash: /xyz", request: get("/slash"), expect: { ...to(V1), backendRequest: { path: "/xyz" } } },
    { name: "an empty replacement on /empty: /", request: get("/empty"), expect: { ...to(V1), backendRequest: { path: "/" } } },
    { name: "prefix / replaced by /root: /root/x, query kept", request: get("/x?q=1"), expect: { ...to(V2), backendRequest: { path: "/root/x?q=1" } } },
  ],
});

run({
  title: "spec: listener isolation (Extended)",
  gateways: [gateway("infra/isolation", [httpListener("exact", 80, { hostname: "foo.example.com" }), httpListener("wild", 80, { hostname: "*.example.com" })])],
  routes: [
    httpRoute("infra/exact-only", { parentRefs: [{ name: "isolation", sectionName: "exact" }], rules: [{ matches: [prefix("/foo")], backendRefs: [ref("infra-backend-v1")] }] }),
    httpRoute("infra/wild", { parentRefs: [{ name: "isolation", sectionName: "wild" }], rules: [{ backendRefs: [ref("infra-backend-v2")] }] }),
  ],
  cases: [
    { gateway: "infra/isolation", request: get("/foo", "foo.example.com"), expect: to(V1) },
    { name: "the exact listener has no match: undefined without isolation", gateway: "infra/isolation", request: get("/bar", "foo.example.com"), expect: { outcome: "undefined", status: [200, 404], reason: /GatewayHTTPListenerIsolation/ } },
    { gateway: "infra/isolation", request: get("/bar", "bar.example.com"), expect: to(V2) },
  ],
});
run({
  title: "spec: listener isolation claimed",
  gateways: [gateway("infra/isolation", [httpListener("exact", 80, { hostname: "foo.example.com" }), httpListener("wild", 80, { hostname: "*.example.com" })])],
  options: { listenerIsolation: true },
  routes: [
    httpRoute("infra/exact-only", { parentRefs: [{ name: "isolation", sectionName: "exact" }], rules: [{ matches: [prefix("/foo")], backendRefs: [ref("infra-backend-v1")] }] }),
    httpRoute("infra/wild", { parentRefs: [{ name: "isolation", sectionName: "wild" }], rules: [{ backendRefs: [ref("infra-backend-v2")] }] }),
  ],
  cases: [{ gateway: "infra/isolation", request: get("/bar", "foo.example.com"), expect: status(404, /isolates listeners/) }],
});

run({
  title: "spec: serving",
  gateways: [
    gateway("infra/other-class", [httpListener("http", 80)], "someone-else"),
    gateway("infra/our-class", [httpListener("http", 80)], "ours"),
    gateway("infra/mixed", [httpListener("http", 80), { name: "tcp", port: 80, protocol: "TCP" }]),
    gateway("infra/two-ports", [httpListener("a", 80), httpListener("b", 8080)]),
  ],
  options: { controllerName: "example.net/gateway" },
  routes: [
    httpRoute("infra/everywhere", {
      parentRefs: [{ name: "other-class" }, { name: "our-class" }, { name: "two-ports" }],
      rules: [{ backendRefs: [ref("infra-backend-v1")] }],
    }),
    httpRoute("infra/no-rules", { parentRefs: [{ name: "same-namespace" }] }),
  ],
  cases: [
    { name: "a class the implementation does not serve: unserved", gateway: "infra/other-class", request: get("/"), expect: { outcome: "unserved", status: [], reason: /no such GatewayClass/ } },
    { name: "no listener on the port: unserved", gateway: "infra/two-ports", port: 9000, request: get("/"), expect: { outcome: "unserved", reason: /no listener on port 9000/ } },
    { gateway: "infra/two-ports", port: 8080, request: get("/"), expect: to(V1) },
    { name: "HTTP beside TCP on one port: Conflicted", gateway: "infra/mixed", request: get("/"), port: 80, expect: { outcome: "unserved", reason: /Conflicted/ } },
    { name: "a route without rules gets the CRD's default rule and no backend: 500", request: get("/anything"), expect: status(500) },
  ],
});

describe("spec: GatewayClass objects and filters", () => {
  const ours = { apiVersion: "gateway.networking.k8s.io/v1" as const, kind: "GatewayClass" as const, metadata: { name: "ours" }, spec: { controllerName: "example.net/gateway" } };
  const router = new GatewayRouter({
    gatewayClasses: [ours],
    gateways: [gateway("infra/our-class", [httpListener("http", 80)], "ours"), gateway("infra/two-ports", [httpListener("a", 80), httpListener("b", 8080)])],
    httpRoutes: [httpRoute("infra/filters", {
      parentRefs: [{ name: "our-class" }],
      rules: [
        { matches: [prefix("/ext")], filters: [{ type: "ExtensionRef", extensionRef: { group: "example.net", kind: "Auth", name: "x" } }], backendRefs: [ref("infra-backend-v1")] },
        { matches: [prefix("/response")], filters: [{ type: "ResponseHeaderModifier", responseHeaderModifier: { set: [{ name: "x", value: "y" }] } }], backendRefs: [ref("infra-backend-v1")] },
      ],
    })],
    services: BASE_SERVICES,
  }, { controllerName: "example.net/gateway" });
  const at = { namespace: "infra", name: "our-class" };
  caseCount += 4;
  it("a GatewayClass with the implementation's controllerName is served", () => assertVerdict(router.route(at, get("/response")), to(V1)));
  it("ExtensionRef is implementation-specific: undefined", () => assertVerdict(router.route(at, get("/ext")), { outcome: "undefined", reason: /ExtensionRef example\.net\/Auth x/ }));
  it("two HTTP ports and no port named: a usage error", () => assert.throws(() => router.route({ namespace: "infra", name: "two-ports" }, get("/")), /ports 80, 8080: name the port/));
  it("a Gateway that is not in the scenario: a usage error", () => assert.throws(() => router.route({ namespace: "infra", name: "nope" }, get("/")), RangeError));
});

describe("gateway case count", () => {
  it(`holds ${caseCount} cases (at least 60)`, () => assert.ok(caseCount >= 60));
});

// Statuses of an undefined verdict without alternatives are unknown ([]): a caller must not assert them.
describe("undefined verdicts", () => {
  it("carry no status when nothing is known", () => {
    const router = routerFor({ routes: [httpRoute("infra/ext", { parentRefs: [{ name: "same-namespace" }], rules: [{ filters: [{ type: "ExternalAuth", externalAuth: {} }], backendRefs: [ref("infra-backend-v1")] }] })] });
    assert.deepEqual(statusList(router.route({ namespace: "infra", name: "same-namespace" }, get("/"))), []);
  });
});
