// Topology hints on EndpointSlices: who sets them (topology-mode annotation or
// trafficDistribution) and what they are.
//
// Sources:
// - Docs, Service "Traffic distribution" and Virtual IPs "Traffic distribution"
//   (https://kubernetes.io/docs/reference/networking/virtual-ips/#traffic-distribution):
//   "If the service.kubernetes.io/topology-mode annotation is set to Auto, it will take
//   precedence over trafficDistribution".
// - staging/src/k8s.io/endpointslice/reconciler.go: `canUseTrafficDistribution :=
//   validTrafficDistribution(...) && !hintsEnabled(service.Annotations)`; the annotation path
//   goes to topologyCache.AddHints, otherwise trafficdist.ReconcileHints.
// - staging/src/k8s.io/endpointslice/trafficdist/trafficdist.go: PreferClose, PreferSameZone
//   and PreferSameNode use preferCloseHeuristic (zone hint = the endpoint's own zone, if it has
//   one; PreferSameNode adds a node hint = the endpoint's node); anything else (unset) uses
//   defaultHeuristic, which removes hints.
// - KEP-4444 (trafficDistribution), KEP-3015 (PreferSameZone / PreferSameNode; GA in 1.35).
// - API validation (pkg/apis/core/validation: validateServiceTrafficDistribution): only the
//   supported values are accepted ("Unsupported value"), so an unknown value never reaches a
//   cluster; the oracle treats it as unset.
import type { Family } from "../../kube/net.js";
import type { PodModel, Scenario, ServiceModel } from "../../scenario/model.js";
import { familyEndpoints } from "./endpoints.js";
import { nodeZone, planTopologyAuto } from "./topology-auto.js";
import { TRAFFIC_DISTRIBUTIONS } from "../../kube/services.js";

export interface EndpointHint {
  /** Zones the endpoint is (or, when !zoneCertain, may be) hinted for; empty = no zone hint. */
  readonly forZones: readonly string[];
  readonly zoneCertain: boolean;
  /** Node hint (PreferSameNode only). */
  readonly forNode?: string;
}

export interface HintPlan {
  readonly source: "topology-mode" | "trafficDistribution" | "none";
  /** pod id → hints; a Ready endpoint absent from the map has no hints. */
  readonly hints: ReadonlyMap<string, EndpointHint>;
  /** Endpoints hinted per zone, when known exactly (topology-mode: Auto). */
  readonly zoneCounts?: ReadonlyMap<string, number>;
  /** False when which endpoint carries which hint is left to the controller's internal order. */
  readonly exact: boolean;
  /** What decided the hints, naming the field or annotation. */
  readonly reason: string;
}

const planCache = new WeakMap<Scenario, Map<string, HintPlan>>();

/** The hints the EndpointSlice controller publishes for the Service's slices of one family. */
export function hintPlan(scenario: Scenario, svc: ServiceModel, family: Family): HintPlan {
  let table = planCache.get(scenario);
  if (!table) planCache.set(scenario, (table = new Map()));
  const key = `${svc.id}|${family}`;
  const cached = table.get(key);
  if (cached) return cached;
  const plan = computeHintPlan(scenario, svc, family, familyEndpoints(scenario, svc, family));
  table.set(key, plan);
  return plan;
}

function computeHintPlan(scenario: Scenario, svc: ServiceModel, family: Family, endpoints: readonly PodModel[]): HintPlan {
  const td = svc.trafficDistribution;
  if (svc.topologyModeAuto) {
    // The annotation takes precedence: trafficDistribution is not consulted at all.
    const auto = planTopologyAuto(scenario, endpoints, family);
    const ignored = td !== undefined ? ` (trafficDistribution: ${td} is ignored while the annotation is Auto)` : "";
    if (!auto.ok) return { source: "topology-mode", hints: new Map(), exact: true, reason: auto.reason + ignored };
    const hints = new Map<string, EndpointHint>();
    for (const [id, h] of auto.hints) hints.set(id, { forZones: h.zones, zoneCertain: h.certain });
    return { source: "topology-mode", hints, zoneCounts: auto.zoneCounts, exact: auto.exact, reason: auto.reason + ignored };
  }
  if (td === undefined) return { source: "none", hints: new Map(), exact: true, reason: "no trafficDistribution or topology-mode: every endpoint is used" };
  if (!(TRAFFIC_DISTRIBUTIONS as readonly string[]).includes(td)) {
    return {
      source: "none", hints: new Map(), exact: true,
      reason: `trafficDistribution: ${td} is not a supported value (the API server rejects it): treated as unset, every endpoint is used`,
    };
  }
  const sameNode = td === "PreferSameNode";
  const nodes = new Map(scenario.nodes.map((node) => [node.name, node] as const));
  const hints = new Map<string, EndpointHint>();
  for (const pod of endpoints) {
    const zone = nodeZone(nodes.get(pod.node));
    // preferCloseHeuristic.update: zone hint only if the endpoint has a zone; node hint for
    // PreferSameNode (endpoint.NodeName is always set for pod endpoints).
    if (!zone && !sameNode) continue;
    hints.set(pod.id, { forZones: zone ? [zone] : [], zoneCertain: true, forNode: sameNode ? pod.node : undefined });
  }
  return {
    source: "trafficDistribution", hints, exact: true,
    reason: `trafficDistribution: ${td}`,
  };
}
