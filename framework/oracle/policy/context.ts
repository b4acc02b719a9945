// What the tiers need to know about the cluster while judging one connection.
import type { Labels } from "../../kube/labels.js";
import type { Direction, TraceStep } from "./types.js";

export interface World {
  /** Labels of a namespace (with kubernetes.io/metadata.name), or just that label if undeclared. */
  namespaceLabels(namespace: string): Labels;
  /** Labels of a node, undefined when the node is not declared. */
  nodeLabels(node: string): Labels | undefined;
}

/**
 * One evaluation pass. `hostAsNode` selects the second of the two behaviours the
 * NetworkPolicy docs allow for hostNetwork pods ("NetworkPolicy and hostNetwork pods",
 * https://kubernetes.io/docs/concepts/services-networking/network-policies/): the plugin
 * cannot tell host-network pod traffic from node traffic, so it ignores hostNetwork pods when
 * matching `podSelector`/`namespaceSelector` (including spec.podSelector) and treats their
 * traffic as traffic to/from the node IP. With `hostAsNode: false` they are treated like
 * pod-network pods (the first behaviour).
 */
export interface Pass {
  readonly world: World;
  readonly hostAsNode: boolean;
  /** Trace sink, or null when the caller does not want a trace. */
  readonly steps: TraceStep[] | null;
}

/** The outcome of one tier (or of all tiers) for one direction. */
export interface DirectionResult {
  readonly verdict: "allow" | "deny" | "undefined";
  /** Without the direction prefix, e.g. "allowed by shop/api-ingress ingress[0]". */
  readonly reason: string;
}

export const dirIndexLabel = (direction: Direction, index: number) => `${direction}[${index}]`;
