// AdminNetworkPolicy / BaselineAdminNetworkPolicy tiers, one small case per rule.
import assert from "node:assert/strict";
import { describe, it } from "mocha";
import type { AdminNetworkPolicy } from "../../kube/types.js";
import { anp, banp, decideOnce, np, type AnyPolicy, type PodSpec, type Probe } from "./fixtures.test-helpers.js";
import type { PolicyVerdict } from "./types.js";

const PODS: PodSpec[] = [
  { id: "shop/a", labels: { app: "a" } },
  { id: "shop/b", labels: { app: "b" }, ports: [{ name: "http", port: 8080 }, { name: "dns", port: 53, protocol: "UDP" }] },
  { id: "ops/c", labels: { app: "c" } },
  { id: "kube-system/h", labels: { app: "h" }, hostNetwork: true, node: "node-b", ipv4: "172.18.0.3", ipv6: "fc00:f853::3" },
];
const NAMESPACES = { shop: { team: "shop" }, ops: { team: "ops" }, "kube-system": {} };
const NODES = { "node-a": { role: "worker" }, "node-b": { role: "control-plane" } };

const shopNs = { matchLabels: { team: "shop" } };
const opsNs = { matchLabels: { team: "ops" } };
type Action = "Allow" | "Deny" | "Pass";
/** An ANP on pods of shop with one ingress rule from ops. */
const ingressFromOps = (name: string, priority: number, action: Action, extra: Partial<AdminNetworkPolicy["spec"]> = {}) =>
  anp(name, { priority, subject: { namespaces: shopNs }, ingress: [{ name: `${action.toLowerCase()}-ops`, action, from: [{ namespaces: opsNs }] }], ...extra });
const denyAllShopIngress = np("shop/deny-all", { podSelector: {} });
const allowOpsNp = np("shop/allow-ops", { podSelector: {}, ingress: [{ from: [{ namespaceSelector: opsNs }] }] });

interface Case {
  name: string;
  policies: AnyPolicy[];
  probe: Probe;
  verdict: PolicyVerdict;
  reason?: RegExp;
}

