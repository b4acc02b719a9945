// The matrix planner: which cells a scenario's targets give, each target resolved once and
// carried typed in every plan (the Service cells the SPEC lists for cluster IPs and names).
import assert from "node:assert/strict";
import { describe, it } from "mocha";
import { scenarioFromYaml } from "../scenario/build.js";
import { formatTarget } from "../scenario/target.js";
import { Expectations, expectedCells } from "./index.js";
import { planCells, throughService, type CellPlan } from "./matrix.js";

const scenario = scenarioFromYaml(`
apiVersion: netspec/v1alpha1
kind: Scenario
metadata: { name: planner }
cluster: { ipFamily: dual }
namespaces: [ { name: shop } ]
pods:
  - { name: client, namespace: shop, labels: { app: client } }
  - { name: api, namespace: shop, labels: { app: api }, ports: [ { name: http, port: 8080 } ] }
resources:
  - { apiVersion: v1, kind: Service, metadata: { name: plain, namespace: shop },
      spec: { selector: { app: api }, ipFamilyPolicy: PreferDualStack, ports: [ { name: http, port: 80, targetPort: http }, { name: alt, port: 443, targetPort: http } ] } }
  - { apiVersion: v1, kind: Service, metadata: { name: head, namespace: shop },
      spec: { clusterIP: None, ipFamilyPolicy: PreferDualStack, selector: { app: api }, ports: [ { port: 8080 } ] } }
  - { apiVersion: v1, kind: Service, metadata: { name: np, namespace: shop },
      spec: { type: NodePort, ipFamilies: [IPv4], selector: { app: api }, ports: [ { port: 80, targetPort: 8080 } ] } }
  - { apiVersion: v1, kind: Service, metadata: { name: ext, namespace: shop },
      spec: { type: ExternalName, externalName: example.org } }
probe: { from: [shop/client], to: [pods, services, dns] }
expect:
  rules:
    - { from: shop/client, to: cidr/192.0.2.0/24, port: 443, result: allow }
`);

const plans = [...planCells(scenario)];
const describePlan = (p: CellPlan) => `${formatTarget(p.target)} ${p.port} ${p.family}`;
const ofKind = (kind: CellPlan["target"]["kind"]) => plans.filter((p) => p.target.kind === kind).map(describePlan);

describe("oracle: the matrix planner", () => {
  it("plans a ClusterIP Service on every port × family of its cluster IPs, and by name", () => {
    assert.deepEqual(ofKind("service").filter((d) => d.startsWith("svc/shop/plain")),
      ["svc/shop/plain 80 ipv4", "svc/shop/plain 80 ipv6", "svc/shop/plain 443 ipv4", "svc/shop/plain 443 ipv6"]);
    assert.equal(ofKind("dns").filter((d) => d.startsWith("dns/plain.shop.svc.cluster.local")).length, 4);
  });

  it("reaches a headless Service by name only, a NodePort Service on its own families, an ExternalName not at all", () => {
    assert.ok(!ofKind("service").some((d) => d.includes("head")));
    assert.deepEqual(ofKind("dns").filter((d) => d.includes("head.")), ["dns/head.shop.svc.cluster.local 8080 ipv4", "dns/head.shop.svc.cluster.local 8080 ipv6"]);
    assert.deepEqual(ofKind("service").filter((d) => d.includes("/np ")), ["svc/shop/np 80 ipv4"]);
    assert.ok(!plans.some((p) => formatTarget(p.target).includes("ext")));
  });

  it("plans an external rule's address at the block's first host, in the rule's family only", () => {
    assert.deepEqual(ofKind("external"), ["ip/192.0.2.1 443 ipv4"]);
  });

  it("resolves each target once: every cell to it carries the same typed object", () => {
    const api = plans.filter((p) => p.target.kind === "pod" && p.target.pod.id === "shop/api");
    assert.equal(api.length, 2);
    assert.equal(api[0]!.target, api[1]!.target);
    const plain = plans.filter((p) => formatTarget(p.target) === "svc/shop/plain");
    assert.ok(plain.every((p) => p.target === plain[0]!.target));
  });

  it("gives Service cells their Service port and no other plan one", () => {
    for (const plan of plans) {
      const viaService = plan.target.kind === "service" || plan.target.kind === "dns";
      assert.equal(throughService(plan), viaService, describePlan(plan));
      if (throughService(plan)) assert.equal(plan.servicePort.port, plan.port);
    }
  });

  it("keeps to probe.families", () => {
    const v6 = scenarioFromYaml(`
apiVersion: netspec/v1alpha1
kind: Scenario
metadata: { name: planner-v6 }
cluster: { ipFamily: dual }
namespaces: [ { name: shop } ]
pods: [ { name: a, namespace: shop, ports: [ { port: 80 } ] } ]
probe: { families: [ipv6] }
`);
    assert.deepEqual([...planCells(v6)].map(describePlan), ["shop/a 80 ipv6"]);
  });
});

