// A Service's cluster IPs as the API server gives them: pinned ones (`spec.clusterIP`,
// `spec.clusterIPs`) validated and claimed first, the others from netspec's address plan.
// Sources:
//   [validation] k8s.io/kubernetes pkg/apis/core/validation/validation.go,
//                ValidateServiceClusterIPsRelatedFields: clusterIPs[0] matches clusterIP,
//                'None' only alone, valid IPs, at most two and one per family, each IP of the
//                family `ipFamilies` gives at its index
//   [strategy]   pkg/registry/core/service/strategy.go (NormalizeClusterIPs): either field may
//                be given alone, the other is filled in from it
//   [alloc]      pkg/registry/core/service/storage/alloc.go (initIPFamilyFields: unset
//                ipFamilies are taken from the pinned IPs; allocClusterIPs) and
//                pkg/registry/core/service/ipallocator: "the provided IP (…) is not in the valid
//                range", "provided IP is already allocated"; the network address (and, for
//                IPv4, the broadcast address) is never allocatable
//   [kubeadm]    the `kubernetes` Service holds the range's first address, kube-dns the tenth
import { cidrContains, familyOf, ipToBigInt, type Cidr, type Family } from "../kube/net.js";
import type { Service } from "../kube/types.js";
import { DNS_SERVICE_OFFSET, FIRST_SERVICE_OFFSET, serviceAddress } from "./addresses.js";
import type { Diagnostics } from "./diagnostics.js";
import type { Locator } from "./yaml-source.js";

const apiName = (f: Family) => (f === "ipv4" ? "IPv4" : "IPv6");

/** What a Service pins: nothing, headless (`None`), or addresses in the order written. */
export type Pinned = { readonly kind: "none" } | { readonly kind: "headless" } | { readonly kind: "ips"; readonly ips: readonly string[] };

/**
 * [validation] and [strategy] on one Service's own fields (no cluster knowledge). Returns what
 * it pins; a Service whose fields are invalid pins nothing (the error is reported).
 */
export function pinnedClusterIPs(svc: Service, at: Locator, diags: Diagnostics): Pinned {
  const spec = svc.spec;
  if ((spec.type ?? "ClusterIP") === "ExternalName") return { kind: "none" }; // resource-checks rejects any
  const name = `Service ${svc.metadata.namespace ?? "default"}/${svc.metadata.name}`;
  const single = spec.clusterIP ?? "";
  const list = spec.clusterIPs ?? [];
  const field = list.length > 0 ? "clusterIPs" : "clusterIP";
  if (single !== "" && list.length > 0 && list[0] !== single) {
    diags.error(at.at(["spec", "clusterIPs", 0]), `${name}: clusterIPs[0] '${list[0]}' must match clusterIP '${single}' (give one of the two, or the same first value)`);
    return { kind: "none" };
  }
  const ips = list.length > 0 ? list : single !== "" ? [single] : [];
  if (ips.length === 0) return { kind: "none" };
  if (ips[0] === "None") {
    if (ips.length > 1) {
      diags.error(at.at(["spec", "clusterIPs"]), `${name}: 'None' (headless) must be the first and only value of clusterIPs`);
      return { kind: "none" };
    }
    return { kind: "headless" };
  }
  let valid = true;
  ips.forEach((ip, i) => {
    if (familyOf(ip) === undefined) {
      diags.error(at.at(["spec", field, ...(field === "clusterIPs" ? [i] : [])]), `${name}: '${ip}' is not a valid IP address${ip === "None" ? " ('None' may only be the first and only value)" : ""}`);
      valid = false;
    }
  });
  if (ips.length > 2) {
    diags.error(at.at(["spec", "clusterIPs"]), `${name}: clusterIPs may hold at most two addresses, one per IP family`);
    return { kind: "none" };
  }
  if (!valid) return { kind: "none" };
  if (ips.length === 2 && familyOf(ips[0]!) === familyOf(ips[1]!)) {
    diags.error(at.at(["spec", "clusterIPs", 1]), `${name}: clusterIPs may specify no more than one IP for each IP family (both are ${apiName(familyOf(ips[0]!)!)})`);
    return { kind: "none" };
  }
  const families = spec.ipFamilies ?? [];
  let matches = true;
  ips.forEach((ip, i) => {
    const wanted = families[i];
    if (wanted !== undefined && apiName(familyOf(ip)!) !== wanted) {
      diags.error(at.at(["spec", field, ...(field === "clusterIPs" ? [i] : [])]), `${name}: '${ip}' is not an ${wanted} address: expected an ${wanted} value as indicated by ipFamilies[${i}]`);
      matches = false;
    }
  });
  return matches ? { kind: "ips", ips } : { kind: "none" };
}

