// What a Service's north-south fields give it: node ports, and the load-balancer address a
// LoadBalancer implementation would publish.
// Sources:
//   [types]   k8s.io/api core/v1 ServiceSpec.allocateLoadBalancerNodePorts: "defaults to true";
//             false: node ports are not allocated for a LoadBalancer Service (ports that give
//             one explicitly keep it)
//   [service] https://kubernetes.io/docs/concepts/services-networking/service/#loadbalancer:
//             the implementation publishes the address in status.loadBalancer.ingress; a
//             dual-stack Service gets one per family from implementations that support it
//   [kind]    https://kind.sigs.k8s.io/docs/user/loadbalancer/ (cloud-provider-kind) and
//             MetalLB's kind guide: addresses from the kind Docker network (…255.200 onward)
import type { Family } from "../kube/net.js";
import { formatCidr, parseCidr, type Cidr } from "../kube/net.js";
import type { Service } from "../kube/types.js";
import { loadBalancerAddress, LOAD_BALANCER_POOL_SIZE } from "./addresses.js";
import type { Diagnostics } from "./diagnostics.js";
import type { Locator } from "./yaml-source.js";

/** [types] Whether the API server allocates node ports for the Service's ports. */
export function allocatesNodePorts(svc: Service): boolean {
  const type = svc.spec.type ?? "ClusterIP";
  if (type === "NodePort") return true;
  return type === "LoadBalancer" && svc.spec.allocateLoadBalancerNodePorts !== false;
}

/**
 * spec.loadBalancerSourceRanges as blocks (host bits masked, surrounding spaces trimmed as the
 * API server's validation does): ranges that do not parse were reported by validation.
 */
export function sourceRanges(svc: Service): string[] {
  return (svc.spec.loadBalancerSourceRanges ?? []).flatMap((text) => {
    const parsed = parseCidr(text.trim());
    return typeof parsed === "string" ? [] : [formatCidr(parsed)];
  });
}

/** [kind] The pool netspec's load balancer assigns from, one address per family per Service. */
export class LoadBalancerPool {
  private next = 0;

  constructor(private readonly nodeSubnets: Partial<Record<Family, Cidr>>) {}

  allocate(service: string, families: readonly Family[], at: Locator, diags: Diagnostics): Partial<Record<Family, string>> {
    const index = this.next++;
    const out: Partial<Record<Family, string>> = {};
    for (const family of families) {
      const subnet = this.nodeSubnets[family];
      const address = subnet && loadBalancerAddress(subnet, index);
      if (address) out[family] = address;
      else diags.error(at.at(), `Service ${service}: the load-balancer pool holds ${LOAD_BALANCER_POOL_SIZE} addresses per family; use fewer LoadBalancer Services`);
    }
    return out;
  }
}