describe("oracle: expectation rules on DNS names", () => {
  const twoShops = scenarioFromYaml(`
apiVersion: netspec/v1alpha1
kind: Scenario
metadata: { name: relative-dns }
namespaces: [ { name: red }, { name: blue } ]
pods:
  - { name: client, namespace: red }
  - { name: client, namespace: blue }
  - { name: api, namespace: red, labels: { app: api }, ports: [ { port: 80 } ] }
  - { name: api, namespace: blue, labels: { app: api }, ports: [ { port: 80 } ] }
resources:
  - { apiVersion: v1, kind: Service, metadata: { name: api, namespace: red }, spec: { selector: { app: api }, ports: [ { port: 80 } ] } }
  - { apiVersion: v1, kind: Service, metadata: { name: api, namespace: blue }, spec: { selector: { app: api }, ports: [ { port: 80 } ] } }
probe: { from: [red/client, blue/client], to: [dns] }
expect:
  rules:
    - { from: "*", to: dns/api, result: deny }
`, "relative.yaml");

  it("a bare dns/NAME rule is probed as written from its sources, and holds for their own namespace's Service only", () => {
    const cells = [...expectedCells(twoShops)].filter((c) => c.target === "dns");
    const byRule = cells.filter((c) => c.source !== "oracle").map((c) => `${c.from} ${c.to}`).sort();
    assert.deepEqual(byRule, [
      "blue/client dns/api",
      "blue/client dns/api.blue.svc.cluster.local",
      "red/client dns/api",
      "red/client dns/api.red.svc.cluster.local",
    ]);
    for (const cell of cells.filter((c) => c.source === "oracle")) assert.notEqual(cell.from.split("/")[0], cell.to.split(".")[1]);
  });
});

