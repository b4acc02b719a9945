// The regression view: what changed, cell by cell, between two runs (a baseline results.json and
// the current one), so a CNI upgrade or a policy change shows its exact network effect.
//
// An HTTP cell has changed when a match flipped, and also when the status it was answered with
// or the set of pods that answered changed (a route now sends /v2 to v1, a redirect became a
// 404), though both runs may pass: `backends` of an HTTP cell are the pods that may answer, so
// one pod answering instead of another that may as well is load balancing, not a change.
import { readFileSync } from "node:fs";
import { globToRegExp } from "../scenario/references.js";
import { cellId } from "../scenario/target.js";
import type { Style } from "./terminal-style.js";
import type { CellResult, RunResults, ScenarioResult } from "../runner/results.js";
import { answeredBy } from "./http-cell.js";

/** The most important change first: a cell is listed once, under its first kind. */
export const CHANGE_KINDS = ["new-failure", "fixed", "expected-changed", "observed-changed", "backends-changed", "added", "removed"] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

export const CHANGE_LABELS: Record<ChangeKind, string> = {
  "new-failure": "new failures",
  fixed: "fixed",
  "expected-changed": "expectation changed",
  "observed-changed": "outcome changed",
  "backends-changed": "backends changed",
  added: "new cells",
  removed: "cells gone",
};

export interface CellChange {
  readonly scenario: string;
  /** cellId(): `from -> to port/protocol family`. */
  readonly id: string;
  readonly kind: ChangeKind;
  /** Every kind that applies (a new failure may also have a changed backend). */
  readonly kinds: readonly ChangeKind[];
  readonly before?: CellSnapshot;
  readonly after?: CellSnapshot;
}

export interface CellSnapshot {
  readonly expected: string;
  readonly observed: string;
  readonly status: "passed" | "failed" | "skipped";
  readonly backends: readonly string[];
  /** Whether several pods answered (a one-answer cell's backend is load balancing's choice). */
  readonly sampled: boolean;
  /** HTTP cells: the status that answered, and the Location of a redirect. */
  readonly httpStatus?: number;
  readonly location?: string;
  /** HTTP cells: the pods (or pod globs) that may answer. */
  readonly mayAnswer?: readonly string[];
}

export interface ScenarioChange {
  readonly name: string;
  readonly before?: ScenarioResult["status"];
  readonly after?: ScenarioResult["status"];
}

export interface Regression {
  readonly baseline: { readonly startedAt: string; readonly provider: string; readonly version: string; readonly summary: RunResults["summary"] };
  readonly current: { readonly startedAt: string; readonly provider: string; readonly version: string; readonly summary: RunResults["summary"] };
  readonly counts: Record<ChangeKind, number>;
  readonly scenarios: readonly ScenarioChange[];
  readonly changes: readonly CellChange[];
}

function snapshot(cell: CellResult): CellSnapshot {
  const answered = answeredBy(cell);
  return {
    expected: cell.expected,
    observed: cell.observed,
    status: cell.skipped ? "skipped" : cell.match ? "passed" : "failed",
    backends: [...new Set(answered)].sort(),
    sampled: answered.length > 1,
    ...(cell.observedStatus !== undefined ? { httpStatus: cell.observedStatus } : {}),
    ...(cell.observedLocation !== undefined ? { location: cell.observedLocation } : {}),
    ...(cell.target === "http" ? { mayAnswer: cell.backends ?? [] } : {}),
  };
}

/** Whether a pod is among those that may answer (pods or pod globs, as SPEC's `backends`). */
const mayAnswer = (pod: string, allowed: readonly string[]) => allowed.some((glob) => globToRegExp(glob).test(pod));

/**
 * Which single pod answered one request is load balancing's choice when it may answer in both
 * runs; a different set of answering pods (several answered on either side) is a change.
 */
function answeringPodsChanged(before: CellSnapshot, after: CellSnapshot): boolean {
  if (before.backends.join(",") === after.backends.join(",") || before.observed !== "connected" || after.observed !== "connected") return false;
  if (before.sampled || after.sampled) return true;
  if (!before.mayAnswer || !after.mayAnswer) return false;
  const pods = [...before.backends, ...after.backends];
  return !pods.every((pod) => mayAnswer(pod, before.mayAnswer!) && mayAnswer(pod, after.mayAnswer!));
}

function kindsOf(before: CellSnapshot, after: CellSnapshot): ChangeKind[] {
  const kinds: ChangeKind[] = [];
  if (after.status === "failed" && before.status !== "failed") kinds.push("new-failure");
  if (before.status === "failed" && after.status === "passed") kinds.push("fixed");
  if (before.expected !== after.expected) kinds.push("expected-changed");
  if (before.observed !== after.observed || before.httpStatus !== after.httpStatus || before.location !== after.location) kinds.push("observed-changed");
  if (answeringPodsChanged(before, after)) kinds.push("backends-changed");
  return kinds;
}

