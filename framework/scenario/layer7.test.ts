// Layer 7 objects in a scenario: accepted as the API server and the CRDs accept them, their
// field errors at file:line:column, and the route conditions a cluster would report as warnings.
import assert from "node:assert/strict";
import { describe, it } from "mocha";
import { lintExpectations } from "../oracle/lint.js";
import { Diagnostics } from "./diagnostics.js";
import * as fs from "node:fs";
import { loadScenario, scenarioFromYaml } from "./build.js";
import { errorsOf } from "./errors.test-helpers.js";

const scenario = (resources: string) => `
apiVersion: netspec/v1alpha1
kind: Scenario
metadata: { name: l7 }
namespaces: [ { name: infra }, { name: apps } ]
pods:
  - { name: web, namespace: apps, labels: { app: web }, ports: [ { name: http, port: 8080 } ] }
resources:
  - { apiVersion: v1, kind: Service, metadata: { name: web, namespace: apps }, spec: { selector: { app: web }, ports: [ { port: 80, targetPort: http } ] } }
${resources}`;

describe("scenario: Layer 7 objects", () => {
  it("accepts every served version of the Gateway API kinds, Ingress and IngressClass", () => {
    assert.deepEqual(errorsOf(scenario(`
  - { apiVersion: gateway.networking.k8s.io/v1, kind: GatewayClass, metadata: { name: c }, spec: { controllerName: example.net/gateway } }
  - { apiVersion: gateway.networking.k8s.io/v1beta1, kind: Gateway, metadata: { name: gw, namespace: infra },
      spec: { gatewayClassName: c, listeners: [ { name: http, port: 80, protocol: HTTP, allowedRoutes: { namespaces: { from: All } } } ] } }
  - { apiVersion: gateway.networking.k8s.io/v1, kind: HTTPRoute, metadata: { name: r, namespace: apps },
      spec: { parentRefs: [ { name: gw, namespace: infra } ], rules: [ { backendRefs: [ { name: web, port: 80 } ] } ] } }
  - { apiVersion: gateway.networking.k8s.io/v1beta1, kind: ReferenceGrant, metadata: { name: g, namespace: apps },
      spec: { from: [ { group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: infra } ], to: [ { group: "", kind: Service } ] } }
  - { apiVersion: networking.k8s.io/v1, kind: IngressClass, metadata: { name: nginx }, spec: { controller: k8s.io/ingress-nginx } }
  - { apiVersion: networking.k8s.io/v1, kind: Ingress, metadata: { name: i, namespace: apps },
      spec: { ingressClassName: nginx, defaultBackend: { service: { name: web, port: { number: 80 } } } } }`)), []);
  });

  it("reports field errors where they are, as the CRD rules and ValidateIngress do", () => {
    assert.deepEqual(errorsOf(scenario(`
  - { apiVersion: gateway.networking.k8s.io/v1, kind: HTTPRoute, metadata: { name: r, namespace: apps },
      spec: { parentRefs: [ { name: gw } ], rules: [ { matches: [ { path: { type: PathPrefix, value: v1 } } ] } ] } }
  - { apiVersion: networking.k8s.io/v1, kind: Ingress, metadata: { name: i, namespace: apps },
      spec: { rules: [ { host: "*.*.example.com", http: { paths: [ { path: /, backend: { service: { name: web, port: { number: 80 } } } } ] } } ] } }`)), [
      "12:102 HTTPRoute apps/r: \"v1\" must be an absolute path, starting with '/', for PathPrefix",
      "14:32 Ingress apps/i: *.*.example.com: a wildcard host is '*.' followed by a DNS subdomain (e.g. *.example.com)",
      "14:68 Ingress apps/i: pathType must be specified (Exact, Prefix or ImplementationSpecific)",
    ]);
  });

  it("an unknown group's kind of the same name stays unknown", () => {
    assert.match(errorsOf(scenario(`
  - { apiVersion: networking.istio.io/v1, kind: Gateway, metadata: { name: gw, namespace: infra }, spec: {} }`))[0]!, /unknown resource kind 'networking\.istio\.io\/v1\/Gateway'/);
  });

  it("validate warns with the conditions a route would carry, at the field concerned", () => {
    const { scenario: s } = loadScenario("fixtures/layer7/not-allowed-by-listeners.yaml");
    const diags = new Diagnostics();
    lintExpectations(s, diags);
    assert.deepEqual(diags.sorted().filter((d) => d.severity === "warning").map((d) => `${d.line}:${d.col} ${d.message}`), [
      "25:21 HTTPRoute apps/web: Accepted NotAllowedByListeners: listener http (port 80, HTTP, hostname *.example.com) of Gateway infra/gw allows routes from its own namespace infra only",
    ]);
  });
});

