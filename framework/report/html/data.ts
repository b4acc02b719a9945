// The data the HTML report embeds: results.json made compact enough for 50 scenarios x 1,000
// cells in a few MB. Every string goes into one table (reasons and names repeat a lot); each
// matrix block (target kind, port, protocol, family) holds its row and column names and its
// cells as one flat array of numbers, CELL_STRIDE per cell.
import { stringify } from "yaml";
import { blockKey, cellId, TARGET_KIND_LABELS, targetId, targetNamespace } from "../../scenario/target.js";
import type { RunResults, ScenarioResult, ScenarioTopology } from "../../runner/results.js";
import { CHANGE_KINDS, CHANGE_LABELS, type CellSnapshot, type Regression } from "../regression.js";
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
  return `expected ${s.expected}, observed ${s.observed} (${s.status})${s.backends.length ? `, answered by ${s.backends.join(", ")}` : ""}`;
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
    for (const cell of scenario.cells) {
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
      const change = changes.get(`${scenario.name}\u0000${cellId(cell)}`);
      const flags = (cell.match ? MATCH : 0) | (cell.skipped ? SKIPPED : 0);
      const d = block.data as { failed: number; skipped: number; changed: number };
      counts.cells++;
      if (cell.skipped) { counts.skipped++; d.skipped++; } else if (cell.match) counts.passed++; else { counts.failed++; d.failed++; }
      if (change) { counts.changed++; d.changed++; }
      const backends = cell.backends && cell.backends.length > 1 ? cell.backends.join(", ") : undefined;
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
      counts, blocks: [...blocks.values()].map((b) => b.data),
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
