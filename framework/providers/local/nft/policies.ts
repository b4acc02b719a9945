// NetworkPolicy v1, AdminNetworkPolicy, BaselineAdminNetworkPolicy and ClusterNetworkPolicy,
// compiled from the manifests into per-pod chains, the way policy CNIs program a node:
//
//   forward (filter):  ct state established,related accept
//                      ip saddr vmap @egress-v4     (pods of this node, leaving their veth)
//                      ip daddr vmap @ingress-v4    (pods of this node, entering their veth)
//   input (filter):    the same egress dispatch for TCP/UDP/SCTP to the node itself
//
// Forward runs after prerouting's DNAT, so Service traffic is judged on the backend pod.
// Each isolated pod and direction gets a chain `ing-<ns>/<pod>` / `egr-<ns>/<pod>`:
//
//   self traffic (the pod's own address) is always allowed
//   Admin tier: AdminNetworkPolicies and `tier: Admin` ClusterNetworkPolicies, interleaved by
//     priority ascending (the ANP first on a tie, then by name), rules in order:
//     Allow / Accept → allowed (the NP and Baseline tiers are skipped), Deny → drop,
//     Pass → goto the NetworkPolicy tier (chain `ing-np-…` / `egr-np-…`)
//   NetworkPolicy tier: when a policy of the pod's namespace isolates it in this direction,
//     the union of their rules allows, anything else drops; otherwise
//   Baseline tier: the BaselineAdminNetworkPolicy, then `tier: Baseline` ClusterNetworkPolicies
//     by priority, rules in order: Allow / Accept → allowed, Deny → drop, Pass → allowed
//     (the default); then allowed.
//
// "Allowed" is `accept` in ingress chains and `return` in egress chains (the packet then goes
// on to the destination's ingress check in the same forward chain). Denied packets are
// dropped: the client sees a timeout, as with most CNIs.
//
// Peers become named interval sets of addresses (pod /32 and /128 addresses merged with
// ipBlock `cidr` minus `except`, ANP/CNP `networks`, node addresses); ports become
// `tcp dport 80` / `udp dport 1000-2000` / `meta l4proto sctp`; named ports are resolved on the
// destination pod: on ingress that is the pod the chain belongs to, on egress every pod the peer
// covers becomes an `address . protocol . port` element. CNP `domainNames` peers match nothing
// (no DNS-aware egress here).
//
// Sources cited below:
//   [anp]  sigs.k8s.io/network-policy-api apis/v1alpha1/adminnetworkpolicy_types.go
//   [cnp]  sigs.k8s.io/network-policy-api apis/v1alpha2/clusternetworkpolicy_types.go (the
//          types netspec reads are framework/kube/types.ts `ClusterNetworkPolicy`)
import { createHash } from "node:crypto";
import { selectorMatches } from "../../../kube/labels.js";
import type { Family } from "../../../kube/net.js";
import type {
  AdminEgressPeer, AdminIngressPeer, AdminNetworkPolicy, AdminPort, AdminSubject, BaselineAdminNetworkPolicy, CnpSubject,
  ClusterNetworkPolicy, CnpEgressPeer, CnpProtocol, LabelSelector, NetworkPolicy, NetworkPolicyPeer,
  NetworkPolicyPort, PolicyType, Protocol,
} from "../../../kube/types.js";
import type { PodModel } from "../../../scenario/model.js";
import { FAMILY, protoWord, type Ctx } from "./context.js";
import { addressRange, cidrRange, formatRange, ipBlockRanges, mergeRanges, rangeContains, type AddrRange } from "./ranges.js";
import { ident } from "./script.js";

export type Direction = "ingress" | "egress";

/** Who a rule's peers cover: everyone, or these addresses (of both families). */
export type PeerMatch = { readonly any: true } | { readonly any: false; readonly ranges: readonly AddrRange[] };

/** A port clause: numbers (a range when `to` is set), every port of a protocol, or a named port. */
export type PortMatch =
  | { readonly kind: "number"; readonly protocol: Protocol; readonly from: number; readonly to?: number }
  | { readonly kind: "all"; readonly protocol: Protocol }
  /** `protocol` undefined: any protocol the named container port has (ANP namedPort). */
  | { readonly kind: "named"; readonly name: string; readonly protocol?: Protocol };

