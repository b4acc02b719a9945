// AdminNetworkPolicy and BaselineAdminNetworkPolicy (policy.networking.k8s.io/v1alpha1).
// Sources:
//   [anp]    sigs.k8s.io/network-policy-api apis/v1alpha1/adminnetworkpolicy_types.go
//   [banp]   sigs.k8s.io/network-policy-api apis/v1alpha1/baselineadminnetworkpolicy_types.go
//   [shared] sigs.k8s.io/network-policy-api apis/v1alpha1/shared_types.go
//   [site]   https://network-policy-api.sigs.k8s.io/api-overview/ (ANP → NetworkPolicy → BANP)
import { formatSelector } from "../../kube/labels.js";
import type {
  AdminEgressPeer, AdminNetworkPolicy, AdminPort, AdminSubject, BaselineAdminNetworkPolicy, Protocol,
} from "../../kube/types.js";
import type { PodModel } from "../../scenario/model.js";
import { dirIndexLabel, type DirectionResult, type Pass } from "./context.js";
import {
  compileSelector, endpointIp, formatPort, IpSet, portMatches, type LabelPredicate, type PortMatcher,
} from "./match.js";
import type { Connection, Direction, Endpoint } from "./types.js";

export type AdminAction = "Allow" | "Deny" | "Pass";

export type AdminPeerMatcher =
  | { readonly kind: "namespaces"; readonly namespaces: LabelPredicate; readonly text: string }
  | { readonly kind: "pods"; readonly namespaces: LabelPredicate; readonly pods: LabelPredicate; readonly text: string }
  | { readonly kind: "nodes"; readonly nodes: LabelPredicate; readonly text: string }
  | { readonly kind: "networks"; readonly blocks: readonly IpSet[]; readonly text: string };

export interface CompiledAdminRule {
  /** The rule's name, or `ingress[i]` / `egress[i]` when it has none. */
  readonly label: string;
  readonly action: AdminAction;
  /** null: matches every peer (only for a fail-closed rule, see compileRule). */
  readonly peers: readonly AdminPeerMatcher[] | null;
  /** null: `ports` not set, the rule does not filter on ports ([anp] Ports). */
  readonly ports: readonly PortMatcher[] | null;
  /** Set when the rule was rewritten under the API's fail-closed instruction. */
  readonly note?: string;
  /** `ANP name rule 'label'`, for reasons. */
  readonly where: string;
  /** The direction's result for Allow / Deny (precomputed); undefined for Pass. */
  readonly outcome?: DirectionResult;
}

export interface CompiledAdminPolicy {
  readonly kind: "ANP" | "BANP";
  readonly name: string;
  /** ANP priority; BANP: Infinity (it is a single object, evaluated after NetworkPolicy). */
  readonly priority: number;
  readonly subjectText: string;
  readonly subject: (pod: PodModel, pass: Pass) => boolean;
  /** The selectors `subject` applies (none for an invalid subject), for identity classes. */
  readonly subjectSelectors: AdminSubjectSelectors | undefined;
  readonly ingress: readonly CompiledAdminRule[];
  readonly egress: readonly CompiledAdminRule[];
  readonly ipSets: readonly IpSet[];
}

/** A subject's namespace selector and, for a `pods` subject, its pod selector. */
export interface AdminSubjectSelectors {
  readonly namespaces: LabelPredicate;
  readonly pods?: LabelPredicate;
}

type AnyAdminRule = {
  name?: string;
  action: string;
  from?: AdminEgressPeer[];
  to?: AdminEgressPeer[];
  ports?: AdminPort[];
};

export function compileAdminNetworkPolicy(policy: AdminNetworkPolicy): CompiledAdminPolicy {
  return compileAdmin("ANP", policy.metadata.name, policy.spec.priority, policy.spec);
}

export function compileBaselineAdminNetworkPolicy(policy: BaselineAdminNetworkPolicy): CompiledAdminPolicy {
  return compileAdmin("BANP", policy.metadata.name, Number.POSITIVE_INFINITY, policy.spec);
}

function compileAdmin(
  kind: "ANP" | "BANP",
  name: string,
  priority: number,
  spec: { subject: AdminSubject; ingress?: readonly AnyAdminRule[]; egress?: readonly AnyAdminRule[] },
): CompiledAdminPolicy {
  const ipSets: IpSet[] = [];
  const compileRules = (direction: Direction, rules: readonly AnyAdminRule[] | undefined) =>
    (rules ?? []).map((rule, index) => {
      const compiled = compileRule(direction, index, rule, ipSets);
      const where = `${kind} ${name} rule '${compiled.label}'`;
      const outcome: DirectionResult | undefined = compiled.action === "Allow"
        ? { verdict: "allow", reason: `allowed by ${where}` }
        : compiled.action === "Deny" ? { verdict: "deny", reason: `denied by ${where}` } : undefined;
      return { ...compiled, where, ...(outcome ? { outcome } : {}) };
    });
  const { test, text, selectors } = compileSubject(spec.subject);
  return {
    kind, name, priority, subjectText: text, subject: test, subjectSelectors: selectors,
    // [anp] "ANPs with no ingress rules do not affect ingress traffic" (likewise egress, and BANP).
    ingress: compileRules("ingress", spec.ingress),
    egress: compileRules("egress", spec.egress),
    ipSets,
  };
}

