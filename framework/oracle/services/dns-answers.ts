// What the cluster DNS answers for a record, in one family, and where that leaves the client:
// at a cluster IP (kube-proxy chooses the backend), at pods directly, or at addresses outside
// the cluster. Policy is not decided here: the matrix judges the connection that follows.
//
// Sources (kubernetes/dns docs/specification.md, schema 1.0.1, unless said otherwise):
// - 2.3.2 SRV of a Service with a cluster IP: `… SRV <weight> <priority> <port-number>
//   <service>.<ns>.svc.<zone>.`, one answer, the Service port's number.
// - 2.4.2 SRV of a headless Service: one per ready endpoint, `<port-number>` being "the port
//   in the Service with name <port> and number <port-number>"; CoreDNS (kubernetes plugin,
//   findServices) answers the endpoint's own port instead, which differs when targetPort does.
// - 2.4.1 `<hostname>.<service>.<ns>.svc.<zone>`: an A record "for each ready endpoint with
//   hostname", for headless Services; CoreDNS answers them for any Service. Docs, "DNS for
//   Services and Pods": "Any Pods exposed by a Service have … pod-ipv4-address.service-name.
//   my-namespace.svc.cluster-domain.example" (CoreDNS endpointHostname: the dashed address of
//   an endpoint without a hostname).
// - 2.5 ExternalName: a CNAME to spec.externalName, which the client follows. Service docs,
//   ExternalName: "Services with external names that resemble IPv4 addresses are not resolved
//   by DNS servers" (CoreDNS emits no record when the name parses as an IP).
// - 2.6 `<a>-<b>-<c>-<d>.<ns>.pod.<zone>. IN A <a>.<b>.<c>.<d>`, "for any values", deprecated but
//   required; CoreDNS's `pods verified` answers only for a pod of that namespace, `pods insecure`
//   (kubeadm's) for any. No IPv6 form is specified; CoreDNS answers colons as dashes.
import { familyOf, type Family } from "../../kube/net.js";
import { CLUSTER_DNS, type PodModel, type Scenario, type ServiceModel, type ServicePortModel } from "../../scenario/model.js";
import { canonicalName, inClusterZone, parseClusterName } from "../../scenario/dns-names.js";
import type { DnsRecord } from "../../scenario/target.js";
import { dnsAnswer } from "./dns.js";
import { clusterRecord, dashedAddress } from "./dns-lookup.js";
import { addressType, endpointNames, foreignEndpoints, serviceEndpoints, type EndpointName } from "./endpoints.js";

/** Where a lookup leaves the client, in one family, with the line that explains it. */
export type NameAnswer =
  /** A cluster IP: kube-proxy picks the backend. `port`: the Service port an SRV answer named. */
  | { readonly kind: "cluster-ip"; readonly service: ServiceModel; readonly ip: string; readonly port?: ServicePortModel; readonly reason: string }
  /** Pods, dialled directly. `port`: the port an SRV answer named (else the cell's). */
  | { readonly kind: "pods"; readonly pods: readonly PodModel[]; readonly port?: number; readonly reason: string }
  /** Addresses outside the cluster (cluster.upstreamDNS). */
  | { readonly kind: "addresses"; readonly addresses: readonly string[]; readonly reason: string }
  /** NXDOMAIN or no record of the family: the client sees a DNS error. */
  | { readonly kind: "none"; readonly reason: string }
  /** Kubernetes leaves the answer (or what answers there) to the implementation. */
  | { readonly kind: "undefined"; readonly reason: string };

const recordType = (family: Family) => (family === "ipv4" ? "A" : "AAAA");

/** The answer to the record's lookup in `family`; `chain` is the ExternalName Services followed so far. */
export function nameAnswer(scenario: Scenario, record: DnsRecord, family: Family, chain: readonly string[] = []): NameAnswer {
  switch (record.kind) {
    case "service": return serviceAnswer(scenario, record.service, family, chain);
    case "srv": return srvAnswer(scenario, record.service, record.port, family);
    case "endpoint": return endpointAnswer(scenario, record.service, record.hostname, family);
    case "pod": return podAnswer(scenario, record.namespace, record.ip, record.family, family);
    case "upstream": {
      const addresses = record.addresses.filter((a) => familyOf(a) === family);
      if (addresses.length === 0) return { kind: "none", reason: `${record.name} has no ${recordType(family)} record in cluster.upstreamDNS` };
      return { kind: "addresses", addresses, reason: `${record.name}: ${recordType(family)} ${addresses.join(", ")} (cluster.upstreamDNS)` };
    }
    case "missing": return { kind: "none", reason: `${record.reason}: NXDOMAIN` };
  }
}