export interface CompiledRule {
  readonly peers: PeerMatch;
  /** undefined or empty: every port and protocol. */
  readonly ports?: readonly PortMatch[];
  readonly action: "allow" | "deny" | "pass";
  /** Where it came from, for the rule comment. */
  readonly origin: string;
}

const ANY: PeerMatch = { any: true };

// ---- selection ---------------------------------------------------------------------------

export function namespaceOf(policy: NetworkPolicy): string {
  return policy.metadata.namespace ?? "default";
}

/** policyTypes as the API server defaults them: Ingress, plus Egress when egress rules exist. */
export function effectivePolicyTypes(policy: NetworkPolicy): readonly PolicyType[] {
  const declared = policy.spec.policyTypes;
  if (declared && declared.length > 0) return declared;
  return (policy.spec.egress ?? []).length > 0 ? ["Ingress", "Egress"] : ["Ingress"];
}

/** `selector` undefined: a v1alpha2 NamespacedPod without namespaceSelector, every namespace. */
function namespaceMatches(ctx: Ctx, selector: LabelSelector | undefined, namespace: string): boolean {
  const labels = ctx.namespaceLabels.get(namespace) ?? { "kubernetes.io/metadata.name": namespace };
  return selectorMatches(selector, labels);
}

function podRanges(pods: readonly PodModel[]): AddrRange[] {
  return pods.flatMap((p) => Object.values(p.ips).filter((ip): ip is string => !!ip).map(addressRange));
}

export function adminSubjectMatches(ctx: Ctx, subject: AdminSubject | CnpSubject, pod: PodModel): boolean {
  if (subject.namespaces) return namespaceMatches(ctx, subject.namespaces, pod.namespace);
  if (subject.pods) {
    return namespaceMatches(ctx, subject.pods.namespaceSelector, pod.namespace) && selectorMatches(subject.pods.podSelector, pod.labels);
  }
  return false;
}

// ---- peers and ports ---------------------------------------------------------------------

function npPeer(ctx: Ctx, policyNamespace: string, peer: NetworkPolicyPeer): AddrRange[] {
  if (peer.ipBlock) return ipBlockRanges(peer.ipBlock.cidr, peer.ipBlock.except ?? []);
  if (!peer.podSelector && !peer.namespaceSelector) return [];
  const pods = ctx.podNetworkPods.filter((q) =>
    (peer.namespaceSelector ? namespaceMatches(ctx, peer.namespaceSelector, q.namespace) : q.namespace === policyNamespace) &&
    selectorMatches(peer.podSelector, q.labels));
  return podRanges(pods);
}

function memo<T>(ctx: Ctx, key: object, compute: () => T): T {
  if (ctx.memo.has(key)) return ctx.memo.get(key) as T;
  const value = compute();
  ctx.memo.set(key, value);
  return value;
}

function npPeers(ctx: Ctx, policyNamespace: string, peers: readonly NetworkPolicyPeer[] | undefined): PeerMatch {
  if (!peers || peers.length === 0) return ANY;
  return memo(ctx, peers, () => ({ any: false, ranges: mergeRanges(peers.flatMap((p) => npPeer(ctx, policyNamespace, p))) }));
}

function npPorts(ports: readonly NetworkPolicyPort[] | undefined): PortMatch[] | undefined {
  if (!ports || ports.length === 0) return undefined;
  return ports.map((p): PortMatch => {
    const protocol = p.protocol ?? "TCP";
    if (p.port === undefined) return { kind: "all", protocol };
    if (typeof p.port === "string") {
      // An IntOrString may carry a number as text ("80").
      if (/^\d+$/.test(p.port)) return { kind: "number", protocol, from: Number(p.port) };
      return { kind: "named", name: p.port, protocol };
    }
    return { kind: "number", protocol, from: p.port, to: p.endPort };
  });
}

/** An (B)ANP or ClusterNetworkPolicy peer: the CNP egress peer is a superset of the others. */
type TierPeer = AdminIngressPeer | AdminEgressPeer | CnpEgressPeer;

