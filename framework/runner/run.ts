// The runner: for each scenario, provision a cluster, apply, probe every cell, compare with the
// expectations, retry what disagrees until it is stable or a deadline passes, and tear down,
// whatever happens (failure, exception, interruption).
import { canonicalIp, cidr, nthAddress, type Family } from "../kube/net.js";
import { expectedCells, sourceClients, type ExpectedCell } from "../oracle/index.js";
import { clientId, clientIp } from "../scenario/clients.js";
import type { Scenario } from "../scenario/model.js";
import { formatRule } from "../scenario/references.js";
import { withActualAddresses } from "../scenario/readdress.js";
import { cellKey } from "../scenario/target.js";
import { VERSION } from "../version.js";
import { compare, sticky, type ClientAddresses } from "./compare.js";
import { httpExpectations } from "./compare-http.js";
import { probeSpec } from "./probe-spec.js";
import { EnvironmentError, type Cluster, type Observation, type ProbeRequest, type Provider } from "./provider.js";
import { summarizeRun, type CellResult, type RunResults, type ScenarioResult } from "./results.js";
import { scenarioTopology } from "./topology.js";

export type Phase = "provision" | "apply" | "probe" | "destroy";

export type RunEvent =
  | { type: "scenario-start"; scenario: Scenario; cells: number }
  | { type: "phase"; scenario: Scenario; phase: Phase }
  | { type: "probe-progress"; scenario: Scenario; done: number; total: number; round: number }
  | { type: "scenario-end"; scenario: Scenario; result: ScenarioResult }
  | { type: "log"; scenario?: Scenario; message: string }
  /** Slow work the user should know about (building an image), always shown. */
  | { type: "notice"; message: string };

export interface RunOptions {
  readonly provider: Provider;
  /** Scenarios run at once, each on its own cluster (default 1). */
  readonly parallel?: number;
  /** How long mismatching cells are re-probed before they count as failed (default 3000 ms). */
  readonly convergeMs?: number;
  /**
   * HTTP cells follow the Gateway API conformance suite's consistency rule: a cell passes once
   * this many answers in a row match (default 3)…
   */
  readonly httpConsecutive?: number;
  /** …within this deadline from the first probe (default 30 000 ms). */
  readonly httpDeadlineMs?: number;
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: RunEvent) => void;
  /** Called after every change worth keeping (a scenario finished), for incremental reports. */
  readonly onResults?: (results: RunResults) => void;
  /** Run id, unique per run (default: derived from time and pid). */
  readonly runId?: string;
}

/** A cell passes after a mismatch only once it matched this many times in a row. */
const STABLE_MATCHES = 2;

export async function run(scenarios: readonly Scenario[], options: RunOptions): Promise<RunResults> {
  const started = Date.now();
  const runId = options.runId ?? `${started.toString(36)}-${process.pid.toString(36)}`;
  const results: RunResults = {
    tool: { name: "netspec", version: VERSION },
    provider: options.provider.name,
    startedAt: new Date(started).toISOString(),
    durationMs: 0,
    summary: summarizeRun([]),
    scenarios: [],
    environment: { node: process.version, platform: process.platform, arch: process.arch },
  };
  const publish = () => {
    results.durationMs = Date.now() - started;
    results.summary = summarizeRun(results.scenarios);
    options.onResults?.(results);
  };
  await options.provider.preflight((message) => options.onEvent?.({ type: "notice", message }));
  await options.provider.cleanupStale();

  const queue = [...scenarios];
  let environmentFailure: unknown;
  const worker = async () => {
    while (queue.length > 0 && !options.signal?.aborted && !environmentFailure) {
      const scenario = queue.shift()!;
      try {
        const result = await runScenario(scenario, options, `${runId}-${scenarios.indexOf(scenario)}`);
        if (options.signal?.aborted) break;
        results.scenarios.push(result);
        options.onEvent?.({ type: "scenario-end", scenario, result });
        publish();
      } catch (error) {
        environmentFailure = error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.parallel ?? 1, scenarios.length)) }, worker));
  if (options.signal?.aborted) results.interrupted = true;
  // Report in the order the scenarios were given, whatever order they finished in.
  results.scenarios.sort((a, b) => scenarios.findIndex((s) => s.name === a.name) - scenarios.findIndex((s) => s.name === b.name));
  publish();
  if (environmentFailure) throw environmentFailure;
  return results;
}

