// The cluster DNS of the local provider: what kube-dns (CoreDNS's kubernetes plugin, as kubeadm
// configures it) would answer, written for dnsmasq as a hosts file (A/AAAA) and configuration
// lines (SRV, CNAME). Computed from the manifests here, not borrowed from the oracle, so that a
// disagreement between the two is a finding. dnsmasq answers the cluster's zone from these
// alone (authoritatively: any other name of it is NXDOMAIN), and the pods' resolvers walk their
// search path over it as they would over CoreDNS.
//
// What is served (kubernetes/dns docs/specification.md sections, CoreDNS where it goes further):
//   <svc>.<ns>.svc.<zone>: the cluster IP of each family (2.3.1); for a headless Service the
//     ready endpoints' addresses (2.4.1): the selected pods (publishNotReadyAddresses: all) and
//     every address of the ready endpoints of the EndpointSlices written for it;
//   <hostname>.<svc>.<ns>.svc.<zone>: each such endpoint, by its hostname (a pod's spec.hostname
//     when its spec.subdomain is the Service's name; a written slice's endpoint hostname) or, as
//     CoreDNS names an endpoint without one, its address with dots or colons as dashes; for every
//     Service with endpoints, as CoreDNS does (2.4.1 requires it of headless ones);
//   _<port>._<proto>.<svc>.<ns>.svc.<zone> SRV, for named ports: the Service's name at the port
//     (2.3.2), or for a headless Service each ready endpoint's name at the endpoint's own port,
//     which is CoreDNS's answer (2.4.2 says the Service port);
//   <svc>.<ns>.svc.<zone> CNAME spec.externalName for an ExternalName Service (2.5), unless the
//     name is an IPv4 address, for which CoreDNS serves nothing;
//   <dashed address>.<ns>.pod.<zone>: each pod's address in its own namespace (2.6, as CoreDNS's
//     `pods verified`; the dashed IPv6 form is CoreDNS's);
//   the names of cluster.upstreamDNS: what the upstream resolvers answer, for CNAME targets.
// https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/
import { selectorMatches } from "../../kube/labels.js";
import { canonicalIp, familyOf, type Family } from "../../kube/net.js";
import { SERVICE_NAME_LABEL } from "../../kube/types.js";
import { CLUSTER_DNS, type PodModel, type Scenario, type ServiceModel, type ServicePortModel } from "../../scenario/model.js";

export interface DnsRecords {
  /** /etc/hosts syntax: `address name` lines. */
  readonly hosts: string;
  /** dnsmasq configuration: `srv-host=` and `cname=` lines. */
  readonly config: string;
}

/** One ready endpoint address of a Service, with the name its records use and the port of each Service port. */
interface Endpoint {
  readonly address: string;
  readonly label: string;
  /** Service port (name/protocol) → the endpoint's port number. */
  readonly ports: ReadonlyMap<string, number>;
}

export function dnsRecords(scenario: Scenario): DnsRecords {
  const hosts: string[] = [];
  const config: string[] = [];
  const zone = CLUSTER_DNS.domain;
  for (const svc of scenario.services) {
    const name = `${svc.name}.${svc.namespace}.svc.${zone}`;
    if (svc.type === "ExternalName") {
      const target = (svc.manifest.spec.externalName ?? "").toLowerCase().replace(/\.$/, "");
      if (target && familyOf(target) !== "ipv4") config.push(`cname=${name},${target}`);
      continue;
    }
    const endpoints = readyEndpoints(scenario, svc);
    if (svc.headless) {
      for (const e of endpoints) hosts.push(`${e.address} ${name}`);
    } else {
      for (const family of svc.families) {
        const ip = svc.clusterIPs[family];
        if (ip) hosts.push(`${ip} ${name}`);
      }
    }
    for (const e of endpoints) hosts.push(`${e.address} ${e.label}.${name}`);
    for (const port of svc.ports) {
      if (!port.name) continue;
      const srv = `_${port.name}._${port.protocol.toLowerCase()}.${name}`;
      if (!svc.headless) { config.push(`srv-host=${srv},${name},${port.port},0,100`); continue; }
      const seen = new Set<string>();
      for (const e of endpoints) {
        const number = e.ports.get(portKey(port));
        const line = number === undefined ? undefined : `srv-host=${srv},${e.label}.${name},${number},0,100`;
        if (line && !seen.has(line)) { seen.add(line); config.push(line); }
      }
    }
  }
  for (const pod of scenario.pods) {
    for (const ip of Object.values(pod.ips)) if (ip) hosts.push(`${ip} ${dashed(ip)}.${pod.namespace}.pod.${zone}`);
  }
  for (const upstream of scenario.upstreamDns) {
    for (const address of upstream.addresses) hosts.push(`${address} ${upstream.name}`);
  }
  return { hosts: `${hosts.join("\n")}\n`, config: `${config.join("\n")}\n` };
}

