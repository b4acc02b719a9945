// One direction of the policy engine (engine.ts), judged for one subject class against every
// other class at once: the result is a partition of the classes by the DirectionResult the
// per-cell engine would return for each. The tiers run exactly as there — the Admin tier by
// priority (first matching rule, Allow/Deny/Pass, equal priorities, both orders of two kinds),
// then NetworkPolicy, then the Baseline tier likewise, then allow — but each rule acts on the
// set of classes it matches instead of on one peer. Sources: as engine.ts ([docs], [anp],
// [banp], [cnp]).
import type { Family } from "../../kube/net.js";
import type { Protocol } from "../../kube/types.js";
import {
  equalPriorityResult, passedThrough, unorderedKindsResult,
  type AdminHit, type AdminTier, type CompiledAdminPolicy, type CompiledAdminRule,
} from "../policy/admin.js";
import type { DirectionResult } from "../policy/context.js";
import { NOT_ISOLATED, type PolicyEngine, type SubjectIndex, type TierOrder } from "../policy/engine.js";
import { portMatches, type PortMatcher } from "../policy/match.js";
import { isolationDenial, ownNodeAllowed } from "../policy/netpol.js";
import type { Direction } from "../policy/types.js";
import { and, andNot, isEmpty, or, orInto, type Bits } from "./bits.js";
import type { ClassTable, PodClass } from "./classes.js";
import type { PeerSets } from "./peers.js";
import type { InternedResult, ResultTable } from "./results.js";

/** The port, protocol and family of the connections judged (the destination's port). */
export interface ConnectionKey {
  readonly id: number;
  readonly port: number;
  readonly protocol: Protocol;
  readonly family: Family;
}

/** The classes for which one direction gives `result`. */
export interface Part {
  readonly result: InternedResult;
  readonly bits: Bits;
}

type Sink = (result: DirectionResult, bits: Bits) => void;

/** What the subject and the judged connections are, for one partition. */
interface Subject {
  readonly direction: Direction;
  readonly cls: PodClass;
  readonly key: ConnectionKey;
  readonly hostAsNode: boolean;
  readonly index: SubjectIndex;
}

export class DirectionEvaluator {
  private readonly passed = new Map<CompiledAdminRule, Map<number, DirectionResult>>();

  constructor(
    private readonly engine: PolicyEngine,
    private readonly table: ClassTable,
    private readonly peers: PeerSets,
    private readonly results: ResultTable,
  ) {}

  /**
   * The partition of every class, as the other end, by this direction's result for `cls` as the
   * subject: the source for egress, the destination for ingress. `hostAsNode` is the second
   * behaviour for host-network pods (context.ts Pass).
   */
  partition(direction: Direction, cls: PodClass, key: ConnectionKey, hostAsNode: boolean): Part[] {
    const parts: Part[] = [];
    const sink: Sink = (result, bits) => {
      if (isEmpty(bits)) return;
      const interned = this.results.intern(result);
      const part = parts.find((p) => p.result === interned);
      if (part) orInto(part.bits, 0, bits);
      else parts.push({ result: interned, bits: bits.slice() });
    };
    const subject: Subject = { direction, cls, key, hostAsNode, index: this.engine.subjectPolicies(cls.rep) };
    this.overOrders("Admin", subject.index.admin[direction], sink, (order, out) => {
      const rest = this.tier(subject, "Admin", order, this.table.all, out);
      if (!isEmpty(rest)) this.afterAdmin(subject, rest, out);
    });
    return parts;
  }

  /**
   * engine.ts evaluateOrders: `run` once, or — two kinds in one tier — once per order, each
   * class then getting both orders' common result or `undefined` (unorderedKindsResult).
   */
  private overOrders(tier: AdminTier, orders: readonly TierOrder[], sink: Sink, run: (order: TierOrder, out: Sink) => void): void {
    if (orders.length < 2) { run(orders[0] ?? [], sink); return; }
    const collect = (order: TierOrder) => {
      const parts: { result: DirectionResult; bits: Bits }[] = [];
      run(order, (result, bits) => { if (!isEmpty(bits)) parts.push({ result, bits: bits.slice() }); });
      return parts;
    };
    const first = collect(orders[0]!);
    const second = collect(orders[1]!);
    for (const a of first) {
      for (const b of second) {
        const both = and(a.bits, b.bits);
        if (!isEmpty(both)) sink(unorderedKindsResult(tier, a.result, b.result), both);
      }
    }
  }

  /**
   * One tier in one order (engine.ts evaluateTier): per priority group, each policy's first
   * matching rule splits the undecided classes; returns the classes no rule of the tier matched.
   */
  private tier(subject: Subject, tier: AdminTier, order: TierOrder, undecided: Bits, sink: Sink): Bits {
    let rest = undecided;
    for (const group of order) {
      if (isEmpty(rest)) break;
      // Refine `rest` by which rule of each policy of the group matches first (one hit per policy at most).
      let pieces: { hits: AdminHit[]; bits: Bits }[] = [{ hits: [], bits: rest }];
      for (const policy of group) {
        pieces = pieces.flatMap((piece) => this.splitByFirstRule(subject, policy, piece));
      }
      rest = this.table.none;
      for (const { hits, bits } of pieces) {
        if (hits.length === 0) rest = bits;
        else this.resolveHits(subject, tier, hits, bits, sink);
      }
    }
    return rest;
  }

