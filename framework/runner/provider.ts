// The one small interface every provider implements (modelled on kind's provider layout: the
// runner knows only this; each backend lives in its own folder under providers/).
import type { HttpAnswer, ProbeSpec } from "../probe/protocol.js";
import type { Scenario } from "../scenario/model.js";
import type { Layer7Implementation } from "../scenario/implementation.js";
import type { ActualAddresses } from "../scenario/readdress.js";
import type { ProbedTarget } from "../scenario/target.js";

/** One connection to attempt from a source. */
export interface ProbeRequest {
  /** Caller's key, echoed in the observation. */
  readonly id: string;
  /** The client (scenario/clients.ts clientId): `ns/pod`, `node/NAME`, `external` or `external/IP`. */
  readonly from: string;
  /** What the cell connects to: providers decide by its kind what they can probe and how. */
  readonly target: ProbedTarget;
  /** The connection itself (runner/probe-spec.ts), as the prober takes it. */
  readonly probe: ProbeSpec;
  /** How many connections to make (to sample which backends of a Service answer). */
  readonly samples: number;
}

export type Observed = "connected" | "refused" | "timeout" | "dns-error" | "error";

export interface Observation {
  readonly id: string;
  /** The outcome of the samples: connected if any connected, else the first failure. */
  readonly observed: Observed | "skipped";
  /** Pods that answered (Services may answer from several). */
  readonly backends: readonly string[];
  /** The client addresses the answering servers saw (after any NAT), when they said. */
  readonly clientAddresses?: readonly string[];
  readonly latencyMs: number;
  /** HTTP cells: the answer of the first connected sample (status, Location, what the backend received). */
  readonly http?: HttpAnswer;
  /** Why the cell was skipped, or the error detail. */
  readonly detail?: string;
}

export interface ProbeOptions {
  readonly timeoutMs: number;
}

export interface Cluster {
  /** Creates the scenario's Services, policies and DNS records. */
  apply(scenario: Scenario): Promise<void>;
  /** Probes a batch; the provider groups requests per source pod and runs them concurrently. */
  probe(requests: readonly ProbeRequest[], options: ProbeOptions): Promise<Observation[]>;
  /**
   * The addresses the cluster really assigned, for providers that do not follow netspec's
   * address plan (kind, existing clusters). The runner re-runs the oracle with them.
   */
  actualAddresses?(): Promise<ActualAddresses>;
  /**
   * How long each Layer 7 data plane took to serve its listeners once apply() began configuring
   * it, ms, by entry (`gateway/ns/name`, `ingress`): the convergence a controller reports.
   */
  dataPlaneConvergence?(): Readonly<Record<string, number>>;
  /** Facts for a failure report (node rulesets, logs), as named text blocks. */
  diagnose(): Promise<Record<string, string>>;
  /** Removes everything this cluster created. Idempotent; never throws. */
  destroy(): Promise<void>;
}

export interface ProvisionContext {
  /** Unique per run, safe for names and labels. */
  readonly runId: string;
  readonly log: (message: string) => void;
}

export interface Provider {
  readonly name: string;
  /** The Layer 7 implementation its clusters run or name (scenario/implementation.ts), for the oracle. */
  readonly layer7?: Layer7Implementation;
  /**
   * Checks that the environment can run clusters (and prepares it, e.g. builds an image);
   * throws EnvironmentError if not. `notice` tells the user about slow work.
   */
  preflight(notice?: (message: string) => void): Promise<void>;
  /** Removes what earlier, killed runs left behind. */
  cleanupStale(): Promise<void>;
  provision(scenario: Scenario, context: ProvisionContext): Promise<Cluster>;
}

/** The environment failed (no Docker, a cluster could not be created): exit 3. */
export class EnvironmentError extends Error {
  constructor(message: string, readonly hint?: string) {
    super(message);
    this.name = "EnvironmentError";
  }
}
