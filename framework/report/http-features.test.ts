// Which Gateway API and Ingress features an HTTP cell exercises, table-driven: each case routes
// a request with the oracle's own routers (so the reasons read are the oracle's real text) and
// lists the features the cell's result proves.
import assert from "node:assert/strict";
import { describe, it } from "mocha";
import type { HTTPRoute, HTTPRouteRule } from "../kube/gateway-types.js";
import { GatewayRouter } from "../oracle/http/gateway.js";
import { IngressRouter } from "../oracle/http/ingress.js";
import {
  BASE_GATEWAYS, BASE_SERVICES, gateway, httpListener, httpRoute, ingress, NAMESPACE_LABELS, referenceGrant, request, service,
} from "../oracle/http/fixtures.test-helpers.js";
import type { CellResult, ScenarioTopology } from "../runner/results.js";
import type { HttpRequest } from "../scenario/target.js";
import { isHttpCell, type HttpCell } from "./http-cell.js";
import { GATEWAY_HTTP, INGRESS_HTTP } from "./http-features.js";
import { cellFromVerdict } from "./http.test-helpers.js";

const ref = (name: string, more: object = {}) => ({ name, port: 8080, ...more });
const route = (rules: HTTPRouteRule[], more: Partial<HTTPRoute["spec"]> = {}, id = "infra/route") =>
  httpRoute(id, { parentRefs: [{ name: "same-namespace" }], rules, ...more });

interface GatewayCase {
  readonly title: string;
  readonly routes: readonly HTTPRoute[];
  readonly request: HttpRequest;
  readonly features: readonly string[];
  readonly gateway?: string;
  readonly port?: number;
  readonly grants?: Parameters<typeof referenceGrant>[];
}

const BASE = ["Gateway", "HTTPRoute"];
const GATEWAY_CASES: GatewayCase[] = [
  { title: "a plain route", routes: [route([{ backendRefs: [ref("infra-backend-v1")] }])], request: request("/"), features: BASE },
  { title: "a 404 of no matching rule", routes: [route([{ matches: [{ path: { type: "Exact", value: "/only" } }], backendRefs: [ref("infra-backend-v1")] }])], request: request("/"), features: BASE },
  {
    title: "a method match that decided",
    routes: [route([{ matches: [{ method: "POST" }], backendRefs: [ref("infra-backend-v2")] }, { backendRefs: [ref("infra-backend-v1")] }])],
    request: request("/", { method: "POST" }), features: [...BASE, "HTTPRouteMethodMatching"],
  },
  {
    title: "a query param match that decided",
    routes: [route([{ matches: [{ queryParams: [{ name: "animal", value: "whale" }] }], backendRefs: [ref("infra-backend-v2")] }, { backendRefs: [ref("infra-backend-v1")] }])],
    request: request("/?animal=whale"), features: [...BASE, "HTTPRouteQueryParamMatching"],
  },
  {
    title: "a scheme redirect (its port follows the scheme: no port redirect)",
    routes: [route([{ filters: [{ type: "RequestRedirect", requestRedirect: { scheme: "https" } }] }])],
    request: request("/"), features: [...BASE, "HTTPRouteSchemeRedirect"],
  },
  {
    title: "a port redirect",
    routes: [route([{ filters: [{ type: "RequestRedirect", requestRedirect: { port: 8083 } }] }])],
    request: request("/"), features: [...BASE, "HTTPRoutePortRedirect"],
  },
  {
    title: "a path redirect with a 308",
    routes: [route([{ filters: [{ type: "RequestRedirect", requestRedirect: { path: { type: "ReplaceFullPath", replaceFullPath: "/new" }, statusCode: 308 } }] }])],
    request: request("/old"), features: [...BASE, "HTTPRoutePathRedirect", "HTTPRoute308RedirectStatusCode"],
  },
  {
    title: "a hostname redirect (core)",
    routes: [route([{ filters: [{ type: "RequestRedirect", requestRedirect: { hostname: "example.org" } }] }])],
    request: request("/"), features: BASE,
  },
  {
    title: "a path and a host rewrite",
    routes: [route([{
      matches: [{ path: { type: "PathPrefix", value: "/strip" } }],
      filters: [{ type: "URLRewrite", urlRewrite: { hostname: "rewritten.example.org", path: { type: "ReplacePrefixMatch", replacePrefixMatch: "/" } } }],
      backendRefs: [ref("infra-backend-v1")],
    }])],
    request: request("/strip/three"), features: [...BASE, "HTTPRouteHostRewrite", "HTTPRoutePathRewrite"],
  },
  {
    title: "a header modifier (core)",
    routes: [route([{ filters: [{ type: "RequestHeaderModifier", requestHeaderModifier: { set: [{ name: "x-set", value: "1" }] } }], backendRefs: [ref("infra-backend-v1")] }])],
    request: request("/"), features: BASE,
  },
  {
    title: "a named rule",
    routes: [route([{ name: "the-rule", backendRefs: [ref("infra-backend-v1")] }])],
    request: request("/"), features: [...BASE, "HTTPRouteNamedRouteRule"],
  },
  {
    title: "a backend in another namespace, granted",
    routes: [route([{ backendRefs: [ref("web-backend", { namespace: "web" })] }], {}, "infra/cross")],
    grants: [["web/allow-infra", [["gateway.networking.k8s.io", "HTTPRoute", "infra"]], [["", "Service"]]]],
    request: request("/"), features: [...BASE, "ReferenceGrant"],
  },
  {
    title: "a backend in another namespace, not granted (500)",
    routes: [route([{ backendRefs: [ref("web-backend", { namespace: "web" })] }], {}, "infra/cross")],
    request: request("/"), features: [...BASE, "ReferenceGrant"],
  },
  {
    title: "a listener on port 8080",
    routes: [route([{ backendRefs: [ref("infra-backend-v1")] }], { parentRefs: [{ name: "port-8080" }] })],
    gateway: "infra/port-8080", port: 8080, request: request("/"), features: [...BASE, "GatewayPort8080"],
  },
];

