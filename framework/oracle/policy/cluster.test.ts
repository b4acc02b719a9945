// ClusterNetworkPolicy (v1alpha2) tiers, one small case per rule of
// sigs.k8s.io/network-policy-api apis/v1alpha2/clusternetworkpolicy_types.go, plus how it sits
// next to the v1alpha1 kinds.
import assert from "node:assert/strict";
import { describe, it } from "mocha";
import type { ClusterNetworkPolicy, CnpProtocol } from "../../kube/types.js";
import { anp, banp, cnp, decideOnce, np, type AnyPolicy, type PodSpec, type Probe } from "./fixtures.test-helpers.js";
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
const everyNs = {};

type Action = "Accept" | "Deny" | "Pass";
type Tier = "Admin" | "Baseline";
/** A CNP on pods of shop with one ingress rule from ops. */
const shopFromOps = (name: string, tier: Tier, priority: number, action: Action, protocols?: CnpProtocol[]) =>
  cnp(name, {
    tier, priority, subject: { namespaces: shopNs },
    ingress: [{ name: `${action.toLowerCase()}-ops`, action, from: [{ namespaces: opsNs }], ...(protocols ? { protocols } : {}) }],
  });
const opsEgress = (action: Action, to: NonNullable<ClusterNetworkPolicy["spec"]["egress"]>[number]["to"], protocols?: CnpProtocol[], tier: Tier = "Admin") =>
  cnp("egress", { tier, priority: 1, subject: { namespaces: opsNs }, egress: [{ name: "r", action, to, ...(protocols ? { protocols } : {}) }] });
const denyAllShopIngress = np("shop/deny-all", { podSelector: {} });
const allowOpsNp = np("shop/allow-ops", { podSelector: {}, ingress: [{ from: [{ namespaceSelector: opsNs }] }] });
const tcp = (port: number): CnpProtocol => ({ tcp: { destinationPort: { number: port } } });

interface Case {
  name: string;
  policies: AnyPolicy[];
  probe: Probe;
  verdict: PolicyVerdict;
  reason?: RegExp;
}

const fromOps: Probe = { from: "ops/c", to: "shop/b", port: 8080 };

