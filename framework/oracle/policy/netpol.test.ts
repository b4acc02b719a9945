// NetworkPolicy v1 semantics, one small case per rule.
import assert from "node:assert/strict";
import { describe, it } from "mocha";
import { decideOnce, np, type AnyPolicy, type PodSpec, type Probe, type ScenarioSpec } from "./fixtures.test-helpers.js";
import { effectivePolicyTypes } from "./netpol.js";
import type { PolicyVerdict } from "./types.js";

const PODS: PodSpec[] = [
  { id: "shop/a", labels: { app: "a" }, ports: [{ name: "http", port: 80 }] },
  { id: "shop/b", labels: { app: "b", tier: "api" }, ports: [{ name: "http", port: 8080 }, { name: "dns", port: 53, protocol: "UDP" }] },
  { id: "shop/c", labels: { app: "c" } },
  { id: "ops/c", labels: { app: "c" } },
  { id: "ops/d", labels: { app: "d" } },
  { id: "other/e", labels: { app: "e" } },
];
const NAMESPACES = { shop: { team: "shop" }, ops: { team: "ops" }, other: {} };

interface Case {
  name: string;
  policies: AnyPolicy[];
  pods?: PodSpec[];
  probe: Probe;
  verdict: PolicyVerdict;
  reason?: RegExp;
}

const denyAllIngress = (ns: string) => np(`${ns}/deny-all-ingress`, { podSelector: {} });
const allowFromPeers = (peers: NonNullable<NonNullable<import("../../kube/types.js").NetworkPolicy["spec"]["ingress"]>[number]["from"]>) =>
  np("shop/allow-b", { podSelector: { matchLabels: { app: "b" } }, ingress: [{ from: peers }] });