  private splitByFirstRule(subject: Subject, policy: CompiledAdminPolicy, piece: { hits: AdminHit[]; bits: Bits }) {
    const out: { hits: AdminHit[]; bits: Bits }[] = [];
    let rest = piece.bits;
    for (const rule of subject.direction === "ingress" ? policy.ingress : policy.egress) {
      const hit = and(rest, this.admits(subject, rule.ports, () => this.peers.adminRule(rule, subject.key.family)));
      if (isEmpty(hit)) continue;
      out.push({ hits: [...piece.hits, { policy, rule }], bits: hit });
      rest = andNot(rest, hit);
      if (isEmpty(rest)) break;
    }
    if (!isEmpty(rest)) out.push({ hits: piece.hits, bits: rest });
    return out;
  }

  /** The classes matched by exactly these rules of one priority group (engine.ts evaluateTier). */
  private resolveHits(subject: Subject, tier: AdminTier, hits: readonly AdminHit[], bits: Bits, sink: Sink): void {
    const actions = [...new Set(hits.map((h) => h.rule.action))];
    if (actions.length === 1) { this.applyAction(subject, tier, hits[0]!.rule, bits, sink); return; }
    // Equal priority, different actions: each possible choice's verdict. Allow, Deny (and a
    // domainNames rule's undefined) decide alone; Pass leads to whatever the later tiers decide,
    // so the classes split by that.
    const fixed = hits.filter((h) => h.rule.outcome).map((h) => h.rule.outcome!.verdict);
    if (!actions.includes("Pass")) { sink(equalPriorityResult(hits, new Set(fixed)), bits); return; }
    this.afterTier(subject, tier, bits, (rest, restBits) => sink(equalPriorityResult(hits, new Set([...fixed, rest.verdict])), restBits));
  }

  private applyAction(subject: Subject, tier: AdminTier, rule: CompiledAdminRule, bits: Bits, sink: Sink): void {
    if (rule.outcome) { sink(rule.outcome, bits); return; }
    this.afterTier(subject, tier, bits, (rest, restBits) => sink(this.passedThrough(rule, rest), restBits));
  }

  /** Where a Pass leads (engine.ts applyAdminAction): after the Admin tier NetworkPolicy, after the Baseline tier the default. */
  private afterTier(subject: Subject, tier: AdminTier, bits: Bits, sink: Sink): void {
    if (tier === "Admin") this.afterAdmin(subject, bits, sink);
    else sink(NOT_ISOLATED, bits);
  }

  /** NetworkPolicy, then the Baseline tier, then the default (engine.ts afterAdmin) over `classes`. */
  private afterAdmin(subject: Subject, classes: Bits, sink: Sink): void {
    const { direction, cls, hostAsNode, index } = subject;
    // Under the "node" behaviour, spec.podSelector does not select host-network pods.
    const policies = hostAsNode && cls.rep.hostNetwork ? [] : index.np[direction];
    if (policies.length > 0) {
      let rest = classes;
      if (hostAsNode) {
        // netpol.ts evaluateNetworkPolicies: a host-network pod on the subject's node is that node.
        const ownNode = and(rest, this.table.hostNetworkOn(cls.rep.node));
        sink(ownNodeAllowed(cls.rep.node), ownNode);
        rest = andNot(rest, ownNode);
      }
      // The first policy (in order) with a matching rule, and its first matching rule, decide.
      for (const policy of policies) {
        for (const rule of (direction === "ingress" ? policy.ingress : policy.egress) ?? []) {
          if (isEmpty(rest)) return;
          const hit = and(rest, this.admits(subject, rule.ports, () => this.peers.networkPolicyRule(rule, policy, subject.key.family, hostAsNode)));
          sink(rule.allowed, hit);
          rest = andNot(rest, hit);
        }
      }
      sink(index.npDenied[direction] ?? isolationDenial(direction, policies), rest);
      return;
    }
    this.overOrders("Baseline", index.baseline[direction], sink, (order, out) => {
      out(NOT_ISOLATED, this.tier(subject, "Baseline", order, classes, out));
    });
  }

  /**
   * The classes a rule matches as the other end: its ports AND its peers (match.ts portMatches,
   * "Each rule allows traffic which matches both the from and ports sections"). A named port is
   * resolved on the destination: for ingress that is the subject (one answer for all classes),
   * for egress the other end (the classes serving it).
   */
  private admits(subject: Subject, ports: readonly PortMatcher[] | null, peers: () => Bits): Bits {
    if (ports === null) return peers();
    const { cls, key, direction } = subject;
    let named: Bits | undefined;
    for (const matcher of ports) {
      if (direction === "egress" && matcher.kind === "named") {
        const serving = this.peers.namedPort(matcher, key.port, key.protocol);
        named = named ? or(named, serving) : serving;
      } else if (portMatches(matcher, { src: cls.endpoint, dst: cls.endpoint, port: key.port, protocol: key.protocol, family: key.family })) {
        // Any other matcher reads the port and protocol only, and for ingress the subject's named ports.
        return peers();
      }
    }
    return named ? and(named, peers()) : this.table.none;
  }

  /** passedThrough (admin.ts), one object per rule and later result. */
  private passedThrough(rule: CompiledAdminRule, rest: DirectionResult): DirectionResult {
    let byRest = this.passed.get(rule);
    if (!byRest) this.passed.set(rule, (byRest = new Map()));
    const id = this.results.intern(rest).id;
    let result = byRest.get(id);
    if (!result) byRest.set(id, (result = passedThrough(rule, rest)));
    return result;
  }
}
