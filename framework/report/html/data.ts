// The data the HTML report embeds: results.json made compact enough for 50 scenarios x 1,000
// cells in a few MB. Every string goes into one table (reasons and names repeat a lot); each
// matrix block (target kind, port, protocol, family) holds its row and column names and its
// cells as one flat array of numbers, CELL_STRIDE per cell.
//
// HTTP cells are not a matrix: each Gateway or Ingress, per port and family, is a table of the
// requests sent through it (rows) by each source (columns), its cells objects that say what
// answered (status, pod, what that pod received, the Location) beside what had to.
import { stringify } from "yaml";
import { blockKey, cellId, TARGET_KIND_LABELS, targetId, targetNamespace } from "../../scenario/target.js";
import type { CellResult, RunResults, ScenarioResult, ScenarioTopology } from "../../runner/results.js";
import {
  answeredBy, backendRequestText, expectationSource, expectedAnswerText, fullReceivedText, headersText, isHttpCell,
  observedAnswerText, redirectText, statusText, type HttpCell,
} from "../http-cell.js";
import { answerText, CHANGE_KINDS, CHANGE_LABELS, type CellSnapshot, type Regression } from "../regression.js";
import { SYMBOLS } from "../matrix-table.js";

export const EXPECTED = ["allow", "deny", "refused", "drop", "undefined", "dns-error"] as const;
export const OBSERVED = ["connected", "refused", "timeout", "dns-error", "error", "skipped"] as const;

/** Offsets in a block's flat cell array. */
export const F = {
  row: 0, col: 1, expected: 2, observed: 3, flags: 4, latency: 5, attempts: 6, backend: 7, backends: 8,
  reason: 9, source: 10, oracle: 11, mismatch: 12, detail: 13, change: 14, before: 15, client: 16,
} as const;
export const CELL_STRIDE = 17;
/** flags bits */
export const MATCH = 1;
export const SKIPPED = 2;

export interface BlockData {
  /** How the tab names the block's target kind (TARGET_KIND_LABELS). */
  readonly label: string;
  readonly port: number;
  readonly protocol: string;
  readonly family: string;
  /** String-table indexes of the sources (rows) and destinations (columns: targetId()). */
  readonly rows: number[];
  readonly cols: number[];
  /** String-table index of each column's namespace (targetNamespace()), for the filter. */
  readonly colNamespaces: number[];
  readonly cells: number[];
  readonly failed: number;
  readonly skipped: number;
  readonly changed: number;
}

/** An HTTP request as a row of its table: string-table indexes of each part. */
export interface HttpRequestRow {
  readonly method: number;
  readonly host: number;
  readonly path: number;
  /** `name=value` joined by `, ` (-1: none). */
  readonly headers: number;
}

/** One HTTP cell: numbers are string-table indexes (-1: none) unless named otherwise. */
export interface HttpCellData {
  /** Index of the request in HttpBlockData.requests, of the source in HttpBlockData.sources. */
  readonly row: number;
  readonly col: number;
  /** MATCH | SKIPPED. */
  readonly flags: number;
  /** Indexes in ReportData.expectedNames / observedNames. */
  readonly expected: number;
  readonly oracle: number;
  readonly observed: number;
  /** The answer expected and observed in one line each (http-cell.ts). */
  readonly want: number;
  readonly got: number;
  /** The observed status, a number (-1: none). */
  readonly status: number;
  readonly wantStatus: number;
  /** The pods that may answer, and those that did. */
  readonly mayAnswer: number;
  readonly answered: number;
  /** What the backend must receive, and what it did (its echo). */
  readonly wantRequest: number;
  readonly received: number;
  readonly wantRedirect: number;
  readonly location: number;
  readonly reason: number;
  /** expect.default, expect.rules[N], expect.http[N] or oracle. */
  readonly source: number;
  readonly mismatch: number;
  readonly detail: number;
  readonly latency: number;
  readonly attempts: number;
  /** Index in ReportData.changeKinds (-1: unchanged), and the baseline's outcome. */
  readonly change: number;
  readonly before: number;
}

