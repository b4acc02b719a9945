// The HTML report's connection matrices, in the browser: one per block (target kind, port,
// protocol, family), sources as rows and destinations as columns. A cell shows the text table's
// symbol for what was expected, and on a failure what was observed after it; hovering tells
// more (the row and column headers light up), and clicking pins the cell's facts beside it.
//
// These functions run in the page, not in Node: index.ts inlines their source text beside
// reportClient(), so each may use only its parameters, the DOM and the other inlined functions
// (no imports at run time, no module constants). A block's cells are one flat array of numbers,
// kit.layout.stride per cell, read at kit.layout.fields offsets. Text goes through textContent only.
import type { BlockData, ScenarioData } from "./data.js";
import type { ClientKit, MismatchRow } from "./client-kit.js";
import { showCellTooltip, wireCellSelection } from "./table-client.js";

/** The namespace of a source: sources are pods (`ns/pod`); a column's namespace comes with the data (scenario/target.ts). */
export function sourceNamespace(ref: string): string {
  return ref.split("/")[0] || "";
}

/** `Pod 8080/TCP ipv4`: the block's tab. */
export function matrixTabTitle(block: BlockData): string {
  return `${block.label} ${block.port}/${block.protocol} ${block.family}`;
}

/** Where an expectation came from, as the scenario file spells it: `oracle`, `expect.default`, `expect.rules[2]`. */
function expectationSourceText(source: string): string {
  return source === "oracle" ? "oracle" : source === "default" ? "expect.default" : source.startsWith("rule ") ? `expect.rules[${source.slice(5)}]` : source;
}

/** Whether the filters keep the block: its family, failures or changes in it. */
export function matrixBlockVisible(kit: ClientKit, block: BlockData): boolean {
  const filters = kit.filters;
  if (filters.family && block.family !== filters.family) return false;
  if (filters.failedOnly && block.failed === 0) return false;
  if (filters.changedOnly && block.changed === 0) return false;
  return true;
}

/** A cell's verdict from its flags. */
function matrixCellStatus(kit: ClientKit, block: BlockData, cell: number): "passed" | "failed" | "skipped" {
  const { fields, stride, match, skipped } = kit.layout;
  const flags = block.cells[cell * stride + fields.flags]!;
  return flags & skipped ? "skipped" : flags & match ? "passed" : "failed";
}

/** `ops/debug → shop/api  8080/TCP ipv4`. */
function matrixCellTitle(kit: ClientKit, block: BlockData, cell: number): string {
  const { fields, stride } = kit.layout;
  const offset = cell * stride;
  return `${kit.str(block.rows[block.cells[offset + fields.row]!]!)} → ${kit.str(block.cols[block.cells[offset + fields.col]!]!)}  ${block.port}/${block.protocol} ${block.family}`;
}

/** The cell's facts, for the tooltip and the details pane: expected and by whom, observed, backend, timing, mismatch, reason, change. */
function matrixCellFacts(kit: ClientKit, block: BlockData, cell: number): [string, string][] {
  const { data, str } = kit;
  const { fields, stride, skipped } = kit.layout;
  const offset = cell * stride;
  const field = (at: number) => block.cells[offset + at]!;
  const flags = field(fields.flags);
  const facts: [string, string][] = [];
  const expected = data.expectedNames[field(fields.expected)] || "?";
  const oracle = data.expectedNames[field(fields.oracle)] || "?";
  const source = str(field(fields.source));
  facts.push(["expected", `${expected} (${expectationSourceText(source)})`]);
  if (oracle !== expected || source !== "oracle") facts.push(["oracle", oracle]);
  facts.push(["observed", data.observedNames[field(fields.observed)] || "?"]);
  if (field(fields.backend) >= 0) facts.push(["backend", str(field(fields.backend))]);
  if (field(fields.backends) >= 0) facts.push(["backends", str(field(fields.backends))]);
  if (field(fields.client) >= 0) facts.push(["client address seen", str(field(fields.client))]);
  if (field(fields.latency) >= 0 && !(flags & skipped)) facts.push(["latency", `${field(fields.latency)} ms`]);
  facts.push(["attempts", String(field(fields.attempts))]);
  if (field(fields.mismatch) >= 0) facts.push(["mismatch", str(field(fields.mismatch))]);
  facts.push(["reason", str(field(fields.reason))]);
  if (field(fields.detail) >= 0) facts.push(["detail", str(field(fields.detail))]);
  if (field(fields.change) >= 0) facts.push(["change", `${data.changeLabels[field(fields.change)]}${field(fields.before) >= 0 ? `; baseline: ${str(field(fields.before))}` : ""}`]);
  return facts;
}

