// The run's results, in the shape SPEC.md gives for results.json.
import type { CellKey } from "../scenario/target.js";
import type { ExpectedResult } from "../scenario/schema.js";
import type { EchoedRequest } from "../probe/protocol.js";
import type { HttpAnswer as ExpectedHttpAnswer, HttpAssertions } from "../oracle/cells.js";
import type { Observed } from "./provider.js";

export interface CellResult extends CellKey {
  readonly expected: ExpectedResult;
  readonly observed: Observed | "skipped";
  /** The pod that answered (the first, when several did). */
  readonly backend?: string;
  /**
   * Every pod that answered across samples and attempts. HTTP cells follow SPEC.md's HTTP cell
   * instead: there `backends` are the pods that may answer (asserted, else the oracle's), and
   * the pods that did are `backend` and `observedBackends`.
   */
  readonly backends?: readonly string[];
  /** The client address the answering backend saw (after any NAT). */
  readonly observedClient?: string;
  /** What that address had to be (`clientAddress` of a rule, or the oracle's): preserved or node. */
  readonly clientAddress?: "preserved" | "node";
  readonly match: boolean;
  readonly skipped?: boolean;
  readonly attempts: number;
  readonly latencyMs?: number;
  readonly reason: string;
  /** Who set the expectation: oracle, default or rule N. */
  readonly source: string;
  /** The oracle's own verdict (differs from `expected` where a rule overrode it). */
  readonly oracle: ExpectedResult;
  /** Why the cell did not match, in one line (mismatches only). */
  readonly mismatch?: string;
  readonly detail?: string;
  /**
   * HTTP cells (SPEC.md, "Layer 7"): what answers, as asserted (the `expect.http` entry's
   * fields where it sets them, else the oracle's): statuses (`backends` the pods that may
   * answer), what the backend must receive, the redirect; and what was observed.
   */
  readonly status?: readonly number[];
  /** HTTP cells: every pod that answered, when more than one did. */
  readonly observedBackends?: readonly string[];
  readonly backendRequest?: ExpectedHttpAnswer["backendRequest"] | HttpAssertions["backendRequest"];
  readonly redirect?: ExpectedHttpAnswer["redirect"] | HttpAssertions["redirect"];
  readonly observedStatus?: number;
  /** What the backend received (its echo). */
  readonly observedRequest?: EchoedRequest;
  /** The Location header of an observed redirect. */
  readonly observedLocation?: string;
}

export type ScenarioStatus = "passed" | "failed" | "error";

export interface ScenarioResult {
  readonly name: string;
  readonly file: string;
  readonly description?: string;
  readonly tags: readonly string[];
  readonly status: ScenarioStatus;
  readonly durationMs: number;
  readonly phases: { provision: number; apply: number; probe: number; destroy?: number };
  /** How long each Gateway's (and the Ingress controller's) data plane took to be programmed, ms (Cluster.dataPlaneConvergence). */
  readonly convergence?: Readonly<Record<string, number>>;
  readonly cells: CellResult[];
  /** For status "error": what failed. */
  readonly error?: string;
  readonly diagnostics?: Record<string, string>;
  /** What the scenario built (nodes, namespaces, pods, Services, policies), for reports. */
  readonly topology?: ScenarioTopology;
  /** expect.rules as written (formatRule), by index: test titles in JUnit say what they assert. */
  readonly rules?: readonly string[];
}

/** The scenario's topology as the reports show it (addresses from the scenario's address plan). */
export interface ScenarioTopology {
  readonly ipFamily: string;
  readonly nodes: readonly { name: string; zone?: string; labels: Record<string, string>; podCIDRs: Record<string, string> }[];
  readonly namespaces: readonly { name: string; labels: Record<string, string>; system?: boolean }[];
  readonly pods: readonly {
    id: string; namespace: string; name: string; node: string; labels: Record<string, string>;
    ips: Record<string, string>; ports: readonly { name?: string; port: number; protocol: string }[];
    ready?: boolean; hostNetwork?: boolean; system?: boolean;
  }[];
  readonly services: readonly {
    id: string; namespace: string; name: string; type: string; headless?: boolean;
    selector?: Record<string, string>; clusterIPs: Record<string, string>;
    ports: readonly { name?: string; port: number; protocol: string; targetPort: number | string; nodePort?: number }[];
    internalTrafficPolicy?: string; externalTrafficPolicy?: string; trafficDistribution?: string; system?: boolean;
  }[];
  /** Every manifest except Services (NetworkPolicies, AdminNetworkPolicies, passed-through kinds), verbatim. */
  readonly policies: readonly { apiVersion: string; kind: string; name: string; namespace?: string; object: Record<string, unknown> }[];
}

export interface RunSummary {
  scenarios: number;
  cells: number;
  passed: number;
  failed: number;
  skipped: number;
}

export interface RunResults {
  readonly tool: { readonly name: "netspec"; readonly version: string };
  readonly provider: string;
  readonly startedAt: string;
  durationMs: number;
  summary: RunSummary;
  readonly scenarios: ScenarioResult[];
  /** Set when the run was interrupted before every scenario finished. */
  interrupted?: boolean;
  /** Where the run happened (Node.js, OS), for reading a report later. */
  environment?: { readonly node: string; readonly platform: string; readonly arch: string };
}

export function summarizeRun(scenarios: readonly ScenarioResult[]): RunSummary {
  const summary: RunSummary = { scenarios: scenarios.length, cells: 0, passed: 0, failed: 0, skipped: 0 };
  for (const scenario of scenarios) {
    for (const cell of scenario.cells) {
      summary.cells++;
      if (cell.skipped) summary.skipped++;
      else if (cell.match) summary.passed++;
      else summary.failed++;
    }
  }
  return summary;
}
