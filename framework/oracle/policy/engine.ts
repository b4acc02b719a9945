// The policy engine: per direction, the Admin tier (AdminNetworkPolicy, Admin-tier
// ClusterNetworkPolicy) → NetworkPolicy → the Baseline tier (BaselineAdminNetworkPolicy,
// Baseline-tier ClusterNetworkPolicy) → default allow; a connection needs the source's egress
// AND the destination's ingress.
// Sources:
//   [docs] https://kubernetes.io/docs/concepts/services-networking/network-policies/
//   [anp]  sigs.k8s.io/network-policy-api apis/v1alpha1/adminnetworkpolicy_types.go
//   [banp] sigs.k8s.io/network-policy-api apis/v1alpha1/baselineadminnetworkpolicy_types.go
//   [cnp]  sigs.k8s.io/network-policy-api apis/v1alpha2/clusternetworkpolicy_types.go (Tier)
//   [site] https://network-policy-api.sigs.k8s.io/api-overview/
import type { Labels } from "../../kube/labels.js";
import type { PodModel, Scenario } from "../../scenario/model.js";
import {
  compileAdminNetworkPolicy, compileBaselineAdminNetworkPolicy, compileClusterNetworkPolicy, describeAdminRule, describeHits,
  equalPriorityResult, firstMatchingRule, kindPlural, passedThrough, unorderedKindsResult,
  type AdminAction, type AdminHit, type AdminTier, type CompiledAdminPolicy, type CompiledAdminRule,
} from "./admin.js";
import type { DirectionResult, Pass, World } from "./context.js";
import { IdentityClasses } from "./identity.js";
import type { IpSet } from "./match.js";
import {
  compileNetworkPolicy, evaluateNetworkPolicies, isolationDenial, policySelects, type CompiledNetworkPolicy,
} from "./netpol.js";
import type {
  Connection, DecideOptions, Direction, Endpoint, HostNetworkMode, PolicyDecision, PolicyEngineOptions, PolicyVerdict,
  TraceStep,
} from "./types.js";

/** One tier's policies in evaluation order: groups of equal priority, by ascending priority. */
export type TierOrder = readonly (readonly CompiledAdminPolicy[])[];

/** What applies to one pod as a subject, per direction (computed once per pod). */
export interface SubjectIndex {
  readonly np: Record<Direction, readonly CompiledNetworkPolicy[]>;
  /**
   * The Admin tier's policies selecting the pod with rules in that direction (ANPs, Admin-tier
   * CNPs), as the orders it may run in: none; one; or, when both kinds apply, the ANPs first
   * and the CNPs first (admin.ts unorderedKindsResult).
   */
  readonly admin: Record<Direction, readonly TierOrder[]>;
  /** The Baseline tier likewise (the BANP, Baseline-tier CNPs). */
  readonly baseline: Record<Direction, readonly TierOrder[]>;
  /** The NetworkPolicy denial per direction (precomputed reason). */
  readonly npDenied: Record<Direction, DirectionResult | undefined>;
}

export const NOT_ISOLATED: DirectionResult = { verdict: "allow", reason: "not isolated" };
const EXTERNAL_SOURCE: DirectionResult = { verdict: "allow", reason: "external source" };
const EXTERNAL_DESTINATION: DirectionResult = { verdict: "allow", reason: "external destination" };
const NODE_SOURCE: DirectionResult = { verdict: "allow", reason: "node source" };
const NODE_DESTINATION: DirectionResult = { verdict: "allow", reason: "node destination" };
/** The trace of `{ trace: false }` decisions (frozen: shared by all of them). */
export const NO_TRACE = Object.freeze([]) as unknown as TraceStep[];
export const SELF_REASON = "a pod can always reach itself";
export const HOST_NETWORK_UNDEFINED_REASON = "host-network pod: NetworkPolicy behaviour for hostNetwork pods is implementation-defined";
/** Bound on memoised decisions (identity class pairs × port/protocol/family). */
const MEMO_LIMIT = 2_000_000;

const METADATA_NAME = "kubernetes.io/metadata.name";

