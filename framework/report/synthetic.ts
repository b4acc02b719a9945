// Realistic results without a cluster: a real Scenario and its expected cells (the oracle), with
// synthetic observations that agree with the expectations except where asked to fail or skip.
// For report tests, screenshots and the report benchmark (none of them needs Docker).
//
// HTTP cells (SPEC.md, "Layer 7") carry what answers as asserted (the entry's fields, else the
// oracle's) and an observed answer that agrees with it: the status, a pod that may answer, what
// that pod received (the expected request, plus the proxy's own X-Forwarded-For), the Location.
import type { EchoedRequest } from "../probe/protocol.js";
import { expectedCells, type ExpectedCell } from "../oracle/index.js";
import type { Scenario } from "../scenario/model.js";
import { formatRule } from "../scenario/references.js";
import { cellKey, type HttpTarget } from "../scenario/target.js";
import { summarizeRun, type CellResult, type RunResults, type ScenarioResult } from "../runner/results.js";
import type { Observed } from "../runner/provider.js";
import { VERSION } from "../version.js";
import { compare } from "../runner/compare.js";
import { scenarioTopology } from "../runner/topology.js";
import { redirectText, statusText, type BackendRequestExpectation, type RedirectExpectation } from "./http-cell.js";

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
    if (cell.destination.kind === "http") return syntheticHttpCell(cell, cell.destination, skipDetail, options.fail?.(cell, i) ?? false, rand);
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

/** What an HTTP cell asserts: the entry's fields where it sets them, else the oracle's (as results.ts says). */
function assertedAnswer(cell: ExpectedCell) {
  const asserted = cell.expectedHttp ?? {};
  return {
    status: asserted.status ?? cell.http?.status ?? [],
    backends: asserted.backends ?? cell.backends ?? [],
    backendRequest: asserted.backendRequest ?? cell.http?.backendRequest,
    redirect: asserted.redirect ?? cell.http?.redirect,
  };
}

/**
 * An HTTP cell whose answer agrees with its expectation, or (`fail`) contradicts it: a denied
 * connection that connects and answers 200, an answer with another status and no backend. An
 * `undefined` expectation holds whatever answers, so it never fails.
 */
function syntheticHttpCell(cell: ExpectedCell, target: HttpTarget, skipDetail: string | undefined, fail: boolean, rand: () => number): CellResult {
  const want = assertedAnswer(cell);
  const base = {
    ...cellKey(cell), expected: cell.expected, status: want.status, backends: want.backends,
    ...(want.backendRequest ? { backendRequest: want.backendRequest } : {}), ...(want.redirect ? { redirect: want.redirect } : {}),
    reason: cell.reason, source: cell.source, oracle: cell.oracle.expected,
  };
  if (skipDetail) return { ...base, observed: "skipped", skipped: true, match: false, attempts: 1, latencyMs: 0, detail: skipDetail };
  const contradicts = fail && cell.expected !== "undefined";
  if (cell.expected === "deny" && !contradicts) return { ...base, observed: "timeout", match: true, attempts: 1, latencyMs: 1000 };
  const latencyMs = 2 + Math.round(rand() * 30);
  if (contradicts) {
    const observedStatus = cell.expected === "deny" ? 200 : want.status.includes(404) ? 503 : 404;
    const expected = cell.expected === "deny" ? "expected deny, observed connected" : `expected status ${statusText(want.status)}, observed ${observedStatus}`;
    return { ...base, observed: "connected", observedStatus, match: false, attempts: 3, latencyMs, mismatch: expected };
  }
  const observedStatus = want.status[0] ?? 200;
  const pods = cell.backends ?? [];
  const backend = observedStatus < 300 && pods.length > 0 ? pods[Math.floor(rand() * pods.length)] : undefined;
  const redirect = want.redirect && cell.http?.redirect ? { ...cell.http.redirect, ...want.redirect } : want.redirect;
  return {
    ...base, observed: "connected", observedStatus,
    ...(backend ? { backend, observedRequest: echoedRequest(cell, target, want.backendRequest) } : {}),
    ...(redirect ? { observedLocation: redirectText(redirect as RedirectExpectation) } : {}),
    match: true, attempts: 1, latencyMs,
  };
}

/** What the backend's echo server reports: the request after the route's filters, and the proxy's own header. */
function echoedRequest(cell: ExpectedCell, target: HttpTarget, asserted: BackendRequestExpectation | undefined): EchoedRequest {
  const oracle = cell.http?.backendRequest;
  const sent = { method: target.request.method, path: target.request.path, host: target.request.host, headers: target.request.headers };
  const received = { ...sent, ...oracle, ...asserted };
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...(oracle?.headers ?? sent.headers), ...(asserted?.headers ?? {}) })) headers[k.toLowerCase()] = v;
  headers["x-forwarded-for"] = cell.from === "external" ? "172.18.0.1" : "10.244.0.10";
  return { method: received.method, path: received.path, host: received.host, headers };
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
