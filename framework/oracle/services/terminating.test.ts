// Terminating pods (deleted, in their grace period): not ready, serving while Ready, used only
// when a Service has no ready endpoint (podToEndpoint; pkg/proxy/topology.go CategorizeEndpoints).
import assert from "node:assert/strict";
import { describe, it } from "mocha";
import { scenarioFromYaml } from "../../scenario/build.js";
import { expectedCells } from "../index.js";

const scenario = scenarioFromYaml(`
apiVersion: netspec/v1alpha1
kind: Scenario
metadata: { name: terminating }
namespaces: [ { name: app } ]
pods:
  - { name: client, namespace: app }
  - { name: old, namespace: app, labels: { app: api, v: one }, terminating: true, ports: [ { port: 80 } ] }
  - { name: new, namespace: app, labels: { app: api, v: two }, ports: [ { port: 80 } ] }
  - { name: gone, namespace: app, labels: { app: gone }, terminating: true, ready: false, ports: [ { port: 80 } ] }
resources:
  - { apiVersion: v1, kind: Service, metadata: { name: both, namespace: app }, spec: { selector: { app: api }, ports: [ { port: 80 } ] } }
  - { apiVersion: v1, kind: Service, metadata: { name: draining, namespace: app }, spec: { selector: { v: one }, ports: [ { port: 80 } ] } }
  - { apiVersion: v1, kind: Service, metadata: { name: gone, namespace: app }, spec: { selector: { app: gone }, ports: [ { port: 80 } ] } }
  - { apiVersion: v1, kind: Service, metadata: { name: head, namespace: app }, spec: { clusterIP: None, selector: { app: api }, ports: [ { port: 80 } ] } }
  - { apiVersion: v1, kind: Service, metadata: { name: published, namespace: app },
      spec: { selector: { v: one }, publishNotReadyAddresses: true, ports: [ { port: 80 } ] } }
probe: { from: [app/client], to: [services, dns] }
`);
const cells = [...expectedCells(scenario)];
const cell = (to: string) => cells.find((c) => c.to === to)!;

describe("oracle: terminating pods as endpoints", () => {
  it("a ready endpoint wins: the terminating one is not used", () => {
    assert.deepEqual(cell("svc/app/both").backends, ["app/new"]);
  });
  it("no ready endpoint: kube-proxy falls back to the serving-terminating one", () => {
    assert.equal(cell("svc/app/draining").expected, "allow");
    assert.deepEqual(cell("svc/app/draining").backends, ["app/old"]);
  });
  it("a terminating pod that is not Ready is not serving: no endpoint at all", () => {
    assert.equal(cell("svc/app/gone").expected, "refused");
  });
  it("CoreDNS answers ready endpoints only", () => {
    assert.deepEqual(cell("dns/head.app.svc.cluster.local").backends, ["app/new"]);
  });
  it("publishNotReadyAddresses keeps a terminating pod ready", () => {
    assert.deepEqual(cell("svc/app/published").backends, ["app/old"]);
    assert.match(cell("svc/app/published").reason, /1 ready endpoint/);
  });
});