export class PolicyEngine {
  readonly world: World;
  private readonly networkPolicies: ReadonlyMap<string, readonly CompiledNetworkPolicy[]>;
  private readonly adminPolicies: readonly CompiledAdminPolicy[];
  /** The BaselineAdminNetworkPolicy in force, if any. */
  private readonly banp: CompiledAdminPolicy | undefined;
  /** ClusterNetworkPolicies of each tier, by ascending priority. */
  private readonly clusterPolicies: Record<AdminTier, readonly CompiledAdminPolicy[]>;
  private readonly subjects = new Map<PodModel, SubjectIndex>();
  readonly hostNetworkMode: HostNetworkMode;
  private readonly identities: IdentityClasses;
  private readonly memo = new Map<string, PolicyDecision>();
  private readonly plainPass: Pass;

  constructor(scenario: Scenario, options: PolicyEngineOptions = {}) {
    this.hostNetworkMode = options.hostNetwork ?? "agree";
    const nsLabels = new Map<string, Labels>(scenario.namespaces.map((ns) => [ns.name, ns.labels]));
    const nodeLabels = new Map<string, Labels>(scenario.nodes.map((n) => [n.name, n.labels]));
    const fallback = new Map<string, Labels>();
    this.world = {
      namespaceLabels(namespace) {
        let labels = nsLabels.get(namespace) ?? fallback.get(namespace);
        if (!labels) {
          // The API server always sets kubernetes.io/metadata.name ([docs] "Targeting a
          // Namespace by its name"); an undeclared namespace has just that label.
          labels = { [METADATA_NAME]: namespace };
          fallback.set(namespace, labels);
        }
        return labels;
      },
      nodeLabels: (node) => nodeLabels.get(node),
    };

    const byNamespace = new Map<string, CompiledNetworkPolicy[]>();
    for (const policy of scenario.networkPolicies) {
      const compiled = compileNetworkPolicy(policy);
      const list = byNamespace.get(compiled.namespace) ?? [];
      list.push(compiled);
      byNamespace.set(compiled.namespace, list);
    }
    this.networkPolicies = byNamespace;

    // [anp] Priority: "Policies with lower priority values have higher precedence, and are
    // checked before policies with higher priority values." Ties keep a deterministic (name)
    // order; which of them applies is undefined, see evaluateAdmin.
    this.adminPolicies = byPriority(scenario.adminNetworkPolicies.map(compileAdminNetworkPolicy));
    // [banp] the CRD admits a single object, named "default" (CEL validation on
    // BaselineAdminNetworkPolicy: 'Only one baseline admin network policy with
    // metadata.name="default" can be created in the cluster'); any other is never accepted.
    const baseline = scenario.baselineAdminNetworkPolicies.find((b) => b.metadata.name === "default");
    this.banp = baseline ? compileBaselineAdminNetworkPolicy(baseline) : undefined;
    // [cnp] Priority: "Policies with lower priority values have higher precedence, and are
    // checked before policies with higher priority values in the same tier."
    const clusterPolicies = scenario.clusterNetworkPolicies.map(compileClusterNetworkPolicy);
    this.clusterPolicies = {
      Admin: byPriority(clusterPolicies.filter((p) => p.tier === "Admin")),
      Baseline: byPriority(clusterPolicies.filter((p) => p.tier === "Baseline")),
    };

    const sets = new Map<string, IpSet>();
    const admin = [...this.adminPolicies, ...(this.banp ? [this.banp] : []), ...clusterPolicies];
    const all = [...[...byNamespace.values()].flat().flatMap((p) => p.ipSets), ...admin.flatMap((p) => p.ipSets)];
    for (const set of all) if (!sets.has(set.text)) sets.set(set.text, set);
    this.identities = new IdentityClasses({
      world: this.world, networkPolicies: byNamespace, adminPolicies: admin, ipSets: [...sets.values()],
      hasHostNetworkPods: scenario.pods.some((p) => p.hostNetwork),
    });
    this.plainPass = { world: this.world, hostAsNode: false, steps: null };
  }

  /**
   * Whether `conn` is allowed by the cluster's policies. `src`/`dst` pods are judged as they
   * are (the caller resolves Services to backend pods first).
   */
  decide(conn: Connection, options?: DecideOptions): PolicyDecision {
    if (options?.trace === false) return options.memo === false ? this.decideFresh(conn, null) : this.decideMemo(conn);
    return this.decideFresh(conn, []);
  }