function adminPods(ctx: Ctx, peer: TierPeer): PodModel[] {
  if (peer.namespaces) return ctx.podNetworkPods.filter((q) => namespaceMatches(ctx, peer.namespaces!, q.namespace));
  if (peer.pods) {
    const { namespaceSelector, podSelector } = peer.pods;
    return ctx.podNetworkPods.filter((q) => namespaceMatches(ctx, namespaceSelector, q.namespace) && selectorMatches(podSelector, q.labels));
  }
  return [];
}

function adminPeers(ctx: Ctx, peers: readonly TierPeer[]): PeerMatch {
  return memo(ctx, peers, () => computeAdminPeers(ctx, peers));
}

function computeAdminPeers(ctx: Ctx, peers: readonly TierPeer[]): PeerMatch {
  const ranges: AddrRange[] = [];
  for (const peer of peers) {
    ranges.push(...podRanges(adminPods(ctx, peer)));
    // [anp]/[cnp] Networks: "cluster-internal traffic will be checked against the rule as
    // well", which an address set does by itself. A CNP CIDR may have host bits set (the CRD's
    // isCIDR accepts "10.0.0.5/24"); cidrRange masks them, as netip.Prefix.Masked would.
    if ("networks" in peer && peer.networks) ranges.push(...peer.networks.map(cidrRange));
    // [cnp] DomainNames (experimental): matching needs the DNS answers a pod received, which
    // this data plane does not observe (no DNS-aware egress). Such a peer matches nothing, so
    // a rule made only of domainNames peers emits no rule; the oracle reports those cells
    // `undefined`.
    // [anp]/[cnp] Nodes (egress): "the nodeIPs ... present in the node.Status.Addresses field",
    // here the addresses the caller passed in nodeAddresses, and the addresses of the node's
    // hostNetwork pods: such a pod shares its node's network namespace, so its address is a
    // node address (the scenario's address plan gives it one of its own, which the local
    // provider puts in a namespace of its own; in a real cluster it is the node's IP).
    if ("nodes" in peer && peer.nodes) {
      for (const node of ctx.scenario.nodes) {
        if (!selectorMatches(peer.nodes, node.labels)) continue;
        const addresses = ctx.nodeAddresses[node.name] ?? {};
        for (const list of Object.values(addresses)) for (const a of list ?? []) ranges.push(addressRange(a));
        ranges.push(...podRanges(ctx.scenario.pods.filter((q) => q.hostNetwork && q.node === node.name)));
      }
    }
  }
  return { any: false, ranges: mergeRanges(ranges) };
}

function adminPorts(ports: readonly AdminPort[] | undefined): PortMatch[] | undefined {
  if (!ports || ports.length === 0) return undefined;
  return ports.flatMap((p): PortMatch[] => {
    if (p.portNumber) return [{ kind: "number", protocol: p.portNumber.protocol ?? "TCP", from: p.portNumber.port }];
    if (p.portRange) return [{ kind: "number", protocol: p.portRange.protocol ?? "TCP", from: p.portRange.start, to: p.portRange.end }];
    if (p.namedPort !== undefined) return [{ kind: "named", name: p.namedPort }];
    return [];
  });
}

/**
 * ClusterNetworkPolicy `protocols`: each exactly one of tcp / udp / sctp `destinationPort`
 * (`number`, or `range` start..end inclusive) or `destinationNamedPort` ([cnp]
 * ClusterNetworkPolicyProtocol, Port, PortRange). Unset: "protocol-specific attributes will not
 * be used to match traffic", i.e. every port and protocol.
 */
export function cnpProtocols(protocols: readonly CnpProtocol[] | undefined): PortMatch[] | undefined {
  if (!protocols || protocols.length === 0) return undefined;
  return protocols.flatMap((p): PortMatch[] => {
    // "selects a destination port on a pod based on the ContainerPort name", whatever its protocol.
    if (p.destinationNamedPort !== undefined) return [{ kind: "named", name: p.destinationNamedPort }];
    for (const [field, protocol] of [["tcp", "TCP"], ["udp", "UDP"], ["sctp", "SCTP"]] as const) {
      const port = p[field]?.destinationPort;
      if (!p[field]) continue;
      // The CRD's MinProperties=1 makes destinationPort required; were it missing, the
      // protocol alone is the closest reading.
      if (!port) return [{ kind: "all", protocol }];
      if (port.range) return [{ kind: "number", protocol, from: port.range.start, to: port.range.end }];
      if (port.number !== undefined) return [{ kind: "number", protocol, from: port.number }];
    }
    return [];
  });
}