/** A Gateway or an Ingress on one port and family: its requests (rows) by source (columns). */
export interface HttpBlockData {
  readonly label: string;
  /** String-table indexes of `to` and of its namespace (the destination-namespace filter). */
  readonly to: number;
  readonly toNamespace: number;
  readonly port: number;
  readonly protocol: string;
  readonly family: string;
  readonly requests: HttpRequestRow[];
  readonly sources: number[];
  readonly cells: HttpCellData[];
  readonly failed: number;
  readonly skipped: number;
  readonly changed: number;
}

export interface ScenarioData {
  readonly name: string;
  readonly file: string;
  readonly description?: string;
  readonly tags: readonly string[];
  readonly status: string;
  readonly durationMs: number;
  readonly phases: ScenarioResult["phases"];
  readonly error?: string;
  readonly counts: { cells: number; passed: number; failed: number; skipped: number; changed: number };
  readonly blocks: BlockData[];
  readonly httpBlocks: HttpBlockData[];
  readonly topology?: Omit<ScenarioTopology, "policies"> & { policies: { kind: string; name: string; namespace?: string; apiVersion: string; yaml: string }[] };
  readonly diagnostics?: Record<string, string>;
  /** Baseline status when it differs (regression view). */
  readonly baselineStatus?: string;
}

export interface ReportData {
  readonly version: 1;
  readonly title: string;
  readonly tool: RunResults["tool"];
  readonly provider: string;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly summary: RunResults["summary"];
  readonly interrupted?: boolean;
  readonly environment?: RunResults["environment"];
  readonly generatedAt: string;
  readonly strings: string[];
  readonly expectedNames: readonly string[];
  /** The matrix symbol of each expectation, the same as the text table's (matrix-table.ts). */
  readonly symbols: Readonly<Record<string, string>>;
  readonly observedNames: readonly string[];
  readonly changeKinds: readonly string[];
  readonly changeLabels: readonly string[];
  readonly scenarios: ScenarioData[];
  readonly regression?: {
    readonly baseline: Regression["baseline"];
    readonly counts: Record<string, number>;
    readonly scenarios: Regression["scenarios"];
    /** Cells the current run no longer has (they have no place in its matrices). */
    readonly removed: { scenario: string; id: string; before: string }[];
  };
}

export interface ReportOptions {
  readonly regression?: Regression;
  readonly title?: string;
  readonly generatedAt?: Date;
}

function snapshotText(s: CellSnapshot): string {
  const answer = s.httpStatus !== undefined ? ` ${answerText(s)}` : "";
  return `expected ${s.expected}, observed ${s.observed}${answer} (${s.status})${s.backends.length ? `, answered by ${s.backends.join(", ")}` : ""}`;
}

type StringIndex = (value: string | undefined) => number;

/** Builds a scenario's HTTP tables, one per Gateway or Ingress, port and family, in cell order. */
class HttpBlocks {
  private readonly blocks = new Map<string, { data: HttpBlockData; rowIndex: Map<string, number>; colIndex: Map<number, number> }>();

  constructor(private readonly str: StringIndex) {}

  add(cell: HttpCell, change: { kind: number; before: number } | undefined): void {
    const { str } = this;
    const key = `${cell.to} ${cell.port}/${cell.protocol} ${cell.family}`;
    let block = this.blocks.get(key);
    if (!block) {
      block = {
        data: {
          label: TARGET_KIND_LABELS.http.block, to: str(cell.to), toNamespace: str(targetNamespace(cell)),
          port: cell.port, protocol: cell.protocol, family: cell.family, requests: [], sources: [], cells: [], failed: 0, skipped: 0, changed: 0,
        },
        rowIndex: new Map(), colIndex: new Map(),
      };
      this.blocks.set(key, block);
    }
    const { data } = block;
    const requestKey = targetId(cell);
    let row = block.rowIndex.get(requestKey);
    if (row === undefined) {
      row = data.requests.length;
      const { method, host, path, headers } = cell.request;
      data.requests.push({ method: str(method), host: str(host), path: str(path), headers: str(headersText(headers, ", ")) });
      block.rowIndex.set(requestKey, row);
    }
    const from = str(cell.from);
    let col = block.colIndex.get(from);
    if (col === undefined) { col = data.sources.length; data.sources.push(from); block.colIndex.set(from, col); }
    const counts = data as { failed: number; skipped: number; changed: number };
    if (cell.skipped) counts.skipped++; else if (!cell.match) counts.failed++;
    if (change) counts.changed++;
    data.cells.push(httpCellData(cell, row, col, change, str));
  }