export function compareRuns(baseline: RunResults, current: RunResults): Regression {
  const counts = Object.fromEntries(CHANGE_KINDS.map((k) => [k, 0])) as Record<ChangeKind, number>;
  const changes: CellChange[] = [];
  const scenarios: ScenarioChange[] = [];
  const before = new Map(baseline.scenarios.map((s) => [s.name, s]));
  const after = new Map(current.scenarios.map((s) => [s.name, s]));
  const names = [...new Set([...current.scenarios.map((s) => s.name), ...baseline.scenarios.map((s) => s.name)])];
  for (const name of names) {
    const b = before.get(name);
    const a = after.get(name);
    if (b?.status !== a?.status) scenarios.push({ name, ...(b ? { before: b.status } : {}), ...(a ? { after: a.status } : {}) });
    const oldCells = new Map((b?.cells ?? []).map((c) => [cellId(c), c]));
    const seen = new Set<string>();
    const add = (change: Omit<CellChange, "kind">) => {
      const kind = change.kinds[0]!;
      counts[kind]++;
      changes.push({ ...change, kind });
    };
    for (const cell of a?.cells ?? []) {
      const id = cellId(cell);
      seen.add(id);
      const old = oldCells.get(id);
      const now = snapshot(cell);
      if (!old) {
        // A cell the baseline never probed: worth listing only for a scenario both runs have.
        if (b) add({ scenario: name, id, kinds: now.status === "failed" ? ["new-failure", "added"] : ["added"], after: now });
        continue;
      }
      const then = snapshot(old);
      const kinds = kindsOf(then, now);
      if (kinds.length) add({ scenario: name, id, kinds, before: then, after: now });
    }
    if (a) {
      for (const [id, old] of oldCells) if (!seen.has(id)) add({ scenario: name, id, kinds: ["removed"], before: snapshot(old) });
    }
  }
  const info = (r: RunResults) => ({ startedAt: r.startedAt, provider: r.provider, version: r.tool.version, summary: r.summary });
  return { baseline: info(baseline), current: info(current), counts, scenarios, changes };
}

export function readResults(path: string): RunResults {
  let text: string;
  try { text = readFileSync(path, "utf8"); } catch (error) {
    throw new ResultsFileError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let data: unknown;
  try { data = JSON.parse(text); } catch (error) {
    throw new ResultsFileError(`${path} is not JSON: ${(error as Error).message}`);
  }
  const r = data as Partial<RunResults>;
  if (!r || typeof r !== "object" || !Array.isArray(r.scenarios) || !r.summary || r.tool?.name !== "netspec") {
    throw new ResultsFileError(`${path} is not a netspec results.json (no tool.name "netspec", summary and scenarios)`);
  }
  return withStatusLists(r as RunResults);
}

/** HTTP cells' `status` as CellResult holds it (a list), from SPEC's `N | [N…]` (json.ts). */
function withStatusLists(results: RunResults): RunResults {
  for (const scenario of results.scenarios) {
    if (!Array.isArray(scenario.cells)) continue;
    (scenario as { cells: CellResult[] }).cells = scenario.cells.map((c) => {
      const status = c.status as unknown;
      return typeof status === "number" ? { ...c, status: [status] } : c;
    });
  }
  return results;
}

export class ResultsFileError extends Error {}

/** Control characters from a results file never reach the terminal as escape sequences. */
export function terminalSafe(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** An HTTP answer as the regression shows it: `301 to https://example.org/new`, `-` for none. */
export function answerText(s: CellSnapshot): string {
  return s.httpStatus === undefined ? "-" : `${s.httpStatus}${s.location !== undefined ? ` to ${s.location}` : ""}`;
}

/** The regression for a terminal: counts, scenarios whose status changed, then the cells. */
export function renderRegressionConsole(regression: Regression, style: Style, limit = 50): string {
  const out: string[] = [];
  const c = regression.counts;
  const total = regression.changes.length;
  out.push(style.bold(terminalSafe(`Changes since the baseline (${regression.baseline.startedAt}, ${regression.baseline.provider}):`)) +
    (total === 0 ? " none: every cell has the same outcome" : ""));
  if (total > 0) {
    out.push(`  ${CHANGE_KINDS.filter((k) => c[k] > 0).map((k) => {
      const text = `${c[k]} ${CHANGE_LABELS[k]}`;
      return k === "new-failure" ? style.red(text) : k === "fixed" ? style.green(text) : style.yellow(text);
    }).join(", ")}`);
  }
  const notRun = regression.scenarios.filter((s) => !s.after);
  for (const s of regression.scenarios) {
    if (!s.after && notRun.length > 3) continue;
    out.push(terminalSafe(`  scenario ${s.name}: ${s.before ?? "absent"} -> ${s.after ?? "not run"}`));
  }
  if (notRun.length > 3) out.push(style.dim(terminalSafe(`  ${notRun.length} scenarios of the baseline were not run: ${notRun.slice(0, 5).map((s) => s.name).join(", ")}${notRun.length > 5 ? ", …" : ""}`)));
  for (const change of regression.changes.slice(0, limit)) {
    const mark = change.kind === "new-failure" ? style.red("+✗") : change.kind === "fixed" ? style.green("-✗") : style.yellow(" Δ");
    const b = change.before;
    const a = change.after;
    const what = [
      b && a && b.expected !== a.expected ? `expected ${b.expected} -> ${a.expected}` : a ? `expected ${a.expected}` : `expected ${b!.expected}`,
      b && a ? (b.observed !== a.observed ? `observed ${b.observed} -> ${a.observed}` : `observed ${a.observed}`) : a ? `observed ${a.observed} (new)` : `observed ${b!.observed} (gone)`,
    ];
    if (b && a && (b.httpStatus !== a.httpStatus || b.location !== a.location)) what.push(`status ${answerText(b)} -> ${answerText(a)}`);
    if (b && a && change.kinds.includes("backends-changed")) what.push(`backends ${b.backends.join(",") || "-"} -> ${a.backends.join(",") || "-"}`);
    out.push(`  ${mark} ${terminalSafe(`${change.scenario}: ${change.id}: ${what.join(", ")}`)}`);
  }
  if (total > limit) out.push(style.dim(`  … and ${total - limit} more (see the HTML report or regression.json)`));
  return out.join("\n");
}