describe("scenario: the data plane of each Gateway and of the Ingress controller (GEP-1762)", () => {
  const scenario = scenarioFromYaml(fs.readFileSync("fixtures/layer7/gateway-routing.yaml", "utf8"));
  const plane = scenario.gatewayDataPlanes.find((d) => d.key === "gateway/infra/gw")!;

  it("a proxy pod in the Gateway's namespace, labelled with its name, on the first node, after the scenario's pods", () => {
    assert.equal(plane.pod.id, "infra/gw-gateway");
    assert.deepEqual(plane.pod.labels, { "gateway.networking.k8s.io/gateway-name": "gw" });
    assert.equal(plane.pod.node, scenario.nodes[0]!.name);
    assert.ok(plane.pod.system);
    assert.deepEqual(plane.pod.ports.map((p) => p.port), [80]);
    const own = scenario.pods.filter((p) => !p.system && p.node === plane.pod.node).map((p) => p.ips.ipv4);
    assert.ok(!own.includes(plane.pod.ips.ipv4), "no scenario pod shares the proxy's address");
  });

  it("a LoadBalancer Service on the listener ports selects it; its address is the Gateway's", () => {
    assert.equal(plane.service.type, "LoadBalancer");
    assert.deepEqual(plane.service.selector, plane.pod.labels);
    assert.deepEqual(plane.service.ports.map((p) => [p.port, p.targetPort]), [[80, 80]]);
    assert.equal(plane.service.loadBalancerIPs.ipv4, "172.18.255.200");
    assert.ok(scenario.services.includes(plane.service) && plane.service.system);
  });
});

describe("validate: expect.http entries that contradict the oracle", () => {
  const warnings = (entries: string) => {
    const text = fs.readFileSync("fixtures/layer7/gateway-routing.yaml", "utf8").replace(/expect:\n  http:\n[\s\S]*$/, `expect:\n  http:\n${entries}\n`);
    const diags = new Diagnostics();
    lintExpectations(scenarioFromYaml(text), diags);
    return diags.sorted().map((d) => d.message);
  };

  it("warns at the entry when its status, backends, backend path or redirect cannot hold", () => {
    const found = warnings([
      "    - { to: gateway/infra/gw, request: { host: shop.example.com, path: /v2/x }, status: 404 }",
      "    - { to: gateway/infra/gw, request: { host: shop.example.com, path: /v2/x }, backends: [apps/v1] }",
      "    - { to: gateway/infra/gw, request: { host: shop.example.com, path: /v2/x }, backendRequest: { path: /x } }",
      "    - { to: gateway/infra/gw, request: { host: shop.example.com, path: /old }, redirect: { path: /newer } }",
    ].join("\n"));
    assert.equal(found.length, 4, found.join("\n"));
    assert.match(found[0]!, /expect\.http\[0\] asserts status 404, but the oracle answers 200/);
    assert.match(found[1]!, /expect\.http\[1\] asserts backends apps\/v1, but the oracle says apps\/v2 answer/);
    assert.match(found[2]!, /expect\.http\[2\] asserts the backend receives path \/x, but the oracle says \/v2\/x/);
    assert.match(found[3]!, /expect\.http\[3\] asserts a redirect path \/newer, but the oracle redirects to path \/new/);
  });

  it("warns when an entry names a port the Gateway has no listener on", () => {
    const found = warnings("    - { to: gateway/infra/gw, port: 8080, request: { host: shop.example.com, path: /v2/x } }");
    assert.equal(found.length, 1, found.join("\n"));
    assert.match(found[0]!, /expect\.http\[0\] names port 8080, but Gateway infra\/gw listens on 80 only/);
  });

  it("is silent where the entry agrees, globs included", () => {
    assert.deepEqual(warnings("    - { to: gateway/infra/gw, request: { host: shop.example.com, path: /v2/x }, status: [200, 503], backends: [\"apps/v*\"] }"), []);
  });
});
