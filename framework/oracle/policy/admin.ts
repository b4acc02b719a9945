// AdminNetworkPolicy and BaselineAdminNetworkPolicy (policy.networking.k8s.io/v1alpha1) and
// ClusterNetworkPolicy (v1alpha2), compiled to one form: a policy of a tier with a priority,
// rules in order, each Allow (CNP: Accept), Deny or Pass.
// Sources:
//   [anp]    sigs.k8s.io/network-policy-api apis/v1alpha1/adminnetworkpolicy_types.go
//   [banp]   sigs.k8s.io/network-policy-api apis/v1alpha1/baselineadminnetworkpolicy_types.go
//   [shared] sigs.k8s.io/network-policy-api apis/v1alpha1/shared_types.go
//   [cnp]    sigs.k8s.io/network-policy-api apis/v1alpha2/clusternetworkpolicy_types.go
//   [site]   https://network-policy-api.sigs.k8s.io/api-overview/ (ANP → NetworkPolicy → BANP)
import { formatSelector } from "../../kube/labels.js";
import { CLUSTER_DNS } from "../../scenario/model.js";
import type {
  AdminEgressPeer, AdminNetworkPolicy, AdminPort, AdminSubject, BaselineAdminNetworkPolicy, ClusterNetworkPolicy,
  CnpEgressPeer, CnpProtocol, CnpSubject, Protocol,
} from "../../kube/types.js";
import type { PodModel } from "../../scenario/model.js";
import { dirIndexLabel, type DirectionResult, type Pass } from "./context.js";
import {
  compileSelector, endpointIp, formatPort, IpSet, portMatches, type LabelPredicate, type PortMatcher,
} from "./match.js";
import type { Connection, Direction, Endpoint } from "./types.js";

/**
 * "Undefined" is not an API action: it stands for a `domainNames` peer's possible match (see
 * splitDomainNames), whose outcome netspec cannot know.
 */
export type AdminAction = "Allow" | "Deny" | "Pass" | "Undefined";
export type AdminKind = "ANP" | "BANP" | "CNP";
/** [cnp] Tier: Admin (before NetworkPolicy) or Baseline (after it). ANP is Admin, BANP Baseline. */
export type AdminTier = "Admin" | "Baseline";

export type AdminPeerMatcher =
  | { readonly kind: "namespaces"; readonly namespaces: LabelPredicate; readonly text: string }
  | { readonly kind: "pods"; readonly namespaces: LabelPredicate; readonly pods: LabelPredicate; readonly text: string }
  | { readonly kind: "nodes"; readonly nodes: LabelPredicate; readonly text: string }
  | { readonly kind: "networks"; readonly blocks: readonly IpSet[]; readonly text: string }
  /** [cnp] DomainNames; `clusterDomain`: a name could be one of the cluster's own DNS names. */
  | { readonly kind: "domainNames"; readonly names: readonly string[]; readonly clusterDomain: boolean; readonly text: string };

