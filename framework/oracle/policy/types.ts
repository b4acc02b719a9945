// The policy engine's public vocabulary: a connection, a verdict, and the trace explaining it.
import type { Family } from "../../kube/net.js";
import type { Protocol } from "../../kube/types.js";
import type { NodeModel, PodModel } from "../../scenario/model.js";

export type { Family, Protocol, NodeModel, PodModel };

/**
 * One end of a connection: a pod of the scenario, a node (a process in its host network, or the
 * address a node port's SNAT gives a connection), or an address outside the cluster.
 */
export type Endpoint =
  /**
   * `seenAt`: the address IP-based peers (ipBlock, networks) see instead of the pod's own, as a
   * policy judged before a Service's DNAT would (the cluster IP); selectors still see the pod.
   */
  | { kind: "pod"; pod: PodModel; seenAt?: string }
  | { kind: "node"; node: NodeModel }
  | { kind: "external"; ip: string };

/**
 * A connection as the policy layer sees it: after any Service DNAT (dst is the backend pod),
 * judged in the initiating direction only (replies of an allowed connection are implicit).
 * `port` is the destination port (the container port for a pod destination).
 */
export interface Connection {
  src: Endpoint;
  dst: Endpoint;
  port: number;
  protocol: Protocol;
  family: Family;
}

export type PolicyVerdict = "allow" | "deny" | "undefined";

export type TraceTier = "ANP" | "CNP" | "NetworkPolicy" | "BANP" | "default" | "self" | "hostNetwork";
export type Direction = "egress" | "ingress";

export interface TraceStep {
  tier: TraceTier;
  direction: Direction;
  /** `ns/name` for a NetworkPolicy, `name` for (B)ANPs and CNPs (the detail names a CNP's tier). */
  policy?: string;
  /** `ingress[0]` / `egress[1]` for NetworkPolicy; the rule name (or `ingress[i]`) for (B)ANPs. */
  rule?: string;
  effect: "allow" | "deny" | "pass" | "no-match" | "isolates" | "undefined";
  detail: string;
}

export interface PolicyDecision {
  verdict: PolicyVerdict;
  /** One line naming the deciding tier, policy and rule. */
  reason: string;
  /** Every tier, policy and rule consulted, in evaluation order (empty with `{ trace: false }`). */
  trace: TraceStep[];
}

export interface DecideOptions {
  /** Build the trace (default true). The matrix's bulk path can turn it off: verdict and reason are identical. */
  trace?: boolean;
  /**
   * Remember the decision per identity-class pair (default true, without a trace). Callers that
   * visit each class pair once (the summary) turn it off: the memo would only cost memory.
   */
  memo?: boolean;
}

/**
 * How to judge connections with a hostNetwork pod at either end.
 *  - "undefined": always `undefined` (NetworkPolicy leaves host-network pods to the implementation).
 *  - "agree" (default): evaluate both behaviours the NetworkPolicy docs allow for host-network
 *    pods and return the verdict when they agree, `undefined` when they differ.
 */
export type HostNetworkMode = "undefined" | "agree";

export interface PolicyEngineOptions {
  hostNetwork?: HostNetworkMode;
}
