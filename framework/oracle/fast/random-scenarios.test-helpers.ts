// Random small scenarios for the differential tests (not a test file itself): a few namespaces,
// nodes and pods with labels drawn from a small vocabulary (so selectors both match and miss),
// named and unnamed ports, host-network pods, single- and dual-stack pods, and NetworkPolicies,
// AdminNetworkPolicies (priorities that tie, Allow/Deny/Pass), a BaselineAdminNetworkPolicy and
// ClusterNetworkPolicies of both tiers (beside the v1alpha1 kinds or alone, domainNames peers
// included) built from every kind of peer, selector operator and port clause.
import type { AdminAction, CnpAction, CnpProtocol, LabelSelector, NetworkPolicyPeer, NetworkPolicyPort, Protocol } from "../../kube/types.js";
import type { PodModel, Scenario } from "../../scenario/model.js";
import {
  anp, banp, buildTestScenario, cnp, np, type AnyPolicy, type PodSpec,
} from "../policy/fixtures.test-helpers.js";

/** mulberry32: a small seeded generator, so a failing case can be replayed from its seed. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Draw {
  constructor(readonly next: () => number) {}
  chance(p: number): boolean { return this.next() < p; }
  int(min: number, max: number): number { return min + Math.floor(this.next() * (max - min + 1)); }
  pick<T>(items: readonly T[]): T { return items[Math.floor(this.next() * items.length)]!; }
  some<T>(items: readonly T[], max = items.length): T[] {
    const n = this.int(0, Math.min(max, items.length));
    return [...items].sort(() => this.next() - 0.5).slice(0, n);
  }
}

const NAMESPACES = ["a", "b", "c"];
const NODES = ["node-a", "node-b"];
const POD_LABELS: Record<string, readonly string[]> = { app: ["web", "api", "db"], tier: ["front", "back"], v: ["1", "2"] };
const NS_LABELS: Record<string, readonly string[]> = { env: ["dev", "prod"], team: ["x", "y"] };
const NODE_LABELS: Record<string, readonly string[]> = { role: ["edge", "core"] };
const PORTS: readonly { name?: string; port: number; protocol?: Protocol }[] = [
  { name: "http", port: 80 }, { name: "http", port: 8080 }, { name: "metrics", port: 9090 }, { port: 81 },
  { name: "dns", port: 53, protocol: "UDP" }, { port: 9095, protocol: "UDP" }, { name: "sctp", port: 7777, protocol: "SCTP" },
];
const CIDRS: readonly { cidr: string; except?: string[] }[] = [
  { cidr: "10.244.0.0/24" }, { cidr: "10.244.0.0/16", except: ["10.244.1.0/24"] }, { cidr: "10.244.1.0/25", except: ["10.244.1.16/28"] },
  { cidr: "fd00:10:244::/64" }, { cidr: "fd00:10:244::/56", except: ["fd00:10:244:1::/64"] }, { cidr: "172.18.0.0/16" },
  { cidr: "0.0.0.0/0", except: ["10.244.0.16/28"] }, { cidr: "::/0" },
];

/** Extra destination ports judged beside the declared ones (Service targetPorts need not be declared). */
export const EXTRA_PORTS: readonly { port: number; protocol: Protocol }[] = [{ port: 9050, protocol: "TCP" }, { port: 53, protocol: "UDP" }];

function labels(draw: Draw, vocabulary: Record<string, readonly string[]>): Record<string, string> {
  return Object.fromEntries(draw.some(Object.keys(vocabulary)).map((k) => [k, draw.pick(vocabulary[k]!)]));
}

function selector(draw: Draw, vocabulary: Record<string, readonly string[]>): LabelSelector {
  if (draw.chance(0.25)) return {};
  const keys = Object.keys(vocabulary);
  const out: LabelSelector = {};
  if (draw.chance(0.6)) out.matchLabels = Object.fromEntries(draw.some(keys, 2).map((k) => [k, draw.pick(vocabulary[k]!)]));
  if (draw.chance(0.5)) {
    out.matchExpressions = draw.some(keys, 2).map((key) => {
      const operator = draw.pick(["In", "NotIn", "Exists", "DoesNotExist"] as const);
      return operator === "In" || operator === "NotIn" ? { key, operator, values: draw.some(vocabulary[key]!, 2) } : { key, operator };
    });
  }
  return out;
}

