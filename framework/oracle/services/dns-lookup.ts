// Which record a name resolves to for a client pod: its resolver tries, in order, the names its
// search path makes of it (scenario/dns-names.ts), and settles on the first the cluster DNS
// answers; glibc moves on after NXDOMAIN or an empty answer (res_search), so a name the
// cluster does not know is not the end of the lookup.
//
// Sources: kubernetes/dns docs/specification.md 2.3 to 2.6 (the records), docs "DNS for Services
// and Pods" (search path, relative names: "A query for data returns no results, because it uses
// the Pod's test namespace"), and, for names outside the zone, `cluster.upstreamDNS`: what the
// cluster DNS's upstream resolvers answer is the scenario's to say.
import { canonicalIp } from "../../kube/net.js";
import { canonicalName, inClusterZone, parseClusterName, resolverCandidates, type ClusterName } from "../../scenario/dns-names.js";
import type { Scenario, ServiceModel } from "../../scenario/model.js";
import type { DnsRecord, DnsTarget } from "../../scenario/target.js";
import { endpointNames, type EndpointName } from "./endpoints.js";

/** A name of the schema: the record it names, or why there is none although what it names is declared. */
export type ClusterLookup = { readonly record: DnsRecord } | { readonly missing: string };

/**
 * The record an absolute name of the cluster's zone names. Undefined when it names nothing
 * the scenario declares (no such Service or namespace, or no form of the schema at all).
 */
export function clusterRecord(scenario: Scenario, form: ClusterName): ClusterLookup | undefined {
  if (!scenario.namespaces.some((n) => n.name === form.namespace)) return undefined;
  // 2.6: "for any values of <a>, <b>, <c>, and <d>": a pod record exists whatever holds the address.
  if (form.kind === "pod") return { record: { kind: "pod", namespace: form.namespace, ip: form.ip, family: form.family } };
  const service = scenario.services.find((s) => s.namespace === form.namespace && s.name === form.service);
  if (!service) return undefined;
  switch (form.kind) {
    case "service":
      return { record: { kind: "service", service } };
    case "srv": {
      // 2.3.2 / 2.4.2: "For each port in the Service with name <port> … Unnamed ports do not have an SRV record."
      const port = service.ports.find((p) => p.name === form.port && p.protocol === form.protocol);
      if (port) return { record: { kind: "srv", service, port } };
      return { missing: `Service ${service.id} has no port named '${form.port}' (${form.protocol}), so no SRV record (kubernetes/dns specification 2.3.2)` };
    }
    case "endpoint": {
      if (endpointsNamed(scenario, service, form.hostname).length > 0) return { record: { kind: "endpoint", service, hostname: form.hostname } };
      return { missing: `no ready endpoint of Service ${service.id} has the hostname or address '${form.hostname}' (kubernetes/dns specification 2.4.1)` };
    }
  }
}

/** A Service's ready endpoints that `label` names: by their hostname, or by their dashed address. */
export function endpointsNamed(scenario: Scenario, svc: ServiceModel, label: string): EndpointName[] {
  return endpointNames(scenario, svc).filter((e) => e.hostname === label || dashedAddress(e.address) === label);
}

/** An address as CoreDNS names an endpoint without a hostname (endpointHostname): dots or colons as dashes. */
export function dashedAddress(address: string): string {
  return canonicalIp(address).replace(/[.:]/g, "-");
}

const cache = new WeakMap<Scenario, Map<string, DnsTarget | undefined>>();

/**
 * What a pod of `namespace` reaches when it looks `name` up (a `dns/` reference's name, as
 * parsed): the first name its resolver tries that has a record. When none has, the first
 * that names something declared (a Service without that port or hostname), or the name itself
 * when it is of the cluster's zone, answers NXDOMAIN. Undefined when the name names nothing of
 * the cluster for this client (a relative name of a Service its namespace does not have) and
 * no upstream name either: there is no cell to judge.
 */
export function resolveDnsName(scenario: Scenario, name: string, namespace: string): DnsTarget | undefined {
  let table = cache.get(scenario);
  if (!table) cache.set(scenario, (table = new Map()));
  const key = `${namespace}|${name}`;
  if (table.has(key)) return table.get(key);
  const target = resolve(scenario, name, namespace);
  table.set(key, target);
  return target;
}

function resolve(scenario: Scenario, name: string, namespace: string): DnsTarget | undefined {
  let missing: { fqdn: string; reason: string } | undefined;
  for (const candidate of resolverCandidates(name, namespace)) {
    if (!inClusterZone(candidate)) {
      const upstream = scenario.upstreamDns.find((u) => u.name === candidate);
      if (upstream) return { kind: "dns", name, fqdn: candidate, record: { kind: "upstream", name: upstream.name, addresses: upstream.addresses } };
      continue;
    }
    const form = parseClusterName(candidate);
    const lookup = form && clusterRecord(scenario, form);
    if (lookup && "record" in lookup) return { kind: "dns", name, fqdn: candidate, record: lookup.record };
    if (lookup && !missing) missing = { fqdn: candidate, reason: lookup.missing };
  }
  const asWritten = canonicalName(name);
  if (!missing && inClusterZone(asWritten)) missing = { fqdn: asWritten, reason: `${asWritten} is no record of the cluster DNS` };
  return missing && { kind: "dns", name, fqdn: missing.fqdn, record: { kind: "missing", reason: missing.reason } };
}
