/**
 * Pure generation of a node's network plumbing, CNI-ptp style (as kindnet
 * does): every pod is a netns with a veth whose pod end (eth0) holds one /32
 * and one /128, routed point to point through the node.
 *
 *   pod netns                      node (container) root netns
 *   eth0 10.244.1.2/32  <-- veth -->  v<hash> 10.244.1.1/32 (gateway), fe80::1/64
 *   default via 10.244.1.1            route 10.244.1.2/32 dev v<hash>
 *   default via fe80::1               route fd00:10:244:1::2/128 dev v<hash>
 *                                     route <other node's pod CIDR> via <its node IP>
 *
 * The same gateway address sits on every host-side veth (the ptp plugin does
 * the same), so the pod side needs no proxy ARP (which would need a sysctl on
 * each veth, and /proc/sys is read-only in an unprivileged container).
 * Cross-node traffic is routed, never NATed. IPv6 addresses are `nodad`, or
 * they would stay tentative (unusable) for a second or more.
 *
 * An external host (an address outside the cluster that expectation rules probe) is plumbed
 * the same way on the node that hosts it, with its one address (/32 or /128) and a default
 * route back through the node; every other node routes that address via the hosting node.
 * It is no pod: no pod CIDR holds it, and no policy chain is keyed on it.
 *
 * Every node's own network namespace is attached as `host` (`ip netns attach host 1`), so the
 * prober can run there: that is what `node/NAME` clients are.
 *
 * The outside host (clients outside the cluster network, `external` and `external/<ip>`) is
 * a container on the run network beside the nodes, not a node: its own address is the
 * `external` client; each `external/<ip>` client is a namespace behind it, plumbed like a pod
 * (link-local gateway), which every node routes via the outside host.
 *
 *   outside root netns (host)            external/<ip> netns
 *   eth0 <run network address>            eth0 <ip>/32, default via 169.254.1.1
 *   c<hash> 169.254.1.1/32 <-- veth -->
 *   route <ip>/32 dev c<hash>
 *   route <load-balancer ip> via <node>   (set when the scenario is applied)
 *
 * Output is `ip -batch` text; every value in it is validated or derived (IP
 * literals canonicalised, names from hashes), so no scenario text reaches it.
 */
import type { Family } from '../../probe/protocol.js';
import { canonicalIp, nthAddress } from './addresses.js';
import { familyOf } from '../../kube/net.js';
import { HOST_NETNS } from './names.js';

export const GATEWAY6 = 'fe80::1';

export interface PlumbPod {
  netns: string;
  veth: string;
  ips: { ipv4?: string; ipv6?: string };
}

/** An external host in a netns of this node: one address, of either family. */
export interface PlumbExternal {
  netns: string;
  veth: string;
  ip: string;
}

export interface PlumbPeer {
  podCIDRs: { ipv4?: string; ipv6?: string };
  nodeIPs: { ipv4?: string; ipv6?: string };
  /** Addresses of the external hosts that peer holds (routed via its node IP). */
  externals?: string[];
}

/** The outside host as the nodes see it: its address per family and the client addresses behind it. */
export interface PlumbOutsideRoute {
  ips: { ipv4?: string; ipv6?: string };
  clients: string[];
}

export interface PlumbNode {
  families: Family[];
  /** Routes back to the `external/<ip>` clients behind the outside host. */
  outside?: PlumbOutsideRoute;
  podCIDRs: { ipv4?: string; ipv6?: string };
  pods: PlumbPod[];
  /** External hosts on this node. */
  externals?: PlumbExternal[];
  peers: PlumbPeer[];
  /**
   * A link-local address (nodad) for the node's eth0. Docker moves eth0 into
   * the container before --sysctl applies, so its own link-local stays
   * tentative for a second or two after start; meanwhile the node cannot
   * source Neighbor Solicitations for forwarded packets and the first
   * cross-node IPv6 packets wait a full ND retransmit (1 s). Unique per node.
   */
  eth0LinkLocal6?: string;
}