function serviceAnswer(scenario: Scenario, svc: ServiceModel, family: Family, chain: readonly string[]): NameAnswer {
  const answer = dnsAnswer(scenario, svc, family);
  switch (answer.kind) {
    case "cluster-ip": return { kind: "cluster-ip", service: svc, ip: answer.addresses[0]!, reason: answer.reason };
    case "none": return { kind: "none", reason: answer.reason };
    case "endpoints": return atPods(scenario, answer.addresses, family, `headless ${svc.id} resolves to`);
    case "cname": return cnameAnswer(scenario, svc, answer.cname!, family, chain);
  }
}

/** The addresses' pods; an address no pod holds (a written EndpointSlice's) leaves the model. */
function atPods(scenario: Scenario, addresses: readonly string[], family: Family, what: string, port?: number): NameAnswer {
  const pods = addresses.map((ip) => scenario.pods.find((p) => p.ips[family] === ip));
  const foreign = addresses.filter((_, i) => pods[i] === undefined);
  if (foreign.length > 0) {
    return { kind: "undefined", reason: `${what} ${foreign.join(", ")} too, no pod of the scenario (from the Service's EndpointSlices): what answers there is outside what netspec models` };
  }
  const found = pods as PodModel[];
  return { kind: "pods", pods: found, ...(port === undefined ? {} : { port }), reason: `${what} ${found.map((p) => p.id).join(", ")}` };
}

function cnameAnswer(scenario: Scenario, svc: ServiceModel, target: string, family: Family, chain: readonly string[]): NameAnswer {
  const cname = `ExternalName ${svc.id}: CNAME ${target}`;
  if (familyOf(target) === "ipv4") {
    return { kind: "none", reason: `${cname}, which resembles an IPv4 address: such external names are not resolved by DNS servers (Service docs, ExternalName)` };
  }
  if (chain.includes(svc.id)) return { kind: "undefined", reason: `${cname} closes a CNAME loop (${[...chain, svc.id].join(" → ")}): what a resolver makes of it is its own` };
  if (inClusterZone(target)) {
    const form = parseClusterName(target);
    const lookup = form && clusterRecord(scenario, form);
    if (!lookup || "missing" in lookup) return { kind: "none", reason: `${cname}, which names no record of the cluster (${lookup?.missing ?? "no such name"})` };
    const next = nameAnswer(scenario, lookup.record, family, [...chain, svc.id]);
    return { ...next, reason: `${cname} → ${next.reason}` };
  }
  const upstream = scenario.upstreamDns.find((u) => u.name === canonicalName(target));
  if (upstream) {
    const next = nameAnswer(scenario, { kind: "upstream", name: upstream.name, addresses: upstream.addresses }, family, chain);
    return { ...next, reason: `${cname} → ${next.reason}` };
  }
  return { kind: "undefined", reason: `${cname}, a name outside the cluster that cluster.upstreamDNS does not declare: what it resolves to is outside the cluster` };
}

