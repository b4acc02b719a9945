// Which endpoints may answer a client pod that connects to a Service's cluster IP (or, for a
// headless Service, to the addresses its DNS name resolves to): kube-proxy's view.
//
// Sources:
// - pkg/proxy/topology.go CategorizeEndpoints / topologyModeFromHints / availableForTopology
//   (kube-proxy, 1.33+): with internalTrafficPolicy Cluster, Ready endpoints filtered by
//   topology hints; with Local, only Ready endpoints on this node and no topology at all.
// - pkg/proxy/iptables/proxier.go (and nftables): no endpoints at all → REJECT (the client sees
//   "connection refused"); internalTrafficPolicy Local with endpoints elsewhere only → DROP
//   ("has no local endpoints").
// - Docs, "Service Internal Traffic Policy"
//   (https://kubernetes.io/docs/concepts/services-networking/service-traffic-policy/): "If
//   the traffic policy is Local and there are no node-local endpoints, traffic is dropped by
//   kube-proxy"; Virtual IPs, "Traffic distribution": internalTrafficPolicy Local takes
//   precedence over trafficDistribution.
// - Docs, Service "Headless Services": "kube-proxy does not handle these Services, and there
//   is no load balancing or proxying done by the platform"; DNS returns the endpoint addresses.
// - Docs, "IPv4/IPv6 dual-stack": a Service gets one cluster IP and one EndpointSlice per
//   family in spec.ipFamilies; a single-stack pod is an endpoint only of its own family.
import type { Family } from "../../kube/net.js";
import type { Scenario, ServiceModel, ServicePortModel } from "../../scenario/model.js";
import {
  addressType, explainNoEndpoints, familyEndpoints, foreignEndpoints, headlessEndpoints, portLabel, serviceEndpoints, writtenAddresses,
  type Backend,
} from "./endpoints.js";
import { hintPlan, type HintPlan } from "./hints.js";
import { nodeZone, ZONE_LABEL } from "./topology-auto.js";

export interface BackendSelection {
  readonly outcome: "backends" | "no-endpoints" | "no-local-endpoints" | "foreign-endpoints";
  /** Who may answer this client (after traffic policy / topology filtering), in declaration order. */
  readonly backends: Backend[];
  /** One line naming the Service field that decided. */
  readonly reason: string;
  /**
   * False when Kubernetes leaves part of the choice to the implementation (topology-mode: Auto
   * re-hinting endpoints between zones): `backends` then lists every pod that *may* answer, a
   * superset of the ones that will on a given cluster.
   */
  readonly exact: boolean;
  /** The field that decided, for explain output and grouping. */
  readonly decidedBy:
    | "type" | "ipFamilies" | "selector" | "targetPort" | "headless"
    | "internalTrafficPolicy" | "externalTrafficPolicy" | "trafficDistribution" | "topology-mode" | "endpointSlices" | "none";
}

const cache = new WeakMap<Scenario, Map<string, BackendSelection>>();

/**
 * Backends for `client` connecting to `svc` on `port` over `family`. The result depends on the
 * client only through its node (kube-proxy runs per node), so it is memoised per node.
 */
export function selectBackends(
  scenario: Scenario, svc: ServiceModel, port: ServicePortModel, clientNode: string, family: Family,
): BackendSelection {
  return memoised(scenario, svc, port, clientNode, family, { field: "internalTrafficPolicy", policy: svc.internalTrafficPolicy });
}

/**
 * Backends for traffic that reaches `svc` from outside its cluster IP (a node port, a
 * load-balancer address, an external IP) on `receivingNode`: externalTrafficPolicy decides as
 * internalTrafficPolicy does for the cluster IP (pkg/proxy/topology.go CategorizeEndpoints:
 * `useLocal` for external traffic with ExternalPolicyLocal; local endpoints get no topology).
 */
export function selectExternalBackends(
  scenario: Scenario, svc: ServiceModel, port: ServicePortModel, receivingNode: string, family: Family,
  policy: "Cluster" | "Local" = svc.externalTrafficPolicy,
): BackendSelection {
  return memoised(scenario, svc, port, receivingNode, family, { field: "externalTrafficPolicy", policy });
}

/**
 * The traffic policy that applies: cluster-IP traffic's, or node-port and load-balancer
 * traffic's (whose pod-sourced traffic kube-proxy sends to the cluster endpoints whatever the field says).
 */