/** The hover text: the cell, its verdict, and its facts (long ones cut). */
function matrixTooltipText(kit: ClientKit, block: BlockData, cell: number): string {
  const status = matrixCellStatus(kit, block, cell);
  const lines = [matrixCellTitle(kit, block, cell), status === "failed" ? "✗ FAILED" : status === "skipped" ? "– skipped" : "✓ passed"];
  for (const [name, value] of matrixCellFacts(kit, block, cell)) if (name !== "attempts") lines.push(`${name}: ${value.length > 160 ? `${value.slice(0, 157)}…` : value}`);
  return lines.join("\n");
}

/** The pinned details of a cell. */
function showMatrixDetails(kit: ClientKit, details: HTMLElement, block: BlockData, cell: number): void {
  const { el, add } = kit;
  details.textContent = "";
  const status = matrixCellStatus(kit, block, cell);
  add(details, el("h4", "", matrixCellTitle(kit, block, cell)));
  add(details, el("div", `verdict-line ${status === "failed" ? "fail" : status === "skipped" ? "skip" : "pass"}`, status === "failed" ? "✗ failed" : status === "skipped" ? "– skipped" : "✓ passed"));
  const list = add(details, el("dl"));
  for (const [name, value] of matrixCellFacts(kit, block, cell)) { add(list, el("dt", "", name)); add(list, el("dd", "", value)).dataset.fact = name; }
}

/** Which rows (sources) and columns (destinations) of a block the filters keep. */
function matrixKeptLines(kit: ClientKit, block: BlockData): { rows: number[]; cols: number[] } {
  const { filters, str } = kit;
  const { fields, stride, match, skipped } = kit.layout;
  const rowKeep = block.rows.map((row) => !filters.fromNs || sourceNamespace(str(row)) === filters.fromNs);
  const colKeep = block.colNamespaces.map((namespace) => !filters.toNs || str(namespace) === filters.toNs);
  if (filters.failedOnly || filters.changedOnly) {
    const rowHit = block.rows.map(() => false);
    const colHit = block.cols.map(() => false);
    for (let i = 0; i < block.cells.length / stride; i++) {
      const offset = i * stride;
      const hit = (filters.failedOnly ? !(block.cells[offset + fields.flags]! & (match | skipped)) : true) && (filters.changedOnly ? block.cells[offset + fields.change]! >= 0 : true);
      if (hit) { rowHit[block.cells[offset + fields.row]!] = true; colHit[block.cells[offset + fields.col]!] = true; }
    }
    rowHit.forEach((hit, i) => { if (!hit) rowKeep[i] = false; });
    colHit.forEach((hit, i) => { if (!hit) colKeep[i] = false; });
  }
  return { rows: block.rows.map((_, i) => i).filter((i) => rowKeep[i]), cols: block.cols.map((_, i) => i).filter((i) => colKeep[i]) };
}

