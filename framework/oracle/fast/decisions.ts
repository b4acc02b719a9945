// Pod-to-pod policy decisions from per-direction partitions: the verdict of (source class s →
// destination class d) is the egress partition of s at d combined with the ingress partition of
// d at s (engine.ts combineDirections), with both host-network behaviours where either end is a
// host-network pod (combineHostBehaviours). Partitions are computed once per (direction, class,
// port/protocol/family, behaviour) and kept; equal results are one object, so a decision costs
// two lookups. Verdicts and reasons equal PolicyEngine.decide's (fast.test.ts checks it).
import type { Family } from "../../kube/net.js";
import type { Protocol } from "../../kube/types.js";
import type { PodModel, Scenario } from "../../scenario/model.js";
import {
  combineDirections, combineHostBehaviours, HOST_NETWORK_UNDEFINED_REASON, NO_TRACE, SELF_REASON, type PolicyEngine,
} from "../policy/engine.js";
import type { Direction, PolicyDecision } from "../policy/types.js";
import { has } from "./bits.js";
import { ClassTable } from "./classes.js";
import { DirectionEvaluator, type ConnectionKey, type Part } from "./direction.js";
import { PeerSets } from "./peers.js";
import { ResultTable, type InternedResult } from "./results.js";

/** A partition, and the index of each class's part (built when a single cell first asks). */
interface Partition {
  readonly parts: readonly Part[];
  partOf: Uint8Array | Uint16Array | Uint32Array | undefined;
}

/** The directions and host-network behaviours partitions are kept for. */
const SLOTS: readonly { direction: Direction; hostAsNode: boolean }[] = [
  { direction: "egress", hostAsNode: false }, { direction: "ingress", hostAsNode: false },
  { direction: "egress", hostAsNode: true }, { direction: "ingress", hostAsNode: true },
];
const [EGRESS, INGRESS, EGRESS_AS_NODE, INGRESS_AS_NODE] = [0, 1, 2, 3];

const SELF: PolicyDecision = { verdict: "allow", reason: SELF_REASON, trace: NO_TRACE };
const HOST_NETWORK_UNDEFINED: PolicyDecision = { verdict: "undefined", reason: HOST_NETWORK_UNDEFINED_REASON, trace: NO_TRACE };
const PROTOCOL_CODES: Record<Protocol, number> = { TCP: 0, UDP: 1, SCTP: 2 };

export class PodDecisions {
  readonly table: ClassTable;
  private readonly evaluator: DirectionEvaluator;
  private readonly keys = new Map<number, ConnectionKey>();
  /** Partitions per slot (SLOTS), then key id, then class id. */
  private readonly partitions: (Partition | undefined)[][][] = SLOTS.map(() => []);
  /** Decisions by egress result id, then ingress result id. */
  private readonly combined: PolicyDecision[][] = [];
  private readonly hostCombined = new Map<PolicyDecision, Map<PolicyDecision, PolicyDecision>>();

  constructor(scenario: Scenario, private readonly engine: PolicyEngine) {
    this.table = new ClassTable(engine, scenario.pods);
    this.evaluator = new DirectionEvaluator(engine, this.table, new PeerSets(this.table, engine.world), new ResultTable());
  }

  /** PolicyEngine.decide({ src, dst, port, protocol, family }, { trace: false }) for two pods of the scenario. */
  decide(src: PodModel, dst: PodModel, port: number, protocol: Protocol, family: Family): PolicyDecision {
    const s = this.table.classOf(src);
    const d = this.table.classOf(dst);
    // [docs] "a pod cannot block access to itself".
    if (s === d && src.id === dst.id) return SELF;
    return this.decideClasses(s, d, this.key(port, protocol, family));
  }

  /** The decision between two different pods of classes `s` and `d` (s may equal d). */
  decideClasses(s: number, d: number, key: ConnectionKey): PolicyDecision {
    const hostNetwork = this.table.isHostNetwork[s] === 1 || this.table.isHostNetwork[d] === 1;
    if (hostNetwork && this.engine.hostNetworkMode === "undefined") return HOST_NETWORK_UNDEFINED;
    const asPod = this.combine(this.resultIn(EGRESS, s, key, d), this.resultIn(INGRESS, d, key, s));
    if (!hostNetwork) return asPod;
    const asNode = this.combine(this.resultIn(EGRESS_AS_NODE, s, key, d), this.resultIn(INGRESS_AS_NODE, d, key, s));
    return this.combineHost(asPod, asNode);
  }

  key(port: number, protocol: Protocol, family: Family): ConnectionKey {
    const code = (port * 3 + PROTOCOL_CODES[protocol]) * 2 + (family === "ipv4" ? 0 : 1);
    let key = this.keys.get(code);
    if (!key) this.keys.set(code, (key = { id: this.keys.size, port, protocol, family }));
    return key;
  }

  /** One direction's partition of all classes for `cls` as the subject (computed once). */
  partition(direction: Direction, cls: number, key: ConnectionKey, hostAsNode: boolean): readonly Part[] {
    return this.entry(SLOTS.findIndex((s) => s.direction === direction && s.hostAsNode === hostAsNode), cls, key).parts;
  }

  private entry(slot: number, cls: number, key: ConnectionKey): Partition {
    const byClass = (this.partitions[slot]![key.id] ??= new Array<Partition | undefined>(this.table.size).fill(undefined));
    const { direction, hostAsNode } = SLOTS[slot]!;
    return (byClass[cls] ??= { parts: this.evaluator.partition(direction, this.table.classes[cls]!, key, hostAsNode), partOf: undefined });
  }

  /** The result at class `other` of the partition (in `slot`) for `cls` as the subject. */
  private resultIn(slot: number, cls: number, key: ConnectionKey, other: number): InternedResult {
    const entry = this.entry(slot, cls, key);
    const partOf = (entry.partOf ??= partIndex(entry.parts, this.table.size));
    return entry.parts[partOf[other]!]!.result;
  }

  private combine(egress: InternedResult, ingress: InternedResult): PolicyDecision {
    const row = (this.combined[egress.id] ??= []);
    return (row[ingress.id] ??= { ...combineDirections(egress, ingress), trace: NO_TRACE });
  }

  private combineHost(asPod: PolicyDecision, asNode: PolicyDecision): PolicyDecision {
    let byNode = this.hostCombined.get(asPod);
    if (!byNode) this.hostCombined.set(asPod, (byNode = new Map()));
    let decision = byNode.get(asNode);
    if (!decision) byNode.set(asNode, (decision = { ...combineHostBehaviours(asPod, asNode), trace: NO_TRACE }));
    return decision;
  }
}

function partIndex(parts: readonly Part[], size: number): Uint8Array | Uint16Array | Uint32Array {
  const partOf = parts.length <= 0x100 ? new Uint8Array(size) : parts.length <= 0x10000 ? new Uint16Array(size) : new Uint32Array(size);
  parts.forEach((part, index) => {
    for (let c = 0; c < size; c++) if (has(part.bits, c)) partOf[c] = index;
  });
  return partOf;
}