  all(): HttpBlockData[] {
    return [...this.blocks.values()].map((b) => b.data);
  }
}

function httpCellData(cell: HttpCell, row: number, col: number, change: { kind: number; before: number } | undefined, str: StringIndex): HttpCellData {
  const answered = answeredBy(cell);
  return {
    row, col, flags: (cell.match ? MATCH : 0) | (cell.skipped ? SKIPPED : 0),
    expected: EXPECTED.indexOf(cell.expected as (typeof EXPECTED)[number]), oracle: EXPECTED.indexOf(cell.oracle as (typeof EXPECTED)[number]),
    observed: OBSERVED.indexOf(cell.observed as (typeof OBSERVED)[number]),
    want: str(expectedAnswerText(cell)), got: str(observedAnswerText(cell)),
    status: cell.observedStatus ?? -1, wantStatus: str(statusText(cell.status)),
    mayAnswer: str(cell.backends?.join(", ")), answered: str(answered.join(", ")),
    wantRequest: str(cell.backendRequest ? backendRequestText(cell.backendRequest) : undefined),
    received: str(cell.observedRequest ? fullReceivedText(cell.observedRequest) : undefined),
    wantRedirect: str(cell.redirect ? redirectText(cell.redirect) : undefined), location: str(cell.observedLocation),
    reason: str(cell.reason), source: str(expectationSource(cell.source)), mismatch: str(cell.mismatch), detail: str(cell.detail),
    latency: Math.round(cell.latencyMs ?? -1), attempts: cell.attempts,
    change: change ? change.kind : -1, before: change ? change.before : -1,
  };
}

/** Counts a cell in its scenario's totals. */
function count(counts: ScenarioData["counts"], cell: CellResult, changed: boolean): void {
  counts.cells++;
  if (cell.skipped) counts.skipped++; else if (cell.match) counts.passed++; else counts.failed++;
  if (changed) counts.changed++;
}