  /**
   * A connection whose destination sees another source than the one that sent it (the SNAT of
   * a node port or load balancer): egress is judged on `conn.src` towards the destination,
   * ingress on the destination from `seenAs` ([docs] "Cluster ingress and egress mechanisms
   * often require rewriting the source or destination IP of packets": the source a policy
   * sees "may be the IP of a LoadBalancer or of the Pod's node"). No trace.
   */
  decideRewritten(conn: Connection, seenAs: Endpoint): PolicyDecision {
    const seen: Connection = { ...conn, src: seenAs };
    const judge = (hostAsNode: boolean): Verdict => {
      const pass: Pass = { world: this.world, hostAsNode, steps: null };
      return combineDirections(this.direction("egress", conn.src, conn.dst, conn, pass), this.direction("ingress", conn.dst, seenAs, seen, pass));
    };
    const hostNetwork = [conn.src, conn.dst, seenAs].some((e) => e.kind === "pod" && e.pod.hostNetwork);
    if (!hostNetwork) return { ...judge(false), trace: NO_TRACE };
    if (this.hostNetworkMode === "undefined") return { verdict: "undefined", reason: HOST_NETWORK_UNDEFINED_REASON, trace: NO_TRACE };
    return { ...combineHostBehaviours(judge(false), judge(true)), trace: NO_TRACE };
  }

  /**
   * Without a trace, decisions are memoised per (identity class of each pod end or external
   * address, port, protocol, family): see IdentityClasses.classKey for why that is sound.
   */
  private decideMemo(conn: Connection): PolicyDecision {
    const { src, dst } = conn;
    if (src.kind === "pod" && dst.kind === "pod" && src.pod.id === dst.pod.id) return this.decideFresh(conn, null);
    const key = `${this.memoKey(src)}>${this.memoKey(dst)}|${conn.port}|${conn.protocol}|${conn.family}`;
    let decision = this.memo.get(key);
    if (decision === undefined) {
      decision = this.decideFresh(conn, null);
      if (this.memo.size >= MEMO_LIMIT) this.memo.clear();
      this.memo.set(key, decision);
    }
    return decision;
  }

  private memoKey(endpoint: Endpoint): string | number {
    switch (endpoint.kind) {
      case "pod": return endpoint.seenAt === undefined ? this.classOf(endpoint.pod) : `${this.classOf(endpoint.pod)}@${endpoint.seenAt}`;
      case "node": return `node/${endpoint.node.name}`;
      case "external": return endpoint.ip;
    }
  }

  /**
   * A dense number per identity class, in order of first sight: pods of one class get the same
   * verdicts and reasons against every peer (IdentityClasses.classKey states the invariant).
   */
  classOf(pod: PodModel): number {
    return this.identities.classOf(pod);
  }

  /** The pod's identity, as `expect --format summary` counts them (finer than its class). */
  identityKey(pod: PodModel): string {
    return this.identities.identityKey(pod);
  }

