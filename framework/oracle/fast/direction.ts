// One direction of the policy engine (engine.ts), judged for one subject class against every
// other class at once: the result is a partition of the classes by the DirectionResult the
// per-cell engine would return for each. The tiers run exactly as there — AdminNetworkPolicy by
// priority (first matching rule, Allow/Deny/Pass, equal priorities), then NetworkPolicy, then
// the BaselineAdminNetworkPolicy, then allow — but each rule acts on the set of classes it
// matches instead of on one peer. Sources: as engine.ts ([docs], [anp], [banp]).
import type { Family } from "../../kube/net.js";
import type { Protocol } from "../../kube/types.js";
import {
  equalPriorityResult, passedThrough, type AdminHit, type CompiledAdminPolicy, type CompiledAdminRule,
} from "../policy/admin.js";
import type { DirectionResult } from "../policy/context.js";
import { NOT_ISOLATED, type PolicyEngine, type SubjectIndex } from "../policy/engine.js";
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
    const rest = this.adminTier(subject, this.table.all, sink);
    if (!isEmpty(rest)) this.afterAdmin(subject, rest, sink);
    return parts;
  }

  /**
   * The ANP tier (engine.ts evaluateAdmin): per priority group, each policy's first matching
   * rule splits the undecided classes; returns the classes no ANP rule matched.
   */
  private adminTier(subject: Subject, undecided: Bits, sink: Sink): Bits {
    let rest = undecided;
    for (const group of subject.index.anp[subject.direction]) {
      if (isEmpty(rest)) break;
      // Refine `rest` by which rule of each policy of the group matches first (one hit per policy at most).
      let pieces: { hits: AdminHit[]; bits: Bits }[] = [{ hits: [], bits: rest }];
      for (const policy of group) {
        pieces = pieces.flatMap((piece) => this.splitByFirstRule(subject, policy, piece));
      }
      rest = this.table.none;
      for (const { hits, bits } of pieces) {
        if (hits.length === 0) rest = bits;
        else this.resolveHits(subject, hits, bits, sink);
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

  /** The classes matched by exactly these rules of one priority group (engine.ts evaluateAdmin). */
  private resolveHits(subject: Subject, hits: readonly AdminHit[], bits: Bits, sink: Sink): void {
    const actions = [...new Set(hits.map((h) => h.rule.action))];
    if (actions.length === 1) { this.applyAction(subject, hits[0]!.rule, bits, sink); return; }
    // Equal priority, different actions: each possible choice's verdict. Allow and Deny decide
    // alone; Pass leads to whatever the later tiers decide, so the classes split by that.
    const fixed = actions.filter((a) => a !== "Pass").map((a) => (a === "Allow" ? "allow" : "deny") as DirectionResult["verdict"]);
    if (!actions.includes("Pass")) { sink(equalPriorityResult(hits, new Set(fixed)), bits); return; }
    this.afterAdmin(subject, bits, (rest, restBits) => sink(equalPriorityResult(hits, new Set([...fixed, rest.verdict])), restBits));
  }

  private applyAction(subject: Subject, rule: CompiledAdminRule, bits: Bits, sink: Sink): void {
    if (rule.outcome) { sink(rule.outcome, bits); return; }
    this.afterAdmin(subject, bits, (rest, restBits) => sink(this.passedThrough(rule, rest), restBits));
  }

  /** NetworkPolicy, then BANP, then the default (engine.ts afterAdmin) over `classes`. */
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
    let rest = classes;
    const baseline = this.engine.baseline;
    if (baseline && index.banp[direction]) {
      for (const rule of direction === "ingress" ? baseline.ingress : baseline.egress) {
        if (isEmpty(rest)) return;
        const hit = and(rest, this.admits(subject, rule.ports, () => this.peers.adminRule(rule, subject.key.family)));
        sink(rule.outcome!, hit);
        rest = andNot(rest, hit);
      }
    }
    sink(NOT_ISOLATED, rest);
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
