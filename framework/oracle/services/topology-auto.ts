// Topology Aware Routing (`service.kubernetes.io/topology-mode: Auto`): the EndpointSlice
// controller's proportional allocation of zone hints, replayed from scratch.
//
// Sources:
// - Docs, "Topology Aware Routing" (https://kubernetes.io/docs/concepts/services-networking/topology-aware-routing/),
//   sections "How it works" and "Safeguards".
// - KEP-2433 Topology Aware Hints (keps/sig-network/2433-topology-aware-hints), "EndpointSlice
//   Controller", "Overload".
// - pkg/controller/endpointslice/topologycache/topologycache.go (SetNodes, getAllocations,
//   AddHints, hasExcludedLabels) and utils.go (getGivingAndReceivingZones, redistributeHints,
//   getMost); staging/src/k8s.io/endpointslice/reconciler.go (hintsEnabled).
//
// Model assumptions (documented in the report and README):
// - Every node is Ready and has the same allocatable CPU, unless it carries the label
//   `netspec.dev/cpu` (a Kubernetes CPU quantity: "2", "1.5", "500m"); netspec has no other
//   source for Node.status.allocatable.cpu.
// - The allocation is computed as if every EndpointSlice were being created now (no previously
//   published hints are kept). The real controller keeps valid hints of unchanged slices, so a
//   long-lived cluster can differ; a fresh cluster (what netspec provisions) matches.
// - Where the controller's result depends on Go map iteration or informer order (which
//   endpoints of an over-provisioned zone are donated, to which under-provisioned zone, and
//   ties in getMost), the plan lists every zone an endpoint may be hinted for and says it is
//   not exact.
import type { Family } from "../../kube/net.js";
import type { NodeModel, PodModel, Scenario } from "../../scenario/model.js";
import { addressType } from "./endpoints.js";
import { ANNOTATION_TOPOLOGY_MODE } from "../../kube/services.js";

/** topology.kubernetes.io/zone (k8s.io/api/core/v1 LabelTopologyZone). */
export const ZONE_LABEL = "topology.kubernetes.io/zone";
/** netspec's stand-in for Node.status.allocatable.cpu. */
export const CPU_LABEL = "netspec.dev/cpu";
/** topologycache.go: overloadThreshold = 0.2 ("the maximum overload any individual endpoint should be exposed to"). */
export const OVERLOAD_THRESHOLD = 0.2;

/** The zone of a node as the EndpointSlice controller and kube-proxy read it (empty = none). */
export function nodeZone(node: NodeModel | undefined): string | undefined {
  if (!node) return undefined;
  const zone = node.labels[ZONE_LABEL] ?? node.zone;
  return zone ? zone : undefined;
}

/** Allocatable CPU in millicores: `netspec.dev/cpu` if it parses, else 1 CPU (equal nodes). */
export function nodeCpuMilli(node: NodeModel): number {
  const text = node.labels[CPU_LABEL];
  if (text === undefined) return 1000;
  const m = /^([0-9]+(?:\.[0-9]+)?)(m?)$/.exec(text.trim());
  if (!m) return 1000;
  const value = Number(m[1]);
  return Math.round(m[2] === "m" ? value : value * 1000);
}

/**
 * hasExcludedLabels (topologycache.go): nodes labelled node-role.kubernetes.io/control-plane
 * or node-role.kubernetes.io/master do not count towards zone capacity (KEP-2433 "Excluding
 * Control Plane Nodes").
 */
export function nodeExcluded(node: NodeModel): boolean {
  return "node-role.kubernetes.io/control-plane" in node.labels || "node-role.kubernetes.io/master" in node.labels;
}

export interface ZoneHint {
  /** Zones this endpoint may be hinted for (exactly one when `certain`). */
  readonly zones: readonly string[];
  readonly certain: boolean;
}

export type AutoPlan =
  | { readonly ok: false; readonly reason: string }
  | {
    readonly ok: true;
    /** pod id → its zone hint. Every Ready endpoint has one when ok. */
    readonly hints: ReadonlyMap<string, ZoneHint>;
    /** Endpoints hinted per zone after redistribution, when the counts are determined. */
    readonly zoneCounts?: ReadonlyMap<string, number>;
    readonly exact: boolean;
    readonly reason: string;
  };

interface Allocation { minimum: number; maximum: number; desired: number }

/**
 * Replays TopologyCache.SetNodes + AddHints for one Service and one address type.
 * `endpoints` are the Service's Ready endpoints of that family, over all ports
 * (SliceInfo.getTotalReadyEndpoints counts every Ready endpoint of every slice).
 */
