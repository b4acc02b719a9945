// The typed target's names and the one key function: the `to` texts SPEC.md fixes for every
// kind, cell ids as results and regression views match them, and what reports read back.
import assert from "node:assert/strict";
import { describe, it } from "mocha";
import { scenarioFromYaml } from "./build.js";
import {
  blockKey, cellId, cellKey, dnsTarget, formatTarget, TARGET_KIND_LABELS, targetId, targetNamespace,
  type CellKey, type HttpRequest, type Target, type TargetKind,
} from "./target.js";

const scenario = scenarioFromYaml(`
apiVersion: netspec/v1alpha1
kind: Scenario
metadata: { name: targets }
cluster: { nodes: [ { name: node-a }, { name: node-b } ] }
namespaces: [ { name: shop } ]
pods: [ { name: api, namespace: shop, labels: { app: api }, ports: [ { port: 8080 } ] } ]
resources:
  - { apiVersion: v1, kind: Service, metadata: { name: web, namespace: shop },
      spec: { type: NodePort, selector: { app: api }, ports: [ { port: 80, targetPort: 8080 } ] } }
`);
const pod = scenario.pods.find((p) => p.id === "shop/api")!;
const service = scenario.services.find((s) => s.id === "shop/web")!;
const node = scenario.nodes.find((n) => n.name === "node-b")!;
const request: HttpRequest = { method: "GET", host: "foo.example.com", path: "/v2?animal=whale", headers: { version: "two", accept: "*/*" } };

/** One target of every kind, with the `to` SPEC.md gives it and the namespace reports file it under. */
const EVERY_KIND: Record<TargetKind, { target: Target; to: string; namespace: string }> = {
  pod: { target: { kind: "pod", pod }, to: "shop/api", namespace: "shop" },
  service: { target: { kind: "service", service }, to: "svc/shop/web", namespace: "shop" },
  dns: { target: dnsTarget(service), to: "dns/web.shop.svc.cluster.local", namespace: "shop" },
  external: { target: { kind: "external", ip: "192.0.2.10" }, to: "ip/192.0.2.10", namespace: "(external)" },
  nodeport: { target: { kind: "nodeport", service, node }, to: "nodeport/shop/web@node-b", namespace: "shop" },
  loadbalancer: { target: { kind: "loadbalancer", service }, to: "loadbalancer/shop/web", namespace: "shop" },
  externalip: { target: { kind: "externalip", service }, to: "externalip/shop/web", namespace: "shop" },
  hostport: { target: { kind: "hostport", pod, node }, to: "hostport/shop/api", namespace: "shop" },
  http: { target: { kind: "http", entry: { kind: "gateway", namespace: "infra", name: "gw" }, request, addresses: {}, expectation: 0 }, to: "gateway/infra/gw", namespace: "infra" },
};

const key = (to: string, target: TargetKind, extra: Partial<CellKey> = {}): CellKey =>
  ({ from: "shop/client", to, target, port: 80, protocol: "TCP", family: "ipv4", ...extra });

describe("targets: names and keys (SPEC.md, References and Results)", () => {
  for (const [kind, { target, to, namespace }] of Object.entries(EVERY_KIND)) {
    it(`${kind}: named ${to}, filed under ${namespace}, labelled in reports`, () => {
      assert.equal(target.kind, kind);
      assert.equal(formatTarget(target), to);
      assert.equal(targetNamespace({ target: target.kind, to }), namespace);
      assert.ok(TARGET_KIND_LABELS[target.kind].group && TARGET_KIND_LABELS[target.kind].block);
    });
  }

  it("keys a cell as `from -> to port/protocol family`, as results and baselines match them", () => {
    assert.equal(cellId(key("svc/shop/web", "service")), "shop/client -> svc/shop/web 80/TCP ipv4");
    assert.equal(cellId(key("dns/web.shop.svc.cluster.local", "dns", { port: 53, protocol: "UDP", family: "ipv6" })), "shop/client -> dns/web.shop.svc.cluster.local 53/UDP ipv6");
    assert.equal(blockKey(key("shop/api", "pod", { port: 8080 })), "pod 8080/TCP ipv4");
  });

  it("tells HTTP cells to one Gateway apart by their request (headers in name order)", () => {
    const get = key("gateway/infra/gw", "http", { request });
    assert.equal(targetId(get), "gateway/infra/gw GET foo.example.com/v2?animal=whale [accept=*/*,version=two]");
    const other = key("gateway/infra/gw", "http", { request: { ...request, path: "/nope", headers: {} } });
    assert.notEqual(cellId(get), cellId(other));
    assert.equal(targetId(other), "gateway/infra/gw GET foo.example.com/nope");
  });

  it("keeps a cell's key fields in results.json's order, with a request only on HTTP cells", () => {
    const extra = { ...key("shop/api", "pod"), expected: "allow" };
    assert.deepEqual(Object.keys(cellKey(extra)), ["from", "to", "target", "port", "protocol", "family"]);
    assert.deepEqual(Object.keys(cellKey(key("gateway/infra/gw", "http", { request }))), ["from", "to", "target", "port", "protocol", "family", "request"]);
  });
});
