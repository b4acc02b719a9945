// The way into a Service from outside its cluster IP: a node port, a load-balancer address or
// an external IP. Which node receives the traffic, which endpoints that node's proxy may pick,
// and whether the backend sees the client's address.
//
// Sources:
// - Docs, Service type NodePort / LoadBalancer / externalIPs
//   (https://kubernetes.io/docs/concepts/services-networking/service/): a node port is open on
//   every node; "Kubernetes does not manage" externalIPs, the cluster administrator routes them
//   to nodes; `loadBalancerSourceRanges` restricts the clients of the load balancer.
// - Docs, "Create an External Load Balancer", Preserving the client source IP
//   (https://kubernetes.io/docs/tasks/access-application-cluster/create-external-load-balancer/):
//   externalTrafficPolicy Cluster "obscures the client source IP and may cause a second hop";
//   Local "preserves the client source IP and avoids a second hop", and a load balancer sends
//   only to nodes whose health check (healthCheckNodePort) reports a local endpoint.
// - kube-proxy, pkg/proxy/nftables/proxier.go (externalTrafficChain): with policy Cluster every
//   packet is marked for masquerade; with Local, pod-sourced traffic (the local detector's pod
//   CIDR) "is subject to neither the form of traffic policy nor masquerade" and goes to the
//   cluster endpoints, node-local traffic is masqueraded and goes to the cluster endpoints, the
//   rest goes to this node's endpoints (none: dropped). Load-balancer IPs and external IPs are
//   in every node's service map, so a pod's or a node's own proxy handles them. No endpoints
//   at all: the node rejects. loadBalancerSourceRanges: the firewall chain drops load-balancer
//   traffic from other sources, before DNAT.
import type { Family } from "../../kube/net.js";
import { cidr, cidrContains, familyOf } from "../../kube/net.js";
import { clientIp, type Client } from "../../scenario/clients.js";
import type { NodeModel, Scenario, ServicePortModel } from "../../scenario/model.js";
import type { NorthSouthTarget } from "../../scenario/target.js";
import type { Backend } from "./endpoints.js";
import { selectExternalBackends, type BackendSelection } from "./select.js";

/** One node the traffic may arrive on, and what its proxy does with it. */
export interface Receiver {
  readonly node: NodeModel;
  readonly selection: BackendSelection;
  /**
   * Whether the backend may see a node's address instead of the client's. Kubernetes requires
   * the client's only for externalTrafficPolicy Local traffic from outside the cluster.
   */
  readonly rewritten: boolean;
}

export type NorthSouthPath =
  | { readonly outcome: "receivers"; readonly receivers: readonly Receiver[]; readonly reason: string }
  | { readonly outcome: "deny" | "refused" | "drop" | "undefined"; readonly reason: string };

/**
 * The path of `client`'s connection to `target` on Service port `port` over `family`. With
 * several receivers (a load balancer or externalIP route may pick any), each gives its own
 * backends; the caller judges every one.
 */
export function northSouthPath(
  scenario: Scenario, target: NorthSouthTarget, port: ServicePortModel, client: Client, family: Family,
): NorthSouthPath {
  const svc = target.service;
  const ranges = target.kind === "loadbalancer" ? sourceRangeProblem(svc.loadBalancerSourceRanges, client, family, svc.id) : undefined;
  if (ranges) return { outcome: "deny", reason: ranges };

  const nodes = receivingNodes(scenario, target, port, client, family);
  if (nodes.outcome !== "nodes") return nodes;
  const receivers = nodes.nodes.map((node): Receiver => {
    // kube-proxy's externalTrafficChain: pods short-circuit to the cluster endpoints; the
    // receiving node's own traffic is masqueraded and goes there too; the rest follows the policy.
    const short = client.kind === "pod" || (client.kind === "node" && client.node.name === node.name);
    const policy = short ? "Cluster" : svc.externalTrafficPolicy;
    const selection = selectExternalBackends(scenario, svc, port, node.name, family, policy);
    const preserved = !short && svc.externalTrafficPolicy === "Local";
    return { node, selection, rewritten: !preserved };
  });
  const outcomes = new Set(receivers.map((r) => noBackendOutcome(r.selection, target, client)));
  if (outcomes.size > 1) {
    return {
      outcome: "undefined",
      reason: `${nodes.why}, and the nodes disagree (${receivers.map((r) => `${r.node.name}: ${r.selection.reason}`).join("; ")}): which node receives the traffic is the network's choice`,
    };
  }
  const [only] = outcomes;
  if (only !== "receivers") {
    const first = receivers[0]!;
    return { outcome: only!, reason: `${nodes.why}; ${first.node.name}: ${first.selection.reason}` };
  }
  const selections = [...new Set(receivers.map((r) => (receivers.length > 1 ? `${r.node.name}: ${r.selection.reason}` : r.selection.reason)))];
  return { outcome: "receivers", receivers, reason: `${nodes.why}; ${selections.join("; ")}` };
}