  private decideFresh(conn: Connection, steps: TraceStep[] | null): PolicyDecision {
    const { src, dst } = conn;

    // [docs] "a pod cannot block access to itself" (the identifiers of allowed entities:
    // "Other pods that are allowed (exception: a pod cannot block access to itself)").
    if (src.kind === "pod" && dst.kind === "pod" && src.pod.id === dst.pod.id) {
      steps?.push({ tier: "self", direction: "ingress", effect: "allow", detail: `${src.pod.id} connecting to itself` });
      return { verdict: "allow", reason: SELF_REASON, trace: steps ?? NO_TRACE };
    }

    const hostNetwork = (src.kind === "pod" && src.pod.hostNetwork) || (dst.kind === "pod" && dst.pod.hostNetwork);
    if (!hostNetwork) {
      const result = this.evaluate(conn, steps ? { world: this.world, hostAsNode: false, steps } : this.plainPass);
      return { verdict: result.verdict, reason: result.reason, trace: steps ?? NO_TRACE };
    }

    const who = [src, dst].filter((e) => e.kind === "pod" && e.pod.hostNetwork)
      .map((e) => (e as { pod: PodModel }).pod.id).join(" and ");
    // [docs] "NetworkPolicy and hostNetwork pods": "NetworkPolicy behaviour for hostNetwork
    // pods is undefined, but it should be limited to 2 possibilities" — applied like to
    // pod-network pods, or ignored by selectors and treated as node traffic.
    if (this.hostNetworkMode === "undefined") {
      steps?.push({
        tier: "hostNetwork", direction: src.kind === "pod" && src.pod.hostNetwork ? "egress" : "ingress", effect: "undefined",
        detail: `${who} uses the host network: NetworkPolicy behaviour for host-network pods is implementation-defined`,
      });
      return { verdict: "undefined", reason: HOST_NETWORK_UNDEFINED_REASON, trace: steps ?? NO_TRACE };
    }
    const asPodSteps: TraceStep[] | null = steps ? [] : null;
    const asNodeSteps: TraceStep[] | null = steps ? [] : null;
    const asPod = this.evaluate(conn, { world: this.world, hostAsNode: false, steps: asPodSteps });
    const asNode = this.evaluate(conn, { world: this.world, hostAsNode: true, steps: asNodeSteps });
    if (steps) {
      const direction: Direction = src.kind === "pod" && src.pod.hostNetwork ? "egress" : "ingress";
      steps.push({
        tier: "hostNetwork", direction, effect: asPod.verdict,
        detail: `${who} uses the host network; behaviour 1 (policies apply to it like to a pod): ${asPod.verdict}`,
      }, ...asPodSteps!, {
        tier: "hostNetwork", direction, effect: asNode.verdict,
        detail: `behaviour 2 (selectors ignore it, its traffic is node traffic): ${asNode.verdict}`,
      }, ...asNodeSteps!);
    }
    return { ...combineHostBehaviours(asPod, asNode), trace: steps ?? NO_TRACE };
  }

  /**
   * Whether an IP-based egress peer that applies to `src` spans `ip`: an ipBlock of a
   * NetworkPolicy selecting `src` for egress, or a `networks` peer of an ANP, the BANP or a CNP
   * whose subject includes `src`. The matrix uses it to find Service connections whose verdict may
   * depend on whether policy sees the cluster IP before or after DNAT ([docs] ipBlock: "it is
   * not defined whether this happens before or after NetworkPolicy processing").
   */
  egressIpBlockCovers(src: PodModel, ip: string): boolean {
    const index = this.subjectPolicies(src);
    for (const policy of index.np.egress) {
      for (const rule of policy.egress ?? []) {
        for (const peer of rule.peers ?? []) {
          // Spanned, not only contained: an `except` that carves the address out decides too.
          if (peer.kind === "ipBlock" && peer.block.spans(ip)) return true;
        }
      }
    }
    const admin = [...(index.admin.egress[0] ?? []).flat(), ...(index.baseline.egress[0] ?? []).flat()];
    for (const policy of admin) {
      for (const rule of policy.egress) {
        for (const peer of rule.peers ?? []) {
          if (peer.kind === "networks" && peer.blocks.some((b) => b.contains(ip))) return true;
        }
      }
    }
    return false;
  }

  // ---- evaluation ---------------------------------------------------------------------------

  /** Both directions in one pass; the connection needs egress AND ingress ([docs]). */
  private evaluate(conn: Connection, pass: Pass): Verdict {
    const egress = this.direction("egress", conn.src, conn.dst, conn, pass);
    // Without a trace, a denied egress decides alone: combineDirections does not read the
    // ingress side then, so it is not evaluated.
    if (egress.verdict === "deny" && !pass.steps) return combineDirections(egress, egress);
    return combineDirections(egress, this.direction("ingress", conn.dst, conn.src, conn, pass));
  }

  /** One direction, judged on `subject` (source for egress, destination for ingress). */
  private direction(direction: Direction, subject: Endpoint, other: Endpoint, conn: Connection, pass: Pass): DirectionResult {
    if (subject.kind === "external") {
      // Only pods are subjects of policies: an address outside the cluster is not judged.
      pass.steps?.push({
        tier: "default", direction, effect: "allow",
        detail: `${direction === "egress" ? "source" : "destination"} ${subject.ip} is outside the cluster: no policy applies to it`,
      });
      return direction === "egress" ? EXTERNAL_SOURCE : EXTERNAL_DESTINATION;
    }
    if (subject.kind === "node") {
      // Policies select pods ([docs] podSelector; [anp] subject: namespaces or pods), never a
      // node's own traffic: a node is not judged.
      pass.steps?.push({
        tier: "default", direction, effect: "allow",
        detail: `${direction === "egress" ? "source" : "destination"} node ${subject.node.name}: no policy applies to a node's host network`,
      });
      return direction === "egress" ? NODE_SOURCE : NODE_DESTINATION;
    }
    const index = this.subjectPolicies(subject.pod);
    const admin = this.evaluateOrders("Admin", index.admin[direction], direction, subject.pod, other, conn, pass, index);
    if (admin) return admin;
    return this.afterAdmin(direction, subject.pod, other, conn, pass, index);
  }

