// The cluster DNS of the local provider: what kube-dns (CoreDNS's kubernetes plugin) would
// answer, written as a hosts file for dnsmasq. Computed from the manifests here, not borrowed
// from the oracle, so that a disagreement between the two is a finding:
//   ClusterIP/NodePort/LoadBalancer: name.ns.svc.cluster.local → the cluster IP of each family;
//   headless: → the IPs of the ready endpoints (publishNotReadyAddresses: all) of each family,
//     and every address of each ready endpoint of the EndpointSlices written for the Service
//     (labelled kubernetes.io/service-name), as CoreDNS serves them whoever wrote the slice.
// https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/#services
import { selectorMatches } from "../../kube/labels.js";
import { CLUSTER_DNS, type PodModel, type Scenario } from "../../scenario/model.js";

export function dnsHostsFile(scenario: Scenario): string {
  const lines: string[] = [];
  for (const svc of scenario.services) {
    if (svc.type === "ExternalName") continue;
    const name = `${svc.name}.${svc.namespace}.svc.${CLUSTER_DNS.domain}`;
    if (!svc.headless) {
      for (const family of svc.families) {
        const ip = svc.clusterIPs[family];
        if (ip) lines.push(`${ip} ${name}`);
      }
      continue;
    }
    for (const slice of scenario.endpointSlices) {
      if (slice.metadata.namespace !== svc.namespace || slice.metadata.labels?.["kubernetes.io/service-name"] !== svc.name) continue;
      if (slice.addressType === "FQDN" || !svc.families.includes(slice.addressType === "IPv4" ? "ipv4" : "ipv6")) continue;
      for (const endpoint of slice.endpoints ?? []) {
        if (endpoint.conditions?.ready ?? true) for (const address of endpoint.addresses) lines.push(`${address} ${name}`);
      }
    }
    const selector = svc.selector;
    if (!selector || Object.keys(selector).length === 0) continue;
    const endpoints = scenario.pods.filter((p: PodModel) =>
      p.namespace === svc.namespace && selectorMatches({ matchLabels: selector }, p.labels) && ((p.ready && !p.terminating) || svc.publishNotReadyAddresses));
    for (const pod of endpoints) {
      for (const family of svc.families) {
        const ip = pod.ips[family];
        if (ip) lines.push(`${ip} ${name}`);
      }
    }
  }
  return `${lines.join("\n")}\n`;
}

/** A pod's resolv.conf, as the kubelet writes it for dnsPolicy ClusterFirst. */
export function podResolvConf(namespace: string, nameserver: string): string {
  const domain = CLUSTER_DNS.domain;
  return `search ${namespace}.svc.${domain} svc.${domain} ${domain}\nnameserver ${nameserver}\noptions ndots:5\n`;
}