const CASES: Case[] = [
  // [cnp] Tier: "If Admin tier has made a final decision (Accept or Deny) on a connection, then no further evaluation is done."
  { name: "Admin Accept overrides a NetworkPolicy deny", policies: [shopFromOps("accept", "Admin", 10, "Accept"), denyAllShopIngress],
    probe: fromOps, verdict: "allow", reason: /ingress: allowed by CNP accept \(Admin tier\) rule 'accept-ops'/ },
  { name: "Admin Deny overrides a NetworkPolicy allow", policies: [shopFromOps("deny", "Admin", 10, "Deny"), allowOpsNp],
    probe: fromOps, verdict: "deny", reason: /^ingress: denied by CNP deny \(Admin tier\) rule 'deny-ops'$/ },
  { name: "Admin Accept also skips the Baseline tier",
    policies: [shopFromOps("accept", "Admin", 10, "Accept"), shopFromOps("base-deny", "Baseline", 10, "Deny")],
    probe: fromOps, verdict: "allow" },
  // [cnp] Pass: "Skips all further ClusterNetworkPolicy rules in the current tier ... passes evaluation to the next tier."
  { name: "Admin Pass skips the rest of the Admin tier and lets NetworkPolicy decide",
    policies: [shopFromOps("pass", "Admin", 1, "Pass"), shopFromOps("deny", "Admin", 2, "Deny"), allowOpsNp],
    probe: fromOps, verdict: "allow", reason: /passed by CNP pass \(Admin tier\) rule 'pass-ops', then allowed by shop\/allow-ops/ },
  { name: "Admin Pass with no NetworkPolicy falls to the Baseline tier",
    policies: [shopFromOps("pass", "Admin", 1, "Pass"), shopFromOps("base-deny", "Baseline", 5, "Deny")],
    probe: fromOps, verdict: "deny", reason: /passed by .* then denied by CNP base-deny \(Baseline tier\)/ },
  // [cnp] Tier: "Baseline tier is a cluster-wide policy that can be overridden by the v1.NetworkPolicy."
  { name: "a NetworkPolicy overrides a Baseline deny", policies: [shopFromOps("base-deny", "Baseline", 1, "Deny"), allowOpsNp],
    probe: fromOps, verdict: "allow", reason: /allowed by shop\/allow-ops/ },
  { name: "a NetworkPolicy's isolation overrides a Baseline accept", policies: [shopFromOps("base-accept", "Baseline", 1, "Accept"), denyAllShopIngress],
    probe: fromOps, verdict: "deny" },
  { name: "Baseline deny applies when no NetworkPolicy selects the pod", policies: [shopFromOps("base-deny", "Baseline", 1, "Deny")],
    probe: fromOps, verdict: "deny", reason: /denied by CNP base-deny \(Baseline tier\) rule 'deny-ops'/ },
  { name: "Baseline Pass goes to the default (allow)",
    policies: [shopFromOps("base-pass", "Baseline", 1, "Pass"), shopFromOps("base-deny", "Baseline", 2, "Deny")],
    probe: fromOps, verdict: "allow", reason: /passed by CNP base-pass \(Baseline tier\) rule 'pass-ops', then not isolated/ },
  // [cnp] Priority: lower values first, in each tier.
  { name: "lower priority value wins within the Admin tier",
    policies: [shopFromOps("later", "Admin", 20, "Accept"), shopFromOps("first", "Admin", 3, "Deny")],
    probe: fromOps, verdict: "deny", reason: /CNP first/ },
  { name: "lower priority value wins within the Baseline tier",
    policies: [shopFromOps("later", "Baseline", 20, "Deny"), shopFromOps("first", "Baseline", 3, "Accept")],
    probe: fromOps, verdict: "allow", reason: /CNP first/ },
  { name: "Admin priority 1000 still beats a Baseline priority 0",
    policies: [shopFromOps("admin", "Admin", 1000, "Deny"), shopFromOps("base", "Baseline", 0, "Accept")],
    probe: fromOps, verdict: "deny" },
  { name: "rules of one policy apply in the order written",
    policies: [cnp("p", { tier: "Admin", priority: 1, subject: { namespaces: shopNs }, ingress: [
      { name: "first", action: "Accept", from: [{ namespaces: opsNs }] }, { name: "second", action: "Deny", from: [{ namespaces: everyNs }] }] })],
    probe: fromOps, verdict: "allow", reason: /'first'/ },
  // [cnp] Priority: "If two (or more) policies in the same tier with the same priority could match ... any".
  { name: "equal priorities with different outcomes are undefined",
    policies: [shopFromOps("x", "Admin", 5, "Accept"), shopFromOps("y", "Admin", 5, "Deny")],
    probe: fromOps, verdict: "undefined", reason: /Admin-tier CNPs .* have the same priority 5/ },
  { name: "equal priorities that agree stand",
    policies: [shopFromOps("x", "Admin", 5, "Deny"), cnp("y", { tier: "Admin", priority: 5, subject: { namespaces: shopNs }, ingress: [{ action: "Deny", from: [{ namespaces: everyNs }] }] })],
    probe: fromOps, verdict: "deny" },
  { name: "the same priority in the other tier is not a tie",
    policies: [shopFromOps("x", "Admin", 5, "Deny"), shopFromOps("y", "Baseline", 5, "Accept")],
    probe: fromOps, verdict: "deny" },
  // protocols
  { name: "tcp destinationPort number matches that port", policies: [shopFromOps("d", "Admin", 1, "Deny", [tcp(8080)])],
    probe: fromOps, verdict: "deny" },
  { name: "tcp destinationPort number: another port passes", policies: [shopFromOps("d", "Admin", 1, "Deny", [tcp(9090)])],
    probe: fromOps, verdict: "allow" },
  { name: "tcp port does not match UDP to the same number", policies: [shopFromOps("d", "Admin", 1, "Deny", [tcp(53)])],
    probe: { from: "ops/c", to: "shop/b", port: 53, protocol: "UDP" }, verdict: "allow" },
  { name: "udp destinationPort number", policies: [shopFromOps("d", "Admin", 1, "Deny", [{ udp: { destinationPort: { number: 53 } } }])],
    probe: { from: "ops/c", to: "shop/b", port: 53, protocol: "UDP" }, verdict: "deny" },
  { name: "a port range is inclusive at both ends",
    policies: [shopFromOps("d", "Admin", 1, "Deny", [{ tcp: { destinationPort: { range: { start: 8000, end: 8080 } } } }])],
    probe: fromOps, verdict: "deny" },
  { name: "a port range excludes the next port",
    policies: [shopFromOps("d", "Admin", 1, "Deny", [{ tcp: { destinationPort: { range: { start: 8000, end: 8079 } } } }])],
    probe: fromOps, verdict: "allow" },
  { name: "protocols entries are ORed",
    policies: [shopFromOps("d", "Admin", 1, "Deny", [tcp(1), { udp: { destinationPort: { number: 8080 } } }, tcp(8080)])],
    probe: fromOps, verdict: "deny" },
  { name: "destinationNamedPort resolves on the destination pod (ingress: the subject)",
    policies: [shopFromOps("d", "Admin", 1, "Deny", [{ destinationNamedPort: "http" }])],
    probe: fromOps, verdict: "deny" },
  { name: "destinationNamedPort takes the container port's protocol",
    policies: [opsEgress("Deny", [{ pods: { namespaceSelector: shopNs, podSelector: {} } }], [{ destinationNamedPort: "dns" }])],
    probe: { from: "ops/c", to: "shop/b", port: 53, protocol: "TCP" }, verdict: "allow" },
  { name: "destinationNamedPort on egress resolves on the peer pod",
    policies: [opsEgress("Deny", [{ pods: { namespaceSelector: shopNs, podSelector: {} } }], [{ destinationNamedPort: "dns" }])],
    probe: { from: "ops/c", to: "shop/b", port: 53, protocol: "UDP" }, verdict: "deny" },
  // peers
  { name: "pods peer: namespaceSelector AND podSelector",
    policies: [opsEgress("Deny", [{ pods: { namespaceSelector: shopNs, podSelector: { matchLabels: { app: "a" } } } }])],
    probe: fromOps, verdict: "allow" },
  { name: "pods peer without namespaceSelector (optional in v1alpha2) selects in every namespace",
    policies: [opsEgress("Deny", [{ pods: { podSelector: { matchLabels: { app: "b" } } } }])],
    probe: fromOps, verdict: "deny" },
  { name: "a pods subject without namespaceSelector selects in every namespace",
    policies: [cnp("p", { tier: "Admin", priority: 1, subject: { pods: { podSelector: { matchLabels: { app: "b" } } } }, ingress: [{ action: "Deny", from: [{ namespaces: opsNs }] }] })],
    probe: fromOps, verdict: "deny" },
  // [cnp] Networks: "cluster-internal traffic will be checked against the rule as well".
  { name: "networks match pod-to-pod traffic", policies: [opsEgress("Deny", [{ networks: ["10.244.0.0/16"] }])],
    probe: fromOps, verdict: "deny" },
  { name: "networks are per family", policies: [opsEgress("Deny", [{ networks: ["0.0.0.0/0"] }])],
    probe: { ...fromOps, family: "ipv6" }, verdict: "allow" },
  { name: "networks match external destinations", policies: [opsEgress("Deny", [{ networks: ["198.51.100.0/24"] }])],
    probe: { from: "ops/c", to: "198.51.100.7", port: 443 }, verdict: "deny" },
  // [cnp] Nodes: "It selects the nodeIPs as the peer type".
  { name: "nodes peer selects a host-network pod by its node's labels",
    policies: [opsEgress("Deny", [{ nodes: { matchLabels: { role: "control-plane" } } }])],
    probe: { from: "ops/c", to: "kube-system/h", port: 6443 }, verdict: "deny" },
  { name: "nodes peer: kubelet labels are selectable (kubernetes.io/hostname)",
    policies: [opsEgress("Deny", [{ nodes: { matchLabels: { "kubernetes.io/hostname": "node-b" } } }])],
    probe: { from: "ops/c", to: "kube-system/h", port: 6443 }, verdict: "deny" },
  { name: "nodes peer never matches a pod-network pod", policies: [opsEgress("Deny", [{ nodes: {} }])],
    probe: fromOps, verdict: "allow" },
  // [cnp] Subject / peers: "host-networked pods are not included".
  { name: "the subject never includes host-network pods",
    policies: [cnp("p", { tier: "Admin", priority: 1, subject: { namespaces: everyNs }, egress: [{ action: "Deny", to: [{ networks: ["0.0.0.0/0"] }] }] })],
    probe: { from: "kube-system/h", to: "198.51.100.7", port: 443 }, verdict: "allow" },
  { name: "a namespaces peer never includes host-network pods", policies: [opsEgress("Deny", [{ namespaces: everyNs }])],
    probe: { from: "ops/c", to: "kube-system/h", port: 6443 }, verdict: "allow" },
  // Fail closed ([cnp] ClusterNetworkPolicyIngressPeer): "For Accept rules ... matching no traffic. For Deny and Pass rules ... 'Deny all'".
  { name: "an Accept rule with an unknown (empty) peer matches nothing",
    policies: [cnp("p", { tier: "Admin", priority: 1, subject: { namespaces: shopNs }, ingress: [{ action: "Accept", from: [{}] }] }), denyAllShopIngress],
    probe: fromOps, verdict: "deny" },
  { name: "a Pass rule with an unknown (empty) peer denies all",
    policies: [cnp("p", { tier: "Admin", priority: 1, subject: { namespaces: shopNs }, ingress: [{ action: "Pass", from: [{}] }] }), allowOpsNp],
    probe: fromOps, verdict: "deny", reason: /fail closed|deny-all/ },
  { name: "a Deny rule with an unknown protocol entry denies all",
    policies: [cnp("p", { tier: "Admin", priority: 1, subject: { namespaces: shopNs }, ingress: [{ action: "Deny", from: [{ namespaces: opsNs }], protocols: [{}] }] })],
    probe: { from: "shop/a", to: "shop/b", port: 8080 }, verdict: "deny" },
  // domainNames
  { name: "domainNames: an external destination it may cover is undefined",
    policies: [opsEgress("Accept", [{ domainNames: ["*.example.com"] }]), np("ops/deny-egress", { podSelector: {}, policyTypes: ["Egress"] })],
    probe: { from: "ops/c", to: "198.51.100.7", port: 443 }, verdict: "undefined", reason: /domainNames/ },
  { name: "domainNames outside the cluster domain never match pod-to-pod traffic",
    policies: [opsEgress("Accept", [{ domainNames: ["*.example.com"] }])],
    probe: fromOps, verdict: "allow", reason: /not isolated/ },
  { name: "domainNames in the cluster domain may match pods: undefined",
    policies: [opsEgress("Accept", [{ domainNames: ["*.svc.cluster.local"] }]), np("ops/deny-egress", { podSelector: {}, policyTypes: ["Egress"] })],
    probe: fromOps, verdict: "undefined" },
  { name: "a rule's other peers still match as written next to domainNames",
    policies: [opsEgress("Accept", [{ domainNames: ["*.example.com"] }, { networks: ["198.51.100.0/24"] }]), np("ops/deny-egress", { podSelector: {}, policyTypes: ["Egress"] })],
    probe: { from: "ops/c", to: "198.51.100.7", port: 443 }, verdict: "allow" },
  { name: "domainNames rules still filter by protocols",
    policies: [opsEgress("Accept", [{ domainNames: ["*.example.com"] }], [tcp(443)]), np("ops/deny-egress", { podSelector: {}, policyTypes: ["Egress"] })],
    probe: { from: "ops/c", to: "198.51.100.7", port: 80 }, verdict: "deny" },
  // Two kinds in one tier: the API does not order them.
  { name: "ANP and Admin CNP that disagree are undefined",
    policies: [anp("old", { priority: 50, subject: { namespaces: shopNs }, ingress: [{ action: "Allow", from: [{ namespaces: opsNs }] }] }), shopFromOps("new", "Admin", 1, "Deny")],
    probe: fromOps, verdict: "undefined", reason: /do(es)? not order one kind against the other/ },
  { name: "ANP and Admin CNP that agree stand",
    policies: [anp("old", { priority: 50, subject: { namespaces: shopNs }, ingress: [{ action: "Deny", from: [{ namespaces: opsNs }] }] }), shopFromOps("new", "Admin", 1, "Deny")],
    probe: fromOps, verdict: "deny" },
  { name: "an ANP alone decides where no CNP rule matches",
    policies: [anp("old", { priority: 50, subject: { namespaces: shopNs }, ingress: [{ action: "Allow", from: [{ namespaces: opsNs }] }] }),
      cnp("new", { tier: "Admin", priority: 1, subject: { namespaces: shopNs }, ingress: [{ action: "Deny", from: [{ namespaces: shopNs }] }] }), denyAllShopIngress],
    probe: fromOps, verdict: "allow", reason: /ANP old/ },
  { name: "BANP and Baseline CNP that disagree are undefined",
    policies: [banp({ subject: { namespaces: shopNs }, ingress: [{ action: "Allow", from: [{ namespaces: opsNs }] }] }), shopFromOps("new", "Baseline", 1, "Deny")],
    probe: fromOps, verdict: "undefined", reason: /BaselineAdminNetworkPolicy and Baseline-tier ClusterNetworkPolicies/ },
];