/** What a receiver gives when it has no backend to offer, or "receivers" when it has. */
function noBackendOutcome(selection: BackendSelection, target: NorthSouthTarget, client: Client): NorthSouthPath["outcome"] {
  switch (selection.outcome) {
    case "backends": return "receivers";
    case "no-local-endpoints": return "drop";
    case "foreign-endpoints": return "undefined";
    // The node's proxy rejects; through a load balancer, what the client sees is the load
    // balancer's to decide (a reset passed through, or nothing).
    case "no-endpoints": return target.kind === "loadbalancer" && client.kind === "external" ? "deny" : "refused";
  }
}

type Nodes = { readonly outcome: "nodes"; readonly nodes: readonly NodeModel[]; readonly why: string };

/** Which nodes may receive the connection ([docs] and kube-proxy, in the header). */
function receivingNodes(
  scenario: Scenario, target: NorthSouthTarget, port: ServicePortModel, client: Client, family: Family,
): Nodes | { readonly outcome: "deny"; readonly reason: string } {
  const svc = target.service;
  if (target.kind === "nodeport") return { outcome: "nodes", nodes: [target.node], why: `node port ${port.nodePort} on ${target.node.name}` };
  const what = target.kind === "loadbalancer" ? `load balancer of ${svc.id}` : `external IP of ${svc.id}`;
  // A pod's or a node's own proxy holds the address in its service map: it never leaves the node.
  if (client.kind === "pod") {
    const node = scenario.nodes.find((n) => n.name === client.pod.node);
    if (node) return { outcome: "nodes", nodes: [node], why: `${what}: handled by the proxy on the client's node ${node.name}` };
  }
  if (client.kind === "node") return { outcome: "nodes", nodes: [client.node], why: `${what}: handled by the proxy on ${client.node.name} itself` };
  if (target.kind === "externalip") return { outcome: "nodes", nodes: scenario.nodes, why: `${what}: routed to a node by the network (any node)` };
  if (svc.externalTrafficPolicy === "Cluster") return { outcome: "nodes", nodes: scenario.nodes, why: `${what}: sent to any node (externalTrafficPolicy: Cluster)` };
  // Local: the health check passes only on nodes with a ready local endpoint.
  const healthy = scenario.nodes.filter((n) => selectExternalBackends(scenario, svc, port, n.name, family, "Local").outcome === "backends");
  if (healthy.length === 0) {
    return { outcome: "deny", reason: `${what}: externalTrafficPolicy: Local and no node has a ready endpoint, so no node passes the load balancer's health check` };
  }
  return { outcome: "nodes", nodes: healthy, why: `${what}: sent to the nodes whose health check passes (externalTrafficPolicy: Local): ${healthy.map((n) => n.name).join(", ")}` };
}

/** [docs] loadBalancerSourceRanges: the client's address must fall in one of them (when any is given). */
function sourceRangeProblem(ranges: readonly string[], client: Client, family: Family, service: string): string | undefined {
  if (ranges.length === 0) return undefined;
  const ip = clientIp(client, family);
  const own = ranges.filter((r) => familyOf(r.split("/")[0]!) === family);
  if (ip !== undefined && own.some((r) => cidrContains(cidr(r), ip))) return undefined;
  return `loadBalancerSourceRanges of ${service} (${ranges.join(", ")}) do not include the client address ${ip}: the proxy drops it before the Service`;
}

/** The backends of every receiver, once each, in receiver order. */
export function receiverBackends(receivers: readonly Receiver[]): { receiver: Receiver; backend: Backend }[] {
  return receivers.flatMap((receiver) => receiver.selection.backends.map((backend) => ({ receiver, backend })));
}
