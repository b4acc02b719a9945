import assert from "node:assert/strict";
import { describe, it } from "mocha";
import { scenarioFromYaml } from "./build.js";
import { externalTargets, parseReference, resolvePods } from "./references.js";

const scenario = scenarioFromYaml(`
apiVersion: netspec/v1alpha1
kind: Scenario
metadata: { name: refs }
namespaces: [ { name: shop }, { name: ops } ]
pods:
  - { name: api, namespace: shop, labels: { app: api }, replicas: 2 }
  - { name: web, namespace: shop, labels: { app: web } }
  - { name: tool, namespace: ops, labels: { app: api } }
`);
const ids = (ref: Parameters<typeof parseReference>[0]) => {
  const parsed = parseReference(ref);
  assert.notEqual(typeof parsed, "string", String(parsed));
  return resolvePods(scenario, parsed as Exclude<typeof parsed, string>).map((p) => p.id);
};

describe("references (SPEC.md, References)", () => {
  const cases: [string, Parameters<typeof parseReference>[0], string[]][] = [
    ["ns/pod names one pod", "shop/web", ["shop/web"]],
    ["ns/prefix-* globs replicas", "shop/api-*", ["shop/api-0", "shop/api-1"]],
    ["ns/* is a whole namespace", "ops/*", ["ops/tool"]],
    ["* is every pod, never netspec's DNS pod", "*", ["shop/api-0", "shop/api-1", "shop/web", "ops/tool"]],
    ["a selector without namespace spans namespaces", { labels: { app: "api" } }, ["shop/api-0", "shop/api-1", "ops/tool"]],
    ["a selector with namespace stays in it", { namespace: "ops", labels: { app: "api" } }, ["ops/tool"]],
    ["the DNS pod when named explicitly", "kube-system/coredns", ["kube-system/coredns"]],
  ];
  for (const [name, ref, want] of cases) it(name, () => assert.deepEqual(ids(ref), want));

  it("parses Service, DNS, CIDR and IP references", () => {
    assert.deepEqual(parseReference("svc/shop/api"), { kind: "service", namespace: "shop", name: "api" });
    assert.deepEqual(parseReference("dns/api.shop.svc.cluster.local"), { kind: "dns", namespace: "shop", name: "api" });
    assert.deepEqual(parseReference("dns/api.shop"), { kind: "dns", namespace: "shop", name: "api" });
    assert.equal((parseReference("cidr/10.0.0.0/8") as { kind: string }).kind, "cidr");
    assert.deepEqual(parseReference("ip/2001:db8::1"), { kind: "ip", ip: "2001:db8::1" });
  });

  it("reads DNS names as a pod's resolver does: relative through the search path, absolute with a trailing dot", () => {
    assert.deepEqual(parseReference("dns/api"), { kind: "dns", name: "api" });
    assert.deepEqual(parseReference("dns/API.Shop"), { kind: "dns", namespace: "shop", name: "api" });
    assert.deepEqual(parseReference("dns/api.shop.svc"), { kind: "dns", namespace: "shop", name: "api" });
    assert.deepEqual(parseReference("dns/api.shop.svc.cluster.local."), { kind: "dns", namespace: "shop", name: "api" });
    assert.match(String(parseReference("dns/api.")), /trailing dot the name is absolute/);
    assert.match(String(parseReference("dns/api.shop.")), /trailing dot the name is absolute/);
    assert.match(String(parseReference("dns/a.b.c")), /is not a DNS reference/);
  });

  it("explains malformed references", () => {
    assert.match(String(parseReference("svc/shop")), /write svc\/NAMESPACE\/NAME/);
    assert.match(String(parseReference("ip/300.1.1.1")), /not an IPv4 or IPv6 address/);
    assert.match(String(parseReference("shop")), /is not a reference/);
    assert.match(String(parseReference("cidr/10.0.0.0/33")), /prefix length must be 0-32/);
  });
});

describe("references: external targets, resolved once per scenario", () => {
  const withRules = scenarioFromYaml(`
apiVersion: netspec/v1alpha1
kind: Scenario
metadata: { name: external-refs }
cluster: { ipFamily: dual }
namespaces: [ { name: shop } ]
pods:
  - { name: api, namespace: shop, labels: { app: api }, replicas: 2 }
  - { name: web, namespace: shop, labels: { app: web } }
expect:
  rules:
    - { from: shop/web, to: cidr/192.0.2.0/24, port: 443, result: allow }
    - { from: { labels: { app: api } }, to: cidr/192.0.2.7/32, port: 8000-8100, protocol: UDP, result: deny }
    - { from: "*", to: "ip/2001:db8::1", result: allow }
    - { from: shop/web, to: shop/api-0, result: deny }
`);

  it("probes a block at its first host (a /32 at its base), an address itself; other rules name none", () => {
    const targets = externalTargets(withRules);
    assert.deepEqual(targets.map((t) => [t.target.ip, t.family, t.ports, t.protocol]), [
      ["192.0.2.1", "ipv4", [443], "TCP"],
      ["192.0.2.7", "ipv4", [8000], "UDP"],
      ["2001:db8::1", "ipv6", [80], "TCP"],
    ]);
  });

  it("resolves each rule's sources once", () => {
    assert.deepEqual(externalTargets(withRules).map((t) => [...t.sources]), [
      ["shop/web"], ["shop/api-0", "shop/api-1"], ["shop/api-0", "shop/api-1", "shop/web"],
    ]);
  });
});