// ---- the tiers for one pod and direction -----------------------------------------------------

export interface PodDirectionPolicy {
  /** AdminNetworkPolicy and Admin-tier ClusterNetworkPolicy rules that apply, in evaluation order. */
  readonly admin: readonly CompiledRule[];
  /** Set when a NetworkPolicy isolates the pod in this direction: the union of allow rules. */
  readonly networkPolicy?: readonly CompiledRule[];
  /** BaselineAdminNetworkPolicy and Baseline-tier ClusterNetworkPolicy rules, in evaluation order. */
  readonly baseline: readonly CompiledRule[];
}

/** One policy object of an admin or baseline tier, whatever its kind. */
interface TierPolicy {
  readonly kind: "anp" | "banp" | "cnp";
  /** BANP has none: -1, so that it sorts before every Baseline-tier CNP. */
  readonly priority: number;
  readonly name: string;
  readonly subject: AdminSubject | CnpSubject;
  readonly rules: (ctx: Ctx, dir: Direction) => CompiledRule[];
}

const KIND_ORDER: Record<TierPolicy["kind"], number> = { anp: 0, banp: 0, cnp: 1 };

// [cnp] ClusterNetworkPolicySpec.Priority: "Policies with lower priority values have higher
// precedence"; equal priorities in a tier may be applied in any order, so ties are broken by
// name, only to be deterministic. The API orders neither AdminNetworkPolicy against Admin-tier
// ClusterNetworkPolicy nor BaselineAdminNetworkPolicy against Baseline-tier ones; this data
// plane interleaves them by priority, the (B)ANP first on equal priority (the BANP, having no
// priority, before every Baseline CNP). The oracle reports the cells where that order decides
// as `undefined`, so this choice is never asserted against.
function byPrecedence(a: TierPolicy, b: TierPolicy): number {
  return a.priority - b.priority || KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || a.name.localeCompare(b.name);
}

function anpTier(anp: AdminNetworkPolicy): TierPolicy {
  return {
    kind: "anp", priority: anp.spec.priority, name: anp.metadata.name, subject: anp.spec.subject,
    rules: (ctx, dir) => adminRules(ctx, "anp", anp.metadata.name, dir, dir === "ingress"
      ? (anp.spec.ingress ?? []).map((r) => ({ ...r, peers: r.from }))
      : (anp.spec.egress ?? []).map((r) => ({ ...r, peers: r.to }))),
  };
}

function banpTier(banp: BaselineAdminNetworkPolicy): TierPolicy {
  return {
    kind: "banp", priority: -1, name: banp.metadata.name, subject: banp.spec.subject,
    rules: (ctx, dir) => adminRules(ctx, "banp", banp.metadata.name, dir, dir === "ingress"
      ? (banp.spec.ingress ?? []).map((r) => ({ ...r, peers: r.from }))
      : (banp.spec.egress ?? []).map((r) => ({ ...r, peers: r.to }))),
  };
}

/** (B)ANP rules: Allow / Deny / Pass, peers and `ports` as network-policy-api v1alpha1 has them. */
function adminRules(ctx: Ctx, kind: "anp" | "banp", name: string, dir: Direction,
  rules: readonly { name?: string; action: string; peers: readonly (AdminIngressPeer | AdminEgressPeer)[]; ports?: readonly AdminPort[] }[]): CompiledRule[] {
  return rules.map((r, i) => ({
    peers: adminPeers(ctx, r.peers), ports: adminPorts(r.ports),
    action: r.action === "Allow" ? "allow" : r.action === "Deny" ? "deny" : "pass",
    origin: `${kind} ${name} ${dir}[${i}]${r.name ? ` ${r.name}` : ""}`,
  }));
}