async function runScenario(scenario: Scenario, options: RunOptions, runId: string): Promise<ScenarioResult> {
  const emit = (event: RunEvent) => options.onEvent?.(event);
  // The oracle judges HTTP cells for the Layer 7 implementation the provider runs or names.
  const judged: Scenario = options.provider.layer7 ? { ...scenario, layer7: options.provider.layer7 } : scenario;
  let cells = [...expectedCells(judged)];
  /** The scenario with the addresses the cluster really uses (the plan's, unless it says otherwise). */
  let observed = judged;
  emit({ type: "scenario-start", scenario, cells: cells.length });
  const phases = { provision: 0, apply: 0, probe: 0, destroy: 0 };
  const started = Date.now();
  let cluster: Cluster | undefined;
  const timed = async <T>(phase: Phase, work: () => Promise<T>): Promise<T> => {
    emit({ type: "phase", scenario, phase });
    const t0 = Date.now();
    try { return await work(); } finally { phases[phase] = Date.now() - t0; }
  };
  const abortCleanup = () => { void cluster?.destroy(); };
  options.signal?.addEventListener("abort", abortCleanup, { once: true });
  try {
    cluster = await timed("provision", () => options.provider.provision(judged, {
      runId, log: (message) => emit({ type: "log", scenario, message }),
    }));
    if (options.signal?.aborted) throw new Interrupted();
    await timed("apply", () => cluster!.apply(judged));
    if (cluster.actualAddresses) {
      // The cluster chose its own addresses: judge ipBlock rules (and report topology) with those.
      observed = withActualAddresses(judged, await cluster.actualAddresses());
      cells = [...expectedCells(observed)];
    }
    const cellResults = await timed("probe", () => probeAll(scenario, cluster!, cells, options, clientAddressBook(observed)));
    const failed = cellResults.some((c) => !c.match && !c.skipped);
    let diagnostics: Record<string, string> | undefined;
    if (failed) diagnostics = await cluster.diagnose().catch(() => undefined);
    const convergence = cluster.dataPlaneConvergence?.();
    return {
      name: scenario.name, file: scenario.file, description: scenario.description, tags: scenario.tags,
      status: failed ? "failed" : "passed", durationMs: Date.now() - started, phases, cells: cellResults,
      ...(convergence && Object.keys(convergence).length > 0 ? { convergence } : {}),
      ...(diagnostics ? { diagnostics } : {}),
      topology: scenarioTopology(observed),
      rules: scenario.expect.rules.map(formatRule),
    };
  } catch (error) {
    if (error instanceof EnvironmentError || error instanceof Interrupted || options.signal?.aborted) throw error;
    return {
      name: scenario.name, file: scenario.file, description: scenario.description, tags: scenario.tags,
      status: "error", durationMs: Date.now() - started, phases, cells: [], error: (error as Error).message,
      topology: scenarioTopology(observed),
    };
  } finally {
    options.signal?.removeEventListener("abort", abortCleanup);
    if (cluster) await timed("destroy", () => cluster!.destroy());
  }
}

class Interrupted extends Error {
  constructor() { super("interrupted"); }
}

/** Cells whose expectation is `undefined` are still probed (and reported), never failed. */
async function probeAll(
  scenario: Scenario, cluster: Cluster, cells: readonly ExpectedCell[], options: RunOptions, book: ClientAddressBook,
): Promise<CellResult[]> {
  const addresses = cells.map((cell) => book.of(cell.from, cell.family));
  const requests = cells.map((cell, i): ProbeRequest => ({
    id: String(i), from: cell.from, target: cell.destination, probe: probeSpec(cell), samples: sampleCount(cell),
  }));
  const state = cells.map(() => ({ attempts: 0, streak: 0, backends: new Set<string>(), last: undefined as Observation | undefined, firstMatched: false }));
  const started = Date.now();
  const consistency = httpConsistency(options);
  // HTTP cells pass after `consecutive` matching answers in a row, within their own deadline
  // (the Gateway API conformance suite's rule); other cells as soon as they match, or, once
  // they disagreed, after STABLE_MATCHES in a row before the converge deadline.
  const rule = cells.map((cell) => cell.destination.kind === "http"
    ? { needed: consistency.consecutive, deadline: started + consistency.deadlineMs }
    : { needed: STABLE_MATCHES, deadline: started + (options.convergeMs ?? 3000) });
  const settled = (i: number) => {
    const s = state[i]!;
    return cells[i]!.destination.kind === "http" ? s.streak >= rule[i]!.needed : s.firstMatched || s.streak >= rule[i]!.needed;
  };
  const timeoutMs = scenario.probe.timeoutMs;
  let pending = requests;
  let round = 0;
  while (pending.length > 0) {
    round++;
    const observations = await cluster.probe(pending, { timeoutMs });
    if (options.signal?.aborted) throw new Interrupted();
    const next: ProbeRequest[] = [];
    const now = Date.now();
    for (const observation of observations) {
      const i = Number(observation.id);
      const s = state[i]!;
      s.attempts++;
      s.last = observation;
      observation.backends.forEach((b) => s.backends.add(b));
      if (observation.observed === "skipped") continue;
      const verdict = compare(cells[i]!, observation, addresses[i]);
      if (verdict.match) {
        s.streak++;
        if (round === 1 && cells[i]!.destination.kind !== "http") s.firstMatched = true;
      } else {
        s.streak = 0;
      }
      if (!settled(i) && now < rule[i]!.deadline) next.push(requests[i]!);
    }
    emit(options, { type: "probe-progress", scenario, done: requests.length - next.length, total: requests.length, round });
    pending = next;
  }
  return cells.map((cell, i): CellResult => {
    const s = state[i]!;
    const observation = s.last!;
    const skipped = observation.observed === "skipped";
    const verdict = skipped ? { match: false } : compare(cell, observation, addresses[i]);
    const backends = [...s.backends].sort();
    const seenAs = observation.clientAddresses?.[0];
    const asserted = cell.expected === "allow" && (cell.expectedClientAddress === "preserved" || cell.expectedClientAddress === "node")
      ? cell.expectedClientAddress : undefined;
    const http = cell.destination.kind === "http";
    return {
      ...cellKey(cell),
      expected: cell.expected, observed: observation.observed,
      ...(observation.backends[0] ? { backend: observation.backends[0] } : {}),
      ...(!http && backends.length > 1 ? { backends } : {}),
      ...(seenAs ? { observedClient: seenAs } : {}),
      ...(asserted ? { clientAddress: asserted } : {}),
      match: verdict.match && settled(i),
      ...(skipped ? { skipped: true } : {}),
      attempts: s.attempts, latencyMs: observation.latencyMs, reason: cell.reason, source: cell.source, oracle: cell.oracle.expected,
      ...(verdict.mismatch ? { mismatch: verdict.mismatch } : !verdict.match || settled(i) || skipped ? {} : { mismatch: inconsistent(s.streak, rule[i]!.needed) }),
      ...(observation.detail ? { detail: observation.detail } : {}),
      ...(http ? httpResultFields(cell, observation, backends) : {}),
    };
  });
}

