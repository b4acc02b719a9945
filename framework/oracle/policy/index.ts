// The oracle's policy engine: whether a connection is allowed by Kubernetes network policy
// (AdminNetworkPolicy → NetworkPolicy → BaselineAdminNetworkPolicy → default allow, egress of
// the source AND ingress of the destination), with a trace explaining why.
//
//   const engine = new PolicyEngine(scenario);
//   engine.decide({ src: { kind: "pod", pod: a }, dst: { kind: "pod", pod: b }, port: 80, protocol: "TCP", family: "ipv4" });
//   engine.classOf(pod)                            // pods of one class get the same verdicts
//   engine.identityKey(pod)                        // a pod's identity, as the summary counts them
//   engine.egressIpBlockCovers(pod, clusterIP)      // may the verdict depend on pre/post-DNAT?
export { PolicyEngine } from "./engine.js";
export type {
  Connection, DecideOptions, Direction, Endpoint, HostNetworkMode, PolicyDecision, PolicyEngineOptions,
  PolicyVerdict, TraceStep, TraceTier,
} from "./types.js";
export { effectivePolicyTypes } from "./netpol.js";
