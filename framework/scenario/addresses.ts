// The deterministic address plan. The oracle judges ipBlock rules against these addresses
// and the local provider assigns exactly them, so both see the same cluster.
//
//   podSubnet      default 10.244.0.0/16 and fd00:10:244::/56 (kind's defaults)
//   serviceSubnet  default 10.96.0.0/16 and fd00:10:96::/112 (kind's defaults)
//   node i (declaration order) gets the i-th /24 (IPv4) and /64 (IPv6) of the pod subnet,
//     like kube-controller-manager's --node-cidr-mask-size defaults; .1 / ::1 is the node's
//     gateway address on the pod side.
//   the pods of a node, in declaration order, get .2, .3, … (and ::2, ::3, …).
//   Service cluster IPs: .1 is reserved (the `kubernetes` Service), .10 is kube-dns, and the
//     scenario's Services get offset 100, 101, … in declaration order.
//   the node network (kind's Docker network, 172.18.0.0/16 and fc00:f853:ccd:e793::/64): .1 is
//     the host (the `external` client, as a user of a kind cluster is), node i has .(i+2).
//   LoadBalancer addresses: from the node network's top, .255.200 onward (the pool MetalLB's
//     kind guide configures, and where cloud-provider-kind's addresses come from), one per
//     family per LoadBalancer Service in declaration order.
import { cidr, cidrSize, nthAddress, nthSubnet, parseCidr, type Cidr, type Family } from "../kube/net.js";

export const DEFAULT_POD_SUBNETS: Record<Family, string> = { ipv4: "10.244.0.0/16", ipv6: "fd00:10:244::/56" };
export const DEFAULT_SERVICE_SUBNETS: Record<Family, string> = { ipv4: "10.96.0.0/16", ipv6: "fd00:10:96::/112" };
export const NODE_CIDR_PREFIX: Record<Family, number> = { ipv4: 24, ipv6: 64 };
export const FIRST_POD_HOST = 2;
export const DNS_SERVICE_OFFSET = 10;
export const FIRST_SERVICE_OFFSET = 100;
/** kind's Docker network (`docker network inspect kind`), where its nodes and the host are. */
export const DEFAULT_NODE_SUBNETS: Record<Family, string> = { ipv4: "172.18.0.0/16", ipv6: "fc00:f853:ccd:e793::/64" };
/** The host's address on the node network (the bridge gateway): the default `external` client. */
export const HOST_OFFSET = 1;
export const FIRST_NODE_OFFSET = 2;
/** Load-balancer addresses start this many addresses below the node network's end (…255.200 of a /16). */
export const LOAD_BALANCER_POOL_FROM_END = 56;
/** At most this many load-balancer addresses per family (…255.200 to …255.249). */
export const LOAD_BALANCER_POOL_SIZE = 50;
/** kube-apiserver's default --service-node-port-range. */
export const NODE_PORT_RANGE = { from: 30000, to: 32767 } as const;

/** Parses kind's comma-separated subnet list into one CIDR per family; a string is a problem. */
export function parseSubnets(text: string, families: readonly Family[], field: string): Partial<Record<Family, Cidr>> | string {
  const out: Partial<Record<Family, Cidr>> = {};
  for (const part of text.split(",").map((p) => p.trim()).filter(Boolean)) {
    const parsed = parseCidr(part);
    if (typeof parsed === "string") return `${field}: ${parsed}`;
    if (out[parsed.family]) return `${field}: two ${parsed.family} CIDRs ('${out[parsed.family]!.text}' and '${part}'); give one per family`;
    if (!families.includes(parsed.family)) {
      return `${field}: '${part}' is ${parsed.family} but the cluster's ipFamily has only ${families.join(" and ")}`;
    }
    out[parsed.family] = parsed;
  }
  for (const family of families) {
    if (!out[family]) return `${field}: no ${family} CIDR, but the cluster uses ${family}; add one (e.g. '${family === "ipv4" ? DEFAULT_POD_SUBNETS.ipv4 : DEFAULT_POD_SUBNETS.ipv6}')`;
  }
  return out;
}

export function defaultSubnets(defaults: Record<Family, string>, families: readonly Family[]): Partial<Record<Family, Cidr>> {
  return Object.fromEntries(families.map((f) => [f, cidr(defaults[f])]));
}

/** Node `index`'s pod CIDR, or a problem when the pod subnet has too few node blocks. */
export function nodePodCidr(podSubnet: Cidr, index: number): Cidr | string {
  const prefix = NODE_CIDR_PREFIX[podSubnet.family];
  if (podSubnet.prefix > prefix) {
    return `podSubnet '${podSubnet.text}' is smaller than one node's /${prefix}; use a prefix of /${prefix} or shorter`;
  }
  const blocks = 1n << BigInt(prefix - podSubnet.prefix);
  if (BigInt(index) >= blocks) return `podSubnet '${podSubnet.text}' holds only ${blocks} node CIDRs of /${prefix}`;
  return nthSubnet(podSubnet, prefix, index);
}

/** The `podIndexOnNode`-th pod address of a node CIDR (0 → .2), or undefined when it is full. */
export function podAddress(nodeCidr: Cidr, podIndexOnNode: number): string | undefined {
  const host = BigInt(FIRST_POD_HOST + podIndexOnNode);
  // Keep clear of the broadcast address for IPv4.
  if (host >= cidrSize(nodeCidr) - 1n) return undefined;
  return nthAddress(nodeCidr, host);
}

/** The node's own address on the pod side (the pods' gateway). */
export function nodeGatewayAddress(nodeCidr: Cidr): string {
  return nthAddress(nodeCidr, 1);
}

export function serviceAddress(serviceSubnet: Cidr, offset: number): string | undefined {
  if (BigInt(offset) >= cidrSize(serviceSubnet) - 1n) return undefined;
  return nthAddress(serviceSubnet, offset);
}

/** Node `index`'s InternalIP on the node network. */
export function nodeAddress(nodeSubnet: Cidr, index: number): string {
  return nthAddress(nodeSubnet, FIRST_NODE_OFFSET + index);
}

/** The host's address on the node network: the default `external` client. */
export function hostAddress(nodeSubnet: Cidr): string {
  return nthAddress(nodeSubnet, HOST_OFFSET);
}

/** The `index`-th load-balancer address of the node network's pool, or undefined past the pool. */
export function loadBalancerAddress(nodeSubnet: Cidr, index: number): string | undefined {
  if (index >= LOAD_BALANCER_POOL_SIZE) return undefined;
  return nthAddress(nodeSubnet, cidrSize(nodeSubnet) - BigInt(LOAD_BALANCER_POOL_FROM_END - index));
}