  /**
   * A tier in each order it may run in (SubjectIndex.admin): one order is evaluated as it is;
   * two (both kinds apply) give their common verdict or `undefined` (unorderedKindsResult).
   * Both orders hold the same rules, so either both match or neither does. Returns undefined
   * when no rule of the tier matches.
   */
  private evaluateOrders(
    tier: AdminTier, orders: readonly TierOrder[], direction: Direction, subject: PodModel, other: Endpoint,
    conn: Connection, pass: Pass, index: SubjectIndex,
  ): DirectionResult | undefined {
    if (orders.length === 0) return undefined;
    if (orders.length === 1) return this.evaluateTier(tier, orders[0]!, direction, subject, other, conn, pass, index);
    const steps = pass.steps;
    const header = steps ? steps.length : 0;
    const first = this.evaluateTier(tier, orders[0]!, direction, subject, other, conn, pass, index);
    const second = this.evaluateTier(tier, orders[1]!, direction, subject, other, conn, pass, index);
    if (!first || !second) return first ?? second;
    const result = unorderedKindsResult(tier, first, second);
    steps?.splice(header, 0, {
      tier: "CNP", direction, effect: result.verdict,
      detail: `the ${tier} tier holds both ${tier === "Admin" ? "AdminNetworkPolicies" : "the BaselineAdminNetworkPolicy"} and ClusterNetworkPolicies, which the API does not order against each other: evaluated with the older kind first, then with the CNPs first`,
    });
    return result;
  }

  /**
   * One tier ([anp], [banp], [cnp], [site]) in one order: policies by ascending priority, rules
   * in the order written; the first matching rule decides — Allow/Accept (the later tiers are
   * skipped), Deny, or Pass (skip the rest of the tier: after the Admin tier NetworkPolicy and
   * the Baseline tier run, after the Baseline tier the default). Returns undefined when no
   * rule matches.
   *
   * Equal priorities ([anp] and [cnp] Priority): "If two (or more) policies in the same tier
   * with the same priority could match a connection, then the implementation can apply any of
   * the matching policies". When several policies of one priority match, each possible choice
   * is evaluated; if they all lead to the same verdict that verdict stands, otherwise the
   * result is `undefined`.
   */
  private evaluateTier(
    tier: AdminTier, order: TierOrder, direction: Direction, subject: PodModel, other: Endpoint,
    conn: Connection, pass: Pass, index: SubjectIndex,
  ): DirectionResult | undefined {
    const steps = pass.steps;
    for (const group of order) {
      let first: AdminHit | undefined;
      let hits: AdminHit[] | undefined;
      for (const policy of group) {
        const rule = firstMatchingRule(policy, direction, other, conn, pass);
        if (rule) {
          if (!first) first = { policy, rule };
          else (hits ??= [first]).push({ policy, rule });
          steps?.push({
            tier: policy.kind, direction, policy: policy.name, rule: rule.label, effect: actionEffect(rule.action),
            detail: `${policyContext(policy)}; rule ${describeAdminRule(rule)} matches`,
          });
        } else {
          steps?.push({
            tier: policy.kind, direction, policy: policy.name, effect: "no-match",
            detail: `${policyContext(policy)}; none of its ${direction} rules match`,
          });
        }
      }
      if (!first) continue;
      if (!hits) return this.applyAdminAction(tier, first.rule, direction, subject, other, conn, pass, index);
      const actions = new Set(hits.map((h) => h.rule.action));
      if (actions.size === 1) return this.applyAdminAction(tier, first.rule, direction, subject, other, conn, pass, index);

      // Equal priority, different actions: every order is possible.
      const outcomes = new Map<AdminAction, DirectionResult>();
      for (const hit of hits) {
        if (!outcomes.has(hit.rule.action)) {
          outcomes.set(hit.rule.action, this.applyAdminAction(tier, hit.rule, direction, subject, other, conn, pass, index));
        }
      }
      const result = equalPriorityResult(hits, new Set([...outcomes.values()].map((o) => o.verdict)));
      if (result.verdict === "undefined") {
        steps?.push({
          tier: first.policy.kind, direction, effect: "undefined",
          detail: `${kindPlural(first.policy)} with the same priority ${first.policy.priority} match with different outcomes: ${describeHits(hits)}; the implementation may apply any of them`,
        });
      }
      return result;
    }
    return undefined;
  }