export function buildReportData(results: RunResults, options: ReportOptions = {}): ReportData {
  const strings: string[] = [];
  const index = new Map<string, number>();
  const str = (value: string | undefined): number => {
    if (value === undefined || value === "") return -1;
    let i = index.get(value);
    if (i === undefined) { i = strings.length; strings.push(value); index.set(value, i); }
    return i;
  };
  const changes = new Map<string, { kind: number; before: number }>();
  for (const change of options.regression?.changes ?? []) {
    if (!change.after) continue;
    changes.set(`${change.scenario}\u0000${change.id}`, { kind: CHANGE_KINDS.indexOf(change.kind), before: change.before ? str(snapshotText(change.before)) : -1 });
  }
  const baselineStatus = new Map(options.regression?.scenarios.map((s) => [s.name, s.before ?? "absent"]) ?? []);

  const scenarios = results.scenarios.map((scenario): ScenarioData => {
    const blocks = new Map<string, { data: BlockData; rowIndex: Map<number, number>; colIndex: Map<number, number> }>();
    const counts = { cells: 0, passed: 0, failed: 0, skipped: 0, changed: 0 };
    const httpBlocks = new HttpBlocks(str);
    for (const cell of scenario.cells) {
      const change = changes.get(`${scenario.name}\u0000${cellId(cell)}`);
      count(counts, cell, change !== undefined);
      if (isHttpCell(cell)) { httpBlocks.add(cell, change); continue; }
      const key = blockKey(cell);
      let block = blocks.get(key);
      if (!block) {
        block = {
          data: {
            label: TARGET_KIND_LABELS[cell.target].block, port: cell.port, protocol: cell.protocol, family: cell.family,
            rows: [], cols: [], colNamespaces: [], cells: [], failed: 0, skipped: 0, changed: 0,
          },
          rowIndex: new Map(), colIndex: new Map(),
        };
        blocks.set(key, block);
      }
      const from = str(cell.from);
      const to = str(targetId(cell));
      let r = block.rowIndex.get(from);
      if (r === undefined) { r = block.data.rows.length; block.data.rows.push(from); block.rowIndex.set(from, r); }
      let c = block.colIndex.get(to);
      if (c === undefined) {
        c = block.data.cols.length;
        block.data.cols.push(to);
        block.data.colNamespaces.push(str(targetNamespace(cell)));
        block.colIndex.set(to, c);
      }
      const flags = (cell.match ? MATCH : 0) | (cell.skipped ? SKIPPED : 0);
      const d = block.data as { failed: number; skipped: number; changed: number };
      if (cell.skipped) d.skipped++; else if (!cell.match) d.failed++;
      if (change) d.changed++;
      const answered = answeredBy(cell);
      const backends = answered.length > 1 ? answered.join(", ") : undefined;
      block.data.cells.push(
        r, c, EXPECTED.indexOf(cell.expected as (typeof EXPECTED)[number]), OBSERVED.indexOf(cell.observed as (typeof OBSERVED)[number]), flags,
        Math.round(cell.latencyMs ?? -1), cell.attempts, str(cell.backend), str(backends),
        str(cell.reason), str(cell.source), EXPECTED.indexOf(cell.oracle as (typeof EXPECTED)[number]), str(cell.mismatch), str(cell.detail),
        change ? change.kind : -1, change ? change.before : -1,
        str(cell.observedClient ? `${cell.observedClient}${cell.clientAddress ? ` (${cell.clientAddress} required)` : ""}` : undefined),
      );
    }
    const topology = scenario.topology ? {
      ...scenario.topology,
      policies: scenario.topology.policies.map((p) => ({
        apiVersion: p.apiVersion, kind: p.kind, name: p.name, ...(p.namespace ? { namespace: p.namespace } : {}),
        yaml: stringify(p.object, { lineWidth: 0 }),
      })),
    } : undefined;
    const status = baselineStatus.get(scenario.name);
    return {
      name: scenario.name, file: scenario.file, ...(scenario.description ? { description: scenario.description } : {}), tags: scenario.tags,
      status: scenario.status, durationMs: scenario.durationMs, phases: scenario.phases, ...(scenario.error ? { error: scenario.error } : {}),
      counts, blocks: [...blocks.values()].map((b) => b.data), httpBlocks: httpBlocks.all(),
      ...(topology ? { topology } : {}),
      ...(scenario.diagnostics && Object.keys(scenario.diagnostics).length ? { diagnostics: scenario.diagnostics } : {}),
      ...(status !== undefined ? { baselineStatus: status } : {}),
    };
  });

  const regression = options.regression ? {
    baseline: options.regression.baseline,
    counts: options.regression.counts,
    scenarios: options.regression.scenarios,
    removed: options.regression.changes.filter((c) => !c.after).map((c) => ({ scenario: c.scenario, id: c.id, before: c.before ? snapshotText(c.before) : "" })),
  } : undefined;

  return {
    version: 1,
    title: options.title ?? "netspec report",
    tool: results.tool, provider: results.provider, startedAt: results.startedAt, durationMs: results.durationMs,
    summary: results.summary,
    ...(results.interrupted ? { interrupted: true } : {}),
    ...(results.environment ? { environment: results.environment } : {}),
    generatedAt: (options.generatedAt ?? new Date()).toISOString(),
    strings, expectedNames: EXPECTED, symbols: SYMBOLS, observedNames: OBSERVED,
    changeKinds: CHANGE_KINDS, changeLabels: CHANGE_KINDS.map((k) => CHANGE_LABELS[k]),
    scenarios,
    ...(regression ? { regression } : {}),
  };
}

/**
 * JSON that is inert inside a <script type="application/json"> element: no `<` (so no
 * `</script>` or `<!--`), no `>` or `&`, and no U+2028/U+2029 (line terminators in old JS).
 */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}