export function gateway4(podCIDR: string): string {
  return nthAddress(podCIDR, 1);
}

/** Commands in the node's root netns: pod namespaces, veths, host routes, routes to peers. */
export function nodeRootScript(n: PlumbNode): string {
  const v4 = n.families.includes('ipv4');
  const v6 = n.families.includes('ipv6');
  const lines: string[] = [];
  const gw4 = v4 ? gateway4(need(n.podCIDRs.ipv4, 'node IPv4 pod CIDR')) : undefined;
  lines.push(`netns attach ${HOST_NETNS} 1`);
  for (const p of n.pods) {
    lines.push(`netns add ${p.netns}`);
    lines.push(`link add ${p.veth} type veth peer name eth0 netns ${p.netns}`);
    lines.push(`link set ${p.veth} up`);
    if (gw4) {
      lines.push(`addr add ${gw4}/32 dev ${p.veth}`);
      lines.push(`route add ${canonicalIp(need(p.ips.ipv4, `${p.netns} IPv4`))}/32 dev ${p.veth} scope link src ${gw4}`);
    }
    if (v6) {
      lines.push(`addr add ${GATEWAY6}/64 dev ${p.veth} nodad`);
      lines.push(`route add ${canonicalIp(need(p.ips.ipv6, `${p.netns} IPv6`))}/128 dev ${p.veth}`);
    }
  }
  for (const e of n.externals ?? []) {
    const ip = canonicalIp(e.ip);
    const six = familyOf(ip) === 'ipv6';
    if (six ? !v6 : !v4) throw new Error(`external host ${ip}: its family is not the cluster's`);
    lines.push(`netns add ${e.netns}`);
    lines.push(`link add ${e.veth} type veth peer name eth0 netns ${e.netns}`);
    lines.push(`link set ${e.veth} up`);
    if (six) {
      lines.push(`addr add ${GATEWAY6}/64 dev ${e.veth} nodad`);
      lines.push(`route add ${ip}/128 dev ${e.veth}`);
    } else {
      lines.push(`addr add ${gw4}/32 dev ${e.veth}`);
      lines.push(`route add ${ip}/32 dev ${e.veth} scope link src ${gw4}`);
    }
  }
  if (v6 && n.eth0LinkLocal6) lines.push(`addr add ${canonicalIp(n.eth0LinkLocal6)}/64 dev eth0 nodad`);
  for (const peer of n.peers) {
    if (v4 && peer.podCIDRs.ipv4) lines.push(`route add ${peer.podCIDRs.ipv4} via ${canonicalIp(need(peer.nodeIPs.ipv4, 'peer IPv4'))}`);
    if (v6 && peer.podCIDRs.ipv6) lines.push(`route add ${peer.podCIDRs.ipv6} via ${canonicalIp(need(peer.nodeIPs.ipv6, 'peer IPv6'))}`);
    for (const e of peer.externals ?? []) {
      const ip = canonicalIp(e);
      if (familyOf(ip) === 'ipv6') { if (v6) lines.push(`route add ${ip}/128 via ${canonicalIp(need(peer.nodeIPs.ipv6, 'peer IPv6'))}`); }
      else if (v4) lines.push(`route add ${ip}/32 via ${canonicalIp(need(peer.nodeIPs.ipv4, 'peer IPv4'))}`);
    }
  }
  for (const client of n.outside?.clients ?? []) {
    const ip = canonicalIp(client);
    const family = familyOf(ip)!;
    if (!n.families.includes(family)) continue;
    lines.push(`route add ${ip}/${family === 'ipv6' ? 128 : 32} via ${canonicalIp(need(n.outside!.ips[family], `outside host ${family}`))}`);
  }
  return lines.join('\n') + '\n';
}

/** The outside host's side gateway of its clients (link-local: it leaves no trace on the wire). */
export const OUTSIDE_GATEWAY4 = '169.254.1.1';