interface Traffic {
  readonly field: "internalTrafficPolicy" | "externalTrafficPolicy";
  readonly policy: "Cluster" | "Local";
}

function memoised(scenario: Scenario, svc: ServiceModel, port: ServicePortModel, node: string, family: Family, traffic: Traffic): BackendSelection {
  let table = cache.get(scenario);
  if (!table) cache.set(scenario, (table = new Map()));
  const key = `${svc.id}|${port.port}/${port.protocol}|${family}|${node}|${traffic.field}=${traffic.policy}`;
  const hit = table.get(key);
  if (hit) return hit;
  const result = compute(scenario, svc, port, node, family, traffic);
  table.set(key, result);
  return result;
}

function compute(scenario: Scenario, svc: ServiceModel, port: ServicePortModel, clientNode: string, family: Family, traffic: Traffic): BackendSelection {
  const none = (decidedBy: BackendSelection["decidedBy"], reason: string): BackendSelection =>
    ({ outcome: "no-endpoints", backends: [], reason, exact: true, decidedBy });

  if (svc.type === "ExternalName") {
    // Docs, Service "ExternalName": "redirection happens at the DNS level rather than via
    // proxying or forwarding": no cluster IP, no endpoints, nothing for kube-proxy to select.
    return none("type", `Service ${svc.id} is type ExternalName: no cluster IP and no endpoints, only a CNAME to ${svc.manifest.spec.externalName ?? "its external name"} in DNS (a client by name reaches what that resolves to)`);
  }
  if (!svc.families.includes(family)) {
    return none("ipFamilies", `Service ${svc.id} has no ${addressType(family)} in spec.ipFamilies (${svc.families.map(addressType).join(",") || "none"}): no ${addressType(family)} cluster IP or endpoints`);
  }

  if (svc.headless) {
    // No kube-proxy: DNS answers every Ready endpoint of the family (whatever its ports) and the
    // client dials the Service port on the pod IP directly: no targetPort translation, no
    // traffic policy, no topology.
    const foreign = writtenAddresses(scenario, svc, family).foreign;
    if (foreign.length > 0) {
      return {
        outcome: "foreign-endpoints", backends: [], exact: false, decidedBy: "endpointSlices",
        reason: `headless Service ${svc.id}: its name also resolves to addresses that are no pod of the scenario (${foreign.join(", ")}, from its EndpointSlices): what answers there is outside what netspec models`,
      };
    }
    const pods = headlessEndpoints(scenario, svc, family);
    if (pods.length === 0) return none("headless", `headless Service ${svc.id}: ${explainNoEndpoints(scenario, svc, port, family)}; its name resolves to no ${addressType(family)} address`);
    return {
      outcome: "backends",
      backends: pods.map((pod) => ({ pod, targetPort: port.port, protocol: port.protocol, node: pod.node })),
      reason: `headless Service ${svc.id} (clusterIP: None): DNS returns ${pods.length} Ready endpoint(s); the client connects to port ${port.port} on the pod directly (no proxy, no traffic policy)`,
      exact: true,
      decidedBy: "headless",
    };
  }

  const foreign = foreignEndpoints(scenario, svc, port, family);
  if (foreign.length > 0) {
    return {
      outcome: "foreign-endpoints", backends: [], exact: false, decidedBy: "endpointSlices",
      reason: `Service ${svc.id} port ${portLabel(port)} has endpoints that are no pod of the scenario (${foreign.join(", ")}, from its EndpointSlices): what answers there, and what policy makes of it, is outside what netspec models`,
    };
  }
  const endpoints = serviceEndpoints(scenario, svc, port, family);
  if (endpoints.length === 0) {
    // CategorizeEndpoints: hasAnyEndpoints false → kube-proxy installs REJECT, whatever the
    // traffic policy.
    const why = explainNoEndpoints(scenario, svc, port, family);
    // Ready pods of the family exist, so the named targetPort is what excluded them.
    const decidedBy = familyEndpoints(scenario, svc, family).length > 0 ? "targetPort" : "selector";
    return none(decidedBy, `${why}: kube-proxy rejects the connection`);
  }

  const portText = `port ${portLabel(port)}`;
  const { field } = traffic;
  if (traffic.policy === "Local") {
    // UsesClusterEndpoints() is false for this traffic: only Ready endpoints on this node, and
    // topologyModeFromHints is never consulted.
    const local = endpoints.filter((b) => b.node === clientNode);
    const ignored = svc.trafficDistribution !== undefined || hintPlan(scenario, svc, family).source === "topology-mode"
      ? " (topology hints do not apply with Local)" : "";
    if (local.length === 0) {
      return {
        outcome: "no-local-endpoints", backends: [], exact: true, decidedBy: field,
        reason: `${field}: Local and no ready endpoint of ${svc.id} ${portText} on ${clientNode}: kube-proxy drops the traffic${ignored}`,
      };
    }
    return {
      outcome: "backends", backends: local, exact: true, decidedBy: field,
      reason: `${field}: Local: ${local.length} ready endpoint(s) of ${svc.id} on ${clientNode}${ignored}`,
    };
  }

  const plan = hintPlan(scenario, svc, family);
  return applyTopology(scenario, svc, plan, endpoints, clientNode, family);
}

