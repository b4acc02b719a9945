// Does an observation satisfy an expectation? (SPEC.md, "Results".)
import { expectationHolds, type ExpectedCell } from "../oracle/cells.js";
import type { ProbedTarget } from "../scenario/target.js";
import type { Observation } from "./provider.js";
import { compareHttp } from "./compare-http.js";

export interface Verdict {
  readonly match: boolean;
  /** Why not, when it does not match. */
  readonly mismatch?: string;
}

/** Who the client is by address: its own address per family, and every address a node holds. */
export interface ClientAddresses {
  /** The client's own address in the cell's family. */
  readonly client?: string;
  /** Node InternalIPs and the pod-side gateway addresses of every node. */
  readonly nodes: ReadonlySet<string>;
}

export function compare(cell: ExpectedCell, observation: Observation, addresses?: ClientAddresses): Verdict {
  if (observation.observed === "skipped") return { match: false };
  if (cell.destination.kind === "http") return compareHttp(cell, observation);
  if (!expectationHolds(cell.expected, observation.observed)) {
    return { match: false, mismatch: `expected ${cell.expected}, observed ${observation.observed}` };
  }
  if (cell.expected !== "allow") return { match: true };
  // `backends:` in a rule: only the listed pods may answer.
  if (cell.expectedBackends) {
    const stray = observation.backends.filter((b) => !cell.expectedBackends!.includes(b));
    if (stray.length > 0) return { match: false, mismatch: `answered by ${stray.join(", ")}, but only ${cell.expectedBackends.join(", ")} may answer` };
  }
  // The oracle knows which backends may answer this client (traffic policy, topology, policy):
  // another one answering is a data-plane (or oracle) bug worth reporting.
  const target = cell.destination;
  if (cell.source === "oracle" && cell.backends && target.kind !== "pod") {
    const stray = observation.backends.filter((b) => !cell.backends!.includes(b));
    if (stray.length > 0) return { match: false, mismatch: `answered by ${stray.join(", ")}, but the oracle expects only ${cell.backends.join(", ")}` };
  }
  if (sticky(target) && observation.backends.length > 1) {
    return { match: false, mismatch: `sessionAffinity: ClientIP, yet one client was answered by ${observation.backends.join(", ")}` };
  }
  if ((target.kind === "pod" || target.kind === "hostport") && observation.backends.length > 0 && !observation.backends.includes(target.pod.id)) {
    return { match: false, mismatch: `answered by ${observation.backends.join(", ")} instead of ${target.pod.id}` };
  }
  const address = clientAddressMismatch(cell, observation, addresses);
  if (address) return { match: false, mismatch: address };
  return { match: true };
}

/**
 * SPEC.md "Results": `clientAddress: preserved` holds when every answering server saw the
 * client's own address, `node` when each saw an address a node holds (source NAT).
 */
function clientAddressMismatch(cell: ExpectedCell, observation: Observation, addresses: ClientAddresses | undefined): string | undefined {
  const want = cell.expectedClientAddress;
  const seen = observation.clientAddresses ?? [];
  if (!want || want === "any" || !addresses || seen.length === 0) return undefined;
  const wrong = seen.filter((ip) => (want === "preserved" ? ip !== addresses.client : !addresses.nodes.has(ip)));
  if (wrong.length === 0) return undefined;
  const what = want === "preserved" ? `the client's own address ${addresses.client}` : "a node's address";
  return `clientAddress: ${want}, but the backend saw ${wrong.join(", ")} (not ${what})`;
}

/**
 * A Service with `sessionAffinity: ClientIP`, reached through its cluster IP (by address or by
 * name), a node port, a load balancer or an external IP: kube-proxy sends every connection of one client IP to the endpoint it first chose,
 * until `sessionAffinityConfig.clientIP.timeoutSeconds` (default 3 h) pass without traffic
 * (docs, "Virtual IPs and Service Proxies", Session affinity; ServiceSpec.sessionAffinity). A
 * headless Service has no proxy, so no affinity.
 */
export function sticky(target: ProbedTarget): boolean {
  if (target.kind === "pod" || target.kind === "external" || target.kind === "hostport" || target.kind === "http") return false;
  // By name: a Service's own name or an SRV answer leads to its cluster IP; other records to pods.
  const byName = target.kind === "dns" ? (target.record.kind === "service" || target.record.kind === "srv" ? target.record.service : undefined) : undefined;
  const svc = target.kind === "dns" ? byName : target.service;
  return svc !== undefined && svc.type !== "ExternalName" && svc.sessionAffinity === "ClientIP" && !svc.headless;
}
