// The traffic matrix's cells: the oracle's verdict on each connection a scenario probes, and the
// user's expectation merged over it (SPEC.md, `netspec expect --format json`). What identifies a
// cell, and how its target is named, is scenario/target.ts.
import type { ClientAddressExpectation, ExpectedResult } from "../scenario/schema.js";
import type { CellKey, ProbedTarget } from "../scenario/target.js";

export interface OracleCell extends CellKey {
  readonly expected: ExpectedResult;
  /** One line naming the policy and rule, or the Service field, that decided. */
  readonly reason: string;
  /** For Services and DNS names: the pods that may answer (allowed by policy). */
  readonly backends?: readonly string[];
  /** The typed target (`to` and `target` are its names in results): the probe is made from it. */
  readonly destination: ProbedTarget;
  /** Port name on the target (container port name, or Service port name), for rules and reports. */
  readonly portName?: string;
  /**
   * North-south cells: the client address the backend sees, as Kubernetes requires it
   * (`preserved`: externalTrafficPolicy Local for clients outside the cluster) or leaves it (`any`).
   */
  readonly clientAddress?: ClientAddressExpectation;
  /** HTTP cells: the statuses that may answer, what the backend receives, the redirect sent back. */
  readonly http?: HttpAnswer;
}

/** What answers an HTTP request (oracle/http/result.ts gives the detail). */
export interface HttpAnswer {
  readonly status: readonly number[];
  readonly backendRequest?: { readonly method: string; readonly path: string; readonly host: string; readonly headers: Readonly<Record<string, string>> };
  readonly redirect?: { readonly scheme: string; readonly host: string; readonly port: number; readonly path: string; readonly status: number };
}

/** A cell after merging the user's expectations over the oracle. */
export interface ExpectedCell extends OracleCell {
  /** Who set `expected`: "oracle", "default", or "rule N" (0-based index in expect.rules). */
  readonly source: string;
  /** The oracle's own verdict, kept when a rule or the default overrode it. */
  readonly oracle: { readonly expected: ExpectedResult; readonly reason: string };
  /** Backends the user asserted (`backends:` in a rule): only these may answer. */
  readonly expectedBackends?: readonly string[];
  /** The client address the backend must see: a rule's `clientAddress`, else the oracle's. */
  readonly expectedClientAddress?: ClientAddressExpectation;
  /** HTTP cells: what the `expect.http` entry asserts over the oracle's answer. */
  readonly expectedHttp?: HttpAssertions;
}

/** An `expect.http` entry's assertions (SPEC.md, "Layer 7"). */
export interface HttpAssertions {
  readonly status?: readonly number[];
  /** Pod globs that may answer. */
  readonly backends?: readonly string[];
  readonly backendRequest?: { readonly path?: string; readonly host?: string; readonly headers?: Readonly<Record<string, string>> };
  readonly redirect?: { readonly scheme?: string; readonly host?: string; readonly port?: number; readonly path?: string };
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
