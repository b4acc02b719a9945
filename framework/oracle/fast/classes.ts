// The identity classes of a scenario's pods (PolicyEngine.classOf), numbered densely so that a
// set of classes is a bitset (bits.ts). Each class is judged through one representative pod: by
// the class invariant (IdentityClasses.classKey) any member would give the same verdicts.
import type { PodModel } from "../../scenario/model.js";
import type { PolicyEngine } from "../policy/engine.js";
import type { Endpoint } from "../policy/types.js";
import { bitsOf, fullBits, wordsFor, type Bits } from "./bits.js";

export interface PodClass {
  readonly id: number;
  /** The first pod of the class in declaration order. */
  readonly rep: PodModel;
  readonly endpoint: Endpoint;
}

export class ClassTable {
  readonly classes: readonly PodClass[];
  readonly size: number;
  readonly words: number;
  /** Every class. */
  readonly all: Bits;
  readonly none: Bits;
  /** Classes of host-network pods. */
  readonly hostNetwork: Bits;
  /** 1 for the class of a host-network pod, by class id. */
  readonly isHostNetwork: Uint8Array;
  readonly hasHostNetwork: boolean;
  private readonly podClass = new Map<PodModel, number>();
  /** The same by PodModel.index, the lookup a materialised matrix makes twice per cell. */
  private readonly podAt: PodModel[] = [];
  private readonly classAt: number[] = [];
  private readonly byNamespace = new Map<string, Set<number>>();
  private readonly hostNetworkByNode = new Map<string, Bits>();

  constructor(engine: PolicyEngine, pods: readonly PodModel[]) {
    const classes: PodClass[] = [];
    const local = new Map<number, number>();
    for (const pod of pods) {
      const engineClass = engine.classOf(pod);
      let id = local.get(engineClass);
      if (id === undefined) {
        id = classes.length;
        local.set(engineClass, id);
        classes.push({ id, rep: pod, endpoint: { kind: "pod", pod } });
      }
      this.podClass.set(pod, id);
      if (this.podAt[pod.index] === undefined) {
        this.podAt[pod.index] = pod;
        this.classAt[pod.index] = id;
      }
      const inNamespace = this.byNamespace.get(pod.namespace) ?? new Set<number>();
      inNamespace.add(id);
      this.byNamespace.set(pod.namespace, inNamespace);
    }
    this.classes = classes;
    this.size = classes.length;
    this.words = wordsFor(this.size);
    this.all = fullBits(this.size);
    this.none = new Uint32Array(this.words);
    this.hostNetwork = bitsOf(this.size, classes.filter((c) => c.rep.hostNetwork).map((c) => c.id));
    this.hasHostNetwork = classes.some((c) => c.rep.hostNetwork);
    this.isHostNetwork = Uint8Array.from(classes, (c) => (c.rep.hostNetwork ? 1 : 0));
  }

  classOf(pod: PodModel): number {
    if (this.podAt[pod.index] === pod) return this.classAt[pod.index]!;
    const id = this.podClass.get(pod);
    if (id === undefined) throw new Error(`pod ${pod.id} is not part of this scenario`);
    return id;
  }

  /** Classes with a pod in `namespace`. */
  inNamespace(namespace: string): Iterable<number> {
    return this.byNamespace.get(namespace) ?? [];
  }

  /** Classes of host-network pods on `node` (with host-network pods, the node is part of the class). */
  hostNetworkOn(node: string): Bits {
    let bits = this.hostNetworkByNode.get(node);
    if (!bits) {
      bits = bitsOf(this.size, this.classes.filter((c) => c.rep.hostNetwork && c.rep.node === node).map((c) => c.id));
      this.hostNetworkByNode.set(node, bits);
    }
    return bits;
  }
}