/** A client namespace on the outside host. */
export interface PlumbClient {
  netns: string;
  veth: string;
  ip: string;
}

/** Commands in the outside host's root netns: its `host` name, and a namespace per client. */
export function outsideRootScript(clients: readonly PlumbClient[]): string {
  const lines = [`netns attach ${HOST_NETNS} 1`];
  for (const c of clients) {
    const ip = canonicalIp(c.ip);
    lines.push(`netns add ${c.netns}`, `link add ${c.veth} type veth peer name eth0 netns ${c.netns}`, `link set ${c.veth} up`);
    if (familyOf(ip) === 'ipv6') lines.push(`addr add ${GATEWAY6}/64 dev ${c.veth} nodad`, `route add ${ip}/128 dev ${c.veth}`);
    else lines.push(`addr add ${OUTSIDE_GATEWAY4}/32 dev ${c.veth}`, `route add ${ip}/32 dev ${c.veth} scope link src ${OUTSIDE_GATEWAY4}`);
  }
  return lines.join('\n') + '\n';
}

/** Commands inside a client's netns: its one address and a default route to the outside host. */
export function outsideClientScript(c: PlumbClient): string {
  const ip = canonicalIp(c.ip);
  const lines = ['link set lo up'];
  if (familyOf(ip) === 'ipv6') lines.push(`addr add ${ip}/128 dev eth0 nodad`, 'link set eth0 up', `route add ::/0 via ${GATEWAY6} dev eth0 src ${ip}`);
  else lines.push(`addr add ${ip}/32 dev eth0`, 'link set eth0 up', `route add ${OUTSIDE_GATEWAY4}/32 dev eth0 scope link`, `route add default via ${OUTSIDE_GATEWAY4} dev eth0 src ${ip}`);
  return lines.join('\n') + '\n';
}

/** Commands inside one pod's netns (run as `ip -n NETNS -batch -`). */
export function podScript(n: PlumbNode, p: PlumbPod): string {
  const lines = ['link set lo up'];
  const ip4 = n.families.includes('ipv4') ? canonicalIp(need(p.ips.ipv4, `${p.netns} IPv4`)) : undefined;
  const ip6 = n.families.includes('ipv6') ? canonicalIp(need(p.ips.ipv6, `${p.netns} IPv6`)) : undefined;
  if (ip4) lines.push(`addr add ${ip4}/32 dev eth0`);
  if (ip6) lines.push(`addr add ${ip6}/128 dev eth0 nodad`);
  lines.push('link set eth0 up');
  if (ip4) {
    const gw4 = gateway4(need(n.podCIDRs.ipv4, 'node IPv4 pod CIDR'));
    lines.push(`route add ${gw4}/32 dev eth0 scope link`);
    lines.push(`route add default via ${gw4} dev eth0 src ${ip4}`);
  }
  if (ip6) lines.push(`route add ::/0 via ${GATEWAY6} dev eth0 src ${ip6}`);
  return lines.join('\n') + '\n';
}

/** Commands inside an external host's netns: its address, and every route back via the node. */
export function externalScript(n: PlumbNode, e: PlumbExternal): string {
  const ip = canonicalIp(e.ip);
  const lines = ['link set lo up'];
  if (familyOf(ip) === 'ipv6') {
    lines.push(`addr add ${ip}/128 dev eth0 nodad`, 'link set eth0 up', `route add ::/0 via ${GATEWAY6} dev eth0 src ${ip}`);
  } else {
    const gw4 = gateway4(need(n.podCIDRs.ipv4, 'node IPv4 pod CIDR'));
    lines.push(`addr add ${ip}/32 dev eth0`, 'link set eth0 up', `route add ${gw4}/32 dev eth0 scope link`, `route add default via ${gw4} dev eth0 src ${ip}`);
  }
  return lines.join('\n') + '\n';
}

function need<T>(v: T | undefined, what: string): T {
  if (v === undefined) throw new Error(`missing ${what}`);
  return v;
}
