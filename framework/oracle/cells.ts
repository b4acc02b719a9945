// The traffic matrix's cells: which connections a scenario probes, and the shapes the oracle,
// the prober and the reports share (SPEC.md, `netspec expect --format json`).
import type { Family } from "../kube/net.js";
import type { Protocol } from "../kube/types.js";
import type { ExpectedResult } from "../scenario/schema.js";

export type TargetKind = "pod" | "service" | "dns" | "external";

export interface CellKey {
  /** Source pod, `ns/pod`. */
  readonly from: string;
  /** `ns/pod`, `svc/ns/name`, `dns/name.ns.svc.cluster.local`, `ip/…`. */
  readonly to: string;
  readonly target: TargetKind;
  /** Container port for pods; the Service port for Services and DNS names. */
  readonly port: number;
  readonly protocol: Protocol;
  readonly family: Family;
}

export interface OracleCell extends CellKey {
  readonly expected: ExpectedResult;
  /** One line naming the policy and rule, or the Service field, that decided. */
  readonly reason: string;
  /** For Services and DNS names: the pods that may answer (allowed by policy). */
  readonly backends?: readonly string[];
  /** The address the prober connects to: a pod IP, a cluster IP, a DNS name or an external IP. */
  readonly address: string;
  /** Port name on the target (container port name, or Service port name), for rules and reports. */
  readonly portName?: string;
}

/** A cell after merging the user's expectations over the oracle. */
export interface ExpectedCell extends OracleCell {
  /** Who set `expected`: "oracle", "default", or "rule N" (0-based index in expect.rules). */
  readonly source: string;
  /** The oracle's own verdict, kept when a rule or the default overrode it. */
  readonly oracle: { readonly expected: ExpectedResult; readonly reason: string };
  /** Backends the user asserted (`backends:` in a rule): only these may answer. */
  readonly expectedBackends?: readonly string[];
}

export function cellId(cell: CellKey): string {
  return `${cell.from} -> ${cell.to} ${cell.port}/${cell.protocol} ${cell.family}`;
}

/** Whether an expectation accepts an observed outcome (SPEC.md, "Results"). */
export function expectationHolds(expected: ExpectedResult, observed: string): boolean {
  switch (expected) {
    case "allow": return observed === "connected";
    case "deny": return observed === "refused" || observed === "timeout";
    case "refused": return observed === "refused";
    case "drop": return observed === "timeout";
    case "dns-error": return observed === "dns-error";
    case "undefined": return true;
  }
}

/** Whether two expectations can both hold (a rule refining the oracle, e.g. deny vs drop). */
export function compatible(a: ExpectedResult, b: ExpectedResult): boolean {
  if (a === b || a === "undefined" || b === "undefined") return true;
  const denyLike = new Set<ExpectedResult>(["deny", "refused", "drop"]);
  return (a === "deny" && denyLike.has(b)) || (b === "deny" && denyLike.has(a));
}