/** topologyModeFromHints + availableForTopology, with the hint plan's uncertainty carried along. */
function applyTopology(
  scenario: Scenario, svc: ServiceModel, plan: HintPlan, endpoints: Backend[], clientNode: string, family: Family,
): BackendSelection {
  const decidedBy: BackendSelection["decidedBy"] = plan.source === "none" ? "none" : plan.source;
  const all = (why: string, exact = true): BackendSelection => ({
    outcome: "backends", backends: endpoints, exact, decidedBy,
    reason: `${why}: ${endpoints.length} ready endpoint(s) of ${svc.id}`,
  });
  if (plan.source === "none" || (plan.hints.size === 0 && plan.source === "topology-mode")) return all(plan.reason);

  const hint = (b: Backend) => plan.hints.get(b.pod.id);
  // PreferSameNode (feature gate PreferSameTrafficDistribution, GA 1.35): every ready endpoint
  // has a node hint and at least one is for this node.
  const allNodeHints = endpoints.every((b) => hint(b)?.forNode !== undefined);
  if (allNodeHints) {
    const sameNode = endpoints.filter((b) => hint(b)!.forNode === clientNode);
    if (sameNode.length > 0) {
      return {
        outcome: "backends", backends: sameNode, exact: true, decidedBy,
        reason: `${plan.reason}: ${sameNode.length} endpoint(s) of ${svc.id} on the client's node ${clientNode}`,
      };
    }
  }
  const nodeText = allNodeHints ? `no endpoint on ${clientNode}; ` : "";

  // PreferSameZone: every ready endpoint has a zone hint and at least one is for this zone.
  const zone = nodeZone(scenario.nodes.find((n) => n.name === clientNode));
  const missing = endpoints.find((b) => (hint(b)?.forZones.length ?? 0) === 0);
  if (missing) {
    return all(`${plan.reason}: ${nodeText}endpoint ${missing.pod.id} has no zone hint (node ${missing.pod.node} has no ${ZONE_LABEL}), so kube-proxy ignores zone hints`);
  }
  if (!zone) return all(`${plan.reason}: ${nodeText}the client's node ${clientNode} has no ${ZONE_LABEL} label, so kube-proxy ignores zone hints`);

  let forZone: "yes" | "maybe" | "no";
  const portCoversFamily = endpoints.length === familyEndpoints(scenario, svc, family).length;
  if (plan.zoneCounts && portCoversFamily) {
    forZone = (plan.zoneCounts.get(zone) ?? 0) > 0 ? "yes" : "no";
  } else if (endpoints.some((b) => hint(b)!.zoneCertain && hint(b)!.forZones[0] === zone)) {
    forZone = "yes";
  } else if (endpoints.some((b) => hint(b)!.forZones.includes(zone))) {
    forZone = "maybe";
  } else {
    forZone = "no";
  }
  if (forZone === "no") return all(`${plan.reason}: ${nodeText}no endpoint is hinted for the client's zone ${zone}, so traffic goes cluster-wide`);
  if (forZone === "maybe") {
    return all(`${plan.reason}: ${nodeText}whether an endpoint is hinted for zone ${zone} is implementation-defined; any endpoint may answer`, false);
  }
  const sameZone = endpoints.filter((b) => hint(b)!.forZones.includes(zone));
  const exact = sameZone.every((b) => hint(b)!.zoneCertain);
  return {
    outcome: "backends", backends: sameZone, exact, decidedBy,
    reason: `${plan.reason}: ${nodeText}${sameZone.length} endpoint(s) of ${svc.id} ${exact ? "hinted" : "possibly hinted"} for the client's zone ${zone}`,
  };
}
