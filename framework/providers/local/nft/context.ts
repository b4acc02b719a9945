// What the service and policy compilers share: the scenario, the node being compiled, the
// script being written and per-family nft vocabulary.
import type { Family } from "../../../kube/net.js";
import type { NodeModel, PodModel, Scenario } from "../../../scenario/model.js";
import type { NftScript } from "./script.js";

export interface FamilyWords {
  /** Payload keyword: `ip` / `ip6`. */
  readonly kw: "ip" | "ip6";
  /** Set key type. */
  readonly type: "ipv4_addr" | "ipv6_addr";
  /** Suffix of per-family set, map and chain names. */
  readonly sfx: "v4" | "v6";
  /** `meta nfproto` value. */
  readonly nfproto: "ipv4" | "ipv6";
}

export const FAMILY: Record<Family, FamilyWords> = {
  ipv4: { kw: "ip", type: "ipv4_addr", sfx: "v4", nfproto: "ipv4" },
  ipv6: { kw: "ip6", type: "ipv6_addr", sfx: "v6", nfproto: "ipv6" },
};

export interface NodeRulesetOptions {
  /** nft table name (family inet). Default `netspec`. */
  readonly table?: string;
  /**
   * The nodes' own addresses (the node containers' IPs on the cluster network), per node
   * name and family. Only AdminNetworkPolicy and ClusterNetworkPolicy egress `nodes:` peers
   * need them; NodePort matches `fib daddr type local` and needs nothing. Without them a
   * `nodes:` peer matches no address.
   */
  readonly nodeAddresses?: Readonly<Record<string, Partial<Record<Family, readonly string[]>>>>;
  /** Packet-mark bit that asks the postrouting chain to masquerade (kube-proxy's 0x4000). */
  readonly masqueradeMark?: number;
  /**
   * Judge TCP/UDP/SCTP from a local pod to the node itself (input hook: the node's own
   * addresses, a hostNetwork endpoint after DNAT) by the pod's egress policy too. Default true.
   */
  readonly enforceEgressToNode?: boolean;
}

export interface Ctx {
  readonly scenario: Scenario;
  readonly node: NodeModel;
  readonly script: NftScript;
  readonly families: readonly Family[];
  readonly masqueradeMark: number;
  readonly nodeAddresses: NonNullable<NodeRulesetOptions["nodeAddresses"]>;
  /** Pods that have their own network namespace (not hostNetwork) and at least one IP. */
  readonly podNetworkPods: readonly PodModel[];
  readonly namespaceLabels: ReadonlyMap<string, Readonly<Record<string, string>>>;
  /** Compiled peers per manifest peer list (keyed by object identity), shared by all pods. */
  readonly memo: Map<object, unknown>;
  /** Set names already emitted for a compiled peer match, by family (and named port). */
  readonly setNames: Map<object, Map<string, string | undefined>>;
}

export const protoWord = (protocol: string): string => protocol.toLowerCase();

export function hex(n: number): string {
  return `0x${n.toString(16)}`;
}