/**
 * [shared] AdminNetworkPolicySubject: exactly one of `namespaces` (every pod in the selected
 * namespaces) or `pods` (namespaceSelector AND podSelector). [anp] Subject: "Note that
 * host-networked pods are not included in subject selection." A subject with neither (or
 * both, which the CRD's MaxProperties=1 rejects) selects nothing here.
 */
function compileSubject(subject: AdminSubject): {
  test: (pod: PodModel, pass: Pass) => boolean; text: string; selectors: AdminSubjectSelectors | undefined;
} {
  if (subject.namespaces && !subject.pods) {
    const ns = compileSelector(subject.namespaces);
    return {
      test: (pod, pass) => !pod.hostNetwork && ns(pass.world.namespaceLabels(pod.namespace)),
      text: `namespaces ${formatSelector(subject.namespaces)}`,
      selectors: { namespaces: ns },
    };
  }
  if (subject.pods && !subject.namespaces) {
    const ns = compileSelector(subject.pods.namespaceSelector);
    const pods = compileSelector(subject.pods.podSelector);
    return {
      test: (pod, pass) => !pod.hostNetwork && pods(pod.labels) && ns(pass.world.namespaceLabels(pod.namespace)),
      text: `pods ${formatSelector(subject.pods.namespaceSelector)} / ${formatSelector(subject.pods.podSelector)}`,
      selectors: { namespaces: ns, pods },
    };
  }
  return { test: () => false, text: "invalid subject (selects nothing)", selectors: undefined };
}

function compileRule(
  direction: Direction, index: number, rule: AnyAdminRule, ipSets: IpSet[],
): Omit<CompiledAdminRule, "where" | "outcome"> {
  const label = rule.name && rule.name.length > 0 ? rule.name : dirIndexLabel(direction, index);
  const action = (rule.action === "Allow" || rule.action === "Deny" || rule.action === "Pass") ? rule.action : undefined;
  const peerList = (direction === "ingress" ? rule.from : rule.to) ?? [];
  const peers = peerList.map((peer) => compilePeer(peer, ipSets));
  const ports = rule.ports === undefined ? null : rule.ports.map(compilePort);
  const unknown = action === undefined || peers.includes(undefined) || (ports?.includes(undefined) ?? false) || peerList.length === 0;
  if (unknown) {
    // [shared]/[anp] AdminNetworkPolicyEgressPeer/IngressPeer: when a consumer sees a peer
    // with none of its known fields set it must fail closed: "For Allow rules, treat the rule
    // as matching no traffic. For Deny and Pass rules, treat the rule as a 'Deny all' rule."
    // We apply the same to ports and empty peer lists (which the CRD rejects).
    const why = "unrecognised peer/port (the API says: fail closed)";
    if (action === "Allow") return { label, action, peers: [], ports: [], note: `${why}: matches nothing` };
    return { label, action: "Deny", peers: null, ports: null, note: `${why}: treated as deny-all` };
  }
  return { label, action: action!, peers: peers as AdminPeerMatcher[], ports: ports as PortMatcher[] | null };
}

function exactlyOne(values: readonly unknown[]): boolean {
  return values.filter((v) => v !== undefined).length === 1;
}

function compilePeer(peer: AdminEgressPeer, ipSets: IpSet[]): AdminPeerMatcher | undefined {
  // [shared] "Exactly one of the fields must be set for a given peer".
  if (!exactlyOne([peer.namespaces, peer.pods, peer.nodes, peer.networks])) return undefined;
  if (peer.namespaces) {
    return { kind: "namespaces", namespaces: compileSelector(peer.namespaces), text: `namespaces ${formatSelector(peer.namespaces)}` };
  }
  if (peer.pods) {
    return {
      kind: "pods",
      namespaces: compileSelector(peer.pods.namespaceSelector),
      pods: compileSelector(peer.pods.podSelector),
      text: `pods ${formatSelector(peer.pods.namespaceSelector)} / ${formatSelector(peer.pods.podSelector)}`,
    };
  }
  if (peer.nodes) return { kind: "nodes", nodes: compileSelector(peer.nodes), text: `nodes ${formatSelector(peer.nodes)}` };
  const blocks = peer.networks!.map((cidr) => new IpSet(cidr));
  ipSets.push(...blocks);
  return { kind: "networks", blocks, text: `networks ${peer.networks!.join(",")}` };
}

/**
 * [shared] AdminNetworkPolicyPort, exactly one of: portNumber {protocol (default TCP), port};
 * namedPort (a container port name on the destination pod — for ingress the subject, for
 * egress the peer; its protocol is the container port's); portRange {protocol, start, end}
 * (inclusive).
 */
