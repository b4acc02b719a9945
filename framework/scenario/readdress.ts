// A scenario seen with the addresses a real cluster assigned (kind, an existing cluster):
// the oracle is re-run on it, so ipBlock rules are judged against the real pod and Service IPs.
import type { Family } from "../kube/net.js";
import type { Scenario } from "./model.js";

export interface ActualAddresses {
  /** Pod id (`ns/name`) → its IPs. */
  readonly pods: Readonly<Record<string, Partial<Record<Family, string>>>>;
  /** Service id (`ns/name`) → its cluster IPs. */
  readonly services: Readonly<Record<string, Partial<Record<Family, string>>>>;
  /** Node name → its InternalIPs. */
  readonly nodes?: Readonly<Record<string, Partial<Record<Family, string>>>>;
  /** Service id → its load-balancer addresses (status.loadBalancer.ingress). */
  readonly loadBalancers?: Readonly<Record<string, Partial<Record<Family, string>>>>;
  /** Where the `external` client connects from. */
  readonly externalClient?: Partial<Record<Family, string>>;
  /**
   * The addresses HTTP cells connect to, keyed as data planes are (`gateway/ns/name` for a
   * Gateway's status.addresses, `ingress` for the Ingress controller's). Per family: a
   * family the cluster did not publish keeps the planned address, so its cells are still
   * planned and the provider skips them with the reason.
   */
  readonly httpEntries?: Readonly<Record<string, Partial<Record<Family, string>>>>;
}

export function withActualAddresses(scenario: Scenario, actual: ActualAddresses): Scenario {
  const nodes = actual.nodes ?? {};
  const balancers = actual.loadBalancers ?? {};
  const pods = scenario.pods.map((p) => (actual.pods[p.id] ? { ...p, ips: { ...actual.pods[p.id] } } : p));
  const services = scenario.services.map((s) => {
    const clusterIPs = actual.services[s.id] ? { ...actual.services[s.id] } : s.clusterIPs;
    const loadBalancerIPs = balancers[s.id] ? { ...balancers[s.id] } : s.loadBalancerIPs;
    return clusterIPs === s.clusterIPs && loadBalancerIPs === s.loadBalancerIPs ? s : { ...s, clusterIPs, loadBalancerIPs };
  });
  // A Gateway's data plane is a pod and a Service like any other: its address is its Service's,
  // or the one the cluster published for the Gateway (or the Ingresses), family by family.
  const podById = new Map(pods.map((p) => [p.id, p]));
  const serviceById = new Map(services.map((s) => [s.id, s]));
  const entries = actual.httpEntries ?? {};
  const gatewayDataPlanes = scenario.gatewayDataPlanes.map((d) => {
    const service = serviceById.get(d.service.id) ?? d.service;
    const published = entries[d.key];
    return {
      ...d, pod: podById.get(d.pod.id) ?? d.pod,
      service: published ? { ...service, loadBalancerIPs: { ...service.loadBalancerIPs, ...published } } : service,
    };
  });
  return {
    ...scenario,
    pods,
    services,
    gatewayDataPlanes,
    nodes: scenario.nodes.map((n) => (nodes[n.name] ? { ...n, ips: { ...nodes[n.name] } } : n)),
    externalClient: actual.externalClient ? { ...actual.externalClient } : scenario.externalClient,
  };
}
