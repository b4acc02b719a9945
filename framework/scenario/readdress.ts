// A scenario seen with the addresses a real cluster assigned (kind, an existing cluster):
// the oracle is re-run on it, so ipBlock rules are judged against the real pod and Service IPs.
import type { Family } from "../kube/net.js";
import type { Scenario } from "./model.js";

export interface ActualAddresses {
  /** Pod id (`ns/name`) → its IPs. */
  readonly pods: Readonly<Record<string, Partial<Record<Family, string>>>>;
  /** Service id (`ns/name`) → its cluster IPs. */
  readonly services: Readonly<Record<string, Partial<Record<Family, string>>>>;
}

export function withActualAddresses(scenario: Scenario, actual: ActualAddresses): Scenario {
  return {
    ...scenario,
    pods: scenario.pods.map((p) => (actual.pods[p.id] ? { ...p, ips: { ...actual.pods[p.id] } } : p)),
    services: scenario.services.map((s) => (actual.services[s.id] ? { ...s, clusterIPs: { ...actual.services[s.id] } } : s)),
  };
}
