// The matrix as text, the way cyclonus users read it: one block per target kind, port,
// protocol and family; rows are sources, columns destinations; `.` allow, `X` deny. HTTP
// requests are a block per Gateway or Ingress, port and family, as the HTML report draws them:
// rows are requests, columns sources, each cell the symbol and the statuses that may answer.
import { blockKey, targetId, type CellKey } from "../scenario/target.js";
import type { ExpectedResult } from "../scenario/schema.js";
import { requestText } from "./http-cell.js";

export const SYMBOLS: Record<ExpectedResult, string> = {
  allow: ".", deny: "X", refused: "R", drop: "D", undefined: "?", "dns-error": "E",
};

export const LEGEND = "legend: . allow  X deny  R refused  D drop  ? undefined  E dns-error";

export interface TableCell extends CellKey {
  readonly expected: ExpectedResult;
  /** HTTP cells: the statuses the oracle says may answer, and those the `expect.http` entry asserts. */
  readonly http?: { readonly status: readonly number[] };
  readonly expectedHttp?: { readonly status?: readonly number[] };
}

/** Where a cell goes: its block's title, its row and its column. */
function place(cell: TableCell): { block: string; row: string; col: string } {
  if (cell.request) return { block: `http ${cell.to} ${cell.port}/${cell.protocol} ${cell.family}`, row: requestText(cell.request), col: cell.from };
  return { block: blockKey(cell), row: cell.from, col: targetId(cell) };
}

/** An HTTP cell's text: the symbol, then the statuses that may answer (`. 200`, `. 500|503`, `X`). */
function httpText(cell: TableCell, symbol: string): string {
  const status = cell.expectedHttp?.status ?? cell.http?.status ?? [];
  return status.length > 0 && cell.expected !== "deny" ? `${symbol} ${status.join("|")}` : symbol;
}

export function renderMatrixTables(cells: Iterable<TableCell>, symbol: (cell: TableCell) => string = (c) => SYMBOLS[c.expected]): string {
  const blocks = new Map<string, { cell: TableCell; row: string; col: string }[]>();
  for (const cell of cells) {
    const { block, row, col } = place(cell);
    const list = blocks.get(block) ?? [];
    list.push({ cell, row, col });
    blocks.set(block, list);
  }
  const out: string[] = [];
  for (const [title, list] of blocks) {
    const rows = unique(list.map((c) => c.row));
    const cols = unique(list.map((c) => c.col));
    const grid = new Map(list.map(({ cell, row, col }) => [`${row}\u0000${col}`, cell.request ? httpText(cell, symbol(cell)) : symbol(cell)]));
    const rowWidth = Math.max(...rows.map((r) => r.length), 4);
    const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => grid.get(`${r}\u0000${c}`)?.length ?? 1)));
    out.push(`${title}:`);
    out.push(`${" ".repeat(rowWidth)} | ${cols.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`);
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