  private applyAdminAction(
    tier: AdminTier, rule: CompiledAdminRule, direction: Direction, subject: PodModel, other: Endpoint,
    conn: Connection, pass: Pass, index: SubjectIndex,
  ): DirectionResult {
    if (rule.outcome) return rule.outcome;
    const rest = tier === "Admin" ? this.afterAdmin(direction, subject, other, conn, pass, index) : this.byDefault(direction, pass);
    return passedThrough(rule, rest);
  }

  /** NetworkPolicy, then the Baseline tier, then the default (allow). */
  private afterAdmin(
    direction: Direction, subject: PodModel, other: Endpoint, conn: Connection, pass: Pass, index: SubjectIndex,
  ): DirectionResult {
    const steps = pass.steps;
    // Under the "node" behaviour, spec.podSelector does not select host-network pods.
    const policies = pass.hostAsNode && subject.hostNetwork ? [] : index.np[direction];
    const np = evaluateNetworkPolicies(direction, subject, other, conn, policies, pass, index.npDenied[direction]);
    if (np) return np;
    steps?.push({
      tier: "NetworkPolicy", direction, effect: "no-match",
      detail: `no NetworkPolicy in ${subject.namespace} selects the pod for ${direction}: not isolated`,
    });

    // [banp] rules apply "if they are not matched by any AdminNetworkPolicy or NetworkPolicy
    // rules"; [cnp] Tier: "Baseline tier is a cluster-wide policy that can be overridden by the
    // v1.NetworkPolicy".
    const baseline = this.evaluateOrders("Baseline", index.baseline[direction], direction, subject, other, conn, pass, index);
    return baseline ?? this.byDefault(direction, pass);
  }

  /**
   * [docs] "By default, pods are non-isolated; they accept traffic from any source" (and egress
   * likewise); [cnp] Tier: "If a given connection wasn't allowed or denied by any of the tiers,
   * the default kubernetes policy is applied".
   */
  private byDefault(direction: Direction, pass: Pass): DirectionResult {
    pass.steps?.push({ tier: "default", direction, effect: "allow", detail: "no policy decided: allowed by default" });
    return NOT_ISOLATED;
  }

  /** The policies that select `pod` as their subject, per direction and tier. */
  subjectPolicies(pod: PodModel): SubjectIndex {
    let index = this.subjects.get(pod);
    if (index) return index;
    // Subject selection never depends on the host-network behaviour for ANP/BANP (they never
    // select host-network pods); for NetworkPolicy the "node" behaviour drops them in afterAdmin.
    const pass: Pass = { world: this.world, hostAsNode: false, steps: null };
    const nps = (this.networkPolicies.get(pod.namespace) ?? []).filter((p) => policySelects(p, pod));
    const selecting = (policies: readonly CompiledAdminPolicy[]) => policies.filter((p) => p.subject(pod, pass));
    const anps = selecting(this.adminPolicies);
    const banps = selecting(this.banp ? [this.banp] : []);
    const cnpAdmin = selecting(this.clusterPolicies.Admin);
    const cnpBaseline = selecting(this.clusterPolicies.Baseline);
    const npIngress = nps.filter((p) => p.ingress !== null);
    const npEgress = nps.filter((p) => p.egress !== null);
    index = {
      np: { ingress: npIngress, egress: npEgress },
      npDenied: {
        ingress: npIngress.length ? isolationDenial("ingress", npIngress) : undefined,
        egress: npEgress.length ? isolationDenial("egress", npEgress) : undefined,
      },
      admin: { ingress: tierOrders("ingress", anps, cnpAdmin), egress: tierOrders("egress", anps, cnpAdmin) },
      baseline: { ingress: tierOrders("ingress", banps, cnpBaseline), egress: tierOrders("egress", banps, cnpBaseline) },
    };
    this.subjects.set(pod, index);
    return index;
  }
}

