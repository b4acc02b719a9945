// Counts of the pod-to-pod matrix without judging its cells one by one. Per destination port,
// protocol and family: the ingress partitions give, per destination class, the source classes
// it admits (and denies); transposed, they are rows per source class over destinations, the
// shape of the egress partitions. A source's row of allowed cells is then egress-allowed AND
// ingress-allowed, its denied cells egress-denied OR ingress-denied (combineDirections), the
// rest undefined; the cells of a row are counted by weighted population counts (classes weigh
// their pods). Pairs with a host-network end need both behaviours and are judged pair by pair.
import type { Family } from "../../kube/net.js";
import type { PodModel } from "../../scenario/model.js";
import type { PolicyVerdict } from "../policy/types.js";
import { andNot, bitsOf, has, orInto, popcount, transpose, type Bits } from "./bits.js";
import type { PodDecisions } from "./decisions.js";
import type { ConnectionKey, Part } from "./direction.js";

export type PodCellCounts = Record<PolicyVerdict, number>;

/** Pods per class that are destinations of one port/protocol/family, and how many of those are also sources. */
interface Destinations {
  readonly key: ConnectionKey;
  readonly pods: Float64Array;
  readonly selfPods: Float64Array;
}

/**
 * The verdict counts of every cell (source pod → destination pod, container port, family) that
 * planCells yields for pod targets: sources × targets × the target's ports × the families both
 * have an address of.
 */
export function countPodCells(
  decisions: PodDecisions, sources: readonly PodModel[], targets: readonly PodModel[], families: readonly Family[],
): PodCellCounts {
  const table = decisions.table;
  const counts: PodCellCounts = { allow: 0, deny: 0, undefined: 0 };
  const sourcePods = new Map<Family, Float64Array>(families.map((f) => [f, new Float64Array(table.size)]));
  for (const src of sources) {
    for (const family of families) if (src.ips[family]) sourcePods.get(family)![table.classOf(src)]++;
  }
  const sourceIds = new Set(sources.map((p) => p.id));
  const destinations = new Map<ConnectionKey, Destinations>();
  for (const dst of targets) {
    const cls = table.classOf(dst);
    for (const port of dst.ports) {
      for (const family of families) {
        if (!dst.ips[family]) continue;
        const key = decisions.key(port.port, port.protocol, family);
        let entry = destinations.get(key);
        if (!entry) destinations.set(key, (entry = { key, pods: new Float64Array(table.size), selfPods: new Float64Array(table.size) }));
        entry.pods[cls]++;
        if (sourceIds.has(dst.id)) entry.selfPods[cls]++;
      }
    }
  }
  for (const entry of destinations.values()) countKey(decisions, entry, sourcePods.get(entry.key.family)!, counts);
  return counts;
}

function countKey(decisions: PodDecisions, dsts: Destinations, srcPods: Float64Array, counts: PodCellCounts): void {
  const { table } = decisions;
  const { size, words } = table;
  const key = dsts.key;
  // Row d: the source classes d's ingress allows (denies); transposed, row s: the destinations admitting s.
  const ingressAllow = new Uint32Array(size * words);
  const ingressDeny = new Uint32Array(size * words);
  for (let d = 0; d < size; d++) {
    if (dsts.pods[d]! > 0) addByVerdict(decisions.partition("ingress", d, key, false), ingressAllow, ingressDeny, d * words);
  }
  const admittedBy = transpose(ingressAllow, size, words);
  const deniedBy = transpose(ingressDeny, size, words);
  const planes = weightPlanes(dsts.pods, size);
  // Pairs with a host-network end are judged one by one below; the rows count the others.
  const podNetwork = table.hasHostNetwork ? andNot(table.all, table.hostNetwork) : table.all;
  const podNetworkCells = weightedCount(podNetwork, planes);
  const hostNetworkDsts = table.classes.filter((c) => c.rep.hostNetwork && dsts.pods[c.id]! > 0).map((c) => c.id);
  const allDsts = table.classes.filter((c) => dsts.pods[c.id]! > 0).map((c) => c.id);
  const allowed = new Uint32Array(words);
  const denied = new Uint32Array(words);
  for (let s = 0; s < size; s++) {
    const pods = srcPods[s]!;
    if (pods === 0) continue;
    const hostSource = table.classes[s]!.rep.hostNetwork;
    /** The verdict between two pods of class s, when the rows tell it. */
    let own: PolicyVerdict | undefined;
    if (!hostSource) {
      allowed.fill(0);
      denied.fill(0);
      addByVerdict(decisions.partition("egress", s, key, false), allowed, denied, 0);
      const row = s * words;
      for (let w = 0; w < words; w++) {
        allowed[w] = allowed[w]! & admittedBy[row + w]! & podNetwork[w]!;
        denied[w] = (denied[w]! | deniedBy[row + w]!) & podNetwork[w]!;
      }
      const allow = weightedCount(allowed, planes);
      const deny = weightedCount(denied, planes);
      counts.allow += pods * allow;
      counts.deny += pods * deny;
      counts.undefined += pods * (podNetworkCells - allow - deny);
      own = has(allowed, s) ? "allow" : has(denied, s) ? "deny" : "undefined";
    }
    for (const d of hostSource ? allDsts : hostNetworkDsts) {
      counts[decisions.decideClasses(s, d, key).verdict] += pods * dsts.pods[d]!;
    }
    // Above, the class's pods were paired with every pod of their own class, themselves included;
    // a pod's connection to itself is always allowed ([docs] "a pod cannot block access to itself").
    const self = dsts.selfPods[s]!;
    if (self > 0) {
      counts[own ?? decisions.decideClasses(s, s, key).verdict] -= self;
      counts.allow += self;
    }
  }
}

/** ORs the parts that allow into `allow` and those that deny into `deny`, at `offset`. */
function addByVerdict(parts: readonly Part[], allow: Uint32Array, deny: Uint32Array, offset: number): void {
  for (const part of parts) {
    if (part.result.verdict === "allow") orInto(allow, offset, part.bits);
    else if (part.result.verdict === "deny") orInto(deny, offset, part.bits);
  }
}

/** Bit planes of the weights: plane b holds the classes whose weight has bit b set. */
function weightPlanes(weights: Float64Array, size: number): Bits[] {
  const max = weights.reduce((a, b) => Math.max(a, b), 0);
  const planes: Bits[] = [];
  for (let b = 0; 2 ** b <= max; b++) {
    planes.push(bitsOf(size, [...weights.keys()].filter((c) => Math.floor(weights[c]! / 2 ** b) % 2 === 1)));
  }
  return planes;
}

/** Σ weight(c) over the classes c in `row`. */
function weightedCount(row: Bits, planes: readonly Bits[]): number {
  let total = 0;
  for (let b = 0; b < planes.length; b++) {
    const plane = planes[b]!;
    let bits = 0;
    for (let w = 0; w < plane.length; w++) bits += popcount(row[w]! & plane[w]!);
    total += bits * 2 ** b;
  }
  return total;
}
