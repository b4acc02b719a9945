// The matrix as text, the way cyclonus users read it: one block per target kind, port,
// protocol and family; rows are sources, columns destinations; `.` allow, `X` deny.
import { blockKey, targetId, type CellKey } from "../scenario/target.js";
import type { ExpectedResult } from "../scenario/schema.js";

export const SYMBOLS: Record<ExpectedResult, string> = {
  allow: ".", deny: "X", refused: "R", drop: "D", undefined: "?", "dns-error": "E",
};

export const LEGEND = "legend: . allow  X deny  R refused  D drop  ? undefined  E dns-error";

export interface TableCell extends CellKey {
  readonly expected: ExpectedResult;
}

export function renderMatrixTables(cells: Iterable<TableCell>, symbol: (cell: TableCell) => string = (c) => SYMBOLS[c.expected]): string {
  const blocks = new Map<string, TableCell[]>();
  for (const cell of cells) {
    const key = blockKey(cell);
    const list = blocks.get(key) ?? [];
    list.push(cell);
    blocks.set(key, list);
  }
  const out: string[] = [];
  for (const [title, list] of blocks) {
    const rows = unique(list.map((c) => c.from));
    const cols = unique(list.map(targetId));
    const grid = new Map(list.map((c) => [`${c.from}\u0000${targetId(c)}`, symbol(c)]));
    const rowWidth = Math.max(...rows.map((r) => r.length), 4);
    const widths = cols.map((c) => Math.max(c.length, 1));
    out.push(`${title}:`);
    out.push(`${" ".repeat(rowWidth)} | ${cols.join(" | ")} |`);
    out.push(`${"-".repeat(rowWidth)}-+-${widths.map((w) => "-".repeat(w)).join("-+-")}-+`);
    for (const row of rows) {
      const line = cols.map((col, i) => center(grid.get(`${row}\u0000${col}`) ?? " ", widths[i]!));
      out.push(`${row.padEnd(rowWidth)} | ${line.join(" | ")} |`);
    }
    out.push("");
  }
  out.push(LEGEND);
  return out.join("\n");
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function center(text: string, width: number): string {
  const left = Math.floor((width - text.length) / 2);
  return " ".repeat(Math.max(0, left)) + text + " ".repeat(Math.max(0, width - text.length - left));
}
