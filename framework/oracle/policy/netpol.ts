// NetworkPolicy (networking.k8s.io/v1): compilation and the per-direction tier.
// Sources:
//   [docs]   https://kubernetes.io/docs/concepts/services-networking/network-policies/
//   [types]  k8s.io/api/networking/v1/types.go (NetworkPolicySpec, NetworkPolicyPeer, NetworkPolicyPort, IPBlock)
//   [defaults] kubernetes/pkg/apis/networking/v1/defaults.go (SetDefaults_NetworkPolicy, SetDefaults_NetworkPolicyPort)
import { formatSelector } from "../../kube/labels.js";
import type { NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort } from "../../kube/types.js";
import type { PodModel } from "../../scenario/model.js";
import { dirIndexLabel, type DirectionResult, type Pass } from "./context.js";
import {
  compileSelector, endpointIp, formatPort, IpSet, portMatches, type LabelPredicate, type PortMatcher,
} from "./match.js";
import type { Connection, Direction, Endpoint } from "./types.js";

export type NetworkPolicyPeerMatcher =
  | {
      readonly kind: "pods";
      /** undefined: the policy's own namespace ([types] NetworkPolicyPeer.podSelector alone). */
      readonly namespaces: LabelPredicate | undefined;
      readonly pods: LabelPredicate;
      readonly text: string;
    }
  | { readonly kind: "ipBlock"; readonly block: IpSet; readonly text: string }
  | { readonly kind: "invalid"; readonly text: string };

export interface CompiledNetworkPolicyRule {
  /** `ingress[0]`, `egress[2]`. */
  readonly label: string;
  /** null: `from`/`to` absent or empty, every peer (including external addresses). */
  readonly peers: readonly NetworkPolicyPeerMatcher[] | null;
  /** null: `ports` absent or empty, every port and protocol. */
  readonly ports: readonly PortMatcher[] | null;
  /** The result when this rule allows (precomputed: no string building per decision). */
  readonly allowed: DirectionResult;
}

export interface CompiledNetworkPolicy {
  /** `namespace/name`. */
  readonly id: string;
  readonly namespace: string;
  readonly selects: LabelPredicate;
  readonly selectorText: string;
  /** Rules per direction, or null when the (defaulted) policyTypes do not include it. */
  readonly ingress: readonly CompiledNetworkPolicyRule[] | null;
  readonly egress: readonly CompiledNetworkPolicyRule[] | null;
  /** Every IP set this policy uses (for identity keys). */
  readonly ipSets: readonly IpSet[];
}

/**
 * [defaults] SetDefaults_NetworkPolicy: when policyTypes is empty, it becomes [Ingress], plus
 * Egress iff len(spec.egress) != 0 (so `egress: []` does not add Egress, `egress: [{}]` does).
 * An explicit policyTypes is kept as written: a policy with policyTypes [Egress] ignores its
 * ingress rules and vice versa ([types] PolicyTypes).
 */
export function effectivePolicyTypes(policy: NetworkPolicy): { ingress: boolean; egress: boolean } {
  const declared = policy.spec.policyTypes ?? [];
  if (declared.length === 0) return { ingress: true, egress: (policy.spec.egress ?? []).length !== 0 };
  return { ingress: declared.includes("Ingress"), egress: declared.includes("Egress") };
}

export function compileNetworkPolicy(policy: NetworkPolicy): CompiledNetworkPolicy {
  const namespace = policy.metadata.namespace ?? "default";
  const types = effectivePolicyTypes(policy);
  const ipSets: IpSet[] = [];
  const id = `${namespace}/${policy.metadata.name}`;
  const compileRules = (
    direction: "ingress" | "egress",
    rules: readonly { from?: NetworkPolicyPeer[]; to?: NetworkPolicyPeer[]; ports?: NetworkPolicyPort[] }[],
  ): CompiledNetworkPolicyRule[] =>
    rules.map((rule, index) => {
      const peerList = direction === "ingress" ? rule.from : rule.to;
      // [types] NetworkPolicyIngressRule.from / EgressRule.to: "If this field is empty or
      // missing, this rule matches all sources/destinations"; otherwise any item may match (OR).
      const peers = peerList && peerList.length > 0 ? peerList.map((p) => compilePeer(p, ipSets)) : null;
      // [types] ports: "If this field is empty or missing, this rule matches all ports".
      const ports = rule.ports && rule.ports.length > 0 ? rule.ports.map(compilePort) : null;
      const label = dirIndexLabel(direction, index);
      return { label, peers, ports, allowed: { verdict: "allow", reason: `allowed by ${id} ${label}` } };
    });
  return {
    id,
    namespace,
    // [docs] "An empty podSelector selects all pods in the namespace."
    selects: compileSelector(policy.spec.podSelector),
    selectorText: formatSelector(policy.spec.podSelector),
    ingress: types.ingress ? compileRules("ingress", policy.spec.ingress ?? []) : null,
    egress: types.egress ? compileRules("egress", policy.spec.egress ?? []) : null,
    ipSets,
  };
}

