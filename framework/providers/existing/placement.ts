// Where a scenario's nodes go on a cluster netspec did not create: each scenario node on its
// own real node, by --node-map or by zone (topology.kubernetes.io/zone), else in name order.
// A scenario that needs more nodes or zones than the cluster has is skipped with that reason.
import type { NodeModel } from "../../scenario/model.js";
import type { Node } from "kubernetes-types/core/v1.js";
import { parseCidr } from "../../kube/net.js";

export interface RealNode {
  readonly name: string;
  /** The node's kubernetes.io/hostname label (what pods are pinned by). */
  readonly hostname: string;
  readonly zone?: string;
  /** Ready, not cordoned, no NoSchedule/NoExecute taint. */
  readonly schedulable: boolean;
  readonly why?: string;
}

export type Placement = { readonly nodes: ReadonlyMap<string, RealNode> } | { readonly skip: string };

export function placeNodes(scenarioNodes: readonly NodeModel[], realNodes: readonly RealNode[], nodeMap?: Readonly<Record<string, string>>): Placement {
  const byName = new Map(realNodes.map((n) => [n.name, n]));
  const placed = new Map<string, RealNode>();
  if (nodeMap && Object.keys(nodeMap).length > 0) {
    for (const node of scenarioNodes) {
      const target = nodeMap[node.name];
      if (!target) return { skip: `scenario node ${node.name} is not in --node-map (${Object.keys(nodeMap).join(", ")})` };
      const real = byName.get(target);
      if (!real) return { skip: `--node-map ${node.name}=${target}: the cluster has no node ${target}` };
      if (!real.schedulable) return { skip: `--node-map ${node.name}=${target}: node ${target} cannot run pods (${real.why ?? "not schedulable"})` };
      if (node.zone && real.zone !== node.zone) {
        return { skip: `--node-map ${node.name}=${target}: the scenario puts ${node.name} in zone ${node.zone}, node ${target} is in ${real.zone ?? "no zone"}` };
      }
      placed.set(node.name, real);
    }
    return { nodes: placed };
  }
  const free = realNodes.filter((n) => n.schedulable).sort((a, b) => a.name.localeCompare(b.name));
  const used = new Set<string>();
  // Zoned nodes first: they are the constrained ones.
  for (const node of [...scenarioNodes].sort((a, b) => Number(Boolean(b.zone)) - Number(Boolean(a.zone)))) {
    const candidate = free.find((n) => !used.has(n.name) && (!node.zone || n.zone === node.zone));
    if (!candidate) {
      if (node.zone) {
        const zones = [...new Set(free.map((n) => n.zone).filter(Boolean))].sort();
        const inZone = free.filter((n) => n.zone === node.zone).length;
        return { skip: `the scenario needs ${scenarioNodes.filter((n) => n.zone === node.zone).length} schedulable node(s) in zone ${node.zone}; the cluster has ${inZone} (zones: ${zones.join(", ") || "none"})` };
      }
      return { skip: `the scenario needs ${scenarioNodes.length} schedulable nodes; the cluster has ${free.length}` };
    }
    used.add(candidate.name);
    placed.set(node.name, candidate);
  }
  return { nodes: placed };
}

export function realNodeOf(node: Node): RealNode {
  const name = node.metadata?.name ?? "";
  const labels = node.metadata?.labels ?? {};
  const ready = node.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
  const taint = node.spec?.taints?.find((t) => t.effect === "NoSchedule" || t.effect === "NoExecute");
  const why = !ready ? "not Ready" : node.spec?.unschedulable ? "cordoned" : taint ? `taint ${taint.key}:${taint.effect}` : undefined;
  return {
    name,
    hostname: labels["kubernetes.io/hostname"] ?? name,
    zone: labels["topology.kubernetes.io/zone"],
    schedulable: why === undefined,
    ...(why ? { why } : {}),
  };
}

/** The families the nodes' pod CIDRs cover (undefined when the cluster does not say). */
export function clusterFamilies(nodes: readonly Node[]): ("ipv4" | "ipv6")[] | undefined {
  const cidrs = nodes.flatMap((n) => n.spec?.podCIDRs ?? []);
  if (cidrs.length === 0) return undefined;
  const families = new Set(cidrs.map((c) => parseCidr(c)).flatMap((c) => (typeof c === "string" ? [] : [c.family])));
  return (["ipv4", "ipv6"] as const).filter((f) => families.has(f));
}