/** Fills a matrix cell: its class (allow, deny, undef, fail, skip; chg and fixed for changes) and symbol. */
function fillMatrixCell(kit: ClientKit, td: HTMLElement, block: BlockData, cell: number): void {
  const { data } = kit;
  const { fields, stride, match, skipped } = kit.layout;
  const offset = cell * stride;
  const flags = block.cells[offset + fields.flags]!;
  const expected = data.expectedNames[block.cells[offset + fields.expected]!] || "";
  const change = block.cells[offset + fields.change]!;
  let cls: string;
  let text = data.symbols[expected] || "?";
  if (flags & skipped) { cls = "skip"; text = "–"; }
  else if (!(flags & match)) { cls = "fail"; text = text + (observedSymbol(data.observedNames[block.cells[offset + fields.observed]!] || "") || "!"); td.tabIndex = 0; }
  else cls = expected === "allow" ? "allow" : expected === "undefined" ? "undef" : "deny";
  if (change >= 0) { cls += " chg"; if (data.changeKinds[change] === "fixed") cls += " fixed"; }
  td.className = cls;
  td.textContent = text;
  td.dataset.i = String(cell);
}

/** What a failed cell shows after the expectation's symbol: `.` connected, `R` refused, `D` dropped (timeout), ... */
function observedSymbol(observed: string): string | undefined {
  const symbols: Record<string, string> = { connected: ".", refused: "R", timeout: "D", "dns-error": "E", error: "!", skipped: "–" };
  return symbols[observed];
}

/** Draws one block with its details pane; `selected` is the pinned cell, `onSelect` tells the page which one is. */
export function renderMatrix(kit: ClientKit, body: HTMLElement, block: BlockData, tab: number, selected: number | undefined, onSelect: (cell: number) => void): void {
  const { el, add, str, tip } = kit;
  const { fields, stride } = kit.layout;
  const area = add(body, el("div", "matrix-area"));
  const wrap = add(area, el("div", "matrix-wrap"));
  const details = add(area, el("aside", "details"));
  details.setAttribute("aria-live", "polite");
  add(details, el("div", "hint", "Click a cell to see expected, observed, latency, the answering backend and the reason."));
  const cellCount = block.cells.length / stride;
  const { rows, cols } = matrixKeptLines(kit, block);
  if (!rows.length || !cols.length) { wrap.remove(); add(area, el("div", "empty", "No cell of this block matches the filters.")); area.insertBefore(details, null); return; }
  // The cell at each row and column, -1 where the block has none.
  const grid = new Int32Array(block.rows.length * block.cols.length).fill(-1);
  for (let i = 0; i < cellCount; i++) grid[block.cells[i * stride + fields.row]! * block.cols.length + block.cells[i * stride + fields.col]!] = i;

  const table = add(wrap, el("table", "matrix"));
  table.dataset.block = String(tab);
  const headRow = add(add(table, el("thead")), el("tr"));
  add(headRow, el("th", "corner", "from ↓  to →"));
  const colHeads: HTMLElement[] = [];
  for (const col of cols) {
    const th = add(headRow, el("th"));
    const name = str(block.cols[col]!);
    th.title = name;
    add(th, el("span", "col", name));
    colHeads[col] = th;
  }
  const tbody = add(table, el("tbody"));
  const rowHeads: HTMLElement[] = [];
  const fragment = document.createDocumentFragment();
  for (const row of rows) {
    const tr = add(fragment, el("tr"));
    const th = add(tr, el("th", "", str(block.rows[row]!)));
    th.title = str(block.rows[row]!);
    rowHeads[row] = th;
    for (const col of cols) {
      const cell = grid[row * block.cols.length + col]!;
      const td = add(tr, el("td"));
      if (cell < 0) { td.className = "e"; continue; }
      fillMatrixCell(kit, td, block, cell);
    }
  }
  tbody.appendChild(fragment);

  const cellAt = (target: EventTarget | null): HTMLElement | null => {
    const node = target as HTMLElement | null;
    return node && node.tagName === "TD" && node.dataset.i !== undefined ? node : null;
  };
  // The row and column headers of the hovered cell, lit.
  let lit: HTMLElement[] = [];
  table.addEventListener("mouseover", (event) => {
    const td = cellAt(event.target);
    lit.forEach((head) => head.classList.remove("hl"));
    lit = [];
    if (!td) { tip.style.display = "none"; return; }
    const cell = Number(td.dataset.i);
    const offset = cell * stride;
    const rowHead = rowHeads[block.cells[offset + fields.row]!];
    const colHead = colHeads[block.cells[offset + fields.col]!];
    if (rowHead) lit.push(rowHead); if (colHead) lit.push(colHead);
    lit.forEach((head) => head.classList.add("hl"));
    showCellTooltip(tip, td, matrixTooltipText(kit, block, cell));
  });
  table.addEventListener("mouseleave", () => { tip.style.display = "none"; lit.forEach((head) => head.classList.remove("hl")); lit = []; });
  const select = (td: HTMLElement) => {
    table.querySelectorAll("td.sel").forEach((other) => other.classList.remove("sel"));
    td.classList.add("sel");
    onSelect(Number(td.dataset.i));
    showMatrixDetails(kit, details, block, Number(td.dataset.i));
  };
  wireCellSelection(table, cellAt, select, selected);
}