function compilePeer(peer: NetworkPolicyPeer, ipSets: IpSet[]): NetworkPolicyPeerMatcher {
  const hasSelectors = peer.podSelector !== undefined || peer.namespaceSelector !== undefined;
  if (peer.ipBlock) {
    // [types] NetworkPolicyPeer.ipBlock: "If this field is set then neither of the other
    // fields can be" (validation rejects the mix; it would never reach a cluster).
    if (hasSelectors) return { kind: "invalid", text: "ipBlock together with a selector (rejected by the API server)" };
    const block = new IpSet(peer.ipBlock.cidr, peer.ipBlock.except ?? []);
    ipSets.push(block);
    return { kind: "ipBlock", block, text: `ipBlock ${block.text}` };
  }
  if (!hasSelectors) return { kind: "invalid", text: "empty peer (rejected by the API server)" };
  // [types] podSelector: "If namespaceSelector is also set, then the NetworkPolicyPeer as a
  // whole selects the pods matching podSelector in the Namespaces selected by
  // NamespaceSelector. Otherwise it selects the pods matching podSelector in the policy's own
  // namespace." namespaceSelector: "If podSelector is also set, ... Otherwise it selects all
  // pods in the namespaces selected by namespaceSelector." ({} selects all namespaces.)
  const parts: string[] = [];
  if (peer.namespaceSelector !== undefined) parts.push(`namespaceSelector ${formatSelector(peer.namespaceSelector)}`);
  if (peer.podSelector !== undefined) parts.push(`podSelector ${formatSelector(peer.podSelector)}`);
  return {
    kind: "pods",
    namespaces: peer.namespaceSelector !== undefined ? compileSelector(peer.namespaceSelector) : undefined,
    pods: compileSelector(peer.podSelector),
    text: parts.join(" AND "),
  };
}

/**
 * [types] NetworkPolicyPort + [defaults] SetDefaults_NetworkPolicyPort: protocol defaults to
 * TCP; no `port` matches every port of that protocol; a string port is a named port; `endPort`
 * makes the inclusive range port..endPort (only with a numeric port, validation enforces it).
 */
function compilePort(port: NetworkPolicyPort): PortMatcher {
  const protocol = port.protocol ?? "TCP";
  if (port.port === undefined) return { kind: "any", protocol };
  if (typeof port.port === "string") {
    if (port.endPort !== undefined) return { kind: "invalid", text: `endPort with named port ${port.port}` };
    return { kind: "named", protocol, name: port.port };
  }
  const to = port.endPort ?? port.port;
  if (to < port.port) return { kind: "invalid", text: `endPort ${to} < port ${port.port}` };
  return { kind: "range", protocol, from: port.port, to };
}

/** Whether a policy selects this pod through spec.podSelector (its own namespace only). */
export function policySelects(policy: CompiledNetworkPolicy, pod: PodModel): boolean {
  return pod.namespace === policy.namespace && policy.selects(pod.labels);
}

/** Whether one peer of a rule of `policy` matches the other end of the connection. */
export function networkPolicyPeerMatches(
  peer: NetworkPolicyPeerMatcher, policy: CompiledNetworkPolicy, other: Endpoint, conn: Connection, pass: Pass,
): boolean {
  switch (peer.kind) {
    case "pods": {
      // Pod selectors only ever select pods, never external addresses; under the "node"
      // behaviour for host-network pods they do not select host-network pods either.
      if (other.kind !== "pod") return false;
      const pod = other.pod;
      if (pass.hostAsNode && pod.hostNetwork) return false;
      if (peer.namespaces === undefined) {
        if (pod.namespace !== policy.namespace) return false;
      } else if (!peer.namespaces(pass.world.namespaceLabels(pod.namespace))) {
        return false;
      }
      return peer.pods(pod.labels);
    }
    case "ipBlock":
      // The block is matched against the peer's address in the connection's family: an
      // external address, or the pod IP for direct pod-to-pod traffic (as the upstream e2e
      // tests do, e.g. "should enforce except clause while egress access to server in CIDR
      // block" in test/e2e/network/netpol/network_policy.go).
      return peer.block.contains(endpointIp(other, conn.family));
    case "invalid":
      return false;
  }
}

