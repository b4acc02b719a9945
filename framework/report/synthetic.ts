// Realistic results without a cluster: a real Scenario and its expected cells (the oracle), with
// synthetic observations that agree with the expectations except where asked to fail or skip.
// For report tests, screenshots and the report benchmark (none of them needs Docker).
import { expectedCells, type ExpectedCell } from "../oracle/index.js";
import type { Scenario } from "../scenario/model.js";
import { formatRule } from "../scenario/references.js";
import { cellKey } from "../scenario/target.js";
import { summarizeRun, type CellResult, type RunResults, type ScenarioResult } from "../runner/results.js";
import type { Observed } from "../runner/provider.js";
import { VERSION } from "../version.js";
import { compare } from "../runner/compare.js";
import { scenarioTopology } from "../runner/topology.js";

export interface SyntheticOptions {
  /** Cells (by their cellId-free predicate) whose observation contradicts the expectation. */
  readonly fail?: (cell: ExpectedCell, index: number) => boolean;
  /** Cells reported as skipped, with this detail. */
  readonly skip?: (cell: ExpectedCell, index: number) => string | undefined;
  /** Deterministic seed for latencies and backend choice. */
  readonly seed?: number;
  /** Scenario status "error" with this message (no cells). */
  readonly error?: string;
}

function random(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x / 0x100000000; };
}

function agreeing(cell: ExpectedCell): Observed {
  switch (cell.expected) {
    case "allow": case "undefined": return "connected";
    case "refused": return "refused";
    case "dns-error": return "dns-error";
    default: return "timeout";
  }
}

function contradicting(cell: ExpectedCell): Observed {
  return cell.expected === "allow" || cell.expected === "dns-error" ? "timeout" : "connected";
}

export function syntheticScenarioResult(scenario: Scenario, options: SyntheticOptions = {}): ScenarioResult {
  const rand = random(options.seed ?? 42);
  const base = {
    name: scenario.name, file: scenario.file, ...(scenario.description ? { description: scenario.description } : {}), tags: scenario.tags,
    topology: scenarioTopology(scenario),
    rules: scenario.expect.rules.map(formatRule),
  };
  if (options.error) {
    return { ...base, status: "error", durationMs: 1200, phases: { provision: 1200, apply: 0, probe: 0 }, cells: [], error: options.error };
  }
  const cells = [...expectedCells(scenario)].map((cell, i): CellResult => {
    const skipDetail = options.skip?.(cell, i);
    const observed: Observed | "skipped" = skipDetail ? "skipped" : options.fail?.(cell, i) ? contradicting(cell) : agreeing(cell);
    const backend = observed !== "connected" ? undefined
      : cell.destination.kind === "pod" ? cell.destination.pod.id
        : cell.backends?.length ? cell.backends[Math.floor(rand() * cell.backends.length)] : undefined;
    const verdict = observed === "skipped" ? { match: false } : compare(cell, { id: String(i), observed, backends: backend ? [backend] : [], latencyMs: 1 });
    return {
      ...cellKey(cell),
      expected: cell.expected, observed,
      ...(backend ? { backend } : {}),
      match: verdict.match,
      ...(observed === "skipped" ? { skipped: true } : {}),
      attempts: verdict.match || observed === "skipped" ? 1 : 3,
      latencyMs: observed === "connected" ? 1 + Math.round(rand() * 20) : observed === "timeout" ? 1000 : Math.round(rand() * 3),
      reason: cell.reason, source: cell.source, oracle: cell.oracle.expected,
      ...("mismatch" in verdict && verdict.mismatch ? { mismatch: verdict.mismatch } : {}),
      ...(skipDetail ? { detail: skipDetail } : {}),
    };
  });
  const failed = cells.some((c) => !c.match && !c.skipped);
  const probe = 400 + Math.round(cells.length * 2);
  return { ...base, status: failed ? "failed" : "passed", durationMs: 9000 + probe, phases: { provision: 7000, apply: 1500, probe, destroy: 500 }, cells };
}

export function syntheticRun(scenarios: readonly ScenarioResult[], provider = "local", startedAt = "2025-01-15T09:30:00.000Z"): RunResults {
  return {
    tool: { name: "netspec", version: VERSION },
    provider,
    startedAt,
    durationMs: scenarios.reduce((n, s) => n + s.durationMs, 0),
    summary: summarizeRun(scenarios),
    scenarios: [...scenarios],
    environment: { node: process.version, platform: process.platform, arch: process.arch },
  };
}
