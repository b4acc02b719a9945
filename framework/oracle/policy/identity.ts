// Identities and identity classes of pods.
//  - identityKey: a pod's identity as a user sees it (namespace, labels, named ports, addresses
//    relative to the policies' IP blocks, host network, node): `netspec expect --format summary`
//    reports how many there are.
//  - classKey / classOf: the class the matrix judges one representative of. Two pods share a
//    class when every input the tiers read about a pod is the same for both (see classKey) — and
//    nothing else: labels no selector reads, the namespace of a pod no NetworkPolicy is scoped
//    to, or ports no named-port rule names play no part. Coarser than (or equal to) identities.
// Sources: as engine.ts ([docs], [anp], [banp]); the inputs are those netpol.ts and admin.ts read.
import type { Labels } from "../../kube/labels.js";
import { FAMILIES } from "../../kube/net.js";
import type { PodModel } from "../../scenario/model.js";
import type { CompiledAdminPolicy, CompiledAdminRule } from "./admin.js";
import type { World } from "./context.js";
import { MATCH_ALL, type IpSet, type LabelPredicate, type PortMatcher } from "./match.js";
import type { CompiledNetworkPolicy } from "./netpol.js";

export interface IdentityInputs {
  readonly world: World;
  readonly networkPolicies: ReadonlyMap<string, readonly CompiledNetworkPolicy[]>;
  /** The ANPs and the BANP. */
  readonly adminPolicies: readonly CompiledAdminPolicy[];
  /** Distinct IP sets (ipBlocks, ANP networks) across all policies. */
  readonly ipSets: readonly IpSet[];
  readonly hasHostNetworkPods: boolean;
}

/** The selectors, namespace selectors and port names the scenario's policies read. */
interface Reads {
  /** Pod selectors applied in every namespace (peers with a namespace selector, (B)ANP subjects and peers). */
  readonly podSelectors: Set<LabelPredicate>;
  /** Pod selectors a NetworkPolicy applies in its own namespace only (spec.podSelector, peers without namespaceSelector). */
  readonly scopedPodSelectors: Map<string, Set<LabelPredicate>>;
  readonly namespaceSelectors: Set<LabelPredicate>;
  /** Port names of named-port matchers. */
  readonly portNames: Set<string>;
}

export class IdentityClasses {
  private readonly reads: Reads;
  private readonly identities = new Map<PodModel, string>();
  private readonly keys = new Map<PodModel, string>();
  private readonly ids = new Map<string, number>();
  private readonly classes = new Map<PodModel, number>();
  private readonly namespaceBits = new Map<string, string>();
  private readonly labelBits = new Map<string, WeakMap<Labels, string>>();

  constructor(private readonly inputs: IdentityInputs) {
    this.reads = collectReads(inputs);
  }

  /**
   * The pod's identity: namespace, labels, named container ports (name/protocol/number),
   * hostNetwork, for each family whether its IP lies in each ipBlock / ANP network, and — only
   * when the scenario has host-network pods — its node. Pods of one identity share a class.
   */
  identityKey(pod: PodModel): string {
    let key = this.identities.get(pod);
    if (key !== undefined) return key;
    const labels = Object.keys(pod.labels).sort().map((k) => `${k}=${pod.labels[k]}`).join(",");
    const named = namedPorts(pod, () => true);
    key = [
      pod.namespace, labels, named, pod.hostNetwork ? "host" : "pod", this.ipBits(pod),
      this.inputs.hasHostNetworkPods ? pod.node : "",
    ].join("\u0000");
    this.identities.set(pod, key);
    return key;
  }

  /**
   * A string capturing everything the engine's verdicts depend on for a pod.
   *
   * Invariant: for pods a, a', b, b' with key(a) === key(a') and key(b) === key(b'), where
   * a !== b and a' !== b' (self traffic is always allowed and must be special-cased by the
   * caller), decide({src: a, dst: b, port, protocol, family}) and decide({src: a', dst: b', ...})
   * return the same verdict and reason; likewise against any external endpoint.
   * The key covers:
   *  - the namespace, only when a NetworkPolicy lives there (its spec.podSelector and its peers
   *    without namespaceSelector select in its own namespace only, [types] NetworkPolicyPeer);
   *  - the result of every pod selector that can be applied to the pod (those scoped to its
   *    namespace and the cluster-wide ones) and of every namespace selector on its namespace;
   *  - for each family, whether the pod's IP lies in each ipBlock / ANP network;
   *  - its container ports whose names a named-port matcher uses (name, protocol, number);
   *  - hostNetwork, and — only when the scenario has host-network pods — the node (a
   *    host-network pod is its node's traffic, matched by `nodes` peers on the node's labels,
   *    and always allowed with pods of its own node).
   * Reasons never name the judged pods, only policies, rules and (host-network) nodes.
   */
  classKey(pod: PodModel): string {
    let key = this.keys.get(pod);
    if (key !== undefined) return key;
    const scoped = this.reads.scopedPodSelectors.has(pod.namespace);
    const named = namedPorts(pod, (name) => this.reads.portNames.has(name));
    key = [
      scoped ? pod.namespace : "", this.podSelectorBits(pod), this.namespaceSelectorBits(pod.namespace), this.ipBits(pod), named,
      pod.hostNetwork ? "host" : "pod", this.inputs.hasHostNetworkPods ? pod.node : "",
    ].join("\u0000");
    this.keys.set(pod, key);
    return key;
  }