function compilePort(port: AdminPort): PortMatcher | undefined {
  if (!exactlyOne([port.portNumber, port.namedPort, port.portRange])) return undefined;
  if (port.portNumber) {
    const protocol: Protocol = port.portNumber.protocol ?? "TCP";
    return { kind: "range", protocol, from: port.portNumber.port, to: port.portNumber.port };
  }
  if (port.portRange) {
    const protocol: Protocol = port.portRange.protocol ?? "TCP";
    return { kind: "range", protocol, from: port.portRange.start, to: port.portRange.end };
  }
  return { kind: "named", protocol: undefined, name: port.namedPort! };
}

/** Whether one peer of an (B)ANP rule matches the other end of the connection. */
export function adminPeerMatches(peer: AdminPeerMatcher, other: Endpoint, conn: Connection, pass: Pass): boolean {
  switch (peer.kind) {
    // [shared] namespaces / pods peers: "Note that host-networked pods are not included in
    // this type of peer." They never match an address outside the cluster.
    case "namespaces":
      return other.kind === "pod" && !other.pod.hostNetwork && peer.namespaces(pass.world.namespaceLabels(other.pod.namespace));
    case "pods":
      return other.kind === "pod" && !other.pod.hostNetwork && peer.pods(other.pod.labels) &&
        peer.namespaces(pass.world.namespaceLabels(other.pod.namespace));
    case "nodes": {
      // [anp] Nodes (egress): "selects the nodeIPs ... present in the node.Status.Addresses".
      // A pod-network pod is never a node; a host-network pod uses its node's IP, so it is
      // matched by the selector of the node it runs on. External addresses carry no node.
      if (other.kind !== "pod" || !other.pod.hostNetwork) return false;
      const labels = pass.world.nodeLabels(other.pod.node);
      return labels !== undefined && peer.nodes(labels);
    }
    case "networks": {
      // [anp] Networks: "cluster-internal traffic will be checked against the rule as well.
      // So if you Allow or Deny traffic to 0.0.0.0/0, that will allow or deny all IPv4
      // pod-to-pod traffic as well." Matched on the peer's address of this family.
      const ip = endpointIp(other, conn.family);
      return peer.blocks.some((b) => b.contains(ip));
    }
  }
}

export function adminRuleMatches(rule: CompiledAdminRule, other: Endpoint, conn: Connection, pass: Pass): boolean {
  // [anp] "If Ports is not set then the rule does not filter traffic via port"; peers are ORed.
  if (rule.ports !== null && !rule.ports.some((m) => portMatches(m, conn))) return false;
  if (rule.peers !== null && !rule.peers.some((p) => adminPeerMatches(p, other, conn, pass))) return false;
  return true;
}

/** The first rule of `policy` in `direction` that matches, in the order written ([anp] Ingress/Egress). */
export function firstMatchingRule(
  policy: CompiledAdminPolicy, direction: Direction, other: Endpoint, conn: Connection, pass: Pass,
): CompiledAdminRule | undefined {
  const rules = direction === "ingress" ? policy.ingress : policy.egress;
  for (const rule of rules) {
    if (adminRuleMatches(rule, other, conn, pass)) return rule;
  }
  return undefined;
}

export function describeAdminRule(rule: CompiledAdminRule): string {
  const peers = rule.peers === null ? "any peer" : rule.peers.map((p) => p.text).join(" OR ") || "no peer";
  const ports = rule.ports === null ? "any port" : rule.ports.map(formatPort).join(", ") || "no port";
  return `${rule.action} (${peers}; ${ports})${rule.note ? ` [${rule.note}]` : ""}`;
}

/** The result of a Pass rule ([anp] Pass: skip the remaining ANP rules), given what the later tiers decided. */
export function passedThrough(rule: CompiledAdminRule, rest: DirectionResult): DirectionResult {
  return { verdict: rest.verdict, reason: `passed by ${rule.where}, then ${rest.reason}` };
}

export interface AdminHit {
  readonly policy: CompiledAdminPolicy;
  readonly rule: CompiledAdminRule;
}

/** `anp-a rule 'x' (Allow), anp-b rule 'y' (Deny)`: the equal-priority rules that match. */
export function describeHits(hits: readonly AdminHit[]): string {
  return hits.map((h) => `${h.policy.name} rule '${h.rule.label}' (${h.rule.action})`).join(", ");
}

/**
 * Several ANPs of one priority match with different actions ([anp] Priority: "the
 * implementation can apply any of the matching policies"): `verdicts` holds the verdict each
 * possible choice leads to. One verdict stands when every choice gives it; otherwise the
 * result is `undefined`.
 */
export function equalPriorityResult(hits: readonly AdminHit[], verdicts: ReadonlySet<DirectionResult["verdict"]>): DirectionResult {
  const names = describeHits(hits);
  const priority = hits[0]!.policy.priority;
  if (verdicts.size === 1 && !verdicts.has("undefined")) {
    const verdict = [...verdicts][0]!;
    return { verdict, reason: `${verdict === "allow" ? "allowed" : "denied"} whichever applies of the equal-priority (${priority}) ANPs ${names}` };
  }
  return {
    verdict: "undefined",
    reason: `undefined: ANPs ${names} have the same priority ${priority}; which one applies is implementation-defined`,
  };
}