/** The consistency rule's parameters (RunOptions), defaulted as the conformance suite's. */
function httpConsistency(options: RunOptions): { consecutive: number; deadlineMs: number } {
  return { consecutive: Math.max(1, options.httpConsecutive ?? 3), deadlineMs: options.httpDeadlineMs ?? 30_000 };
}

function inconsistent(streak: number, needed: number): string {
  return `matched only ${streak} time(s) in a row before the deadline; ${needed} consecutive matching answers are needed`;
}

/** An HTTP cell's result fields (SPEC.md's HTTP cell): what may answer, and what did. */
function httpResultFields(cell: ExpectedCell, observation: Observation, answered: readonly string[]): Partial<CellResult> {
  const want = httpExpectations(cell);
  const answer = observation.http;
  return {
    status: want.status, backends: want.backends ?? [],
    ...(want.backendRequest ? { backendRequest: want.backendRequest } : {}),
    ...(want.redirect ? { redirect: want.redirect } : {}),
    ...(answered.length > 1 ? { observedBackends: answered } : {}),
    ...(answer ? { observedStatus: answer.status } : {}),
    ...(answer?.request ? { observedRequest: answer.request } : {}),
    ...(answer?.location ? { observedLocation: answer.location } : {}),
  };
}

/** Who each cell's client is by address (its own, and the nodes'), in the addresses the cluster uses. */
interface ClientAddressBook {
  of(from: string, family: Family): ClientAddresses;
}

function clientAddressBook(scenario: Scenario): ClientAddressBook {
  const nodes = new Set<string>();
  for (const node of scenario.nodes) {
    for (const ip of Object.values(node.ips)) if (ip) nodes.add(canonicalIp(ip));
    // The pod-side gateway: what a node masquerades to towards its own pods.
    for (const podCIDR of Object.values(node.podCIDRs)) if (podCIDR) nodes.add(nthAddress(cidr(podCIDR), 1));
  }
  const clients = new Map(sourceClients(scenario).map((c) => [clientId(c), c]));
  return {
    of(from, family) {
      const client = clients.get(from);
      const ip = client && clientIp(client, family);
      return { nodes, ...(ip ? { client: canonicalIp(ip) } : {}) };
    },
  };
}

function emit(options: RunOptions, event: RunEvent): void {
  options.onEvent?.(event);
}

/**
 * Enough connections to see which backends answer, when the user asserted them or when the
 * Service pins a client to one (sessionAffinity: ClientIP, with several possible backends: a data
 * plane without affinity lands all eight samples on one of two backends less than once in a hundred).
 */
function sampleCount(cell: ExpectedCell): number {
  if (cell.expected !== "allow") return 1;
  const affinity = sticky(cell.destination) && (cell.backends?.length ?? 0) > 1;
  if (!cell.expectedBackends && !affinity) return 1;
  return Math.min(32, Math.max(8, 4 * (cell.backends?.length ?? 1)));
}