const portKey = (port: { name?: string; protocol?: string }) => `${port.name ?? ""}/${port.protocol ?? "TCP"}`;

/** An address as CoreDNS names an endpoint without a hostname: dots (IPv4) or colons (IPv6) as dashes. */
function dashed(address: string): string {
  return canonicalIp(address).replace(/[.:]/g, "-");
}

/**
 * A Service's ready endpoints of its families, by address: the selected pods (ready and not
 * terminating, or all with publishNotReadyAddresses; hostname from spec.hostname when spec.subdomain names the
 * Service; each port's targetPort, a name looked up among the pod's ports of that protocol), then
 * the ready endpoints of the slices written for it (their ports by name and protocol).
 */
function readyEndpoints(scenario: Scenario, svc: ServiceModel): Endpoint[] {
  const out: Endpoint[] = [];
  const seen = new Set<string>();
  const add = (address: string, hostname: string | undefined, ports: Map<string, number>) => {
    const ip = canonicalIp(address);
    if (seen.has(ip)) return;
    seen.add(ip);
    out.push({ address: ip, label: hostname ?? dashed(ip), ports });
  };
  const selector = svc.selector;
  if (selector && Object.keys(selector).length > 0) {
    const pods = scenario.pods.filter((p: PodModel) =>
      p.namespace === svc.namespace && selectorMatches({ matchLabels: selector }, p.labels) && ((p.ready && !p.terminating) || svc.publishNotReadyAddresses));
    for (const pod of pods) {
      const ports = new Map<string, number>();
      for (const port of svc.ports) {
        const number = targetPortOn(pod, port);
        if (number !== undefined) ports.set(portKey(port), number);
      }
      const hostname = pod.hostname && pod.subdomain === svc.name ? pod.hostname : undefined;
      for (const family of svc.families) {
        const ip = pod.ips[family];
        if (ip) add(ip, hostname, ports);
      }
    }
  }
  for (const slice of scenario.endpointSlices) {
    if (slice.metadata.namespace !== svc.namespace || slice.metadata.labels?.[SERVICE_NAME_LABEL] !== svc.name) continue;
    const family: Family | undefined = slice.addressType === "IPv4" ? "ipv4" : slice.addressType === "IPv6" ? "ipv6" : undefined;
    if (!family || !svc.families.includes(family)) continue;
    const ports = new Map<string, number>();
    for (const port of slice.ports ?? []) if (port.port !== undefined) ports.set(portKey(port), port.port);
    for (const endpoint of slice.endpoints ?? []) {
      if (!(endpoint.conditions?.ready ?? true)) continue;
      for (const address of endpoint.addresses) add(address, endpoint.hostname, ports);
    }
  }
  return out;
}

/** A Service port's targetPort on a pod: a number as is, a name among the pod's ports of the protocol. */
function targetPortOn(pod: PodModel, port: ServicePortModel): number | undefined {
  if (typeof port.targetPort === "number") return port.targetPort;
  return pod.ports.find((p) => p.name === port.targetPort && p.protocol === port.protocol)?.port;
}

/** A pod's resolv.conf, as the kubelet writes it for dnsPolicy ClusterFirst. */
export function podResolvConf(namespace: string, nameserver: string): string {
  const domain = CLUSTER_DNS.domain;
  return `search ${namespace}.svc.${domain} svc.${domain} ${domain}\nnameserver ${nameserver}\noptions ndots:5\n`;
}