function netpolPeer(draw: Draw): NetworkPolicyPeer {
  switch (draw.int(0, 4)) {
    case 0: return { podSelector: selector(draw, POD_LABELS) };
    case 1: return { namespaceSelector: selector(draw, NS_LABELS) };
    case 2: return { namespaceSelector: selector(draw, NS_LABELS), podSelector: selector(draw, POD_LABELS) };
    case 3: return { ipBlock: draw.pick(CIDRS) };
    // Rejected by the API server, but the engine must still judge it (it matches nothing).
    default: return draw.chance(0.8) ? { ipBlock: draw.pick(CIDRS) } : { ipBlock: draw.pick(CIDRS), podSelector: {} };
  }
}

function netpolPort(draw: Draw): NetworkPolicyPort {
  return draw.pick<NetworkPolicyPort>([
    { port: 80 }, { port: "http" }, { port: "metrics" }, { port: 9000, endPort: 9100 }, { protocol: "UDP" },
    { port: 53, protocol: "UDP" }, { port: "dns", protocol: "UDP" }, { port: 8080, endPort: 8080 }, { protocol: "SCTP", port: "sctp" },
  ]);
}

function netpolRules(draw: Draw, direction: "from" | "to") {
  return Array.from({ length: draw.int(0, 2) }, () => ({
    ...(draw.chance(0.8) ? { [direction]: Array.from({ length: draw.int(0, 2) }, () => netpolPeer(draw)) } : {}),
    ...(draw.chance(0.6) ? { ports: Array.from({ length: draw.int(0, 2) }, () => netpolPort(draw)) } : {}),
  }));
}

function adminPort(draw: Draw) {
  return draw.pick([
    { portNumber: { port: 80 } }, { portNumber: { port: 53, protocol: "UDP" as const } }, { namedPort: "http" },
    { namedPort: "metrics" }, { portRange: { start: 9000, end: 9100 } }, { portRange: { start: 50, end: 90, protocol: "UDP" as const } },
  ]);
}

function adminPeer(draw: Draw, egress: boolean) {
  switch (draw.int(0, egress ? 3 : 1)) {
    case 0: return { namespaces: selector(draw, NS_LABELS) };
    case 1: return { pods: { namespaceSelector: selector(draw, NS_LABELS), podSelector: selector(draw, POD_LABELS) } };
    case 2: return { nodes: selector(draw, NODE_LABELS) };
    default: return { networks: draw.some(CIDRS.map((c) => c.cidr), 2) };
  }
}

function cnpProtocol(draw: Draw): CnpProtocol {
  return draw.pick<CnpProtocol>([
    { tcp: { destinationPort: { number: 80 } } }, { udp: { destinationPort: { number: 53 } } }, { destinationNamedPort: "http" },
    { destinationNamedPort: "dns" }, { tcp: { destinationPort: { range: { start: 8000, end: 9100 } } } },
    { udp: { destinationPort: { range: { start: 50, end: 9095 } } } }, { sctp: { destinationPort: { number: 7777 } } },
  ]);
}

function cnpRules(draw: Draw, egress: boolean) {
  const actions: readonly CnpAction[] = ["Accept", "Deny", "Pass"];
  return Array.from({ length: draw.int(0, 3) }, (_, i) => {
    const peers = Array.from({ length: draw.int(1, 2) }, () =>
      egress && draw.chance(0.15) ? { domainNames: [draw.pick(["*.example.com", "*.svc.cluster.local", "db.example.org"])] } : adminPeer(draw, egress));
    // The CRD rejects named ports next to address peers (its CEL rule); keep to what it admits.
    const addressPeer = peers.some((p) => "networks" in p || "nodes" in p || "domainNames" in p);
    const protocols = draw.chance(0.5)
      ? Array.from({ length: draw.int(1, 2) }, () => cnpProtocol(draw)).filter((p) => !(addressPeer && p.destinationNamedPort))
      : [];
    return {
      ...(draw.chance(0.5) ? { name: `r${i}` } : {}),
      action: draw.pick(actions),
      peers,
      ...(protocols.length > 0 ? { protocols } : {}),
    };
  });
}

function adminRules<A extends AdminAction>(draw: Draw, egress: boolean, actions: readonly A[]) {
  return Array.from({ length: draw.int(0, 3) }, (_, i) => ({
    ...(draw.chance(0.5) ? { name: `r${i}` } : {}),
    action: draw.pick(actions),
    peers: Array.from({ length: draw.int(1, 2) }, () => adminPeer(draw, egress)),
    ...(draw.chance(0.5) ? { ports: Array.from({ length: draw.int(1, 2) }, () => adminPort(draw)) } : {}),
  }));
}

const ingressRules = <A extends AdminAction>(draw: Draw, actions: readonly A[]) =>
  adminRules(draw, false, actions).map(({ peers, ...rule }) => ({ ...rule, from: peers }));
