// Service DNS names and answers.
//
// Sources:
// - Docs, "DNS for Services and Pods"
//   (https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/): a normal
//   Service gets A/AAAA records `my-svc.my-namespace.svc.cluster-domain.example` resolving to
//   its cluster IP(s); a headless Service's name resolves to the set of IPs of its (ready)
//   endpoints; ExternalName maps to a CNAME.
// - Kubernetes DNS-Based Service Discovery specification (kubernetes/dns docs/specification.md),
//   sections 2.3.1 (ClusterIP A/AAAA), 2.4.1 (headless A/AAAA: one record per ready endpoint
//   address of that family), 2.5 (ExternalName CNAME).
// - Docs, "IPv4/IPv6 dual-stack": a Service has a cluster IP per family in spec.ipFamilies, and
//   no record exists for a family the Service does not have.
// - Docs, Service "Headless Services": no cluster IP, reached through DNS only; NodePort and
//   LoadBalancer Services also have a cluster IP.
import type { Family } from "../../kube/net.js";
import { CLUSTER_DNS, type Scenario, type ServiceModel } from "../../scenario/model.js";
import { addressType, hasSelector, headlessEndpoints, writtenAddresses } from "./endpoints.js";

export interface DnsAnswer {
  /** A (ipv4) or AAAA (ipv6) record values, in a stable order. */
  readonly addresses: string[];
  readonly kind: "cluster-ip" | "endpoints" | "none";
  readonly reason: string;
}

/** The A / AAAA answer for the Service's name, as CoreDNS's kubernetes plugin gives it. */
export function dnsAnswer(scenario: Scenario, svc: ServiceModel, family: Family): DnsAnswer {
  const record = family === "ipv4" ? "A" : "AAAA";
  if (svc.type === "ExternalName") {
    return { addresses: [], kind: "none", reason: `Service ${svc.id} is type ExternalName: its name is a CNAME (not modelled by netspec)` };
  }
  if (!svc.families.includes(family)) {
    return { addresses: [], kind: "none", reason: `Service ${svc.id} has no ${addressType(family)} in spec.ipFamilies: no ${record} record` };
  }
  if (svc.headless) {
    const pods = headlessEndpoints(scenario, svc, family);
    const addresses = [...pods.map((pod) => pod.ips[family]!), ...writtenAddresses(scenario, svc, family).foreign];
    if (addresses.length === 0) {
      const why = hasSelector(svc) ? "it has no Ready endpoint of that family" : "it has no selector and no ready endpoint in an EndpointSlice";
      return { addresses, kind: "none", reason: `headless Service ${svc.id}: no ${record} record, ${why}` };
    }
    return { addresses, kind: "endpoints", reason: `headless Service ${svc.id}: ${record} records of its ${addresses.length} Ready endpoint(s)` };
  }
  const ip = svc.clusterIPs[family];
  if (ip === undefined) return { addresses: [], kind: "none", reason: `Service ${svc.id} has no ${addressType(family)} cluster IP` };
  return { addresses: [ip], kind: "cluster-ip", reason: `Service ${svc.id}: ${record} ${ip} (cluster IP)` };
}

/**
 * The Service a DNS name refers to: `name.ns`, `name.ns.svc`, `name.ns.svc.cluster.local`
 * (trailing dot and letter case ignored, as DNS does). With `clientNamespace`, a bare `name`
 * resolves through the pod's search path (`<ns>.svc.cluster.local`, first in resolv.conf).
 */
export function serviceForDnsName(scenario: Scenario, name: string, clientNamespace?: string): ServiceModel | undefined {
  const labels = name.trim().toLowerCase().replace(/\.$/, "").split(".");
  const domain = CLUSTER_DNS.domain.split(".");
  let svcName: string | undefined;
  let namespace: string | undefined;
  if (labels.length === 1 && clientNamespace !== undefined) {
    [svcName, namespace] = [labels[0], clientNamespace];
  } else if (labels.length === 2) {
    [svcName, namespace] = labels;
  } else if (labels.length >= 3 && labels[2] === "svc") {
    const rest = labels.slice(3);
    if (rest.length === 0 || (rest.length === domain.length && rest.every((l, i) => l === domain[i]))) {
      [svcName, namespace] = labels;
    }
  }
  if (!svcName || !namespace) return undefined;
  return scenario.services.find((svc) => svc.name === svcName && svc.namespace === namespace);
}