const CASES: Case[] = [
  // ---- isolation and policyTypes ----
  { name: "no policy: everything is allowed", policies: [], probe: { from: "shop/a", to: "shop/b", port: 8080 },
    verdict: "allow", reason: /^egress: not isolated; ingress: not isolated$/ },
  { name: "deny-all ingress isolates every pod of the namespace", policies: [denyAllIngress("shop")],
    probe: { from: "ops/c", to: "shop/b", port: 8080 }, verdict: "deny", reason: /^ingress: isolated by shop\/deny-all-ingress; no ingress rule allows it$/ },
  { name: "deny-all ingress does not isolate egress", policies: [denyAllIngress("shop")],
    probe: { from: "shop/a", to: "ops/c", port: 80 }, verdict: "allow" },
  { name: "policyTypes omitted with egress rules: Egress is added (egress isolated)",
    policies: [np("shop/p", { podSelector: { matchLabels: { app: "a" } }, egress: [{ to: [{ podSelector: { matchLabels: { app: "nobody" } } }] }] })],
    probe: { from: "shop/a", to: "shop/b", port: 8080 }, verdict: "deny", reason: /^egress: isolated by shop\/p/ },
  { name: "policyTypes omitted with egress rules: Ingress is still implied",
    policies: [np("shop/p", { podSelector: { matchLabels: { app: "a" } }, egress: [{}] })],
    probe: { from: "shop/b", to: "shop/a", port: 80 }, verdict: "deny", reason: /^ingress: isolated by shop\/p/ },
  { name: "policyTypes omitted with egress: [] : Egress is not added",
    policies: [np("shop/p", { podSelector: { matchLabels: { app: "a" } }, egress: [] })],
    probe: { from: "shop/a", to: "shop/b", port: 8080 }, verdict: "allow" },
  { name: "policyTypes [Egress] ignores ingress rules (ingress not isolated)",
    policies: [np("shop/p", { podSelector: { matchLabels: { app: "a" } }, policyTypes: ["Egress"], ingress: [{ from: [{ podSelector: { matchLabels: { app: "b" } } }] }] })],
    probe: { from: "ops/c", to: "shop/a", port: 80 }, verdict: "allow" },
  { name: "policyTypes [Egress] with no egress rules denies all egress",
    policies: [np("shop/p", { podSelector: { matchLabels: { app: "a" } }, policyTypes: ["Egress"], ingress: [{}] })],
    probe: { from: "shop/a", to: "shop/b", port: 8080 }, verdict: "deny", reason: /^egress: isolated by shop\/p/ },
  { name: "policyTypes [Ingress] ignores egress rules",
    policies: [np("shop/p", { podSelector: { matchLabels: { app: "a" } }, policyTypes: ["Ingress"], ingress: [{}], egress: [{ to: [{ podSelector: { matchLabels: { app: "nobody" } } }] }] })],
    probe: { from: "shop/a", to: "shop/b", port: 8080 }, verdict: "allow" },
  { name: "a policy in another namespace does not isolate the pod",
    policies: [denyAllIngress("ops")], probe: { from: "ops/c", to: "shop/b", port: 8080 }, verdict: "allow" },
  { name: "both ends must allow: egress allowed, destination ingress-isolated",
    policies: [np("shop/eg", { podSelector: { matchLabels: { app: "a" } }, policyTypes: ["Egress"], egress: [{}] }), denyAllIngress("ops")],
    probe: { from: "shop/a", to: "ops/c", port: 80 }, verdict: "deny", reason: /^ingress: isolated by ops\/deny-all-ingress/ },
  { name: "rules of several policies are a union",
    policies: [
      allowFromPeers([{ podSelector: { matchLabels: { app: "a" } } }]),
      np("shop/allow-c", { podSelector: { matchLabels: { app: "b" } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: "c" } } }] }] }),
    ],
    probe: { from: "shop/c", to: "shop/b", port: 8080 }, verdict: "allow", reason: /ingress: allowed by shop\/allow-c ingress\[0\]/ },
  { name: "self traffic is allowed under deny-all in both directions",
    policies: [np("shop/deny-all", { podSelector: {}, policyTypes: ["Ingress", "Egress"] })],
    probe: { from: "shop/a", to: "shop/a", port: 80 }, verdict: "allow", reason: /itself/ },

  // ---- peers ----
  { name: "podSelector alone selects pods in the policy's namespace only",
    policies: [allowFromPeers([{ podSelector: { matchLabels: { app: "c" } } }])],
    probe: { from: "ops/c", to: "shop/b", port: 8080 }, verdict: "deny" },
  { name: "podSelector alone matches a pod of the policy's namespace",
    policies: [allowFromPeers([{ podSelector: { matchLabels: { app: "c" } } }])],
    probe: { from: "shop/c", to: "shop/b", port: 8080 }, verdict: "allow" },
  { name: "namespaceSelector {} with podSelector: matching pods in every namespace",
    policies: [allowFromPeers([{ namespaceSelector: {}, podSelector: { matchLabels: { app: "c" } } }])],
    probe: { from: "ops/c", to: "shop/b", port: 8080 }, verdict: "allow" },
  { name: "namespaceSelector alone: all pods of the matching namespaces",
    policies: [allowFromPeers([{ namespaceSelector: { matchLabels: { team: "ops" } } }])],
    probe: { from: "ops/d", to: "shop/b", port: 8080 }, verdict: "allow" },
  { name: "AND peer (both selectors in one item): pod in namespace — match",
    policies: [allowFromPeers([{ namespaceSelector: { matchLabels: { team: "ops" } }, podSelector: { matchLabels: { app: "c" } } }])],
    probe: { from: "ops/c", to: "shop/b", port: 8080 }, verdict: "allow" },
  { name: "AND peer: right namespace, wrong pod — no match",
    policies: [allowFromPeers([{ namespaceSelector: { matchLabels: { team: "ops" } }, podSelector: { matchLabels: { app: "c" } } }])],
    probe: { from: "ops/d", to: "shop/b", port: 8080 }, verdict: "deny" },
  { name: "AND peer: right pod, wrong namespace — no match",
    policies: [allowFromPeers([{ namespaceSelector: { matchLabels: { team: "ops" } }, podSelector: { matchLabels: { app: "c" } } }])],
    probe: { from: "shop/c", to: "shop/b", port: 8080 }, verdict: "deny" },
  { name: "OR peers (two items): namespace alone is enough",
    policies: [allowFromPeers([{ namespaceSelector: { matchLabels: { team: "ops" } } }, { podSelector: { matchLabels: { app: "c" } } }])],
    probe: { from: "ops/d", to: "shop/b", port: 8080 }, verdict: "allow" },
  { name: "OR peers: local pod alone is enough",
    policies: [allowFromPeers([{ namespaceSelector: { matchLabels: { team: "ops" } } }, { podSelector: { matchLabels: { app: "c" } } }])],
    probe: { from: "shop/c", to: "shop/b", port: 8080 }, verdict: "allow" },
  { name: "OR peers: neither matches",
    policies: [allowFromPeers([{ namespaceSelector: { matchLabels: { team: "ops" } } }, { podSelector: { matchLabels: { app: "c" } } }])],
    probe: { from: "other/e", to: "shop/b", port: 8080 }, verdict: "deny" },
  { name: "ingress: [{}] (rule without from) allows every source, even external",
    policies: [np("shop/p", { podSelector: { matchLabels: { app: "b" } }, ingress: [{}] })],
    probe: { from: "203.0.113.9", to: "shop/b", port: 8080 }, verdict: "allow", reason: /egress: external source; ingress: allowed by shop\/p ingress\[0\]/ },
  { name: "from: [] (empty list) allows every source",
    policies: [np("shop/p", { podSelector: { matchLabels: { app: "b" } }, ingress: [{ from: [] }] })],
    probe: { from: "other/e", to: "shop/b", port: 8080 }, verdict: "allow" },
  { name: "ingress: [] (no rules) allows nothing",
    policies: [np("shop/p", { podSelector: { matchLabels: { app: "b" } }, ingress: [] })],
    probe: { from: "shop/a", to: "shop/b", port: 8080 }, verdict: "deny" },
  { name: "from: [{}] (a peer with no selector, rejected by the API server) matches nothing",
    policies: [allowFromPeers([{}])], probe: { from: "shop/a", to: "shop/b", port: 8080 }, verdict: "deny" },
  { name: "from: [{podSelector: {}}] allows pods of the policy's namespace",
    policies: [allowFromPeers([{ podSelector: {} }])], probe: { from: "shop/a", to: "shop/b", port: 8080 }, verdict: "allow" },
  { name: "from: [{podSelector: {}}] does not allow other namespaces",
    policies: [allowFromPeers([{ podSelector: {} }])], probe: { from: "ops/c", to: "shop/b", port: 8080 }, verdict: "deny" },
  { name: "from: [{namespaceSelector: {}}] allows pods of all namespaces",
    policies: [allowFromPeers([{ namespaceSelector: {} }])], probe: { from: "other/e", to: "shop/b", port: 8080 }, verdict: "allow" },
  { name: "from: [{namespaceSelector: {}}] does not allow external sources",
    policies: [allowFromPeers([{ namespaceSelector: {} }])], probe: { from: "203.0.113.9", to: "shop/b", port: 8080 }, verdict: "deny" },
  { name: "matchExpressions In",
    policies: [allowFromPeers([{ namespaceSelector: {}, podSelector: { matchExpressions: [{ key: "app", operator: "In", values: ["c", "x"] }] } }])],
    probe: { from: "ops/c", to: "shop/b", port: 8080 }, verdict: "allow" },
  { name: "matchExpressions NotIn matches pods without the key",
    policies: [np("shop/p", { podSelector: { matchLabels: { app: "b" } }, ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: "tier", operator: "NotIn", values: ["api"] }] } }] }] })],
    probe: { from: "shop/a", to: "shop/b", port: 8080 }, verdict: "allow" },
  { name: "matchExpressions NotIn excludes a listed value",
    policies: [np("shop/p", { podSelector: { matchLabels: { app: "a" } }, ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: "tier", operator: "NotIn", values: ["api"] }] } }] }] })],
    probe: { from: "shop/b", to: "shop/a", port: 80 }, verdict: "deny" },
  { name: "matchExpressions Exists",
    policies: [np("shop/p", { podSelector: { matchLabels: { app: "a" } }, ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: "tier", operator: "Exists" }] } }] }] })],
    probe: { from: "shop/b", to: "shop/a", port: 80 }, verdict: "allow" },
  { name: "matchExpressions DoesNotExist",
    policies: [np("shop/p", { podSelector: { matchLabels: { app: "a" } }, ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: "tier", operator: "DoesNotExist" }] } }] }] })],
    probe: { from: "shop/b", to: "shop/a", port: 80 }, verdict: "deny" },
  { name: "kubernetes.io/metadata.name selects a namespace by name",
    policies: [allowFromPeers([{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "other" } } }])],
    probe: { from: "other/e", to: "shop/b", port: 8080 }, verdict: "allow" },

  // ---- ipBlock ----
  { name: "ipBlock matches an external address in the CIDR",
    policies: [np("shop/p", { podSelector: { matchLabels: { app: "a" } }, policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: "10.0.0.0/8", except: ["10.1.0.0/16"] } }] }] })],
    probe: { from: "shop/a", to: "10.2.3.4", port: 443 }, verdict: "allow", reason: /ingress: external destination/ },
  { name: "ipBlock except removes addresses from the CIDR",
    policies: [np("shop/p", { podSelector: { matchLabels: { app: "a" } }, policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: "10.0.0.0/8", except: ["10.1.0.0/16"] } }] }] })],
    probe: { from: "shop/a", to: "10.1.2.3", port: 443 }, verdict: "deny" },
  { name: "ipBlock matches pod IPs for direct pod traffic",
    policies: [allowFromPeers([{ ipBlock: { cidr: "10.244.0.10/32" } }])],
    probe: { from: "shop/a", to: "shop/b", port: 8080 }, verdict: "allow" },
  { name: "ipBlock except can exclude a pod IP",
    policies: [allowFromPeers([{ ipBlock: { cidr: "10.244.0.0/16", except: ["10.244.0.10/32"] } }])],
    probe: { from: "shop/a", to: "shop/b", port: 8080 }, verdict: "deny" },
  { name: "IPv4 ipBlock never matches IPv6 traffic",
    policies: [allowFromPeers([{ ipBlock: { cidr: "0.0.0.0/0" } }])],
    probe: { from: "shop/a", to: "shop/b", port: 8080, family: "ipv6" }, verdict: "deny" },
  { name: "IPv4 ipBlock matches IPv4 traffic of the same pods",
    policies: [allowFromPeers([{ ipBlock: { cidr: "0.0.0.0/0" } }])],
    probe: { from: "shop/a", to: "shop/b", port: 8080, family: "ipv4" }, verdict: "allow" },
  { name: "IPv6 ipBlock matches IPv6 traffic",
    policies: [allowFromPeers([{ ipBlock: { cidr: "fd00:10:244::/56" } }])],
    probe: { from: "shop/a", to: "shop/b", port: 8080, family: "ipv6" }, verdict: "allow" },
  { name: "an except of the other family excludes nothing",
    policies: [allowFromPeers([{ ipBlock: { cidr: "0.0.0.0/0", except: ["::/0"] } }])],
    probe: { from: "shop/a", to: "shop/b", port: 8080 }, verdict: "allow" },

  // ---- ports ----
  { name: "ports absent: every port and protocol",
    policies: [allowFromPeers([{ podSelector: { matchLabels: { app: "a" } } }])],
    probe: { from: "shop/a", to: "shop/b", port: 53, protocol: "UDP" }, verdict: "allow" },
  { name: "numeric port matches",
    policies: [np("shop/p", { podSelector: { matchLabels: { app: "b" } }, ingress: [{ ports: [{ port: 8080 }] }] })],
    probe: { from: "shop/a", to: "shop/b", port: 8080 }, verdict: "allow" },
  { name: "protocol defaults to TCP: a port without protocol does not match UDP",
    policies: [np("shop/p", { podSelector: { matchLabels: { app: "b" } }, ingress: [{ ports: [{ port: 53 }] }] })],
    probe: { from: "shop/a", to: "shop/b", port: 53, protocol: "UDP" }, verdict: "deny" },
  { name: "UDP port matches UDP",
    policies: [np("shop/p", { podSelector: { matchLabels: { app: "b" } }, ingress: [{ ports: [{ protocol: "UDP", port: 53 }] }] })],
    probe: { from: "shop/a", to: "shop/b", port: 53, protocol: "UDP" }, verdict: "allow" },
  { name: "UDP port does not match TCP on the same number",
    policies: [np("shop/p", { podSelector: { matchLabels: { app: "b" } }, ingress: [{ ports: [{ protocol: "UDP", port: 53 }] }] })],
    probe: { from: "shop/a", to: "shop/b", port: 53, protocol: "TCP" }, verdict: "deny" },
  { name: "protocol without port: every SCTP port",
    policies: [np("shop/p", { podSelector: { matchLabels: { app: "b" } }, ingress: [{ ports: [{ protocol: "SCTP" }] }] })],
    probe: { from: "shop/a", to: "shop/b", port: 9999, protocol: "SCTP" }, verdict: "allow" },
  { name: "protocol without port: not other protocols",
    policies: [np("shop/p", { podSelector: { matchLabels: { app: "b" } }, ingress: [{ ports: [{ protocol: "SCTP" }] }] })],
    probe: { from: "shop/a", to: "shop/b", port: 9999, protocol: "TCP" }, verdict: "deny" },
  { name: "endPort: the range is inclusive at the end",
    policies: [np("shop/p", { podSelector: { matchLabels: { app: "b" } }, ingress: [{ ports: [{ port: 8000, endPort: 8080 }] }] })],
    probe: { from: "shop/a", to: "shop/b", port: 8080 }, verdict: "allow" },
  { name: "endPort: inclusive at the start",
    policies: [np("shop/p", { podSelector: { matchLabels: { app: "b" } }, ingress: [{ ports: [{ port: 8000, endPort: 8080 }] }] })],
    probe: { from: "shop/a", to: "shop/b", port: 8000 }, verdict: "allow" },
  { name: "endPort: one past the end does not match",
    policies: [np("shop/p", { podSelector: { matchLabels: { app: "b" } }, ingress: [{ ports: [{ port: 8000, endPort: 8080 }] }] })],
    probe: { from: "shop/a", to: "shop/b", port: 8081 }, verdict: "deny" },
  { name: "named port resolves on the destination pod",
    policies: [np("shop/p", { podSelector: { matchLabels: { app: "b" } }, ingress: [{ ports: [{ port: "http" }] }] })],
    probe: { from: "shop/a", to: "shop/b", port: 8080 }, verdict: "allow" },
  { name: "named port: a number the name does not resolve to does not match",
    policies: [np("shop/p", { podSelector: { matchLabels: { app: "b" } }, ingress: [{ ports: [{ port: "http" }] }] })],
    probe: { from: "shop/a", to: "shop/b", port: 80 }, verdict: "deny" },
  { name: "named port with the wrong protocol (dns is UDP, rule says TCP) does not match",
    policies: [np("shop/p", { podSelector: { matchLabels: { app: "b" } }, ingress: [{ ports: [{ port: "dns", protocol: "TCP" }] }] })],
    probe: { from: "shop/a", to: "shop/b", port: 53, protocol: "TCP" }, verdict: "deny" },
  { name: "named port with the wrong protocol does not match the pod's UDP traffic either",
    policies: [np("shop/p", { podSelector: { matchLabels: { app: "b" } }, ingress: [{ ports: [{ port: "dns" }] }] })],
    probe: { from: "shop/a", to: "shop/b", port: 53, protocol: "UDP" }, verdict: "deny" },
  { name: "named port with the right protocol matches",
    policies: [np("shop/p", { podSelector: { matchLabels: { app: "b" } }, ingress: [{ ports: [{ port: "dns", protocol: "UDP" }] }] })],
    probe: { from: "shop/a", to: "shop/b", port: 53, protocol: "UDP" }, verdict: "allow" },
  { name: "named port in an egress rule resolves on the destination pod",
    policies: [np("shop/p", { podSelector: { matchLabels: { app: "a" } }, policyTypes: ["Egress"], egress: [{ ports: [{ port: "http" }] }] })],
    probe: { from: "shop/a", to: "shop/b", port: 8080 }, verdict: "allow" },
  { name: "named port in an egress rule: the source's own port of that name is irrelevant",
    policies: [np("shop/p", { podSelector: { matchLabels: { app: "a" } }, policyTypes: ["Egress"], egress: [{ ports: [{ port: "http" }] }] })],
    probe: { from: "shop/a", to: "shop/b", port: 80 }, verdict: "deny" },
  { name: "named port never matches an external destination",
    policies: [np("shop/p", { podSelector: { matchLabels: { app: "a" } }, policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ port: "http" }] }] })],
    probe: { from: "shop/a", to: "203.0.113.5", port: 80 }, verdict: "deny" },
];