function cnpTier(cnp: ClusterNetworkPolicy): TierPolicy {
  return {
    kind: "cnp", priority: cnp.spec.priority, name: cnp.metadata.name, subject: cnp.spec.subject,
    rules: (ctx, dir) => {
      const rules = dir === "ingress"
        ? (cnp.spec.ingress ?? []).map((r) => ({ ...r, peers: r.from }))
        : (cnp.spec.egress ?? []).map((r) => ({ ...r, peers: r.to }));
      // [cnp] ClusterNetworkPolicyRuleAction: Accept is final for the direction (no further
      // CNP or NetworkPolicy rule), Deny drops, Pass skips the rest of the tier: the same three
      // verdicts as ANP's Allow / Deny / Pass.
      return rules.map((r, i): CompiledRule => ({
        peers: adminPeers(ctx, r.peers), ports: cnpProtocols(r.protocols),
        action: r.action === "Accept" ? "allow" : r.action === "Deny" ? "deny" : "pass",
        origin: `cnp ${cnp.metadata.name} ${dir}[${i}]${r.name ? ` ${r.name}` : ""}`,
      }));
    },
  };
}

/** The Admin tier (ANPs and Admin CNPs) and the Baseline tier (BANPs and Baseline CNPs), each in precedence order. */
function tiers(ctx: Ctx): { readonly admin: readonly TierPolicy[]; readonly baseline: readonly TierPolicy[] } {
  // Keyed by the scenario's CNP list: one sort per compiled node, not one per pod.
  return memo(ctx, ctx.scenario.clusterNetworkPolicies, () => {
    const cnps = ctx.scenario.clusterNetworkPolicies;
    return {
      admin: [...ctx.scenario.adminNetworkPolicies.map(anpTier), ...cnps.filter((c) => c.spec.tier === "Admin").map(cnpTier)].sort(byPrecedence),
      baseline: [...ctx.scenario.baselineAdminNetworkPolicies.map(banpTier), ...cnps.filter((c) => c.spec.tier === "Baseline").map(cnpTier)].sort(byPrecedence),
    };
  });
}

function tierRules(ctx: Ctx, policies: readonly TierPolicy[], pod: PodModel, dir: Direction): CompiledRule[] {
  return policies.filter((p) => adminSubjectMatches(ctx, p.subject, pod)).flatMap((p) => p.rules(ctx, dir));
}

/** Every rule that governs `pod` in `dir`, straight from the manifests. */
export function podDirectionPolicy(ctx: Ctx, pod: PodModel, dir: Direction): PodDirectionPolicy {
  const type: PolicyType = dir === "ingress" ? "Ingress" : "Egress";
  const { admin, baseline } = tiers(ctx);

  let networkPolicy: CompiledRule[] | undefined;
  const nps = ctx.scenario.networkPolicies
    .filter((np) => namespaceOf(np) === pod.namespace && selectorMatches(np.spec.podSelector, pod.labels) && effectivePolicyTypes(np).includes(type))
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  if (nps.length > 0) {
    networkPolicy = [];
    for (const np of nps) {
      const ns = namespaceOf(np);
      if (dir === "ingress") {
        (np.spec.ingress ?? []).forEach((r, i) => networkPolicy!.push({
          peers: npPeers(ctx, ns, r.from), ports: npPorts(r.ports), action: "allow", origin: `np ${ns}/${np.metadata.name} ingress[${i}]`,
        }));
      } else {
        (np.spec.egress ?? []).forEach((r, i) => networkPolicy!.push({
          peers: npPeers(ctx, ns, r.to), ports: npPorts(r.ports), action: "allow", origin: `np ${ns}/${np.metadata.name} egress[${i}]`,
        }));
      }
    }
  }

  return { admin: tierRules(ctx, admin, pod, dir), networkPolicy, baseline: tierRules(ctx, baseline, pod, dir) };
}

// ---- emitting ------------------------------------------------------------------------------