/** What a matrix's colours and symbols mean. */
export function matrixLegend(kit: ClientKit, parent: HTMLElement): void {
  const { el, add } = kit;
  const legend = add(parent, el("div", "legend"));
  const swatch = (cls: string, symbol: string, text: string) => {
    const span = add(legend, el("span"));
    add(span, el("span", `sw ${cls}`, symbol));
    add(span, document.createTextNode(text));
  };
  swatch("allow-sw", ".", "allowed");
  swatch("deny-sw", "X", "denied (R refused, D dropped)");
  swatch("undef-sw", "?", "undefined by Kubernetes");
  swatch("fail-sw", ".D", "FAILED: expected then observed");
  swatch("skip-sw", "–", "skipped");
  if (kit.data.regression) swatch("chg-sw", "◥", "changed since baseline");
  add(legend, el("span", "", "rows: sources · columns: destinations · hover or click a cell for details"));
}

/** A scenario's failed or changed matrix cells, for its list of mismatches (`block` is the matrix block). */
export function matrixMismatchRows(kit: ClientKit, scenario: ScenarioData): MismatchRow[] {
  const { data, str } = kit;
  const { fields, stride } = kit.layout;
  const rows: MismatchRow[] = [];
  scenario.blocks.forEach((block, blockIndex) => {
    for (let i = 0; i < block.cells.length / stride; i++) {
      const offset = i * stride;
      const field = (at: number) => block.cells[offset + at]!;
      const failed = matrixCellStatus(kit, block, i) === "failed";
      const change = field(fields.change);
      if (!failed && !(data.regression && change >= 0)) continue;
      rows.push({
        failed, title: matrixCellTitle(kit, block, i),
        expected: `${data.expectedNames[field(fields.expected)]} (${expectationSourceText(str(field(fields.source)))})`,
        observed: data.observedNames[field(fields.observed)] || "",
        backend: str(field(fields.backend)), why: str(field(fields.mismatch)) || str(field(fields.reason)),
        change: change >= 0 ? `${data.changeLabels[change]}${field(fields.before) >= 0 ? ` (was ${str(field(fields.before))})` : ""}` : "",
        block: blockIndex, cell: i,
      });
    }
  });
  return rows;
}

/** Every function above, in the order index.ts inlines them. */
export const MATRIX_CLIENT = [
  sourceNamespace, matrixTabTitle, expectationSourceText, matrixBlockVisible, matrixCellStatus, matrixCellTitle, matrixCellFacts,
  matrixTooltipText, showMatrixDetails, matrixKeptLines, fillMatrixCell, observedSymbol, renderMatrix, matrixLegend, matrixMismatchRows,
] as const;