export interface CompiledAdminRule {
  /** The rule's name, or `ingress[i]` / `egress[i]` when it has none. */
  readonly label: string;
  readonly action: AdminAction;
  /** The action as the manifest writes it (CNP: Accept for Allow). */
  readonly written: string;
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
  readonly kind: AdminKind;
  readonly tier: AdminTier;
  readonly name: string;
  /** ANP and CNP priority; BANP: Infinity (it is a single object, evaluated after NetworkPolicy). */
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

/** One rule in the shape all three kinds share; `ports` already compiled (null: not set). */
type AnyAdminRule = {
  name?: string;
  action: string;
  from?: (AdminEgressPeer | CnpEgressPeer)[];
  to?: (AdminEgressPeer | CnpEgressPeer)[];
  ports: (PortMatcher | undefined)[] | null;
};

export function compileAdminNetworkPolicy(policy: AdminNetworkPolicy): CompiledAdminPolicy {
  return compileAdmin("ANP", "Admin", policy.metadata.name, policy.spec.priority, policy.spec.subject,
    anpRules(policy.spec.ingress), anpRules(policy.spec.egress));
}

export function compileBaselineAdminNetworkPolicy(policy: BaselineAdminNetworkPolicy): CompiledAdminPolicy {
  return compileAdmin("BANP", "Baseline", policy.metadata.name, Number.POSITIVE_INFINITY, policy.spec.subject,
    anpRules(policy.spec.ingress), anpRules(policy.spec.egress));
}

/**
 * [cnp] ClusterNetworkPolicySpec: `tier` Admin or Baseline, `priority` within the tier, rules in
 * order. Accept is Allow here: "Accepts the selected traffic ... No further ClusterNetworkPolicy
 * or NetworkPolicy rules will be processed" (for egress: "but any ingress rules at the
 * destination do apply", as for every direction here).
 */
export function compileClusterNetworkPolicy(policy: ClusterNetworkPolicy): CompiledAdminPolicy {
  const rules = (list: readonly { name?: string; action: string; from?: CnpEgressPeer[]; to?: CnpEgressPeer[]; protocols?: CnpProtocol[] }[] | undefined) =>
    list?.map((rule): AnyAdminRule => ({
      ...rule, action: rule.action === "Accept" ? "Allow" : rule.action === "Allow" ? "invalid" : rule.action,
      ports: rule.protocols === undefined ? null : rule.protocols.map(compileProtocol),
    }));
  return compileAdmin("CNP", policy.spec.tier, policy.metadata.name, policy.spec.priority, policy.spec.subject,
    rules(policy.spec.ingress), rules(policy.spec.egress), (rule) => rule.action === "Allow" ? "Accept" : rule.action);
}

function anpRules(list: readonly { name?: string; action: string; from?: AdminEgressPeer[]; to?: AdminEgressPeer[]; ports?: AdminPort[] }[] | undefined) {
  return list?.map((rule): AnyAdminRule => ({ ...rule, ports: rule.ports === undefined ? null : rule.ports.map(compilePort) }));
}

/** How reasons name a policy: `ANP x`, `BANP default`, `CNP x (Admin tier)`. */
export function policyTitle(policy: Pick<CompiledAdminPolicy, "kind" | "tier" | "name">): string {
  return policy.kind === "CNP" ? `CNP ${policy.name} (${policy.tier} tier)` : `${policy.kind} ${policy.name}`;
}

function compileAdmin(
  kind: AdminKind,
  tier: AdminTier,
  name: string,
  priority: number,
  subject: AdminSubject | CnpSubject,
  ingress: readonly AnyAdminRule[] | undefined,
  egress: readonly AnyAdminRule[] | undefined,
  written: (rule: { action: AdminAction }) => string = (rule) => rule.action,
): CompiledAdminPolicy {
  const ipSets: IpSet[] = [];
  const title = policyTitle({ kind, tier, name });
  const compileRules = (direction: Direction, rules: readonly AnyAdminRule[] | undefined) =>
    (rules ?? []).flatMap((rule, index) => splitDomainNames(compileRule(direction, index, rule, ipSets)).map((compiled) => {
      const where = `${title} rule '${compiled.label}'`;
      const outcome: DirectionResult | undefined = compiled.action === "Allow"
        ? { verdict: "allow", reason: `allowed by ${where}` }
        : compiled.action === "Deny" ? { verdict: "deny", reason: `denied by ${where}${compiled.note ? ` (${compiled.note})` : ""}` }
        : compiled.action === "Undefined" ? { verdict: "undefined", reason: `undefined: ${where} ${DOMAIN_NAMES_UNDEFINED}` }
        : undefined;
      return { ...compiled, written: compiled.action === "Undefined" ? `${written(rule as { action: AdminAction })} (domainNames)` : written(compiled), where, ...(outcome ? { outcome } : {}) };
    }));
  const { test, text, selectors } = compileSubject(subject);
  return {
    kind, tier, name, priority, subjectText: text, subject: test, subjectSelectors: selectors,
    // [anp] "ANPs with no ingress rules do not affect ingress traffic" (likewise egress, BANP, [cnp]).
    ingress: compileRules("ingress", ingress),
    egress: compileRules("egress", egress),
    ipSets,
  };
}

/**
 * [shared] AdminNetworkPolicySubject: exactly one of `namespaces` (every pod in the selected
 * namespaces) or `pods` (namespaceSelector AND podSelector). [anp] Subject: "Note that
 * host-networked pods are not included in subject selection." A subject with neither (or
 * both, which the CRD's MaxProperties=1 rejects) selects nothing here.
 */
function compileSubject(subject: AdminSubject | CnpSubject): {
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

type RuleDraft = Omit<CompiledAdminRule, "where" | "outcome" | "written">;

function compileRule(direction: Direction, index: number, rule: AnyAdminRule, ipSets: IpSet[]): RuleDraft {
  const label = rule.name && rule.name.length > 0 ? rule.name : dirIndexLabel(direction, index);
  const action = (rule.action === "Allow" || rule.action === "Deny" || rule.action === "Pass") ? rule.action : undefined;
  const peerList = (direction === "ingress" ? rule.from : rule.to) ?? [];
  const peers = peerList.map((peer) => compilePeer(peer, ipSets));
  const ports = rule.ports;
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

/**
 * [cnp] DomainNames: a peer that matches the addresses the subject resolved those names to —
 * DNS-aware egress that netspec does not model. A rule with such peers becomes two: its other
 * peers with its action, then the domainNames peers with the outcome `undefined`, so that a
 * connection only they could match is `undefined` and everything else is judged as written.
 */
function splitDomainNames(rule: RuleDraft): RuleDraft[] {
  if (rule.peers === null || !rule.peers.some((p) => p.kind === "domainNames")) return [rule];
  const definite = rule.peers.filter((p) => p.kind !== "domainNames");
  const maybe: RuleDraft = { ...rule, action: "Undefined", peers: rule.peers.filter((p) => p.kind === "domainNames") };
  return definite.length > 0 ? [{ ...rule, peers: definite }, maybe] : [maybe];
}

const DOMAIN_NAMES_UNDEFINED =
  "matches by domainNames, i.e. by which names the pod resolved to this address: DNS-aware egress is the implementation's, netspec does not model it";

function compilePeer(peer: AdminEgressPeer | CnpEgressPeer, ipSets: IpSet[]): AdminPeerMatcher | undefined {
  const domainNames = "domainNames" in peer ? peer.domainNames : undefined;
  // [shared], [cnp] "Exactly one of the fields must be set for a given peer".
  if (!exactlyOne([peer.namespaces, peer.pods, peer.nodes, peer.networks, domainNames])) return undefined;
  if (domainNames) {
    return { kind: "domainNames", names: domainNames, clusterDomain: domainNames.some(mayNameClusterDns), text: `domainNames ${domainNames.join(",")}` };
  }
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

/**
 * [cnp] DomainName: an exact name, or `*.` + a suffix matching one or more whole labels. Could it
 * match a cluster DNS name (`….svc.cluster.local`, `….pod.cluster.local`)? Only then may it
 * match an in-cluster destination.
 */
function mayNameClusterDns(pattern: string): boolean {
  const name = pattern.replace(/\.$/, "").toLowerCase();
  const domain = CLUSTER_DNS.domain;
  if (name.startsWith("*.")) {
    const suffix = name.slice(2);
    return suffix === domain || domain.endsWith(`.${suffix}`) || suffix.endsWith(`.${domain}`);
  }
  return name.endsWith(`.${domain}`);
}

/**
 * [cnp] ClusterNetworkPolicyProtocol, exactly one of `tcp`/`udp`/`sctp` with a
 * `destinationPort` (a `number` or an inclusive `range`), or `destinationNamedPort` (a container
 * port name on the destination pod; its protocol is the container port's). Anything else is
 * unknown to this version: undefined, and the rule fails closed (compileRule).
 */
function compileProtocol(protocol: CnpProtocol): PortMatcher | undefined {
  const set = (["tcp", "udp", "sctp"] as const).filter((p) => protocol[p] !== undefined);
  if (set.length + (protocol.destinationNamedPort !== undefined ? 1 : 0) !== 1) return undefined;
  if (protocol.destinationNamedPort !== undefined) return { kind: "named", protocol: undefined, name: protocol.destinationNamedPort };
  const name = set[0]!;
  const port = protocol[name]!.destinationPort;
  const upper: Protocol = name === "tcp" ? "TCP" : name === "udp" ? "UDP" : "SCTP";
  if (port === undefined || !exactlyOne([port.number, port.range])) return undefined;
  if (port.number !== undefined) return { kind: "range", protocol: upper, from: port.number, to: port.number };
  return { kind: "range", protocol: upper, from: port.range!.start, to: port.range!.end };
}

/** Whether one peer of an (B)ANP or CNP rule matches the other end of the connection. */
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
      if (other.kind === "node") return peer.nodes(other.node.labels);
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
    case "domainNames":
      // A possible match (its rule's outcome is `undefined`, splitDomainNames): any address
      // outside the cluster, and in-cluster pods only for a name in the cluster's DNS domain.
      // A node is no name's answer that netspec models (node names are not in the cluster domain).
      if (other.kind === "node") return false;
      return other.kind === "external" || (peer.clusterDomain && !other.pod.hostNetwork);
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
  return `${rule.written} (${peers}; ${ports})${rule.note ? ` [${rule.note}]` : ""}`;
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
  return hits.map((h) => `${h.policy.name} rule '${h.rule.label}' (${h.rule.written})`).join(", ");
}

/** `ANPs`, `Admin-tier CNPs`: a kind in the plural, for messages about several policies. */
export function kindPlural(policy: Pick<CompiledAdminPolicy, "kind" | "tier">): string {
  return policy.kind === "CNP" ? `${policy.tier}-tier CNPs` : `${policy.kind}s`;
}

/**
 * Several policies of one kind, tier and priority match with different actions ([anp] Priority: "the
 * implementation can apply any of the matching policies"): `verdicts` holds the verdict each
 * possible choice leads to. One verdict stands when every choice gives it; otherwise the
 * result is `undefined`.
 */
export function equalPriorityResult(hits: readonly AdminHit[], verdicts: ReadonlySet<DirectionResult["verdict"]>): DirectionResult {
  const names = describeHits(hits);
  const priority = hits[0]!.policy.priority;
  const kinds = kindPlural(hits[0]!.policy);
  if (verdicts.size === 1 && !verdicts.has("undefined")) {
    const verdict = [...verdicts][0]!;
    return { verdict, reason: `${verdict === "allow" ? "allowed" : "denied"} whichever applies of the equal-priority (${priority}) ${kinds} ${names}` };
  }
  return {
    verdict: "undefined",
    reason: `undefined: ${kinds} ${names} have the same priority ${priority}; which one applies is implementation-defined`,
  };
}

/**
 * One tier holds policies of two kinds (AdminNetworkPolicy and Admin-tier ClusterNetworkPolicy,
 * or the BaselineAdminNetworkPolicy and Baseline-tier ClusterNetworkPolicies). The API orders
 * policies within a kind by priority but says nothing about one kind against the other ([cnp]
 * replaces the v1alpha1 kinds; neither type file ranks them), so whichever kind's first
 * matching rule applies is the implementation's choice. Any interleaving yields the first hit
 * of one kind or of the other, so the two results here (`first`: the v1alpha1 kind first,
 * `second`: CNPs first) are all there is: equal verdicts stand, different ones are `undefined`.
 */
export function unorderedKindsResult(tier: AdminTier, first: DirectionResult, second: DirectionResult): DirectionResult {
  if (first.verdict === second.verdict) return first;
  const kinds = tier === "Admin" ? "AdminNetworkPolicies and Admin-tier ClusterNetworkPolicies" : "the BaselineAdminNetworkPolicy and Baseline-tier ClusterNetworkPolicies";
  const older = tier === "Admin" ? "ANPs" : "the BANP";
  return {
    verdict: "undefined",
    reason: `undefined: ${kinds} both apply and the API does not order one kind against the other (${older} first: ${first.verdict}, ${first.reason}; CNPs first: ${second.verdict}, ${second.reason})`,
  };
}