function ruleMatches(
  rule: CompiledNetworkPolicyRule, policy: CompiledNetworkPolicy, other: Endpoint, conn: Connection, pass: Pass,
): boolean {
  // [docs] "Each rule allows traffic which matches both the from and ports sections."
  if (rule.ports !== null && !rule.ports.some((m) => portMatches(m, conn))) return false;
  if (rule.peers !== null && !rule.peers.some((p) => networkPolicyPeerMatches(p, policy, other, conn, pass))) return false;
  return true;
}

/**
 * The NetworkPolicy tier for one direction. `policies` are those in the subject's namespace
 * that select it and whose policyTypes include `direction`. Returns null when there are none:
 * the pod is not isolated for that direction ([docs] "Pods become isolated by having a
 * NetworkPolicy that selects them" — per direction, "The two sorts of isolation").
 * Otherwise the connection is allowed iff some rule of some of those policies allows it
 * ([docs] "the union of those policies' ingress/egress rules"; order does not matter).
 */
export function evaluateNetworkPolicies(
  direction: Direction,
  subject: PodModel,
  other: Endpoint,
  conn: Connection,
  policies: readonly CompiledNetworkPolicy[],
  pass: Pass,
  denied?: DirectionResult,
): DirectionResult | null {
  if (policies.length === 0) return null;
  const steps = pass.steps;
  // [docs] intro: "traffic to and from the node where a Pod is running is always allowed,
  // regardless of the IP address of the Pod or the node" and "Pods cannot ... block access
  // from their resident node". Under the "node" behaviour a host-network pod on the subject's
  // node is that node.
  if (pass.hostAsNode && other.kind === "pod" && other.pod.hostNetwork && other.pod.node === subject.node) {
    steps?.push({
      tier: "NetworkPolicy", direction, effect: "allow",
      detail: `host-network pod ${other.pod.id} treated as node ${subject.node}, the pod's own node: always allowed`,
    });
    return ownNodeAllowed(subject.node);
  }
  if (other.kind === "node" && other.node.name === subject.node) {
    steps?.push({ tier: "NetworkPolicy", direction, effect: "allow", detail: `node ${subject.node} is the pod's own node: always allowed` });
    return ownNodeAllowed(subject.node);
  }
  let allowedBy: DirectionResult | undefined;
  for (const policy of policies) {
    const rules = (direction === "ingress" ? policy.ingress : policy.egress) ?? [];
    let matched: CompiledNetworkPolicyRule | undefined;
    for (const rule of rules) {
      if (ruleMatches(rule, policy, other, conn, pass)) { matched = rule; break; }
    }
    if (matched) {
      allowedBy ??= matched.allowed;
      if (!steps) break;
      steps.push({
        tier: "NetworkPolicy", direction, policy: policy.id, rule: matched.label, effect: "allow",
        detail: `selects the pod (podSelector ${policy.selectorText}); ${describeRule(matched)} matches`,
      });
    } else if (steps) {
      steps.push({
        tier: "NetworkPolicy", direction, policy: policy.id, effect: "isolates",
        detail: rules.length === 0
          ? `selects the pod (podSelector ${policy.selectorText}) for ${direction} and has no ${direction} rules`
          : `selects the pod (podSelector ${policy.selectorText}) for ${direction}; none of its ${rules.length} ${direction} rule(s) match`,
      });
    }
  }
  return allowedBy ?? denied ?? isolationDenial(direction, policies);
}

const ownNodeResults = new Map<string, DirectionResult>();

/**
 * The result for traffic between a pod and its own node ([docs] "traffic to and from the node
 * where a Pod is running is always allowed"), one object per node.
 */
export function ownNodeAllowed(node: string): DirectionResult {
  let result = ownNodeResults.get(node);
  if (!result) {
    result = { verdict: "allow", reason: `allowed: traffic with the pod's own node (${node}) is never blocked by NetworkPolicy` };
    ownNodeResults.set(node, result);
  }
  return result;
}

/** The deny result of a pod isolated by `policies` when none of their rules allows. */
export function isolationDenial(direction: Direction, policies: readonly CompiledNetworkPolicy[]): DirectionResult {
  const names = policies.map((p) => p.id);
  const shown = names.length > 3 ? `${names.slice(0, 3).join(", ")} and ${names.length - 3} more` : names.join(", ");
  return { verdict: "deny", reason: `isolated by ${shown}; no ${direction} rule allows it` };
}

function describeRule(rule: CompiledNetworkPolicyRule): string {
  const peers = rule.peers === null ? "any peer" : rule.peers.map((p) => p.text).join(" OR ");
  const ports = rule.ports === null ? "any port" : rule.ports.map(formatPort).join(", ");
  return `${rule.label} (${peers}; ${ports})`;
}
