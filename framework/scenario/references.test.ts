import assert from "node:assert/strict";
import { describe, it } from "mocha";
import { scenarioFromYaml } from "./build.js";
import { errorsOf } from "./errors.test-helpers.js";
import { externalTargets, parseReference, resolvePods, ruleDnsNames } from "./references.js";

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
    assert.deepEqual(parseReference("dns/api.shop.svc.cluster.local"), { kind: "dns", name: "api.shop.svc.cluster.local" });
    assert.deepEqual(parseReference("dns/api.shop"), { kind: "dns", name: "api.shop" });
    assert.equal((parseReference("cidr/10.0.0.0/8") as { kind: string }).kind, "cidr");
    assert.deepEqual(parseReference("ip/2001:db8::1"), { kind: "ip", ip: "2001:db8::1" });
  });

  // A DNS reference is the name the client looks up, as written: case folded (DNS names are
  // not case-sensitive), a trailing dot kept (absolute: no search path). Its form is checked
  // once, here; what it names is the scenario's checks' and the oracle's.
  const dnsNames: [string, string | RegExp][] = [
    ["dns/api", "api"],
    ["dns/API.Shop", "api.shop"],
    ["dns/api.shop.svc", "api.shop.svc"],
    ["dns/api.shop.svc.cluster.local.", "api.shop.svc.cluster.local."],
    ["dns/_http._tcp.api.shop", "_http._tcp.api.shop"],
    ["dns/_dns._udp.kube-dns.kube-system.svc.cluster.local", "_dns._udp.kube-dns.kube-system.svc.cluster.local"],
    ["dns/web-0.db.shop", "web-0.db.shop"],
    ["dns/10-244-1-3.shop.pod", "10-244-1-3.shop.pod"],
    ["dns/fd00-10-244-1--3.shop.pod.cluster.local", "fd00-10-244-1--3.shop.pod.cluster.local"],
    ["dns/db.example.com.", "db.example.com."],
    ["dns/api.", "api."],
    ["dns/_http.api.shop", /an SRV name is _PORT._PROTO.SERVICE/],
    ["dns/_http._quic.api.shop", /an SRV name is _PORT._PROTO.SERVICE/],
    ["dns/api._tcp.shop", /'_tcp' is not a DNS label/],
    ["dns/api..shop", /it has an empty label/],
    ["dns/api_v2.shop", /'api_v2' is not a DNS label/],
    ["dns/a.b.c.d.svc.cluster.local", /no name its search path completes it to is a Service, endpoint or pod record/],
    ["dns/10-244-1.shop.pod.cluster.local", /no name its search path completes it to/],
    [`dns/${"a".repeat(64)}.shop`, /is not a DNS label/],
    [`dns/${Array.from({ length: 64 }, () => "abc").join(".")}`, /at most 253 characters/],
  ];
  for (const [ref, want] of dnsNames) {
    it(`${ref.length > 60 ? `${ref.slice(0, 57)}…` : ref} → ${typeof want === "string" ? want : "rejected"}`, () => {
      const parsed = parseReference(ref);
      if (typeof want === "string") assert.deepEqual(parsed, { kind: "dns", name: want });
      else assert.match(String(parsed), want);
    });
  }

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

describe("references: DNS names rules probe as written", () => {
  const withNames = scenarioFromYaml(`
apiVersion: netspec/v1alpha1
kind: Scenario
metadata: { name: dns-refs }
namespaces: [ { name: shop }, { name: ops } ]
pods:
  - { name: web, namespace: shop, labels: { app: web } }
  - { name: debug, namespace: ops, labels: { app: debug } }
  - { name: api, namespace: shop, labels: { app: api }, ports: [ { name: http, port: 8080 } ] }
resources:
  - { apiVersion: v1, kind: Service, metadata: { name: api, namespace: shop }, spec: { selector: { app: api }, ports: [ { name: http, port: 80 } ] } }
expect:
  rules:
    - { from: shop/web, to: dns/API.shop, result: allow }
    - { from: ops/debug, to: dns/api.shop, port: 8443, protocol: UDP, result: deny }
    - { from: shop/web, to: dns/_http._tcp.api, result: allow }
    - { from: shop/web, to: shop/api, result: allow }
`);

  it("one entry per name, in rule order, with every rule's sources and ports (80 by default)", () => {
    assert.deepEqual(ruleDnsNames(withNames).map((n) => [n.name, [...n.sources], n.ports, n.protocol]), [
      ["api.shop", ["shop/web", "ops/debug"], [80, 8443], "TCP"],
      ["_http._tcp.api", ["shop/web"], [80], "TCP"],
    ]);
  });
});