export function planTopologyAuto(scenario: Scenario, endpoints: readonly PodModel[], family: Family): AutoPlan {
  const prefix = `${ANNOTATION_TOPOLOGY_MODE}: Auto`;
  const fail = (why: string): AutoPlan => ({
    ok: false,
    reason: `${prefix} set no ${addressType(family)} hints (${why}); every endpoint is used`,
  });

  // SetNodes: capacity by zone; a single node without a zone label (or CPU) disables hints
  // for the whole cluster ("One or more Nodes has insufficient information" safeguard).
  const cpuByZone = new Map<string, number>();
  let totalCpu = 0;
  for (const node of scenario.nodes) {
    if (nodeExcluded(node)) continue;
    const zone = nodeZone(node);
    const cpu = nodeCpuMilli(node);
    if (!zone) return fail(`node ${node.name} has no ${ZONE_LABEL} label: insufficient node information`);
    if (cpu <= 0) return fail(`node ${node.name} reports no allocatable CPU: insufficient node information`);
    totalCpu += cpu;
    cpuByZone.set(zone, (cpuByZone.get(zone) ?? 0) + cpu);
  }
  if (totalCpu === 0) return fail("no schedulable node: insufficient node information");
  // getAllocations: "Nodes ready in one zone only".
  if (cpuByZone.size < 2) return fail(`nodes are in one zone only (${[...cpuByZone.keys()].join(",")})`);
  const zones = [...cpuByZone.keys()].sort();
  const n = endpoints.length;
  // getAllocations: "Insufficient number of endpoints" — fewer endpoints than zones.
  if (zones.length > n) return fail(`insufficient number of endpoints (${n} endpoints, ${zones.length} zones)`);

  // getAllocations: per zone, desired = cpuRatio * N; minimum = ceil(desired / (1 + 0.2)),
  // desired = max(desired, minimum); if the minimums exceed N the allocation would overload a
  // zone beyond the threshold ("Impossible to achieve balanced allocation" safeguard).
  const factor = 1 / (1 + OVERLOAD_THRESHOLD);
  const allocations = new Map<string, Allocation>();
  let remaining = n;
  let minTotal = 0;
  for (const zone of zones) {
    const ratio = cpuByZone.get(zone)! / totalCpu;
    const desired = ratio * n;
    const minimum = Math.ceil(desired * factor);
    allocations.set(zone, { minimum, maximum: 0, desired: Math.max(desired, minimum) });
    minTotal += minimum;
    remaining -= minimum;
  }
  if (remaining < 0) {
    return fail(`allocation not possible within the ${OVERLOAD_THRESHOLD * 100}% overload threshold (${n} endpoints, ${zones.length} zones)`);
  }
  for (const a of allocations.values()) a.maximum = a.minimum + n - minTotal;

  // AddHints step 1: every Ready endpoint hinted for its own zone; an endpoint without a zone
  // removes all hints ("Endpoint found without zone specified").
  const nodesByName = new Map(scenario.nodes.map((node) => [node.name, node] as const));
  const ownZone = new Map<string, string>();
  const allocated = new Map<string, number>();
  for (const pod of endpoints) {
    const zone = nodeZone(nodesByName.get(pod.node));
    if (!zone) return fail(`endpoint ${pod.id} is on node ${pod.node} without a zone`);
    ownZone.set(pod.id, zone);
    allocated.set(zone, (allocated.get(zone) ?? 0) + 1);
  }

  // Step 2 (getGivingAndReceivingZones): surplus/deficit against `desired`, converted to whole
  // endpoints by repeatedly pairing the largest surplus with the largest deficit.
  const givingDesired = new Map<string, number>();
  const receivingDesired = new Map<string, number>();
  for (const [zone, a] of allocations) {
    const have = allocated.get(zone) ?? 0;
    if (have > a.desired) givingDesired.set(zone, have - a.desired);
    else if (have < a.desired) receivingDesired.set(zone, a.desired - have);
  }
  const givingCandidates = [...givingDesired.keys()];
  const receivingCandidates = [...receivingDesired.keys()];
  let tie = false;
  const getMost = (m: Map<string, number>): [string, number] => {
    // Go iterates the map in random order and keeps the first strict maximum: equal maxima are a tie.
    let zone = "", num = 0, count = 0;
    for (const [z, v] of [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (v > num) { zone = z; num = v; count = 1; } else if (v === num && v > 0) count++;
    }
    if (count > 1) tie = true;
    return [zone, num];
  };
  const giving = new Map<string, number>();
  const receiving = new Map<string, number>();
  for (;;) {
    const [gz, give] = getMost(givingDesired);
    const [rz, recv] = getMost(receivingDesired);
    if (gz === "" || rz === "" || (give < 1 && recv < 1) || give < 0.5 || recv < 0.5) break;
    giving.set(gz, (giving.get(gz) ?? 0) + 1);
    givingDesired.set(gz, give - 1);
    receiving.set(rz, (receiving.get(rz) ?? 0) + 1);
    receivingDesired.set(rz, recv - 1);
  }

  // Step 3 (redistributeHints): that many endpoints of each giving zone are re-hinted for a
  // receiving zone. Which endpoints, and for which receiving zone, follows slice order and Go
  // map order: not determined, so those endpoints may carry any of the candidate zones.
  const moved = giving.size > 0;
  const donorZones = tie ? givingCandidates : [...giving.keys()];
  const recipientZones = tie ? receivingCandidates : [...receiving.keys()];
  const hints = new Map<string, ZoneHint>();
  for (const pod of endpoints) {
    const zone = ownZone.get(pod.id)!;
    if (moved && donorZones.includes(zone)) {
      hints.set(pod.id, { zones: [zone, ...recipientZones.filter((z) => z !== zone).sort()], certain: false });
    } else {
      hints.set(pod.id, { zones: [zone], certain: true });
    }
  }
  const exact = !moved;
  let zoneCounts: Map<string, number> | undefined;
  if (!tie) {
    zoneCounts = new Map();
    for (const zone of new Set([...zones, ...allocated.keys()])) {
      zoneCounts.set(zone, (allocated.get(zone) ?? 0) - (giving.get(zone) ?? 0) + (receiving.get(zone) ?? 0));
    }
  }
  const share = zones.map((z) => `${z} ${(cpuByZone.get(z)! / 1000).toString()}cpu`).join(", ");
  const counts = zoneCounts ? ` → ${[...zoneCounts].map(([z, c]) => `${z}:${c}`).join(", ")}` : "";
  const movedText = moved
    ? `; ${[...giving].map(([z, c]) => `${c} from ${z}`).join(", ")} re-hinted for ${[...receiving.keys()].join(",")} (which ones is implementation-defined)`
    : "";
  return {
    ok: true,
    hints,
    zoneCounts,
    exact,
    reason: `${prefix}: ${n} ${addressType(family)} endpoints hinted in proportion to zone CPU (${share})${counts}${movedText}`,
  };
}