describe("policy engine: ClusterNetworkPolicy", () => {
  for (const c of CASES) {
    it(c.name, () => {
      const decision = decideOnce({ namespaces: NAMESPACES, nodes: NODES, pods: PODS, policies: c.policies }, c.probe);
      assert.equal(decision.verdict, c.verdict, `reason: ${decision.reason}`);
      if (c.reason) assert.match(decision.reason, c.reason);
    });
  }

  it("the trace names the tier, the policy, the rule and the action as written", () => {
    const decision = decideOnce(
      { namespaces: NAMESPACES, nodes: NODES, pods: PODS, policies: [shopFromOps("pass", "Admin", 10, "Pass"), shopFromOps("acc", "Baseline", 3, "Accept"), denyAllShopIngress] },
      fromOps,
    );
    const ingress = decision.trace.filter((s) => s.direction === "ingress");
    assert.deepEqual(ingress.map((s) => [s.tier, s.effect]), [["CNP", "pass"], ["NetworkPolicy", "isolates"]]);
    assert.equal(ingress[0]!.policy, "pass");
    assert.equal(ingress[0]!.rule, "pass-ops");
    assert.match(ingress[0]!.detail, /^Admin tier, priority 10, subject namespaces team=shop; rule Pass \(namespaces team=ops; any port\) matches$/);
    const accept = decideOnce({ namespaces: NAMESPACES, nodes: NODES, pods: PODS, policies: [shopFromOps("acc", "Baseline", 3, "Accept")] }, fromOps);
    assert.match(accept.trace.find((s) => s.tier === "CNP")!.detail, /^Baseline tier, priority 3, .*rule Accept \(/);
  });
});