describe("oracle: cells by the DNS names rules write", () => {
  const shop = scenarioFromYaml(`
apiVersion: netspec/v1alpha1
kind: Scenario
metadata: { name: dns-cells }
cluster:
  ipFamily: dual
  upstreamDNS: [ { name: db.example.com, addresses: [192.0.2.10] } ]
namespaces: [ { name: shop }, { name: ops } ]
pods:
  - { name: web, namespace: shop, labels: { app: web } }
  - { name: db-0, namespace: shop, labels: { app: db }, hostname: db-0, subdomain: db, ports: [ { name: pg, port: 5432 }, { name: metrics, port: 9187 } ] }
  - { name: locked, namespace: ops, labels: { app: locked } }
resources:
  - { apiVersion: v1, kind: Service, metadata: { name: db, namespace: shop }, spec: { clusterIP: None, ipFamilyPolicy: PreferDualStack, selector: { app: db }, ports: [ { name: pg, port: 5432 } ] } }
  - { apiVersion: v1, kind: Service, metadata: { name: payments, namespace: shop }, spec: { type: ExternalName, externalName: db.example.com, ports: [ { port: 5432 } ] } }
  # web may reach the cluster and 192.0.2.0/24 on 5432 only; ops/locked nothing, not even the DNS.
  - apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata: { name: web-egress, namespace: shop }
    spec:
      podSelector: { matchLabels: { app: web } }
      policyTypes: [Egress]
      egress:
        - to: [ { namespaceSelector: {} } ]
        - to: [ { ipBlock: { cidr: 192.0.2.0/24 } } ]
          ports: [ { port: 5432 } ]
  - { apiVersion: networking.k8s.io/v1, kind: NetworkPolicy, metadata: { name: deny-all, namespace: ops }, spec: { podSelector: {}, policyTypes: [Egress] } }
probe: { from: [shop/web, ops/locked], to: [] }
expect:
  rules:
    - { from: "*", to: dns/db-0.db.shop, result: allow }
    - { from: shop/web, to: dns/_pg._tcp.db.shop, result: allow }
    - { from: shop/web, to: dns/payments.shop, result: allow }
    - { from: shop/web, to: dns/db.example.com., port: 443, result: deny }
    - { from: shop/web, to: dns/10-244-1-2.shop.pod, result: allow }
`, "dns-cells.yaml");
  const cells = [...expectedCells(shop)].map((c) => `${c.from} ${c.to} ${c.port}/${c.protocol} ${c.family} ${c.oracle.expected}`);

  it("plans each name on the ports and in the families of what it names", () => {
    assert.deepEqual(cells.filter((c) => c.startsWith("shop/web")), [
      // An endpoint's name: the pod's ports, in each family it has an address of.
      "shop/web dns/db-0.db.shop 5432/TCP ipv4 allow",
      "shop/web dns/db-0.db.shop 5432/TCP ipv6 allow",
      "shop/web dns/db-0.db.shop 9187/TCP ipv4 allow",
      "shop/web dns/db-0.db.shop 9187/TCP ipv6 allow",
      // An SRV name: the port it names.
      "shop/web dns/_pg._tcp.db.shop 5432/TCP ipv4 allow",
      "shop/web dns/_pg._tcp.db.shop 5432/TCP ipv6 allow",
      // An ExternalName: its ports, in every family; its CNAME decides (no AAAA upstream).
      "shop/web dns/payments.shop 5432/TCP ipv4 allow",
      "shop/web dns/payments.shop 5432/TCP ipv6 dns-error",
      // A name outside the cluster: the rule's port, the families of its addresses.
      "shop/web dns/db.example.com. 443/TCP ipv4 deny",
      // A pod record: the pod's ports, in the address's family.
      "shop/web dns/10-244-1-2.shop.pod 5432/TCP ipv4 allow",
      "shop/web dns/10-244-1-2.shop.pod 9187/TCP ipv4 allow",
    ]);
  });

  it("every lookup must pass the client's egress to the cluster DNS first", () => {
    const locked = [...expectedCells(shop)].filter((c) => c.from === "ops/locked");
    assert.ok(locked.length > 0);
    for (const cell of locked) {
      assert.equal(cell.oracle.expected, "dns-error", cell.to);
      assert.match(cell.reason, /DNS lookup to kube-system\/kube-dns \(53\/UDP\) is blocked/);
    }
  });

  it("judges a connection that leaves the cluster by the client's egress alone", () => {
    const upstream = [...expectedCells(shop)].find((c) => c.to === "dns/db.example.com.")!;
    assert.match(upstream.reason, /^db\.example\.com: A 192\.0\.2\.10 \(cluster\.upstreamDNS\); 192\.0\.2\.10: egress: isolated by shop\/web-egress/);
  });

  it("matches a rule's name to every spelling of the same record for the client", () => {
    const expectations = new Expectations({ ...shop, expect: { default: "oracle", http: [], rules: [{ from: "shop/web", to: "dns/DB-0.db.shop.svc.cluster.local.", result: "deny", index: 0 }] } });
    const matched = [...expectedCells(shop)].filter((c) => expectations.ruleMatches(0, c)).map((c) => c.to);
    assert.deepEqual([...new Set(matched)], ["dns/db-0.db.shop"]);
  });
});
