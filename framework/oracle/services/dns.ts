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
import { canonicalName } from "../../scenario/dns-names.js";
import type { Scenario, ServiceModel } from "../../scenario/model.js";
import { addressType, hasSelector, headlessEndpoints, writtenAddresses } from "./endpoints.js";

export interface DnsAnswer {
  /** A (ipv4) or AAAA (ipv6) record values, in a stable order. */
  readonly addresses: string[];
  readonly kind: "cluster-ip" | "endpoints" | "cname" | "none";
  /** For an ExternalName Service: the CNAME's target (spec.externalName, lower-cased, without a trailing dot). */
  readonly cname?: string;
  readonly reason: string;
}

/** The A / AAAA answer for the Service's name, as CoreDNS's kubernetes plugin gives it. */
export function dnsAnswer(scenario: Scenario, svc: ServiceModel, family: Family): DnsAnswer {
  const record = family === "ipv4" ? "A" : "AAAA";
  if (svc.type === "ExternalName") {
    // 2.5: `<service>.<ns>.svc.<zone>. IN CNAME <extname>.`, whatever the family asked for; the
    // API server requires spec.externalName for this type (ValidateService).
    const cname = canonicalName(svc.manifest.spec.externalName ?? "");
    return { addresses: [], kind: "cname", cname, reason: `Service ${svc.id} is type ExternalName: CNAME ${cname}` };
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