describe("references: what a DNS name names must be declared", () => {
  const scenario = (rules: string, cluster = "") => `
apiVersion: netspec/v1alpha1
kind: Scenario
metadata: { name: dns-checks }
${cluster}
namespaces: [ { name: shop }, { name: ops } ]
pods:
  - { name: web, namespace: shop, labels: { app: web } }
  - { name: api, namespace: shop, labels: { app: api }, ports: [ { name: http, port: 8080 } ] }
resources:
  - { apiVersion: v1, kind: Service, metadata: { name: api, namespace: shop }, spec: { selector: { app: api }, ports: [ { name: http, port: 80 }, { name: metrics, port: 81 } ] } }
expect:
  rules:
${rules}`;
  const rule = (to: string) => `    - { from: shop/web, to: "${to}", result: allow }`;
  const cases: [string, string | undefined, string?][] = [
    ["dns/api", undefined],
    ["dns/api.shop.svc.cluster.local.", undefined],
    ["dns/_http._tcp.api.shop", undefined],
    ["dns/web-0.api.shop", undefined, "whether an endpoint has that hostname is the oracle's to say"],
    ["dns/10-244-9-9.ops.pod", undefined],
    ["dns/kube-dns.kube-system", undefined],
    ["dns/apii", "14:29 no Service is named 'apii' in any namespace (dns/apii resolves in the client's own namespace); did you mean 'api'?; nor is apii a name of cluster.upstreamDNS"],
    ["dns/api.nope", "14:29 'dns/api.nope' (SERVICE.NAMESPACE.svc): namespace 'nope' is not declared; did you mean 'ops'?; nor is api.nope a name of cluster.upstreamDNS"],
    ["dns/web.shop.svc.cluster.local", "14:29 'dns/web.shop.svc.cluster.local' (SERVICE.NAMESPACE.svc): Service 'shop/web' is not declared; Services: shop/api"],
    ["dns/_grpc._tcp.api.shop", "14:29 'dns/_grpc._tcp.api.shop' (_PORT._PROTO.SERVICE.NAMESPACE.svc): Service shop/api has no port named 'grpc' with protocol TCP (SRV records exist for named ports only, kubernetes/dns specification 2.3.2); its named ports: http (TCP), metrics (TCP)"],
    ["dns/_http._udp.api", "14:29 no Service named 'api' has a port named 'http' (UDP) in any namespace (dns/_http._udp.api resolves in the client's own namespace)"],
    ["dns/10-244-9-9.nope.pod", "14:29 'dns/10-244-9-9.nope.pod' (A-B-C-D.NAMESPACE.pod): namespace 'nope' is not declared"],
    ["dns/api.", "14:29 'dns/api.' names no record of the cluster's zone (a trailing dot makes it absolute: no search path completes it) and is not a name of cluster.upstreamDNS"],
    ["dns/db.example.com", "14:29 'dns/db.example.com' (HOSTNAME.SERVICE.NAMESPACE.svc): namespace 'com' is not declared; declared: shop, ops, kube-system; nor is db.example.com a name of cluster.upstreamDNS"],
  ];
  for (const [to, error, why] of cases) {
    it(`${to}: ${error ? "rejected" : "accepted"}${why ? ` (${why})` : ""}`, () => {
      const errors = errorsOf(scenario(rule(to)));
      if (error === undefined) assert.deepEqual(errors, []);
      else assert.ok(errors.some((e) => e.startsWith(error)), errors.join("\n"));
    });
  }

  it("accepts a name outside the cluster that cluster.upstreamDNS declares, relative or absolute", () => {
    const upstream = "cluster: { upstreamDNS: [ { name: db.example.com, addresses: [192.0.2.10] } ] }";
    assert.deepEqual(errorsOf(scenario(`${rule("dns/db.example.com.")}\n${rule("dns/DB.example.com")}`, upstream)), []);
  });
});
