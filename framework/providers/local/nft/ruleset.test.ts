// Unit tests on the generated nft text: the structures each Kubernetes feature compiles to.
// (The kernel tests in kernel.test.ts load these scripts and send real packets through them.)
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { scenarioFromYaml } from "../../../scenario/build.js";
import type { Scenario } from "../../../scenario/model.js";
import { compileNodeRuleset, podDirectionPolicy } from "./index.js";
import { ipBlockRanges, formatRange, mergeRanges, addressRange, cidrRange } from "./ranges.js";
import { ident } from "./script.js";
import { serviceEndpoints, topologyEndpoints } from "./services.js";

const HEADER = `apiVersion: netspec/v1alpha1
kind: Scenario
metadata: { name: nft-unit }
`;

function scenario(body: string): Scenario {
  return scenarioFromYaml(HEADER + body, "nft-unit.yaml");
}

const podIp = (s: Scenario, id: string, family: "ipv4" | "ipv6" = "ipv4") => s.pods.find((p) => p.id === id)!.ips[family]!;
const svcIp = (s: Scenario, id: string, family: "ipv4" | "ipv6" = "ipv4") => s.services.find((x) => x.id === id)!.clusterIPs[family]!;
/** The `add rule … <chain> …` lines of a chain, without the prefix. */
function rulesOf(script: string, chain: string): string[] {
  const prefix = `add rule inet netspec ${chain} `;
  return script.split("\n").filter((l) => l.startsWith(prefix)).map((l) => l.slice(prefix.length));
}
function elementsOf(script: string, set: string): string {
  const prefix = `add element inet netspec ${set} { `;
  return script.split("\n").filter((l) => l.startsWith(prefix)).map((l) => l.slice(prefix.length, -2)).join(", ");
}

const SHOP = `
cluster:
  ipFamily: dual
  nodes: [ { name: node-a, zone: zone-a }, { name: node-b, zone: zone-b } ]
namespaces: [ { name: shop, labels: { team: shop } }, { name: ops } ]
pods:
  - { name: frontend, namespace: shop, labels: { app: frontend }, node: node-a, ports: [ { name: http, port: 80 } ] }
  - { name: api-0, namespace: shop, labels: { app: api }, node: node-a, ports: [ { name: http, port: 8080 }, { name: metrics, port: 9090 } ] }
  - { name: api-1, namespace: shop, labels: { app: api }, node: node-b, ports: [ { name: http, port: 8081 } ] }
  - { name: tool, namespace: ops, labels: { app: tool }, node: node-a, ports: [ { name: http, port: 80 } ] }
`;

describe("nft ruleset: table and idempotence", () => {
  const s = scenario(SHOP);
  const text = compileNodeRuleset(s, "node-a");

  it("recreates its own inet table atomically (add, delete, add)", () => {
    const lines = text.split("\n");
    assert.equal(lines[0], "add table inet netspec");
    assert.equal(lines[1], "delete table inet netspec");
    assert.match(lines[2]!, /^add table inet netspec/);
    assert.equal(lines.filter((l) => l.startsWith("delete")).length, 1);
  });

  it("is deterministic", () => {
    assert.equal(compileNodeRuleset(s, "node-a"), text);
  });

  it("honours the table option and rejects unknown nodes", () => {
    assert.match(compileNodeRuleset(s, "node-a", { table: "t2" }), /^add table inet t2\n/);
    assert.throws(() => compileNodeRuleset(s, "node-z"), /node 'node-z'/);
  });

  it("declares every chain before any rule or element uses it", () => {
    const declared = new Set<string>();
    for (const line of text.split("\n")) {
      const chain = /^add chain inet netspec (\S+)/.exec(line);
      if (chain) { declared.add(chain[1]!); continue; }
      for (const m of line.matchAll(/(?:jump|goto) ([A-Za-z][\w/.-]*)/g)) assert.ok(declared.has(m[1]!), `${m[1]} used before declaration: ${line}`);
    }
  });

  it("only programs pods of its own node", () => {
    const b = compileNodeRuleset(s, "node-b");
    assert.ok(!/ing-shop-api-0/.test(b));
  });
});