const PER_POD_NAMED: PodSpec[] = [
  { id: "shop/a", labels: { app: "a" } },
  { id: "shop/b1", labels: { app: "b" }, ports: [{ name: "http", port: 8080 }] },
  { id: "shop/b2", labels: { app: "b" }, ports: [{ name: "http", port: 9090 }] },
];
const namedHttp = np("shop/http", { podSelector: { matchLabels: { app: "b" } }, ingress: [{ ports: [{ port: "http" }] }] });
CASES.push(
  { name: "named port per destination pod: b1 serves http on 8080", pods: PER_POD_NAMED, policies: [namedHttp],
    probe: { from: "shop/a", to: "shop/b1", port: 8080 }, verdict: "allow" },
  { name: "named port per destination pod: 8080 is not http on b2", pods: PER_POD_NAMED, policies: [namedHttp],
    probe: { from: "shop/a", to: "shop/b2", port: 8080 }, verdict: "deny" },
  { name: "named port per destination pod: b2 serves http on 9090", pods: PER_POD_NAMED, policies: [namedHttp],
    probe: { from: "shop/a", to: "shop/b2", port: 9090 }, verdict: "allow" },
);

describe("policy engine: NetworkPolicy", () => {
  for (const c of CASES) {
    it(c.name, () => {
      const spec: ScenarioSpec = { namespaces: NAMESPACES, pods: c.pods ?? PODS, policies: c.policies };
      const decision = decideOnce(spec, c.probe);
      assert.equal(decision.verdict, c.verdict, `reason: ${decision.reason}`);
      if (c.reason) assert.match(decision.reason, c.reason);
      assert.ok(decision.trace.length > 0, "a trace is produced");
    });
  }

  describe("policyTypes defaulting (SetDefaults_NetworkPolicy)", () => {
    const table: [string, Parameters<typeof np>[1], { ingress: boolean; egress: boolean }][] = [
      ["omitted, no egress", { podSelector: {} }, { ingress: true, egress: false }],
      ["omitted, egress: []", { podSelector: {}, egress: [] }, { ingress: true, egress: false }],
      ["omitted, egress rules", { podSelector: {}, egress: [{}] }, { ingress: true, egress: true }],
      ["[] is treated as omitted", { podSelector: {}, policyTypes: [], egress: [{}] }, { ingress: true, egress: true }],
      ["[Egress] with ingress rules", { podSelector: {}, policyTypes: ["Egress"], ingress: [{}] }, { ingress: false, egress: true }],
      ["[Ingress] with egress rules", { podSelector: {}, policyTypes: ["Ingress"], egress: [{}] }, { ingress: true, egress: false }],
    ];
    for (const [name, spec, expected] of table) {
      it(name, () => assert.deepEqual(effectivePolicyTypes(np("ns/p", spec)), expected));
    }
  });
});
