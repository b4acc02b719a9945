// results.json (SPEC.md), rewritten atomically after every finished scenario so an interrupted
// run keeps what it probed.
//
// Every field a CellResult holds is written. HTTP cells take SPEC's HTTP cell ("Layer 7"): the
// key and the request, `expected`, `status` (one number, or the list when several may answer,
// as `netspec expect --format json` writes it), `backends`, `backendRequest`, `redirect`, the
// reason, then what was observed; readResults() (regression.ts) reads either form of `status` back.
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { CellResult, RunResults } from "../runner/results.js";

/** Writes `value` as `dir/name` via a temporary file and a rename, so readers never see half a file. */
export function writeJsonAtomically(dir: string, name: string, value: unknown): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(temporary, path);
  return path;
}

/** SPEC's order for an HTTP cell's fields; any other field follows, as the cell holds it. */
const HTTP_CELL_ORDER = [
  "from", "to", "target", "port", "protocol", "family", "request", "expected", "status", "backends", "backendRequest", "redirect",
  "observed", "observedStatus", "backend", "observedBackends", "observedRequest", "observedLocation", "match", "mismatch", "reason",
] as const;

/** An HTTP cell in SPEC's shape, every field kept. */
export function httpCellJson(cell: CellResult): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const fields = cell as unknown as Record<string, unknown>;
  for (const key of HTTP_CELL_ORDER) if (fields[key] !== undefined) out[key] = fields[key];
  if (cell.status) out.status = cell.status.length === 1 ? cell.status[0] : cell.status;
  for (const [key, value] of Object.entries(fields)) if (!(key in out) && value !== undefined) out[key] = value;
  return out;
}

/** The run as results.json holds it. */
export function resultsJson(results: RunResults): unknown {
  return {
    ...results,
    scenarios: results.scenarios.map((s) => ({ ...s, cells: s.cells.map((c) => (c.target === "http" ? httpCellJson(c) : c)) })),
  };
}

export function writeJsonResults(dir: string, results: RunResults): string {
  return writeJsonAtomically(dir, "results.json", resultsJson(results));
}
