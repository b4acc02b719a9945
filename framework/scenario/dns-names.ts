// The names of the cluster DNS, as syntax: which record of the Kubernetes DNS schema an
// absolute name spells, and the order in which a pod's resolver tries the names a written
// (possibly relative) name stands for. Nothing here knows which Services or pods exist: that
// is the oracle's (oracle/services/dns-lookup.ts); the local provider serves the records on its
// own (providers/local/dns-records.ts) and its prober resolves through the pod's real
// resolv.conf, so the two are compared, not shared.
//
// Sources:
// - Kubernetes DNS-Based Service Discovery (kubernetes/dns docs/specification.md, schema 1.0.1):
//   2.3.1 `<service>.<ns>.svc.<zone>` A; 2.3.2 and 2.4.2 `_<port>._<proto>.<service>.<ns>.svc.<zone>`
//   SRV; 2.4.1 `<hostname>.<service>.<ns>.svc.<zone>` A; 2.5 `<service>.<ns>.svc.<zone>` CNAME;
//   2.6 `<a>-<b>-<c>-<d>.<ns>.pod.<zone>` A (deprecated, still required). "All comparisons
//   between query data and data in Kubernetes is case-insensitive" (2.1).
// - Docs, "DNS for Services and Pods": a pod's resolv.conf searches `<ns>.svc.<zone>`,
//   `svc.<zone>` and `<zone>` with `options ndots:5` (also the kubelet, pkg/kubelet/network/dns).
// - resolv.conf(5) and glibc's res_search: a name ending in a dot is absolute and tried alone;
//   otherwise a name with at least `ndots` dots is tried as is first, then with each search
//   domain; one with fewer dots with each search domain first, then as is.
// - CoreDNS kubernetes plugin (findPods): a pod name with three dashes and no `--` is an IPv4
//   address with dots as dashes; any other is an IPv6 address with colons as dashes. The
//   specification defines no IPv6 pod record; that form is CoreDNS's.
import { familyOf, type Family } from "../kube/net.js";
import type { Protocol } from "../kube/types.js";
import { CLUSTER_DNS } from "./model.js";

/** A name of the cluster DNS schema, by the record it names (values as the name spells them). */
export type ClusterName =
  /** `<service>.<ns>.svc.<zone>`: A/AAAA (2.3.1, 2.4.1) or, for an ExternalName, CNAME (2.5). */
  | { readonly kind: "service"; readonly service: string; readonly namespace: string }
  /** `_<port>._<proto>.<service>.<ns>.svc.<zone>`: SRV of a named port (2.3.2, 2.4.2). */
  | { readonly kind: "srv"; readonly port: string; readonly protocol: Protocol; readonly service: string; readonly namespace: string }
  /** `<hostname>.<service>.<ns>.svc.<zone>`: one endpoint of a Service (2.4.1). */
  | { readonly kind: "endpoint"; readonly hostname: string; readonly service: string; readonly namespace: string }
  /** `<a>-<b>-<c>-<d>.<ns>.pod.<zone>`: a pod's address (2.6; the IPv6 form is CoreDNS's). */
  | { readonly kind: "pod"; readonly ip: string; readonly family: Family; readonly namespace: string };

/** The SRV protocol labels (RFC 2782 `_Proto`), by the Service port protocol they name. */
const SRV_PROTOCOLS: Readonly<Record<string, Protocol>> = { _tcp: "TCP", _udp: "UDP", _sctp: "SCTP" };

/** What a pod's resolv.conf says, as the kubelet writes it for dnsPolicy ClusterFirst. */
const POD_NDOTS = 5;

const LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** `name` without a trailing dot, lower-cased: DNS names compare case-insensitively. */
export function canonicalName(name: string): string {
  return name.toLowerCase().replace(/\.$/, "");
}

/** Whether an absolute name lies in the cluster's zone (`cluster.local` or below it). */
export function inClusterZone(name: string): boolean {
  const text = canonicalName(name);
  return text === CLUSTER_DNS.domain || text.endsWith(`.${CLUSTER_DNS.domain}`);
}

/** The schema record an absolute name spells, or undefined (outside the zone, or no such form). */
export function parseClusterName(name: string): ClusterName | undefined {
  const text = canonicalName(name);
  const suffix = `.${CLUSTER_DNS.domain}`;
  if (!text.endsWith(suffix)) return undefined;
  const labels = text.slice(0, -suffix.length).split(".");
  const last = labels[labels.length - 1];
  if (last === "svc") {
    const [first, second] = labels;
    if (labels.length === 3 && labels.slice(0, 2).every(isLabel)) return { kind: "service", service: labels[0]!, namespace: labels[1]! };
    if (labels.length === 4 && labels.slice(0, 3).every(isLabel)) return { kind: "endpoint", hostname: labels[0]!, service: labels[1]!, namespace: labels[2]! };
    if (labels.length === 5 && first!.startsWith("_") && isLabel(first!.slice(1)) && SRV_PROTOCOLS[second!] && labels.slice(2, 4).every(isLabel)) {
      return { kind: "srv", port: first!.slice(1), protocol: SRV_PROTOCOLS[second!]!, service: labels[2]!, namespace: labels[3]! };
    }
    return undefined;
  }
  if (last === "pod" && labels.length === 3 && labels.slice(0, 2).every(isLabel)) {
    const ip = podRecordAddress(labels[0]!);
    const family = ip === undefined ? undefined : familyOf(ip);
    return ip !== undefined && family ? { kind: "pod", ip, family, namespace: labels[1]! } : undefined;
  }
  return undefined;
}

/** The address a pod record's first label spells (CoreDNS findPods), or undefined. */
function podRecordAddress(label: string): string | undefined {
  if (label.split("-").length === 4 && !label.includes("--")) {
    const ip = label.replaceAll("-", ".");
    return familyOf(ip) === "ipv4" ? ip : undefined;
  }
  const ip = label.replaceAll("-", ":");
  return familyOf(ip) === "ipv6" ? ip : undefined;
}

function isLabel(label: string): boolean {
  return LABEL.test(label);
}

/** Whether a name is looked up as SRV (RFC 2782 `_Service._Proto.Name`): its first label starts with `_`. */
export function isSrvName(name: string): boolean {
  return name.startsWith("_");
}

/** The kubelet's search list for a pod of `namespace` (dnsPolicy ClusterFirst). */
function podSearchList(namespace: string): string[] {
  const zone = CLUSTER_DNS.domain;
  return [`${namespace}.svc.${zone}`, `svc.${zone}`, zone];
}

/**
 * The absolute names a pod of `namespace` tries for `name`, in its resolver's order. Without a
 * namespace, those that do not depend on the client's: every one but its first search domain's.
 */
export function resolverCandidates(name: string, namespace?: string): string[] {
  const text = name.toLowerCase();
  if (text.endsWith(".")) return [text.slice(0, -1)];
  const domains = namespace === undefined ? podSearchList("").slice(1) : podSearchList(namespace);
  const searched = domains.map((domain) => `${text}.${domain}`);
  const dots = text.split(".").length - 1;
  return dots >= POD_NDOTS ? [text, ...searched] : [...searched, text];
}
