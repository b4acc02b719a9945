// Comparing an observation with a cell's expectation, on cells the oracle made.
import assert from "node:assert/strict";
import { describe, it } from "mocha";
import { expectedCells } from "../oracle/index.js";
import { scenarioFromYaml } from "../scenario/build.js";
import { compare } from "./compare.js";
import type { Observation } from "./provider.js";

const scenario = scenarioFromYaml(`
apiVersion: netspec/v1alpha1
kind: Scenario
metadata: { name: affinity }
namespaces: [ { name: shop } ]
pods:
  - { name: client, namespace: shop }
  - { name: api, namespace: shop, labels: { app: api }, replicas: 3, ports: [ { port: 80 } ] }
resources:
  - { apiVersion: v1, kind: Service, metadata: { name: sticky, namespace: shop }, spec: { selector: { app: api }, sessionAffinity: ClientIP, ports: [ { port: 80 } ] } }
  - { apiVersion: v1, kind: Service, metadata: { name: spread, namespace: shop }, spec: { selector: { app: api }, ports: [ { port: 80 } ] } }
  - { apiVersion: v1, kind: Service, metadata: { name: headless, namespace: shop }, spec: { clusterIP: None, selector: { app: api }, sessionAffinity: ClientIP, ports: [ { port: 80 } ] } }
probe: { from: [shop/client], to: [services, dns] }
`, "affinity.yaml");
const cells = [...expectedCells(scenario)];
const cell = (to: string) => cells.find((c) => c.to === to)!;
const answered = (...backends: string[]): Observation => ({ id: "0", observed: "connected", backends, latencyMs: 1 });

describe("comparing observations: sessionAffinity ClientIP", () => {
  it("fails when one client is answered by two backends of a ClientIP Service, by address or by name", () => {
    for (const to of ["svc/shop/sticky", "dns/sticky.shop.svc.cluster.local"]) {
      const verdict = compare(cell(to), answered("shop/api-0", "shop/api-2"));
      assert.equal(verdict.match, false, to);
      assert.match(verdict.mismatch!, /sessionAffinity: ClientIP, yet one client was answered by shop\/api-0, shop\/api-2/);
      assert.equal(compare(cell(to), answered("shop/api-1")).match, true, to);
    }
  });

  it("lets several backends answer without affinity, and for a headless Service (no proxy, no affinity)", () => {
    assert.equal(compare(cell("svc/shop/spread"), answered("shop/api-0", "shop/api-1")).match, true);
    assert.equal(compare(cell("dns/headless.shop.svc.cluster.local"), answered("shop/api-0", "shop/api-1")).match, true);
  });
});

describe("comparing observations: the client address a backend saw", () => {
  const north = scenarioFromYaml(`
apiVersion: netspec/v1alpha1
kind: Scenario
metadata: { name: client-address }
namespaces: [ { name: shop } ]
pods:
  - { name: api, namespace: shop, labels: { app: api }, node: node-a, ports: [ { port: 80 } ] }
resources:
  - { apiVersion: v1, kind: Service, metadata: { name: local, namespace: shop },
      spec: { type: NodePort, externalTrafficPolicy: Local, selector: { app: api }, ports: [ { port: 80 } ] } }
  - { apiVersion: v1, kind: Service, metadata: { name: cluster, namespace: shop },
      spec: { type: NodePort, selector: { app: api }, ports: [ { port: 80 } ] } }
probe: { from: [external], to: [nodeports] }
expect:
  rules:
    - { from: external, to: nodeport/shop/cluster, clientAddress: node }
`, "client-address.yaml");
  const all = [...expectedCells(north)];
  const at = (to: string) => all.find((c) => c.to === to)!;
  const seen = (...clientAddresses: string[]): Observation => ({ id: "0", observed: "connected", backends: ["shop/api"], clientAddresses, latencyMs: 1 });
  const book = { client: "172.18.0.1", nodes: new Set(["172.18.0.2", "172.18.0.3", "10.244.0.1"]) };

  it("externalTrafficPolicy Local: the oracle requires the client's own address", () => {
    const cell = at("nodeport/shop/local@node-a");
    assert.equal(cell.expectedClientAddress, "preserved");
    assert.equal(compare(cell, seen("172.18.0.1"), book).match, true);
    const verdict = compare(cell, seen("10.244.0.1"), book);
    assert.equal(verdict.match, false);
    assert.match(verdict.mismatch!, /clientAddress: preserved, but the backend saw 10\.244\.0\.1 \(not the client's own address 172\.18\.0\.1\)/);
  });

  it("a rule's clientAddress: node holds only for addresses a node has", () => {
    const cell = at("nodeport/shop/cluster@node-b");
    assert.equal(compare(cell, seen("172.18.0.3"), book).match, true);
    assert.match(compare(cell, seen("172.18.0.1"), book).mismatch!, /clientAddress: node, but the backend saw 172\.18\.0\.1/);
  });
});
