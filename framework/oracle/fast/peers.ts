// The classes each policy peer and each named port selects, as bitsets. Every set is computed by
// asking the per-cell matchers (netpol.ts, admin.ts, match.ts) about each class's
// representative, so the sets mean exactly what the per-cell engine decides. Peers that select
// alike share a set (equal selectors compile to one predicate, match.ts compileSelector).
import type { Family } from "../../kube/net.js";
import type { Protocol } from "../../kube/types.js";
import { adminPeerMatches, type AdminPeerMatcher, type CompiledAdminRule } from "../policy/admin.js";
import type { Pass, World } from "../policy/context.js";
import { portMatches, type LabelPredicate, type PortMatcher } from "../policy/match.js";
import {
  networkPolicyPeerMatches, type CompiledNetworkPolicy, type CompiledNetworkPolicyRule, type NetworkPolicyPeerMatcher,
} from "../policy/netpol.js";
import type { Connection } from "../policy/types.js";
import { bitsOf, or, type Bits } from "./bits.js";
import type { ClassTable, PodClass } from "./classes.js";

export class PeerSets {
  private readonly peerSets = new Map<string, Bits>();
  private readonly ruleSets = new Map<object, Map<string, Bits>>();
  private readonly namedPorts = new Map<PortMatcher, Map<string, Bits>>();
  private readonly predicateIds = new Map<LabelPredicate, number>();
  private readonly passes: Record<"pod" | "node", Pass>;

  constructor(private readonly table: ClassTable, world: World) {
    this.passes = { pod: { world, hostAsNode: false, steps: null }, node: { world, hostAsNode: true, steps: null } };
  }

  /** The classes any peer of a NetworkPolicy rule admits as the other end (`from`/`to` absent: every class). */
  networkPolicyRule(rule: CompiledNetworkPolicyRule, policy: CompiledNetworkPolicy, family: Family, hostAsNode: boolean): Bits {
    if (rule.peers === null) return this.table.all;
    return this.ruleSet(rule, `${family}|${hostAsNode}`, () =>
      rule.peers!.map((peer) => this.networkPolicyPeer(peer, policy, family, hostAsNode)));
  }

  /** The classes any peer of an (B)ANP rule admits as the other end (null peers: every class). */
  adminRule(rule: CompiledAdminRule, family: Family): Bits {
    if (rule.peers === null) return this.table.all;
    return this.ruleSet(rule, family, () => rule.peers!.map((peer) => this.adminPeer(peer, family)));
  }

  /** The classes serving a named port that `matcher` (a named-port matcher) accepts for this port and protocol. */
  namedPort(matcher: PortMatcher, port: number, protocol: Protocol): Bits {
    let byPort = this.namedPorts.get(matcher);
    if (!byPort) this.namedPorts.set(matcher, (byPort = new Map()));
    const key = `${port}/${protocol}`;
    let bits = byPort.get(key);
    if (!bits) {
      // A named port is resolved on the destination pod: here, each class as the destination.
      bits = this.select(this.allClasses(), (c) => portMatches(matcher, connection(c, port, protocol, "ipv4")));
      byPort.set(key, bits);
    }
    return bits;
  }

  private ruleSet(rule: object, key: string, peers: () => Bits[]): Bits {
    let byKey = this.ruleSets.get(rule);
    if (!byKey) this.ruleSets.set(rule, (byKey = new Map()));
    let bits = byKey.get(key);
    if (!bits) {
      bits = peers().reduce((a, b) => or(a, b), this.table.none);
      byKey.set(key, bits);
    }
    return bits;
  }

  private networkPolicyPeer(peer: NetworkPolicyPeerMatcher, policy: CompiledNetworkPolicy, family: Family, hostAsNode: boolean): Bits {
    switch (peer.kind) {
      case "pods": {
        // Without a namespaceSelector the peer selects in the policy's own namespace only.
        const scope = peer.namespaces === undefined ? `own ${policy.namespace}` : `ns ${this.predicateId(peer.namespaces)}`;
        const candidates = peer.namespaces === undefined ? this.table.inNamespace(policy.namespace) : this.allClasses();
        const pass = hostAsNode ? this.passes.node : this.passes.pod;
        return this.peerSet(`np pods ${scope} ${this.predicateId(peer.pods)} ${hostAsNode}`, candidates,
          (c) => networkPolicyPeerMatches(peer, policy, c.endpoint, connection(c, 0, "TCP", family), pass));
      }
      case "ipBlock":
        return this.peerSet(`np ipBlock ${peer.block.text} ${family}`, this.allClasses(),
          (c) => networkPolicyPeerMatches(peer, policy, c.endpoint, connection(c, 0, "TCP", family), this.passes.pod));
      case "invalid":
        return this.table.none;
    }
  }

  private adminPeer(peer: AdminPeerMatcher, family: Family): Bits {
    // (B)ANP peers never depend on the host-network behaviour (they exclude host-network pods
    // from namespaces/pods peers in both).
    const key = (() => {
      switch (peer.kind) {
        case "namespaces": return `admin namespaces ${this.predicateId(peer.namespaces)}`;
        case "pods": return `admin pods ${this.predicateId(peer.namespaces)} ${this.predicateId(peer.pods)}`;
        case "nodes": return `admin nodes ${this.predicateId(peer.nodes)}`;
        case "networks": return `admin ${peer.text} ${family}`;
        case "domainNames": return `admin domainNames ${peer.clusterDomain}`;
      }
    })();
    return this.peerSet(key, this.allClasses(),
      (c) => adminPeerMatches(peer, c.endpoint, connection(c, 0, "TCP", family), this.passes.pod));
  }

  private peerSet(key: string, candidates: Iterable<number>, matches: (c: PodClass) => boolean): Bits {
    let bits = this.peerSets.get(key);
    if (!bits) {
      bits = this.select(candidates, matches);
      this.peerSets.set(key, bits);
    }
    return bits;
  }

  private select(candidates: Iterable<number>, matches: (c: PodClass) => boolean): Bits {
    const members: number[] = [];
    for (const id of candidates) if (matches(this.table.classes[id]!)) members.push(id);
    return bitsOf(this.table.size, members);
  }

  private allClasses(): Iterable<number> {
    return this.table.classes.map((c) => c.id);
  }

  private predicateId(predicate: LabelPredicate): number {
    let id = this.predicateIds.get(predicate);
    if (id === undefined) this.predicateIds.set(predicate, (id = this.predicateIds.size));
    return id;
  }
}

/**
 * A connection towards class `c`: peer matchers read only its family (for IP blocks), and
 * named-port matchers the destination pod, port and protocol.
 */
function connection(c: PodClass, port: number, protocol: Protocol, family: Family): Connection {
  return { src: c.endpoint, dst: c.endpoint, port, protocol, family };
}