const egressRules = <A extends AdminAction>(draw: Draw, actions: readonly A[]) =>
  adminRules(draw, true, actions).map(({ peers, ...rule }) => ({ ...rule, to: peers }));

function adminSubject(draw: Draw) {
  return draw.chance(0.5)
    ? { namespaces: selector(draw, NS_LABELS) }
    : { pods: { namespaceSelector: selector(draw, NS_LABELS), podSelector: selector(draw, POD_LABELS) } };
}

export function randomScenario(seed: number): Scenario {
  const draw = new Draw(random(seed));
  const pods: PodSpec[] = Array.from({ length: draw.int(2, 9) }, (_, i) => {
    const hostNetwork = draw.chance(0.15);
    return {
      id: `${draw.pick(NAMESPACES)}/p${i}`,
      labels: labels(draw, POD_LABELS),
      ports: draw.some(PORTS, 3).filter((p, j, all) => all.findIndex((q) => q.name !== undefined && q.name === p.name) === j),
      node: draw.pick(NODES),
      hostNetwork,
      ipv4: hostNetwork ? `172.18.0.${draw.int(2, 3)}` : `10.244.${draw.int(0, 1)}.${draw.pick([5, 10, 17, 20, 130])}`,
      ipv6: hostNetwork ? `fc00::${draw.int(2, 3)}` : `fd00:10:244:${draw.int(0, 1)}::${draw.int(2, 40).toString(16)}`,
    };
  });
  // Distinct addresses: two pods never share one (host-network pods share their node's).
  const seen = new Set<string>();
  pods.forEach((pod, i) => {
    if (pod.hostNetwork) { pod.ipv4 = pod.node === "node-a" ? "172.18.0.2" : "172.18.0.3"; pod.ipv6 = pod.node === "node-a" ? "fc00::2" : "fc00::3"; return; }
    if (seen.has(pod.ipv4!)) pod.ipv4 = `10.244.2.${i + 1}`;
    seen.add(pod.ipv4!);
    pod.ipv6 = `${pod.ipv6}${i.toString(16)}`;
  });
  const policies: AnyPolicy[] = [];
  for (let i = draw.int(0, 4); i > 0; i--) {
    const policyTypes = draw.pick([undefined, ["Ingress"], ["Egress"], ["Ingress", "Egress"]] as const);
    policies.push(np(`${draw.pick(NAMESPACES)}/np${i}`, {
      podSelector: selector(draw, POD_LABELS),
      ...(policyTypes ? { policyTypes: [...policyTypes] } : {}),
      ...(draw.chance(0.7) ? { ingress: netpolRules(draw, "from") } : {}),
      ...(draw.chance(0.6) ? { egress: netpolRules(draw, "to") } : {}),
    }));
  }
  for (let i = draw.int(0, 3); i > 0; i--) {
    policies.push(anp(`anp${i}`, {
      priority: draw.int(1, 3), subject: adminSubject(draw),
      ingress: ingressRules(draw, ["Allow", "Deny", "Pass"]),
      egress: egressRules(draw, ["Allow", "Deny", "Pass"]),
    }));
  }
  if (draw.chance(0.5)) {
    policies.push(banp({ subject: adminSubject(draw), ingress: ingressRules(draw, ["Allow", "Deny"]), egress: egressRules(draw, ["Allow", "Deny"]) }));
  }
  for (let i = draw.int(0, 3); i > 0; i--) {
    policies.push(cnp(`cnp${i}`, {
      tier: draw.pick(["Admin", "Baseline"] as const), priority: draw.int(1, 3), subject: adminSubject(draw),
      ingress: cnpRules(draw, false).map(({ peers, ...rule }) => ({ ...rule, from: peers as { namespaces?: LabelSelector }[] })),
      egress: cnpRules(draw, true).map(({ peers, ...rule }) => ({ ...rule, to: peers })),
    }));
  }
  const scenario = buildTestScenario({
    namespaces: Object.fromEntries(NAMESPACES.map((ns) => [ns, labels(draw, NS_LABELS)])),
    nodes: Object.fromEntries(NODES.map((node) => [node, labels(draw, NODE_LABELS)])),
    pods, policies,
  });
  // Some pods are single-stack (no IPv6 address); every pod is a source.
  const single = new Set(scenario.pods.filter(() => draw.chance(0.2)).map((p) => p.id));
  const withFamilies = scenario.pods.map((p): PodModel => (single.has(p.id) ? { ...p, ips: { ipv4: p.ips.ipv4 } } : p));
  return { ...scenario, pods: withFamilies, probe: { ...scenario.probe, from: ["*"] } };
}