  /** A dense number per identity class (equal iff classKey is equal), in order of first sight. */
  classOf(pod: PodModel): number {
    let id = this.classes.get(pod);
    if (id === undefined) {
      const key = this.classKey(pod);
      id = this.ids.get(key);
      if (id === undefined) {
        id = this.ids.size;
        this.ids.set(key, id);
      }
      this.classes.set(pod, id);
    }
    return id;
  }

  /** Per family, whether the pod's IP lies in each IP set ("-": no IP of that family). */
  private ipBits(pod: PodModel): string {
    return FAMILIES.map((f) => {
      const ip = pod.ips[f];
      if (ip === undefined) return "-";
      return this.inputs.ipSets.map((s) => (s.contains(ip) ? "1" : "0")).join("");
    }).join("|");
  }

  /** Pods of one replica set share their labels object: its selector results are computed once. */
  private podSelectorBits(pod: PodModel): string {
    let byLabels = this.labelBits.get(pod.namespace);
    if (!byLabels) this.labelBits.set(pod.namespace, (byLabels = new WeakMap()));
    let bits = byLabels.get(pod.labels);
    if (bits === undefined) {
      const scoped = this.reads.scopedPodSelectors.get(pod.namespace) ?? [];
      bits = [...this.reads.podSelectors, ...scoped].map((select) => (select(pod.labels) ? "1" : "0")).join("");
      byLabels.set(pod.labels, bits);
    }
    return bits;
  }

  private namespaceSelectorBits(namespace: string): string {
    let bits = this.namespaceBits.get(namespace);
    if (bits === undefined) {
      const labels = this.inputs.world.namespaceLabels(namespace);
      bits = [...this.reads.namespaceSelectors].map((select) => (select(labels) ? "1" : "0")).join("");
      this.namespaceBits.set(namespace, bits);
    }
    return bits;
  }
}

function namedPorts(pod: PodModel, wanted: (name: string) => boolean): string {
  return pod.ports.filter((p) => p.name !== undefined && wanted(p.name))
    .map((p) => `${p.name}/${p.protocol}/${p.port}`).sort().join(",");
}

function collectReads(inputs: IdentityInputs): Reads {
  const reads: Reads = { podSelectors: new Set(), scopedPodSelectors: new Map(), namespaceSelectors: new Set(), portNames: new Set() };
  // `{}` selects everything: it tells no two pods apart.
  const add = (set: Set<LabelPredicate>, select: LabelPredicate | undefined) => { if (select && select !== MATCH_ALL) set.add(select); };
  const addPorts = (ports: readonly PortMatcher[] | null) => {
    for (const port of ports ?? []) if (port.kind === "named") reads.portNames.add(port.name);
  };
  for (const [namespace, policies] of inputs.networkPolicies) {
    const scoped = new Set<LabelPredicate>();
    reads.scopedPodSelectors.set(namespace, scoped);
    for (const policy of policies) {
      add(scoped, policy.selects);
      for (const rule of [...(policy.ingress ?? []), ...(policy.egress ?? [])]) {
        addPorts(rule.ports);
        for (const peer of rule.peers ?? []) {
          if (peer.kind !== "pods") continue;
          if (peer.namespaces === undefined) add(scoped, peer.pods);
          else { add(reads.podSelectors, peer.pods); add(reads.namespaceSelectors, peer.namespaces); }
        }
      }
    }
  }
  for (const policy of inputs.adminPolicies) {
    add(reads.namespaceSelectors, policy.subjectSelectors?.namespaces);
    add(reads.podSelectors, policy.subjectSelectors?.pods);
    const rules: CompiledAdminRule[] = [...policy.ingress, ...policy.egress];
    for (const rule of rules) {
      addPorts(rule.ports);
      for (const peer of rule.peers ?? []) {
        if (peer.kind === "namespaces" || peer.kind === "pods") add(reads.namespaceSelectors, peer.namespaces);
        if (peer.kind === "pods") add(reads.podSelectors, peer.pods);
      }
    }
  }
  return reads;
}