/** [alloc] The families pinned addresses imply, in their order (unset `ipFamilies` are taken from them). */
export function pinnedFamilies(pinned: Pinned): Family[] {
  return pinned.kind === "ips" ? pinned.ips.map((ip) => familyOf(ip)!) : [];
}

/**
 * The cluster's Service IP ranges, one per family, and who holds which address: kubeadm's two
 * (the `kubernetes` Service and kube-dns), then pinned ones as Services claim them, then the
 * plan's own choices, which skip every claimed address.
 */
export class ClusterIpAllocator {
  private readonly taken = new Map<string, string>();
  private nextSlot = FIRST_SERVICE_OFFSET;

  constructor(private readonly subnets: Partial<Record<Family, Cidr>>) {
    for (const subnet of Object.values(subnets)) {
      if (!subnet) continue;
      const first = serviceAddress(subnet, 1);
      const dns = serviceAddress(subnet, DNS_SERVICE_OFFSET);
      if (first) this.taken.set(canonical(first), "default/kubernetes");
      if (dns) this.taken.set(canonical(dns), "kube-system/kube-dns");
    }
  }

  /**
   * [alloc] allocClusterIPs for a pinned address: in the family's range, not its network (or
   * IPv4 broadcast) address, not held by another Service. Returns false (after reporting) when
   * the API server would refuse it.
   */
  claim(ip: string, owner: string, at: Locator, path: readonly (string | number)[], diags: Diagnostics): boolean {
    const family = familyOf(ip)!;
    const subnet = this.subnets[family];
    const name = `Service ${owner}`;
    if (!subnet) {
      diags.error(at.at(path), `${name}: ${apiName(family)} is not configured on this cluster, so '${ip}' cannot be its cluster IP; set cluster.ipFamily to include it`);
      return false;
    }
    const value = ipToBigInt(ip);
    const size = 1n << BigInt((family === "ipv4" ? 32 : 128) - subnet.prefix);
    const last = subnet.base + size - 1n;
    const reserved = value === subnet.base || (family === "ipv4" && value === last && size > 1n);
    if (!cidrContains(subnet, ip) || reserved) {
      diags.error(at.at(path), `${name}: failed to allocate IP ${ip}: the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${subnet.text}${reserved ? " (its network and broadcast addresses are reserved)" : ""}`);
      return false;
    }
    const holder = this.taken.get(canonical(ip));
    if (holder !== undefined) {
      diags.error(at.at(path), `${name}: failed to allocate IP ${ip}: provided IP is already allocated (to ${holder}); pick another address or leave clusterIP unset`);
      return false;
    }
    this.taken.set(canonical(ip), owner);
    return true;
  }

  /**
   * The plan's addresses for one Service, for the families it has no pinned address of: one slot
   * (offset 100, 101, …) per Service, skipping slots where any needed family's address is taken.
   * Undefined for a family whose range is full.
   */
  allocate(owner: string, families: readonly Family[]): Partial<Record<Family, string>> {
    const out: Partial<Record<Family, string>> = {};
    if (families.length === 0) return out;
    for (;;) {
      const slot = this.nextSlot++;
      const addresses = families.map((f) => [f, serviceAddress(this.subnets[f]!, slot)] as const);
      if (addresses.some(([, a]) => a === undefined)) return out;
      if (addresses.some(([, a]) => this.taken.has(canonical(a!)))) continue;
      for (const [family, address] of addresses) {
        this.taken.set(canonical(address!), owner);
        out[family] = address!;
      }
      return out;
    }
  }
}

function canonical(ip: string): string {
  return ipToBigInt(ip).toString(16) + (familyOf(ip) === "ipv4" ? "/4" : "/6");
}