function gatewayCell(c: GatewayCase): HttpCell {
  const router = new GatewayRouter({
    gateways: [...BASE_GATEWAYS, gateway("infra/port-8080", [httpListener("http", 8080)])],
    httpRoutes: c.routes, services: BASE_SERVICES, namespaceLabels: NAMESPACE_LABELS,
    referenceGrants: (c.grants ?? []).map((g) => referenceGrant(...g)),
  });
  const [namespace, name] = (c.gateway ?? "infra/same-namespace").split("/");
  const verdict = router.route({ namespace: namespace!, name: name! }, c.request, c.port);
  const cell = cellFromVerdict(`gateway/${c.gateway ?? "infra/same-namespace"}`, c.port ?? 80, c.request, verdict);
  assert.ok(isHttpCell(cell));
  assert.equal(cell.expected, "allow", verdict.reason);
  return cell;
}

const catalogued = (name: string, catalogue: typeof GATEWAY_HTTP) => catalogue.core.includes(name) || catalogue.extended.includes(name);

describe("conformance: the Gateway API features an HTTP cell exercises", () => {
  for (const c of GATEWAY_CASES) {
    it(`${c.title}: ${c.features.join(", ")}`, () => {
      const cell = gatewayCell(c);
      const features = GATEWAY_HTTP.features(cell, undefined);
      assert.deepEqual([...features].sort(), [...c.features].sort(), cell.reason);
      for (const f of features) assert.ok(catalogued(f, GATEWAY_HTTP), `${f} is a feature of pkg/features`);
    });
  }

  it("judges Gateway cells only", () => {
    const cell = gatewayCell(GATEWAY_CASES[0]!);
    assert.ok(GATEWAY_HTTP.judges(cell));
    assert.ok(!INGRESS_HTTP.judges(cell));
  });
});

// The Ingress fixture: a defaultBackend, a wildcard host with a Prefix path, an exact host with an Exact path.
const INGRESS = ingress("apps/web", {
  ingressClassName: "netspec",
  defaultBackend: { service: { name: "web", port: { number: 80 } } },
  rules: [
    { host: "*.example.com", http: { paths: [{ path: "/api", pathType: "Prefix", backend: { service: { name: "api", port: { number: 80 } } } }] } },
    { host: "shop.example.org", http: { paths: [{ path: "/exact", pathType: "Exact", backend: { service: { name: "api", port: { number: 80 } } } }] } },
    { http: { paths: [{ path: "/any", pathType: "Prefix", backend: { service: { name: "api", port: { number: 80 } } } }] } },
  ],
});
const TOPOLOGY = {
  ipFamily: "ipv4", nodes: [], namespaces: [], pods: [], services: [],
  policies: [{ apiVersion: "networking.k8s.io/v1", kind: "Ingress", name: "web", namespace: "apps", object: INGRESS as unknown as Record<string, unknown> }],
} as ScenarioTopology;

const INGRESS_CASES: [string, HttpRequest, string[]][] = [
  ["a wildcard host's Prefix path", request("/api/v1", { host: "a.example.com" }), ["Ingress", "IngressPrefixPathRules", "IngressWildcardHostRules"]],
  ["an exact host's Exact path", request("/exact", { host: "shop.example.org" }), ["Ingress", "IngressExactPathRules", "IngressHostRules"]],
  ["a rule without a host", request("/any", { host: "elsewhere.org" }), ["Ingress", "IngressPrefixPathRules"]],
  ["the defaultBackend", request("/", { host: "elsewhere.org" }), ["Ingress", "IngressDefaultBackend"]],
];

describe("conformance: the Ingress features an HTTP cell exercises", () => {
  const router = new IngressRouter({ ingresses: [INGRESS], services: [service("apps/web", 80), service("apps/api", 80)] }, { classNames: ["netspec"] });
  for (const [title, req, features] of INGRESS_CASES) {
    it(`${title}: ${features.join(", ")}`, () => {
      const cell = cellFromVerdict("ingress/apps/web", 80, req, router.route({ namespace: "apps", name: "web" }, req)) as CellResult;
      assert.ok(isHttpCell(cell) && INGRESS_HTTP.judges(cell));
      assert.equal(cell.expected, "allow", cell.reason);
      const derived = INGRESS_HTTP.features(cell, TOPOLOGY);
      assert.deepEqual([...derived].sort(), [...features].sort(), cell.reason);
      for (const f of derived) assert.ok(catalogued(f, INGRESS_HTTP), f);
    });
  }
});
