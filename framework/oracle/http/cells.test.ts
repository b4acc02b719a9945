// HTTP cells in the matrix: both hops (the client's connection to the Gateway; the Gateway's
// pod to each backend), the router's answer, and the entry's assertions.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { describe, it } from "mocha";
import { scenarioFromYaml } from "../../scenario/build.js";
import { expectedCells, type ExpectedCell } from "../index.js";

const BASE = fs.readFileSync("fixtures/layer7/gateway-routing.yaml", "utf8");
const cells = (text: string) => [...expectedCells(scenarioFromYaml(text))].filter((c) => c.target === "http");
const by = (all: readonly ExpectedCell[], path: string, host = "shop.example.com") => all.find((c) => c.request!.path === path && c.request!.host === host)!;

describe("oracle: HTTP cells through a Gateway", () => {
  const all = cells(BASE);

  it("one cell per expect.http entry and family, from the external client by default", () => {
    assert.equal(all.length, 5);
    assert.ok(all.every((c) => c.from === "external" && c.to === "gateway/infra/gw" && c.port === 80));
  });

  it("routes by the precedence chain and names the criterion that won", () => {
    const v2 = by(all, "/v2/items");
    assert.deepEqual([v2.expected, v2.http!.status, v2.backends], ["allow", [200], ["apps/v2"]]);
    assert.match(v2.reason, /won over HTTPRoute apps\/web rules\[2\] .* by the longer PathPrefix/);
    assert.deepEqual(by(all, "/anything").backends, ["apps/v1"]);
  });

  it("a redirect and a 404 are the gateway's own answers", () => {
    assert.deepEqual(by(all, "/old").http!.redirect, { scheme: "http", host: "shop.example.com", port: 80, path: "/new", status: 301 });
    assert.deepEqual(by(all, "/", "other.example.com").http!.status, [404]);
  });

  it("keeps the entry's assertions apart from the oracle's answer", () => {
    const v2 = by(all, "/v2/items");
    assert.equal(v2.source, "http 0");
    assert.deepEqual(v2.expectedHttp, { backends: ["apps/v2"] });
  });

  it("hop 1: the client's egress to the Gateway's address decides the connection", () => {
    const text = BASE.replace("probe: { from: [], to: [] }", `  - apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata: { name: no-egress, namespace: apps }
    spec: { podSelector: { matchLabels: { version: v1 } }, policyTypes: [Egress] }
probe: { from: [], to: [] }`).replace("- { to: gateway/infra/gw, request: { host: shop.example.com, path: /anything } }",
      "- { from: apps/v1, to: gateway/infra/gw, request: { host: shop.example.com, path: /anything } }");
    const cell = by(cells(text), "/anything");
    assert.equal(cell.from, "apps/v1");
    assert.equal(cell.expected, "deny");
    assert.match(cell.reason, /connection to Gateway infra\/gw at 172\.18\.255\.200:80 \(its proxy infra\/gw-gateway\): .*egress: isolated by apps\/no-egress/);
  });

  it("hop 1: the proxy pod is a pod of the Gateway's namespace, so that namespace's ingress policies judge the client", () => {
    const isolate = (ingress: string) => BASE.replace("probe: { from: [], to: [] }", `  - apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata: { name: gateway-ingress, namespace: infra }
    spec: { podSelector: {}, policyTypes: [Ingress]${ingress} }
probe: { from: [], to: [] }`).replace("- { to: gateway/infra/gw, request: { host: shop.example.com, path: /anything } }",
      "- { from: apps/v2, to: gateway/infra/gw, request: { host: shop.example.com, path: /anything } }");
    // apps/v2 runs on node-b, the proxy on node-a: rewritten or not, its address is not the proxy's node's.
    const closed = by(cells(isolate("")), "/anything");
    assert.equal(closed.expected, "deny");
    assert.match(closed.reason, /infra\/gw-gateway/);
    // The client's own address or its node's, where the load balancer's proxy rewrites it.
    const open = by(cells(isolate(", ingress: [ { from: [ { namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: apps } } }, { ipBlock: { cidr: 172.18.0.0/16 } } ], ports: [ { port: 80 } ] } ]")), "/anything");
    assert.equal(open.expected, "allow", open.reason);
    // From outside, a load balancer may rewrite the client's address to a node's: an ipBlock
    // admitting the client alone is then undefined, as for any load-balancer cell.
    const external = by(cells(isolate(", ingress: [ { from: [ { ipBlock: { cidr: 172.18.0.1/32 } } ] } ]").replace("- { from: apps/v2, to: gateway/infra/gw", "- { to: gateway/infra/gw")), "/anything");
    assert.equal(external.from, "external");
    assert.equal(external.expected, "undefined", external.reason);
  });

  it("hop 2: a backend's ingress must admit the Gateway's pod (GEP-1762 label), not the client", () => {
    const policy = (from: string) => BASE.replace("probe: { from: [], to: [] }", `  - apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata: { name: v1-ingress, namespace: apps }
    spec:
      podSelector: { matchLabels: { version: v1 } }
      ingress: [ { from: [ ${from} ] } ]
probe: { from: [], to: [] }`);
    const admitted = by(cells(policy(`{ namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: infra } }, podSelector: { matchLabels: { gateway.networking.k8s.io/gateway-name: gw } } }`)), "/anything");
    assert.equal(admitted.expected, "allow", admitted.reason);
    const clientOnly = by(cells(policy(`{ ipBlock: { cidr: 172.18.0.1/32 } }`)), "/anything");
    assert.equal(clientOnly.expected, "undefined");
    assert.match(clientOnly.reason, /the gateway may not reach apps\/v1/);
  });
});