function srvAnswer(scenario: Scenario, svc: ServiceModel, port: ServicePortModel, family: Family): NameAnswer {
  const name = `_${port.name}._${port.protocol.toLowerCase()}.${svc.name}.${svc.namespace}.svc.${CLUSTER_DNS.domain}`;
  if (svc.type === "ExternalName") {
    return { kind: "undefined", reason: `${name}: the specification gives an ExternalName Service only its CNAME (2.5); what an SRV query of its ports answers is left to the implementation` };
  }
  if (!svc.families.includes(family)) {
    return { kind: "none", reason: `${name}: ${svc.id} has no ${addressType(family)} in spec.ipFamilies, so the SRV target has no ${recordType(family)} record` };
  }
  if (!svc.headless) {
    const ip = svc.clusterIPs[family]!;
    return {
      kind: "cluster-ip", service: svc, ip, port,
      reason: `SRV ${name}: port ${port.port}, target ${svc.name}.${svc.namespace}.svc.${CLUSTER_DNS.domain} (specification 2.3.2), ${recordType(family)} ${ip} (cluster IP)`,
    };
  }
  const foreign = foreignEndpoints(scenario, svc, port, family);
  if (foreign.length > 0) return { kind: "undefined", reason: `SRV ${name} also answers ${foreign.join(", ")}, no pod of the scenario (from its EndpointSlices): what answers there is outside what netspec models` };
  const endpoints = serviceEndpoints(scenario, svc, port, family);
  if (endpoints.length === 0) return { kind: "none", reason: `SRV ${name}: headless ${svc.id} has no ready ${addressType(family)} endpoint for port ${port.name}, so no SRV record (specification 2.4.2)` };
  const other = endpoints.find((b) => b.targetPort !== port.port);
  if (other) {
    return {
      kind: "undefined",
      reason: `SRV ${name} of headless ${svc.id}: the specification (2.4.2) answers the Service port ${port.port}, CoreDNS the endpoint's port ${other.targetPort} (${other.pod.id}, targetPort ${port.targetPort}): left to the implementation`,
    };
  }
  return {
    kind: "pods", pods: endpoints.map((b) => b.pod), port: port.port,
    reason: `SRV ${name}: one answer per ready endpoint (specification 2.4.2), port ${port.port}: ${endpoints.map((b) => b.pod.id).join(", ")}`,
  };
}

function endpointAnswer(scenario: Scenario, svc: ServiceModel, label: string, family: Family): NameAnswer {
  const name = `${label}.${svc.name}.${svc.namespace}.svc.${CLUSTER_DNS.domain}`;
  const entries = endpointNames(scenario, svc).filter((e) => e.family === family);
  const atEntries = (list: readonly EndpointName[], why: string) => atPods(scenario, list.map((e) => e.address), family, `${name} (${why}) resolves to`);
  const named = entries.filter((e) => e.hostname === label);
  if (named.length > 0) {
    if (!svc.headless) {
      return { kind: "undefined", reason: `${name}: the specification (2.4.1) gives endpoint hostnames records for headless Services; ${svc.id} has a cluster IP, for which CoreDNS answers them and others need not` };
    }
    return atEntries(named, `the ready endpoint(s) with hostname ${label}, specification 2.4.1`);
  }
  const dashed = entries.filter((e) => dashedAddress(e.address) === label);
  if (dashed.length > 0) {
    if (family === "ipv6") return { kind: "undefined", reason: `${name}: a dashed IPv6 endpoint name is CoreDNS's form; neither the specification nor the docs define it` };
    if (dashed.some((e) => e.hostname)) {
      return { kind: "undefined", reason: `${name}: the docs give every pod a Service exposes its dashed-address name, but CoreDNS names an endpoint with a hostname (${dashed.find((e) => e.hostname)!.hostname}) by that only` };
    }
    return atEntries(dashed, "a pod the Service exposes, by its dashed address: docs, DNS for Services and Pods");
  }
  return { kind: "none", reason: `${name}: no ready ${addressType(family)} endpoint of ${svc.id} has hostname or address ${label}` };
}

function podAnswer(scenario: Scenario, namespace: string, ip: string, recordFamily: Family, family: Family): NameAnswer {
  const name = `${dashedAddress(ip)}.${namespace}.pod.${CLUSTER_DNS.domain}`;
  if (family !== recordFamily) return { kind: "none", reason: `${name} spells an ${addressType(recordFamily)} address: no ${recordType(family)} record` };
  if (recordFamily === "ipv6") return { kind: "undefined", reason: `${name}: the specification defines pod records for IPv4 only (2.6); the dashed IPv6 form is CoreDNS's` };
  const pod = scenario.pods.find((p) => p.ips[family] === ip);
  if (!pod) return { kind: "undefined", reason: `${name}: A ${ip} (specification 2.6: any address), which no pod of the scenario holds: what answers there is outside what netspec models` };
  if (pod.namespace !== namespace) {
    return { kind: "undefined", reason: `${name}: ${ip} is ${pod.id}, of another namespace; the specification (2.6) answers it for any namespace, CoreDNS's 'pods verified' only for the pod's own` };
  }
  return { kind: "pods", pods: [pod], reason: `${name}: A ${ip} (specification 2.6), ${pod.id}` };
}