const CASES: Case[] = [
  { name: "ANP Allow overrides a NetworkPolicy deny", policies: [ingressFromOps("allow", 10, "Allow"), denyAllShopIngress],
    probe: { from: "ops/c", to: "shop/b", port: 8080 }, verdict: "allow", reason: /ingress: allowed by ANP allow rule 'allow-ops'/ },
  { name: "ANP Deny overrides a NetworkPolicy allow", policies: [ingressFromOps("deny", 10, "Deny"), allowOpsNp],
    probe: { from: "ops/c", to: "shop/b", port: 8080 }, verdict: "deny", reason: /^ingress: denied by ANP deny rule 'deny-ops'$/ },
  { name: "ANP Allow also skips BANP", policies: [ingressFromOps("allow", 10, "Allow"), banp({ subject: { namespaces: {} }, ingress: [{ action: "Deny", from: [{ namespaces: {} }] }] })],
    probe: { from: "ops/c", to: "shop/b", port: 8080 }, verdict: "allow" },
  { name: "Pass falls through to NetworkPolicy (which denies)", policies: [ingressFromOps("pass", 10, "Pass"), denyAllShopIngress],
    probe: { from: "ops/c", to: "shop/b", port: 8080 }, verdict: "deny", reason: /passed by ANP pass rule 'pass-ops', then isolated by shop\/deny-all/ },
  { name: "Pass falls through to NetworkPolicy (which allows), skipping lower-precedence ANP Deny",
    policies: [ingressFromOps("pass", 10, "Pass"), ingressFromOps("deny-later", 20, "Deny"), allowOpsNp],
    probe: { from: "ops/c", to: "shop/b", port: 8080 }, verdict: "allow" },
  { name: "Pass falls through to BANP when the pod is not isolated",
    policies: [ingressFromOps("pass", 10, "Pass"), banp({ subject: { namespaces: shopNs }, ingress: [{ name: "deny-all", action: "Deny", from: [{ namespaces: {} }] }] })],
    probe: { from: "ops/c", to: "shop/b", port: 8080 }, verdict: "deny", reason: /passed by ANP pass rule 'pass-ops', then denied by BANP default rule 'deny-all'/ },
  { name: "Pass with no NetworkPolicy and no BANP: default allow",
    policies: [ingressFromOps("pass", 10, "Pass")], probe: { from: "ops/c", to: "shop/b", port: 8080 }, verdict: "allow" },
  { name: "BANP Deny applies when no NetworkPolicy selects the pod",
    policies: [banp({ subject: { namespaces: shopNs }, ingress: [{ name: "deny-ops", action: "Deny", from: [{ namespaces: opsNs }] }] })],
    probe: { from: "ops/c", to: "shop/b", port: 8080 }, verdict: "deny", reason: /^ingress: denied by BANP default rule 'deny-ops'$/ },
  { name: "BANP is not consulted when a NetworkPolicy isolates the pod",
    policies: [allowOpsNp, banp({ subject: { namespaces: shopNs }, ingress: [{ action: "Deny", from: [{ namespaces: opsNs }] }] })],
    probe: { from: "ops/c", to: "shop/b", port: 8080 }, verdict: "allow", reason: /allowed by shop\/allow-ops ingress\[0\]/ },
  { name: "BANP rules: first match in order (Allow before Deny)",
    policies: [banp({ subject: { namespaces: shopNs }, ingress: [
      { name: "allow-ops", action: "Allow", from: [{ namespaces: opsNs }] },
      { name: "deny-all", action: "Deny", from: [{ namespaces: {} }] },
    ] })],
    probe: { from: "ops/c", to: "shop/b", port: 8080 }, verdict: "allow", reason: /allowed by BANP default rule 'allow-ops'/ },
  { name: "a BANP not named 'default' is ignored",
    policies: [banp({ subject: { namespaces: shopNs }, ingress: [{ action: "Deny", from: [{ namespaces: {} }] }] }, "other")],
    probe: { from: "ops/c", to: "shop/b", port: 8080 }, verdict: "allow" },
  { name: "BANP egress Deny applies to the source",
    policies: [banp({ subject: { namespaces: shopNs }, egress: [{ name: "no-ops", action: "Deny", to: [{ namespaces: opsNs }] }] })],
    probe: { from: "shop/a", to: "ops/c", port: 80 }, verdict: "deny", reason: /^egress: denied by BANP default rule 'no-ops'$/ },
  { name: "lower priority number is evaluated first", policies: [ingressFromOps("deny", 10, "Deny"), ingressFromOps("allow", 5, "Allow")],
    probe: { from: "ops/c", to: "shop/b", port: 8080 }, verdict: "allow", reason: /ANP allow/ },
  { name: "rules within one ANP: first match wins",
    policies: [anp("ordered", { priority: 1, subject: { namespaces: shopNs }, ingress: [
      { name: "deny-c", action: "Deny", from: [{ pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: "c" } } } }] },
      { name: "allow-ops", action: "Allow", from: [{ namespaces: opsNs }] },
    ] })],
    probe: { from: "ops/c", to: "shop/b", port: 8080 }, verdict: "deny", reason: /rule 'deny-c'/ },
  { name: "equal priorities with conflicting outcomes: undefined",
    policies: [ingressFromOps("x-allow", 10, "Allow"), ingressFromOps("y-deny", 10, "Deny")],
    probe: { from: "ops/c", to: "shop/b", port: 8080 }, verdict: "undefined", reason: /same priority 10/ },
  { name: "equal priorities with the same action: defined",
    policies: [ingressFromOps("x-deny", 10, "Deny"), ingressFromOps("y-deny", 10, "Deny")],
    probe: { from: "ops/c", to: "shop/b", port: 8080 }, verdict: "deny" },
  { name: "equal priorities, Allow vs Pass where NetworkPolicy also allows: allow either way",
    policies: [ingressFromOps("x-allow", 10, "Allow"), ingressFromOps("y-pass", 10, "Pass"), allowOpsNp],
    probe: { from: "ops/c", to: "shop/b", port: 8080 }, verdict: "allow", reason: /equal-priority/ },
  { name: "equal priorities, Allow vs Pass where NetworkPolicy denies: undefined",
    policies: [ingressFromOps("x-allow", 10, "Allow"), ingressFromOps("y-pass", 10, "Pass"), denyAllShopIngress],
    probe: { from: "ops/c", to: "shop/b", port: 8080 }, verdict: "undefined" },
  { name: "equal priority but only one policy matches: it decides",
    policies: [ingressFromOps("x-allow", 10, "Allow"), anp("y-deny", { priority: 10, subject: { namespaces: shopNs }, ingress: [{ action: "Deny", from: [{ namespaces: shopNs }] }] })],
    probe: { from: "ops/c", to: "shop/b", port: 8080 }, verdict: "allow" },
  { name: "subject pods: namespaceSelector AND podSelector",
    policies: [anp("deny-b", { priority: 1, subject: { pods: { namespaceSelector: shopNs, podSelector: { matchLabels: { app: "b" } } } }, ingress: [{ action: "Deny", from: [{ namespaces: {} }] }] })],
    probe: { from: "ops/c", to: "shop/a", port: 80 }, verdict: "allow" },
  { name: "subject pods: a selected pod is denied",
    policies: [anp("deny-b", { priority: 1, subject: { pods: { namespaceSelector: shopNs, podSelector: { matchLabels: { app: "b" } } } }, ingress: [{ action: "Deny", from: [{ namespaces: {} }] }] })],
    probe: { from: "ops/c", to: "shop/b", port: 8080 }, verdict: "deny" },
  { name: "both directions: an ANP egress Allow does not override the destination's ingress Deny",
    policies: [
      anp("egress-allow", { priority: 1, subject: { namespaces: opsNs }, egress: [{ action: "Allow", to: [{ namespaces: {} }] }] }),
      ingressFromOps("deny", 2, "Deny"),
    ],
    probe: { from: "ops/c", to: "shop/b", port: 8080 }, verdict: "deny", reason: /^ingress: denied by ANP deny/ },
  { name: "ports portNumber (protocol default TCP) does not match UDP",
    policies: [anp("p", { priority: 1, subject: { namespaces: shopNs }, ingress: [{ action: "Deny", from: [{ namespaces: {} }], ports: [{ portNumber: { port: 53 } }] }] })],
    probe: { from: "ops/c", to: "shop/b", port: 53, protocol: "UDP" }, verdict: "allow" },
  { name: "ports portRange is inclusive",
    policies: [anp("p", { priority: 1, subject: { namespaces: shopNs }, ingress: [{ action: "Deny", from: [{ namespaces: {} }], ports: [{ portRange: { start: 8000, end: 8080 } }] }] })],
    probe: { from: "ops/c", to: "shop/b", port: 8080 }, verdict: "deny" },
  { name: "ports portRange: outside the range does not match",
    policies: [anp("p", { priority: 1, subject: { namespaces: shopNs }, ingress: [{ action: "Deny", from: [{ namespaces: {} }], ports: [{ portRange: { protocol: "UDP", start: 50, end: 60 } }] }] })],
    probe: { from: "ops/c", to: "shop/b", port: 8080 }, verdict: "allow" },
  { name: "namedPort resolves on the destination pod with its protocol",
    policies: [anp("p", { priority: 1, subject: { namespaces: opsNs }, egress: [{ action: "Deny", to: [{ namespaces: {} }], ports: [{ namedPort: "dns" }] }] })],
    probe: { from: "ops/c", to: "shop/b", port: 53, protocol: "UDP" }, verdict: "deny" },
  { name: "namedPort: same number, other protocol does not match",
    policies: [anp("p", { priority: 1, subject: { namespaces: opsNs }, egress: [{ action: "Deny", to: [{ namespaces: {} }], ports: [{ namedPort: "dns" }] }] })],
    probe: { from: "ops/c", to: "shop/b", port: 53, protocol: "TCP" }, verdict: "allow" },
  { name: "networks peer matches pod IPs (IPv4 0.0.0.0/0 denies pod-to-pod IPv4)",
    policies: [anp("p", { priority: 1, subject: { namespaces: opsNs }, egress: [{ action: "Deny", to: [{ networks: ["0.0.0.0/0"] }] }] })],
    probe: { from: "ops/c", to: "shop/b", port: 8080 }, verdict: "deny" },
  { name: "networks peer is per family (IPv4 block, IPv6 traffic)",
    policies: [anp("p", { priority: 1, subject: { namespaces: opsNs }, egress: [{ action: "Deny", to: [{ networks: ["0.0.0.0/0"] }] }] })],
    probe: { from: "ops/c", to: "shop/b", port: 8080, family: "ipv6" }, verdict: "allow" },
  { name: "networks peer matches external destinations",
    policies: [anp("p", { priority: 1, subject: { namespaces: opsNs }, egress: [{ name: "no-internet", action: "Deny", to: [{ networks: ["0.0.0.0/0"] }] }] })],
    probe: { from: "ops/c", to: "198.51.100.7", port: 443 }, verdict: "deny", reason: /no-internet/ },
  { name: "namespaces peer never matches an external address",
    policies: [anp("p", { priority: 1, subject: { namespaces: opsNs }, egress: [{ action: "Deny", to: [{ namespaces: {} }] }] })],
    probe: { from: "ops/c", to: "198.51.100.7", port: 443 }, verdict: "allow" },
  { name: "nodes peer never matches a pod-network pod",
    policies: [anp("p", { priority: 1, subject: { namespaces: opsNs }, egress: [{ action: "Deny", to: [{ nodes: {} }] }] })],
    probe: { from: "ops/c", to: "shop/b", port: 8080 }, verdict: "allow" },
  { name: "nodes peer matches a host-network pod through its node's labels",
    policies: [anp("p", { priority: 1, subject: { namespaces: opsNs }, egress: [{ action: "Deny", to: [{ nodes: { matchLabels: { role: "control-plane" } } }] }] })],
    probe: { from: "ops/c", to: "kube-system/h", port: 6443 }, verdict: "deny" },
  { name: "namespaces peer does not include host-network pods",
    policies: [anp("p", { priority: 1, subject: { namespaces: opsNs }, egress: [{ action: "Deny", to: [{ namespaces: {} }] }] })],
    probe: { from: "ops/c", to: "kube-system/h", port: 6443 }, verdict: "allow" },
  { name: "ANP subject does not include host-network pods",
    policies: [anp("p", { priority: 1, subject: { namespaces: {} }, egress: [{ action: "Deny", to: [{ networks: ["0.0.0.0/0"] }] }] })],
    probe: { from: "kube-system/h", to: "198.51.100.7", port: 443 }, verdict: "allow" },
  { name: "a Deny rule with an unrecognised (empty) peer fails closed: deny all",
    policies: [anp("p", { priority: 1, subject: { namespaces: shopNs }, ingress: [{ action: "Deny", from: [{}] }] })],
    probe: { from: "ops/c", to: "shop/b", port: 8080 }, verdict: "deny" },
  { name: "an Allow rule with an unrecognised (empty) peer fails closed: matches nothing",
    policies: [anp("p", { priority: 1, subject: { namespaces: shopNs }, ingress: [{ action: "Allow", from: [{}] }] }), denyAllShopIngress],
    probe: { from: "ops/c", to: "shop/b", port: 8080 }, verdict: "deny" },
];

describe("policy engine: AdminNetworkPolicy and BaselineAdminNetworkPolicy", () => {
  for (const c of CASES) {
    it(c.name, () => {
      const decision = decideOnce({ namespaces: NAMESPACES, nodes: NODES, pods: PODS, policies: c.policies }, c.probe);
      assert.equal(decision.verdict, c.verdict, `reason: ${decision.reason}`);
      if (c.reason) assert.match(decision.reason, c.reason);
    });
  }

  it("the trace lists each ANP consulted and the tier that decided", () => {
    const decision = decideOnce(
      { namespaces: NAMESPACES, nodes: NODES, pods: PODS, policies: [ingressFromOps("pass", 10, "Pass"), denyAllShopIngress] },
      { from: "ops/c", to: "shop/b", port: 8080 },
    );
    const ingress = decision.trace.filter((s) => s.direction === "ingress");
    assert.deepEqual(ingress.map((s) => [s.tier, s.effect]), [["ANP", "pass"], ["NetworkPolicy", "isolates"]]);
    assert.equal(ingress[0]!.policy, "pass");
    assert.equal(ingress[0]!.rule, "pass-ops");
  });
});