/** Compiles the policy chains of every pod on this node and the dispatch in forward/input. */
export function compilePolicies(ctx: Ctx, enforceEgressToNode: boolean): void {
  const { script } = ctx;
  const forward = script.chain("forward", "type filter hook forward priority 0 ; policy accept ;");
  const input = script.chain("input", "type filter hook input priority 0 ; policy accept ;");
  script.rule(forward, "ct state established,related accept");
  script.rule(input, "ct state established,related accept");
  for (const family of ctx.families) {
    const f = FAMILY[family];
    script.set("map", `egress-${f.sfx}`, `type ${f.type} : verdict ; comment "pod address → its egress chain" ;`);
    script.set("map", `ingress-${f.sfx}`, `type ${f.type} : verdict ; comment "pod address → its ingress chain" ;`);
  }
  for (const family of ctx.families) script.rule(forward, `${FAMILY[family].kw} saddr vmap @egress-${FAMILY[family].sfx}`);
  for (const family of ctx.families) script.rule(forward, `${FAMILY[family].kw} daddr vmap @ingress-${FAMILY[family].sfx}`);
  if (enforceEgressToNode) {
    for (const family of ctx.families) {
      script.rule(input, `meta l4proto { tcp, udp, sctp } ${FAMILY[family].kw} saddr vmap @egress-${FAMILY[family].sfx}`);
    }
  }

  for (const pod of ctx.podNetworkPods) {
    if (pod.node !== ctx.node.name) continue;
    for (const dir of ["egress", "ingress"] as const) {
      const policy = podDirectionPolicy(ctx, pod, dir);
      if (policy.admin.length === 0 && !policy.networkPolicy && policy.baseline.length === 0) continue;
      const chain = emitPodChain(ctx, pod, dir, policy);
      for (const family of ctx.families) {
        const ip = pod.ips[family];
        if (ip) script.element(`${dir}-${FAMILY[family].sfx}`, `${ip} : jump ${chain}`);
      }
    }
  }
}

function emitPodChain(ctx: Ctx, pod: PodModel, dir: Direction, policy: PodDirectionPolicy): string {
  const { script } = ctx;
  const prefix = dir === "ingress" ? "ing" : "egr";
  const allowed = dir === "ingress" ? "accept" : "return";
  const entry = script.chain(ident(prefix, pod.namespace, pod.name));
  const other = dir === "ingress" ? "saddr" : "daddr";
  for (const family of ctx.families) {
    const ip = pod.ips[family];
    if (ip) script.rule(entry, `${FAMILY[family].kw} ${other} ${ip} ${allowed} comment "self"`);
  }

  const hasPass = policy.admin.some((r) => r.action === "pass");
  const tier = hasPass ? script.chain(ident(prefix, "np", pod.namespace, pod.name)) : entry;
  for (const rule of policy.admin) {
    const verdict = rule.action === "allow" ? allowed : rule.action === "deny" ? "drop" : `goto ${tier}`;
    emitRule(ctx, entry, pod, dir, rule, verdict);
  }
  if (hasPass) script.rule(entry, `goto ${tier}`);

  if (policy.networkPolicy) {
    for (const rule of policy.networkPolicy) emitRule(ctx, tier, pod, dir, rule, allowed);
    script.rule(tier, `drop comment "isolated by NetworkPolicy"`);
  } else {
    // [cnp] Pass in the Baseline tier skips the rest of the tier: the default, allowed.
    for (const rule of policy.baseline) emitRule(ctx, tier, pod, dir, rule, rule.action === "deny" ? "drop" : allowed);
    script.rule(tier, allowed);
  }
  return entry;
}

/** Memoised per (object, key): the same compiled peers give the same set on every pod. */
function setNameFor(ctx: Ctx, owner: object, key: string, compute: () => string | undefined): string | undefined {
  let inner = ctx.setNames.get(owner);
  if (!inner) ctx.setNames.set(owner, inner = new Map());
  if (!inner.has(key)) inner.set(key, compute());
  return inner.get(key);
}

function peerSet(ctx: Ctx, family: Family, ranges: readonly AddrRange[]): string | undefined {
  return setNameFor(ctx, ranges, family, () => makePeerSet(ctx, family, ranges));
}