describe("nft ruleset: Services (kube-proxy nftables style)", () => {
  const s = scenario(SHOP + `
resources:
  - apiVersion: v1
    kind: Service
    metadata: { name: api, namespace: shop }
    spec:
      ipFamilyPolicy: PreferDualStack
      selector: { app: api }
      ports: [ { name: web, port: 80, targetPort: http } ]
  - apiVersion: v1
    kind: Service
    metadata: { name: none, namespace: shop }
    spec: { selector: { app: nobody }, ports: [ { port: 80, name: web }, { port: 53, protocol: UDP, name: dns } ] }
  - apiVersion: v1
    kind: Service
    metadata: { name: local, namespace: shop }
    spec: { internalTrafficPolicy: Local, selector: { app: api }, ports: [ { port: 80, targetPort: http } ] }
  - apiVersion: v1
    kind: Service
    metadata: { name: sticky, namespace: shop }
    spec:
      selector: { app: api }
      sessionAffinity: ClientIP
      sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } }
      ports: [ { port: 80, targetPort: http } ]
  - apiVersion: v1
    kind: Service
    metadata: { name: close, namespace: shop }
    spec: { trafficDistribution: PreferClose, selector: { app: api }, ports: [ { port: 80, targetPort: http } ] }
  - apiVersion: v1
    kind: Service
    metadata: { name: np, namespace: shop }
    spec: { type: NodePort, selector: { app: api }, ports: [ { port: 80, targetPort: http, nodePort: 30080 } ] }
  - apiVersion: v1
    kind: Service
    metadata: { name: headless, namespace: shop }
    spec: { clusterIP: None, selector: { app: api }, ports: [ { port: 80 } ] }
`);
  const a = compileNodeRuleset(s, "node-a");
  const b = compileNodeRuleset(s, "node-b");

  it("dispatches cluster IP . protocol . port through a verdict map, per family", () => {
    assert.deepEqual(rulesOf(a, "services").slice(0, 1), ["ip daddr . meta l4proto . th dport vmap @service-ips-v4"]);
    assert.ok(rulesOf(a, "services").includes("ip6 daddr . meta l4proto . th dport vmap @service-ips-v6"));
    assert.match(elementsOf(a, "service-ips-v4"), new RegExp(`${svcIp(s, "shop/api")} \\. tcp \\. 80 : goto cluster-v4-shop/api/tcp/web`));
    assert.match(elementsOf(a, "service-ips-v6"), new RegExp(`${svcIp(s, "shop/api", "ipv6")} \\. tcp \\. 80 : goto cluster-v6-shop/api/tcp/web`));
    assert.deepEqual(rulesOf(a, "nat-prerouting"), ["jump services"]);
    assert.deepEqual(rulesOf(a, "nat-output"), ["jump services"]);
  });

  it("picks a random ready endpoint and DNATs to the per-pod named targetPort", () => {
    assert.deepEqual(rulesOf(a, "cluster-v4-shop/api/tcp/web"), [
      "numgen random mod 2 vmap { 0 : goto ep-v4-shop/api/tcp/web-shop-api-0, 1 : goto ep-v4-shop/api/tcp/web-shop-api-1 }",
    ]);
    assert.deepEqual(rulesOf(a, "ep-v4-shop/api/tcp/web-shop-api-0"), [
      `ip saddr ${podIp(s, "shop/api-0")} jump mark-for-masquerade`,
      `meta l4proto tcp dnat ip to ${podIp(s, "shop/api-0")}:8080`,
    ]);
    assert.ok(rulesOf(a, "ep-v4-shop/api/tcp/web-shop-api-1").includes(`meta l4proto tcp dnat ip to ${podIp(s, "shop/api-1")}:8081`));
    assert.ok(rulesOf(a, "ep-v6-shop/api/tcp/web-shop-api-0").includes(`meta l4proto tcp dnat ip6 to [${podIp(s, "shop/api-0", "ipv6")}]:8080`));
  });

  it("rejects a Service without endpoints (TCP reset, ICMP port unreachable) after DNAT", () => {
    const none = svcIp(s, "shop/none");
    assert.match(elementsOf(a, "no-endpoint-services-v4"), new RegExp(`${none} \\. tcp \\. 80 : goto reject-chain`));
    assert.match(elementsOf(a, "no-endpoint-services-v4"), new RegExp(`${none} \\. udp \\. 53 : goto reject-chain`));
    assert.deepEqual(rulesOf(a, "reject-chain"), ["meta l4proto tcp reject with tcp reset", "reject with icmpx port-unreachable"]);
    assert.ok(/add chain inet netspec filter-prerouting \{ type filter hook prerouting priority -90 ;/.test(a));
    assert.ok(rulesOf(a, "service-endpoints-check").includes("ip daddr @cluster-ips-v4 goto reject-chain"));
  });

  it("internalTrafficPolicy Local: this node's endpoints only, drop when it has none", () => {
    const ip = svcIp(s, "shop/local");
    assert.match(elementsOf(a, "service-ips-v4"), new RegExp(`${ip} \\. tcp \\. 80 : goto local-v4-shop/local/tcp/80`));
    assert.deepEqual(rulesOf(a, "local-v4-shop/local/tcp/80"), ["goto ep-v4-shop/local/tcp/80-shop-api-0"]);
    const s2 = scenario(SHOP.replace("node: node-b", "node: node-a") + `
resources:
  - apiVersion: v1
    kind: Service
    metadata: { name: local, namespace: shop }
    spec: { internalTrafficPolicy: Local, selector: { app: api }, ports: [ { port: 80, targetPort: http } ] }
`);
    const b2 = compileNodeRuleset(s2, "node-b");
    assert.match(elementsOf(b2, "no-endpoint-services-v4"), new RegExp(`${svcIp(s2, "shop/local")} \\. tcp \\. 80 : drop`));
    assert.ok(!elementsOf(b2, "service-ips-v4").includes(svcIp(s2, "shop/local")));
  });

  it("sessionAffinity ClientIP: a dynamic timeout set per endpoint, checked before the random pick", () => {
    const chain = "cluster-v4-shop/sticky/tcp/80";
    assert.deepEqual(rulesOf(a, chain), [
      "ip saddr @aff-v4-shop/sticky/tcp/80-shop-api-0 goto ep-v4-shop/sticky/tcp/80-shop-api-0",
      "ip saddr @aff-v4-shop/sticky/tcp/80-shop-api-1 goto ep-v4-shop/sticky/tcp/80-shop-api-1",
      "numgen random mod 2 vmap { 0 : goto ep-v4-shop/sticky/tcp/80-shop-api-0, 1 : goto ep-v4-shop/sticky/tcp/80-shop-api-1 }",
    ]);
    assert.ok(a.includes("add set inet netspec aff-v4-shop/sticky/tcp/80-shop-api-0 { type ipv4_addr ; flags dynamic,timeout ; timeout 60s ; }"));
    assert.ok(rulesOf(a, "ep-v4-shop/sticky/tcp/80-shop-api-0").includes("update @aff-v4-shop/sticky/tcp/80-shop-api-0 { ip saddr }"));
  });

  it("trafficDistribution PreferClose: same-zone endpoints on each node", () => {
    assert.deepEqual(rulesOf(a, "cluster-v4-shop/close/tcp/80"), ["goto ep-v4-shop/close/tcp/80-shop-api-0"]);
    assert.deepEqual(rulesOf(b, "cluster-v4-shop/close/tcp/80"), ["goto ep-v4-shop/close/tcp/80-shop-api-1"]);
  });

  it("NodePort: fib daddr type local → nodeports map → masquerade and the cluster chain", () => {
    assert.ok(rulesOf(a, "services").includes("meta nfproto ipv4 fib daddr type local ip daddr != 127.0.0.0/8 jump nodeports"));
    assert.match(elementsOf(a, "service-nodeports-v4"), /tcp \. 30080 : goto external-v4-shop\/np\/tcp\/80/);
    assert.deepEqual(rulesOf(a, "external-v4-shop/np/tcp/80"), ["jump mark-for-masquerade", "goto cluster-v4-shop/np/tcp/80"]);
    assert.deepEqual(rulesOf(a, "nat-postrouting"), ["meta mark & 0x4000 == 0 return", "meta mark set meta mark ^ 0x4000", "masquerade fully-random"]);
  });

  it("load-balancer addresses and external IPs: the service map into the external chain; source ranges before DNAT", () => {
    const s4 = scenario(`
namespaces: [ { name: shop } ]
pods:
  - { name: api, namespace: shop, labels: { app: api }, node: node-a, ports: [ { name: http, port: 8080 } ] }
resources:
  - apiVersion: v1
    kind: Service
    metadata: { name: lb, namespace: shop }
    spec: { type: LoadBalancer, externalTrafficPolicy: Local, loadBalancerSourceRanges: [ 203.0.113.0/24 ], externalIPs: [ 198.51.100.9 ],
            selector: { app: api }, ports: [ { port: 80, targetPort: http } ] }
`);
    const lb = s4.services.find((x) => x.id === "shop/lb")!;
    const [a4, b4] = [compileNodeRuleset(s4, "node-a"), compileNodeRuleset(s4, "node-b")];
    const chain = "external-v4-shop/lb/tcp/80";
    const serviceIps = elementsOf(a4, "service-ips-v4");
    assert.ok(serviceIps.includes(`${lb.loadBalancerIPs.ipv4} . tcp . 80 : goto ${chain}`), serviceIps);
    assert.ok(serviceIps.includes(`198.51.100.9 . tcp . 80 : goto ${chain}`), serviceIps);
    // Local: pods and the node itself use every endpoint; the rest this node's (node-b has none: drop).
    assert.equal(rulesOf(a4, chain).at(-1), "goto local-v4-shop/lb/tcp/80");
    assert.equal(rulesOf(b4, chain).at(-1), "drop");
    assert.deepEqual(rulesOf(a4, "filter-prerouting-pre-dnat"), ["ip daddr . meta l4proto . th dport vmap @firewall-ips-v4"]);
    assert.deepEqual(rulesOf(a4, "firewall-v4-shop/lb/tcp/80"), ["ip saddr { 203.0.113.0/24 } return", "drop"]);
    assert.match(elementsOf(a4, "firewall-ips-v4"), /: goto firewall-v4-shop\/lb\/tcp\/80$/);
  });

  it("host ports: DNAT on the pod's node only, hairpin masqueraded", () => {
    const s5 = scenario(`
namespaces: [ { name: edge } ]
pods:
  - { name: proxy, namespace: edge, node: node-a, ports: [ { port: 8443, hostPort: 443 } ] }
`);
    const ip = podIp(s5, "edge/proxy");
    const match = "meta nfproto ipv4 fib daddr type local ip daddr != 127.0.0.0/8 tcp dport 443";
    assert.deepEqual(rulesOf(compileNodeRuleset(s5, "node-a"), "hostports"), [`ip saddr ${ip} ${match} jump mark-for-masquerade`, `${match} dnat ip to ${ip}:8443`]);
    assert.deepEqual(rulesOf(compileNodeRuleset(s5, "node-a"), "nat-prerouting"), ["jump hostports", "jump services"]);
    assert.deepEqual(rulesOf(compileNodeRuleset(s5, "node-b"), "hostports"), []);
  });

  it("headless Services get no rules", () => {
    assert.ok(!a.includes("shop/headless"));
  });

  it("endpoints: readiness, selector {}, named targetPort with protocol", () => {
    const s3 = scenario(`
namespaces: [ { name: ns } ]
pods:
  - { name: a, namespace: ns, labels: { app: x }, ports: [ { name: p, port: 81, protocol: UDP } ] }
  - { name: b, namespace: ns, labels: { app: x }, ready: false, ports: [ { name: p, port: 82 } ] }
  - { name: c, namespace: ns, labels: { app: x }, ports: [ { name: p, port: 83 } ] }
`);
    const base = { id: "ns/s", namespace: "ns", name: "s", type: "ClusterIP", headless: false, families: ["ipv4"], clusterIPs: {},
      internalTrafficPolicy: "Cluster", externalTrafficPolicy: "Cluster", topologyModeAuto: false, sessionAffinity: "None",
      publishNotReadyAddresses: false, system: false, manifest: {} } as never as Parameters<typeof serviceEndpoints>[1];
    const port = { port: 80, protocol: "TCP" as const, targetPort: "p" };
    assert.deepEqual(serviceEndpoints(s3.pods, { ...base, selector: { app: "x" } }, port, "ipv4").map((e) => `${e.pod.name}:${e.port}`), ["c:83"]);
    assert.deepEqual(serviceEndpoints(s3.pods, { ...base, selector: { app: "x" }, publishNotReadyAddresses: true }, port, "ipv4").map((e) => e.pod.name), ["b", "c"]);
    assert.deepEqual(serviceEndpoints(s3.pods, { ...base, selector: {} }, port, "ipv4"), []);
    assert.deepEqual(serviceEndpoints(s3.pods, { ...base, selector: undefined }, port, "ipv4"), []);
    const eps = serviceEndpoints(s3.pods, { ...base, selector: { app: "x" } }, { ...port, targetPort: 8080 }, "ipv4");
    assert.equal(eps.length, 2);
    assert.equal(topologyEndpoints({ scenario: s3, node: s3.nodes[0]! }, { ...base, trafficDistribution: "PreferClose" }, eps).length, 2);
  });
});

describe("nft ruleset: NetworkPolicy", () => {
  const s = scenario(SHOP + `
resources:
  - apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata: { name: api-ingress, namespace: shop }
    spec:
      podSelector: { matchLabels: { app: api } }
      ingress:
        - from: [ { podSelector: { matchLabels: { app: frontend } } } ]
          ports: [ { port: http } ]
        - from: [ { namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: ops } }, podSelector: { matchLabels: { app: tool } } } ]
          ports: [ { port: 9000, endPort: 9100 }, { protocol: UDP } ]
        - from: [ { ipBlock: { cidr: 10.0.0.0/8, except: [ 10.244.0.0/16, 10.1.0.0/16 ] } } ]
  - apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata: { name: fe-egress, namespace: shop }
    spec:
      podSelector: { matchLabels: { app: frontend } }
      egress:
        - to: [ { podSelector: { matchLabels: { app: api } } } ]
          ports: [ { port: http } ]
  - apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata: { name: ops-deny, namespace: ops }
    spec: { podSelector: {}, policyTypes: [ Ingress, Egress ] }
`);
  const a = compileNodeRuleset(s, "node-a");

  it("forward: established first, then egress by source and ingress by destination (after DNAT)", () => {
    assert.deepEqual(rulesOf(a, "forward"), [
      "ct state established,related accept",
      "ip saddr vmap @egress-v4", "ip6 saddr vmap @egress-v6",
      "ip daddr vmap @ingress-v4", "ip6 daddr vmap @ingress-v6",
    ]);
    assert.match(a, /add chain inet netspec forward \{ type filter hook forward priority 0 ; policy accept ; \}/);
  });

  it("dispatches only isolated pods of this node, per direction and family", () => {
    const ing = elementsOf(a, "ingress-v4");
    assert.ok(ing.includes(`${podIp(s, "shop/api-0")} : jump ing-shop-api-0`));
    assert.ok(ing.includes(`${podIp(s, "ops/tool")} : jump ing-ops-tool`));
    // fe-egress has no policyTypes: the default is Ingress (always) plus Egress (it has egress
    // rules), so the frontend is isolated for ingress too, with no rule allowing anything.
    assert.ok(ing.includes(`${podIp(s, "shop/frontend")} : jump ing-shop-frontend`));
    assert.deepEqual(rulesOf(a, "ing-shop-frontend").slice(2), [`drop comment "isolated by NetworkPolicy"`]);
    assert.ok(elementsOf(a, "egress-v6").includes(`${podIp(s, "shop/frontend", "ipv6")} : jump egr-shop-frontend`));
    assert.ok(!elementsOf(a, "egress-v4").includes(podIp(s, "shop/api-0")));
  });

  it("ingress: self allowed, union of rules, named port resolved on the pod, drop at the end", () => {
    const rules = rulesOf(a, "ing-shop-api-0");
    assert.equal(rules[0], `ip saddr ${podIp(s, "shop/api-0")} accept comment "self"`);
    assert.equal(rules[1], `ip6 saddr ${podIp(s, "shop/api-0", "ipv6")} accept comment "self"`);
    assert.match(rules[2]!, /^ip saddr @peers-v4-\w+ tcp dport 8080 accept comment "np shop\/api-ingress ingress\[0\]"$/);
    assert.ok(rules.some((r) => /^ip saddr @peers-v4-\w+ tcp dport 9000-9100 accept/.test(r)));
    assert.ok(rules.some((r) => /^ip6 saddr @peers-v6-\w+ meta l4proto udp accept/.test(r)));
    assert.equal(rules.at(-1), `drop comment "isolated by NetworkPolicy"`);
  });

  it("peer sets hold the selected pods; ipBlock minus except as merged ranges", () => {
    const fe = podIp(s, "shop/frontend");
    const setLine = a.split("\n").find((l) => l.startsWith("add element inet netspec peers-v4-") && l.includes(`{ ${fe} }`));
    assert.ok(setLine, "a set with exactly the frontend's address");
    assert.ok(a.includes("{ 10.0.0.0/16, 10.2.0.0-10.243.255.255, 10.245.0.0-10.255.255.255 }"));
    assert.match(a, /add set inet netspec peers-v4-\w+ \{ type ipv4_addr ; flags interval ; \}/);
  });

  it("egress: named port resolved on every destination pod as address . protocol . port", () => {
    const rules = rulesOf(a, "egr-shop-frontend");
    assert.equal(rules[0], `ip daddr ${podIp(s, "shop/frontend")} return comment "self"`);
    const rule = rules.find((r) => r.startsWith("ip daddr . meta l4proto . th dport @ports-v4-"));
    assert.ok(rule, rules.join("\n"));
    assert.match(rule, /^ip daddr \. meta l4proto \. th dport @(ports-v4-\w+) return comment "np shop\/fe-egress egress\[0\]"$/);
    const set = /@(ports-v4-\w+)/.exec(rule)![1]!;
    assert.ok(a.includes(`add set inet netspec ${set} { type ipv4_addr . inet_proto . inet_service ; }`));
    assert.equal(elementsOf(a, set), `${podIp(s, "shop/api-0")} . tcp . 8080, ${podIp(s, "shop/api-1")} . tcp . 8081`);
    assert.equal(rules.at(-1), `drop comment "isolated by NetworkPolicy"`);
  });

  it("an empty policy isolates both ways with no allow rule", () => {
    assert.deepEqual(rulesOf(a, "ing-ops-tool").slice(2), [`drop comment "isolated by NetworkPolicy"`]);
    assert.deepEqual(rulesOf(a, "egr-ops-tool").slice(2), [`drop comment "isolated by NetworkPolicy"`]);
  });

  it("egress is also judged on the input hook (TCP/UDP/SCTP to the node itself)", () => {
    assert.ok(rulesOf(a, "input").includes("meta l4proto { tcp, udp, sctp } ip saddr vmap @egress-v4"));
    assert.ok(!rulesOf(compileNodeRuleset(s, "node-a", { enforceEgressToNode: false }), "input").some((r) => r.includes("vmap")));
  });
});

describe("nft ruleset: AdminNetworkPolicy and BaselineAdminNetworkPolicy", () => {
  const s = scenario(SHOP + `
resources:
  - apiVersion: policy.networking.k8s.io/v1alpha1
    kind: AdminNetworkPolicy
    metadata: { name: second }
    spec:
      priority: 20
      subject: { namespaces: { matchLabels: { team: shop } } }
      ingress:
        - { name: deny-ops, action: Deny, from: [ { namespaces: { matchLabels: { kubernetes.io/metadata.name: ops } } } ], ports: [ { portRange: { start: 8000, end: 8999 } } ] }
  - apiVersion: policy.networking.k8s.io/v1alpha1
    kind: AdminNetworkPolicy
    metadata: { name: first }
    spec:
      priority: 10
      subject: { pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: api } } } }
      ingress:
        - { name: pass-fe, action: Pass, from: [ { pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: frontend } } } } ] }
        - { name: allow-tool, action: Allow, from: [ { namespaces: {} } ], ports: [ { namedPort: metrics } ] }
      egress:
        - { name: nets, action: Deny, to: [ { networks: [ 192.0.2.0/24 ] }, { nodes: { matchLabels: { kubernetes.io/hostname: node-b } } } ] }
  - apiVersion: policy.networking.k8s.io/v1alpha1
    kind: BaselineAdminNetworkPolicy
    metadata: { name: default }
    spec:
      subject: { namespaces: {} }
      ingress: [ { action: Deny, from: [ { namespaces: {} } ] } ]
      egress: [ { action: Allow, to: [ { pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: api } } } } ] } ]
`);
  const a = compileNodeRuleset(s, "node-a", { nodeAddresses: { "node-b": { ipv4: ["172.18.0.3"] } } });

  it("orders ANPs by priority, rules in order; Pass jumps to the NP tier, Allow accepts", () => {
    const rules = rulesOf(a, "ing-shop-api-0");
    const origins = rules.map((r) => /comment "(.*)"$/.exec(r)?.[1]).filter(Boolean);
    assert.deepEqual([...new Set(origins)], [
      "self", "anp first ingress[0] pass-fe", "anp first ingress[1] allow-tool", "anp second ingress[0] deny-ops",
    ]);
    assert.ok(rules.some((r) => /^ip saddr @peers-v4-\w+ goto ing-np-shop-api-0 comment "anp first ingress\[0\] pass-fe"$/.test(r)));
    assert.ok(rules.some((r) => /^ip saddr @peers-v4-\w+ tcp dport 9090 accept comment "anp first ingress\[1\]/.test(r)), "namedPort resolved on the subject pod");
    assert.ok(rules.some((r) => /^ip saddr @peers-v4-\w+ tcp dport 8000-8999 drop comment "anp second/.test(r)));
    assert.equal(rules.at(-1), "goto ing-np-shop-api-0");
  });

  it("the tier after ANP: BANP rules then allow, when no NetworkPolicy isolates the pod", () => {
    const tier = rulesOf(a, "ing-np-shop-api-0");
    assert.match(tier[0]!, /^ip saddr @peers-v4-\w+ drop comment "banp default ingress\[0\]"$/);
    assert.equal(tier.at(-1), "accept");
    const egress = rulesOf(a, "egr-shop-frontend");
    assert.ok(egress.some((r) => /^ip daddr @peers-v4-\w+ return comment "banp default egress\[0\]"$/.test(r)));
    assert.equal(egress.at(-1), "return");
  });

  it("egress peers: networks and node addresses", () => {
    const rules = rulesOf(a, "egr-shop-api-0");
    assert.ok(rules.some((r) => /^ip daddr @peers-v4-\w+ drop comment "anp first egress\[0\] nets"$/.test(r)));
    assert.ok(a.includes("{ 172.18.0.3, 192.0.2.0/24 }"));
  });

  it("podDirectionPolicy exposes the tiers it compiled", () => {
    const ctxPod = s.pods.find((p) => p.id === "shop/frontend")!;
    const ctx = { scenario: s, node: s.nodes[0]!, podNetworkPods: s.pods, nodeAddresses: {},
      namespaceLabels: new Map(s.namespaces.map((n) => [n.name, n.labels])), memo: new Map() } as never;
    const policy = podDirectionPolicy(ctx, ctxPod, "ingress");
    assert.equal(policy.admin.length, 1, "only ANP 'second' selects the frontend");
    assert.equal(policy.networkPolicy, undefined);
    assert.equal(policy.baseline.length, 1);
  });
});

// ClusterNetworkPolicy (policy.networking.k8s.io/v1alpha2): the Admin tier joins the ANP list,
// the Baseline tier the BANP list (policies.ts).
const cnp = (name: string, tier: "Admin" | "Baseline", priority: number, subject: string, rules: string) => `
  - apiVersion: policy.networking.k8s.io/v1alpha2
    kind: ClusterNetworkPolicy
    metadata: { name: ${name} }
    spec:
      tier: ${tier}
      priority: ${priority}
      subject: ${subject}
${rules}`;
const API_PODS = "{ pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: api } } } }";
const SHOP_NS = "{ namespaces: { matchLabels: { team: shop } } }";
const API_FROM_FRONTEND = `
  - apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata: { name: api-from-frontend, namespace: shop }
    spec:
      podSelector: { matchLabels: { app: api } }
      ingress: [ { from: [ { podSelector: { matchLabels: { app: frontend } } } ], ports: [ { port: http } ] } ]
`;
const originsOf = (rules: readonly string[]) => [...new Set(rules.map((r) => /comment "(.*)"$/.exec(r)?.[1]).filter(Boolean))];

describe("nft ruleset: ClusterNetworkPolicy", () => {
  it("Admin Deny comes before the NetworkPolicy tier's allow, in the same chain", () => {
    const s = scenario(SHOP + "resources:" + API_FROM_FRONTEND + cnp("deny-frontend", "Admin", 10, API_PODS, `
      ingress: [ { name: no-fe, action: Deny, from: [ { pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: frontend } } } } ] } ]`));
    const rules = rulesOf(compileNodeRuleset(s, "node-a"), "ing-shop-api-0");
    const deny = rules.findIndex((r) => /^ip saddr @peers-v4-\w+ drop comment "cnp deny-frontend ingress\[0\] no-fe"$/.test(r));
    const allow = rules.findIndex((r) => /tcp dport 8080 accept comment "np shop\/api-from-frontend ingress\[0\]"$/.test(r));
    assert.ok(deny >= 0 && allow > deny, rules.join("\n"));
    assert.ok(rules.some((r) => /^ip6 saddr @peers-v6-\w+ drop comment "cnp deny-frontend/.test(r)), "both families");
    assert.equal(rules.at(-1), `drop comment "isolated by NetworkPolicy"`);
  });

  it("Admin Pass goes to the NetworkPolicy tier; Accept skips it", () => {
    const s = scenario(SHOP + "resources:" + API_FROM_FRONTEND + cnp("pass-frontend", "Admin", 10, API_PODS, `
      ingress:
        - { name: pass-fe, action: Pass, from: [ { pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: frontend } } } } ] }
        - { name: ops-metrics, action: Accept, from: [ { namespaces: { matchLabels: { kubernetes.io/metadata.name: ops } } } ], protocols: [ { destinationNamedPort: metrics } ] }`));
    const a = compileNodeRuleset(s, "node-a");
    const rules = rulesOf(a, "ing-shop-api-0");
    assert.ok(rules.some((r) => /^ip saddr @peers-v4-\w+ goto ing-np-shop-api-0 comment "cnp pass-frontend ingress\[0\] pass-fe"$/.test(r)), rules.join("\n"));
    assert.ok(rules.some((r) => /^ip saddr @peers-v4-\w+ tcp dport 9090 accept comment "cnp pass-frontend ingress\[1\] ops-metrics"$/.test(r)),
      "destinationNamedPort resolved on the subject pod");
    assert.equal(rules.at(-1), "goto ing-np-shop-api-0");
    const tier = rulesOf(a, "ing-np-shop-api-0");
    assert.deepEqual(originsOf(tier), ["np shop/api-from-frontend ingress[0]", "isolated by NetworkPolicy"]);
  });

  it("Baseline: a NetworkPolicy overrides it; Pass is the default (allowed); rules by priority", () => {
    const s = scenario(SHOP + "resources:" + API_FROM_FRONTEND +
      cnp("deny-all", "Baseline", 20, SHOP_NS, `
      ingress: [ { name: deny, action: Deny, from: [ { namespaces: {} } ] } ]`) +
      cnp("pass-tool", "Baseline", 10, SHOP_NS, `
      ingress: [ { name: pass, action: Pass, from: [ { pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: tool } } } } ] } ]`));
    const a = compileNodeRuleset(s, "node-a");
    assert.ok(!rulesOf(a, "ing-shop-api-0").some((r) => r.includes("cnp ")), "the NetworkPolicy tier decides for api-0");
    const fe = rulesOf(a, "ing-shop-frontend");
    assert.deepEqual(originsOf(fe), ["self", "cnp pass-tool ingress[0] pass", "cnp deny-all ingress[0] deny"]);
    assert.ok(fe.some((r) => /^ip saddr @peers-v4-\w+ accept comment "cnp pass-tool ingress\[0\] pass"$/.test(r)), fe.join("\n"));
    assert.ok(fe.some((r) => /^ip saddr @peers-v4-\w+ drop comment "cnp deny-all ingress\[0\] deny"$/.test(r)));
    assert.equal(fe.at(-1), "accept");
  });

  it("protocols: port number, range, UDP, SCTP and named ports (ingress on the pod, egress on every destination)", () => {
    const s = scenario(SHOP + "resources:" +
      cnp("ports", "Admin", 10, API_PODS, `
      ingress:
        - action: Accept
          from: [ { namespaces: {} } ]
          protocols:
            - { tcp: { destinationPort: { number: 8080 } } }
            - { tcp: { destinationPort: { range: { start: 9000, end: 9100 } } } }
            - { udp: { destinationPort: { number: 53 } } }
            - { sctp: { destinationPort: { number: 5000 } } }
            - { destinationNamedPort: metrics }`) +
      cnp("fe-egress", "Admin", 20, "{ pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: frontend } } } }", `
      egress: [ { action: Deny, to: [ { pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: api } } } } ], protocols: [ { destinationNamedPort: http } ] } ]`));
    const a = compileNodeRuleset(s, "node-a");
    const rules = rulesOf(a, "ing-shop-api-0").filter((r) => r.startsWith("ip saddr @") && r.includes("cnp ports"));
    assert.deepEqual(rules.map((r) => r.replace(/^ip saddr @peers-v4-\w+ /, "").replace(/ comment.*/, "")), [
      "tcp dport 8080 accept", "tcp dport 9000-9100 accept", "udp dport 53 accept", "sctp dport 5000 accept", "tcp dport 9090 accept",
    ], rules.join("\n"));
    const egress = rulesOf(a, "egr-shop-frontend").find((r) => r.includes("cnp fe-egress"));
    assert.match(egress ?? "", /^ip daddr \. meta l4proto \. th dport @(ports-v4-\w+) drop comment "cnp fe-egress egress\[0\]"$/);
    const set = /@(ports-v4-\w+)/.exec(egress!)![1]!;
    assert.equal(elementsOf(a, set), `${podIp(s, "shop/api-0")} . tcp . 8080, ${podIp(s, "shop/api-1")} . tcp . 8081`);
  });

  it("egress peers: networks (pod-to-pod included, host bits masked), nodes by label, domainNames match nothing", () => {
    const s = scenario(SHOP + "resources:" + cnp("egress", "Admin", 10, API_PODS, `
      egress:
        - { name: names, action: Accept, to: [ { domainNames: [ example.com ] } ] }
        - { name: node-b, action: Deny, to: [ { nodes: { matchLabels: { kubernetes.io/hostname: node-b } } } ], protocols: [ { udp: { destinationPort: { number: 53 } } } ] }
        - { name: nets, action: Deny, to: [ { networks: [ 10.244.0.0/16, 192.0.2.77/24, "fd00:10:244::/56" ] } ] }`));
    const a = compileNodeRuleset(s, "node-a", { nodeAddresses: {
      "node-a": { ipv4: ["172.18.0.2"], ipv6: ["fc00::2"] }, "node-b": { ipv4: ["172.18.0.3"], ipv6: ["fc00::3"] },
    } });
    const rules = rulesOf(a, "egr-shop-api-0");
    assert.ok(!rules.some((r) => r.includes("names")), "a domainNames peer emits no rule");
    const nodeRule = rules.find((r) => r.includes("node-b") && r.startsWith("ip "));
    assert.match(nodeRule ?? "", /^ip daddr @(peers-v4-\w+) udp dport 53 drop comment "cnp egress egress\[1\] node-b"$/);
    assert.equal(elementsOf(a, /@(peers-v4-\w+)/.exec(nodeRule!)![1]!), "172.18.0.3");
    const v6node = rules.find((r) => r.includes("node-b") && r.startsWith("ip6 "));
    assert.equal(elementsOf(a, /@(peers-v6-\w+)/.exec(v6node!)![1]!), "fc00::3");
    const nets = rules.find((r) => r.includes("nets") && r.startsWith("ip "));
    assert.match(nets ?? "", /^ip daddr @(peers-v4-\w+) drop comment "cnp egress egress\[2\] nets"$/);
    const elements = elementsOf(a, /@(peers-v4-\w+)/.exec(nets!)![1]!);
    assert.equal(elements, "10.244.0.0/16, 192.0.2.0/24");
    assert.ok(podIp(s, "shop/api-1").startsWith("10.244."), "the pod subnet holds the other pods: pod-to-pod traffic matches");
    assert.ok(rules.some((r) => r.startsWith("ip6 daddr @peers-v6-") && r.includes("nets")));
  });

  it("a nodes peer covers the node's hostNetwork pods (the node's address); pod peers never do", () => {
    const s = scenario(SHOP.replace("pods:\n", `pods:
  - { name: agent, namespace: ops, labels: { app: agent }, node: node-b, hostNetwork: true, ports: [ { name: agent, port: 9100 } ] }
`) + "resources:" + cnp("agents", "Admin", 10, API_PODS, `
      egress:
        - { name: to-node-b, action: Deny, to: [ { nodes: { matchLabels: { kubernetes.io/hostname: node-b } } } ] }
        - { name: to-pods, action: Deny, to: [ { pods: { namespaceSelector: {}, podSelector: {} } } ] }`));
    const a = compileNodeRuleset(s, "node-a", { nodeAddresses: { "node-b": { ipv4: ["172.18.0.3"] } } });
    const rules = rulesOf(a, "egr-shop-api-0");
    const set = (origin: string) => elementsOf(a, /@(peers-v4-\w+)/.exec(rules.find((r) => r.startsWith("ip ") && r.includes(origin))!)![1]!);
    // The hostNetwork pod holds its node's address, so the set is that address once.
    assert.equal(podIp(s, "ops/agent"), "172.18.0.3");
    assert.equal(set("to-node-b"), "172.18.0.3");
    const podNetwork = mergeRanges(s.pods.filter((p) => !p.hostNetwork).map((p) => addressRange(p.ips.ipv4!)));
    assert.equal(set("to-pods"), podNetwork.map(formatRange).join(", "), "every pod but the hostNetwork one");
  });

  it("interleaves ANPs and Admin CNPs by priority (ANP first on a tie, then name); BANP before Baseline CNPs", () => {
    const deny = (tag: string) => `
      ingress: [ { name: ${tag}, action: Deny, from: [ { pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: tool } } } } ] } ]`;
    const s = scenario(SHOP + `resources:
  - apiVersion: policy.networking.k8s.io/v1alpha1
    kind: AdminNetworkPolicy
    metadata: { name: anp-20 }
    spec: { priority: 20, subject: { namespaces: {} }, ingress: [ { action: Deny, from: [ { namespaces: { matchLabels: { kubernetes.io/metadata.name: ops } } } ] } ] }
  - apiVersion: policy.networking.k8s.io/v1alpha1
    kind: BaselineAdminNetworkPolicy
    metadata: { name: default }
    spec: { subject: { namespaces: {} }, ingress: [ { action: Deny, from: [ { namespaces: { matchLabels: { kubernetes.io/metadata.name: ops } } } ] } ] }
` + cnp("z-cnp-20", "Admin", 20, SHOP_NS, deny("z")) + cnp("cnp-10", "Admin", 10, SHOP_NS, deny("ten")) +
      cnp("a-cnp-20", "Admin", 20, SHOP_NS, deny("a")) + cnp("base-0", "Baseline", 0, SHOP_NS, deny("base")));
    const a = compileNodeRuleset(s, "node-a");
    assert.deepEqual(originsOf(rulesOf(a, "ing-shop-frontend")), [
      "self", "cnp cnp-10 ingress[0] ten", "anp anp-20 ingress[0]", "cnp a-cnp-20 ingress[0] a", "cnp z-cnp-20 ingress[0] z",
      "banp default ingress[0]", "cnp base-0 ingress[0] base",
    ]);
    assert.equal(compileNodeRuleset(s, "node-a"), a, "deterministic");
  });
});

describe("nft ranges and identifiers", () => {
  it("cidr minus except, merged and formatted", () => {
    assert.deepEqual(ipBlockRanges("10.0.0.0/24", ["10.0.0.128/25"]).map(formatRange), ["10.0.0.0/25"]);
    assert.deepEqual(ipBlockRanges("10.0.0.0/24", ["10.0.0.1/32"]).map(formatRange), ["10.0.0.0", "10.0.0.2-10.0.0.255"]);
    assert.deepEqual(ipBlockRanges("fd00::/64", ["fd00::/65"]).map(formatRange), ["fd00::8000:0:0:0/65"]);
    assert.deepEqual(ipBlockRanges("10.0.0.0/8", ["fd00::/8"]).map(formatRange), ["10.0.0.0/8"]);
    assert.deepEqual(ipBlockRanges("0.0.0.0/0").map(formatRange), ["0.0.0.0/0"]);
  });

  it("merges overlapping and adjacent ranges per family", () => {
    const merged = mergeRanges([addressRange("10.0.0.1"), addressRange("10.0.0.2"), cidrRange("10.0.0.0/30"), addressRange("::1")]);
    assert.deepEqual(merged.map(formatRange), ["10.0.0.0/30", "::1"]);
  });

  it("identifiers are valid for nft and unique when shortened", () => {
    assert.equal(ident("ing", "shop", "api-0"), "ing-shop-api-0");
    const long1 = ident("ep", "x".repeat(300), 1);
    const long2 = ident("ep", "x".repeat(300), 2);
    assert.ok(long1.length <= 200 && long1 !== long2);
    assert.match(ident("a:b"), /^a_b_[0-9a-f]{10}$/);
  });
});

describe("nft compiler independence", () => {
  it("never imports the oracle (SPEC invariant)", () => {
    const dir = dirname(fileURLToPath(import.meta.url));
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".js"))) {
      const text = readFileSync(join(dir, file), "utf8");
      assert.ok(!/from\s+["'][^"']*oracle/.test(text) && !/import\(["'][^"']*oracle/.test(text), `${file} imports the oracle`);
    }
  });
});