function actionEffect(action: AdminAction): "allow" | "deny" | "pass" | "undefined" {
  return action === "Allow" ? "allow" : action === "Deny" ? "deny" : action === "Pass" ? "pass" : "undefined";
}

/** `priority 10, subject …` (ANP), `subject …` (BANP), `Admin tier, priority 10, subject …` (CNP). */
function policyContext(policy: CompiledAdminPolicy): string {
  const priority = policy.kind === "BANP" ? "" : `priority ${policy.priority}, `;
  return `${policy.kind === "CNP" ? `${policy.tier} tier, ` : ""}${priority}subject ${policy.subjectText}`;
}

/** Ascending priority; ties in name order (deterministic; which applies is undefined, evaluateTier). */
function byPriority(policies: CompiledAdminPolicy[]): CompiledAdminPolicy[] {
  return policies.sort((a, b) => a.priority - b.priority || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Policies (sorted by priority) with rules in `direction`, in groups of equal priority. */
function priorityGroups(direction: Direction, policies: readonly CompiledAdminPolicy[]): CompiledAdminPolicy[][] {
  const groups: CompiledAdminPolicy[][] = [];
  for (const policy of policies) {
    if ((direction === "ingress" ? policy.ingress : policy.egress).length === 0) continue;
    const last = groups[groups.length - 1];
    if (last && last[0]!.priority === policy.priority) last.push(policy);
    else groups.push([policy]);
  }
  return groups;
}

/** The orders a tier may run in (SubjectIndex.admin): the v1alpha1 kind's and the CNPs' groups. */
function tierOrders(direction: Direction, older: readonly CompiledAdminPolicy[], cnps: readonly CompiledAdminPolicy[]): TierOrder[] {
  const a = priorityGroups(direction, older);
  const b = priorityGroups(direction, cnps);
  if (a.length === 0 && b.length === 0) return [];
  if (a.length === 0) return [b];
  if (b.length === 0) return [a];
  return [[...a, ...b], [...b, ...a]];
}

export interface Verdict {
  readonly verdict: PolicyVerdict;
  readonly reason: string;
}

/**
 * A connection needs the source's egress AND the destination's ingress ([docs] "both the egress
 * policy on the source pod and the ingress policy on the destination pod need to allow the
 * connection"): a deny on either side wins, then an undefined side; the reason names the side
 * that decided (egress first), or both when both allow.
 */
export function combineDirections(egress: DirectionResult, ingress: DirectionResult): Verdict {
  if (egress.verdict === "deny") return { verdict: "deny", reason: `egress: ${egress.reason}` };
  if (ingress.verdict === "deny") return { verdict: "deny", reason: `ingress: ${ingress.reason}` };
  if (egress.verdict === "undefined") return { verdict: "undefined", reason: `egress: ${egress.reason}` };
  if (ingress.verdict === "undefined") return { verdict: "undefined", reason: `ingress: ${ingress.reason}` };
  return { verdict: "allow", reason: `egress: ${egress.reason}; ingress: ${ingress.reason}` };
}

/**
 * [docs] "NetworkPolicy and hostNetwork pods": the two behaviours allowed for a connection with
 * a host-network pod at either end. Their common verdict stands; when they differ (or either is
 * undefined) the connection is undefined.
 */
export function combineHostBehaviours(asPod: Verdict, asNode: Verdict): Verdict {
  if (asPod.verdict === asNode.verdict && asPod.verdict !== "undefined") {
    const reason = asPod.reason === asNode.reason
      ? `${asPod.reason} (host-network pod: both documented behaviours agree)`
      : `host-network pod, both documented behaviours give ${asPod.verdict}: as a pod, ${asPod.reason}; as node traffic, ${asNode.reason}`;
    return { verdict: asPod.verdict, reason };
  }
  return {
    verdict: "undefined",
    reason: `host-network pod: NetworkPolicy behaviour is implementation-defined (as a pod: ${asPod.verdict}, ${asPod.reason}; as node traffic: ${asNode.verdict}, ${asNode.reason})`,
  };
}