function makePeerSet(ctx: Ctx, family: Family, ranges: readonly AddrRange[]): string | undefined {
  const mine = ranges.filter((r) => r.family === family);
  if (mine.length === 0) return undefined;
  const elements = mine.map(formatRange);
  const f = FAMILY[family];
  const name = `peers-${f.sfx}-${createHash("sha256").update(elements.join(",")).digest("hex").slice(0, 12)}`;
  if (!ctx.script.hasSet(name)) ctx.script.set("set", name, `type ${f.type} ; flags interval ;`, elements);
  return name;
}

function portCondition(p: Extract<PortMatch, { kind: "number" | "all" }>): string {
  const proto = protoWord(p.protocol);
  if (p.kind === "all") return `meta l4proto ${proto}`;
  return p.to !== undefined && p.to !== p.from ? `${proto} dport ${p.from}-${p.to}` : `${proto} dport ${p.from}`;
}

/** Emits the nft rules that implement one policy rule (nothing when it can match nothing). */
function emitRule(ctx: Ctx, chain: string, pod: PodModel, dir: Direction, rule: CompiledRule, verdict: string): void {
  const { script } = ctx;
  const comment = ` comment ${JSON.stringify(rule.origin.replace(/[^A-Za-z0-9 /_.:\[\]-]/g, "_").slice(0, 100))}`;
  const addrField = dir === "ingress" ? "saddr" : "daddr";

  // Ports: numbers stay; named ports on ingress resolve on this pod; on egress they become
  // address . protocol . port tuples of every destination pod the peers cover.
  let numeric: Extract<PortMatch, { kind: "number" | "all" }>[] | undefined;
  const named: Extract<PortMatch, { kind: "named" }>[] = [];
  if (rule.ports && rule.ports.length > 0) {
    numeric = [];
    for (const p of rule.ports) {
      if (p.kind !== "named") { numeric.push(p); continue; }
      if (dir === "ingress") {
        for (const cp of pod.ports) {
          if (cp.name === p.name && (p.protocol === undefined || cp.protocol === p.protocol)) {
            numeric.push({ kind: "number", protocol: cp.protocol, from: cp.port });
          }
        }
      } else {
        named.push(p);
      }
    }
  }

  // Peer conditions: one per family with addresses, or none at all for "everyone".
  const peerConds: string[] = [];
  if (rule.peers.any) peerConds.push("");
  else {
    for (const family of ctx.families) {
      const set = peerSet(ctx, family, rule.peers.ranges);
      if (set) peerConds.push(`${FAMILY[family].kw} ${addrField} @${set} `);
    }
  }

  if (numeric === undefined) {
    for (const cond of peerConds) script.rule(chain, `${cond}${verdict}${comment}`);
  } else {
    for (const cond of peerConds) for (const p of numeric) script.rule(chain, `${cond}${portCondition(p)} ${verdict}${comment}`);
  }

  for (const p of named) {
    for (const family of ctx.families) {
      const set = setNameFor(ctx, rule.peers, `${family}/${p.name}/${p.protocol ?? "*"}`, () => namedPortSet(ctx, family, rule.peers, p));
      if (set) script.rule(chain, `${FAMILY[family].kw} daddr . meta l4proto . th dport @${set} ${verdict}${comment}`);
    }
  }
}

/** The `address . protocol . port` set of every pod the peers cover that has the named port. */
function namedPortSet(ctx: Ctx, family: Family, peers: PeerMatch, p: Extract<PortMatch, { kind: "named" }>): string | undefined {
  const elements: string[] = [];
  for (const q of ctx.podNetworkPods) {
    const ip = q.ips[family];
    if (!ip || !q.ports.some((cp) => cp.name === p.name)) continue;
    if (!peers.any && !rangeContains(peers.ranges, ip)) continue;
    for (const cp of q.ports) {
      if (cp.name === p.name && (p.protocol === undefined || cp.protocol === p.protocol)) {
        elements.push(`${ip} . ${protoWord(cp.protocol)} . ${cp.port}`);
      }
    }
  }
  if (elements.length === 0) return undefined;
  const f = FAMILY[family];
  const name = `ports-${f.sfx}-${createHash("sha256").update(elements.join(",")).digest("hex").slice(0, 12)}`;
  if (!ctx.script.hasSet(name)) ctx.script.set("set", name, `type ${f.type} . inet_proto . inet_service ;`, elements);
  return name;
}
