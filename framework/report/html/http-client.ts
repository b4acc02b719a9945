// The HTML report's HTTP tables, in the browser: each Gateway or Ingress (per port and family) is
// a table of the requests sent through it (rows: method, host, path, headers) by each source
// (columns). A cell shows the status that answered and the pod that did; a failed one shows
// what was expected beside what was observed; hovering tells more, and clicking pins the whole
// story: both answers side by side, what the backend received, the Location, the reason.
//
// These functions run in the page, not in Node: index.ts inlines their source text beside
// reportClient(), so each may use only its parameters, the DOM and the other functions listed in
// HTTP_CLIENT (no imports at run time, no module constants). What they share with the rest of
// the page comes in a ClientKit. Text reaches the page through textContent only.
import type { ClientKit, MismatchRow } from "./client-kit.js";
import { showCellTooltip, wireCellSelection } from "./table-client.js";
import type { HttpBlockData, HttpCellData, HttpRequestRow, ScenarioData } from "./data.js";

/** `HTTP gateway/infra/gw 80/TCP ipv4`: the table's tab. */
export function httpTabTitle(kit: ClientKit, b: HttpBlockData): string {
  return `${b.label} ${kit.str(b.to)} ${b.port}/${b.protocol} ${b.family}`;
}

/** A cell's verdict from its flags (data.ts: MATCH 1, SKIPPED 2). */
function httpCellStatus(c: HttpCellData): "passed" | "failed" | "skipped" {
  return c.flags & 2 ? "skipped" : c.flags & 1 ? "passed" : "failed";
}

/** `GET foo.example.com/v2 [version=two]`. */
function httpRequestText(kit: ClientKit, r: HttpRequestRow): string {
  const headers = kit.str(r.headers);
  return `${kit.str(r.method)} ${kit.str(r.host)}${kit.str(r.path)}${headers ? ` [${headers}]` : ""}`;
}

/** `external → gateway/infra/gw:80 GET foo.example.com/v2 ipv4`. */
function httpCellTitle(kit: ClientKit, b: HttpBlockData, c: HttpCellData): string {
  return `${kit.str(b.sources[c.col]!)} → ${kit.str(b.to)}:${b.port} ${httpRequestText(kit, b.requests[c.row]!)} ${b.family}`;
}

/** Whether the filters keep the table: its family, its namespace, failures or changes in it. */
export function httpBlockVisible(kit: ClientKit, b: HttpBlockData): boolean {
  const f = kit.filters;
  if (f.family && b.family !== f.family) return false;
  if (f.toNs && kit.str(b.toNamespace) !== f.toNs) return false;
  if (f.failedOnly && b.failed === 0) return false;
  if (f.changedOnly && b.changed === 0) return false;
  return true;
}

/** The expected and the observed answer, short enough for a table cell: `200 · infra/v2-0`. */
function httpShortAnswers(kit: ClientKit, c: HttpCellData): { want: string; got: string } {
  const expected = kit.data.expectedNames[c.expected] || "?";
  const observed = kit.data.observedNames[c.observed] || "?";
  const want = expected === "deny" ? "deny" : [kit.str(c.wantStatus) || expected, kit.str(c.mayAnswer)].filter(Boolean).join(" · ");
  const got = observed !== "connected" ? observed : [c.status >= 0 ? String(c.status) : "no HTTP answer", kit.str(c.answered)].filter(Boolean).join(" · ");
  return { want, got };
}

/** Fills a table cell: status and pod (or a redirect's Location); expected beside observed when it failed. */
function fillHttpCell(kit: ClientKit, td: HTMLElement, c: HttpCellData): void {
  const { el, add } = kit;
  const status = httpCellStatus(c);
  const expected = kit.data.expectedNames[c.expected] || "";
  const answers = httpShortAnswers(kit, c);
  let cls: string;
  if (status === "skipped") { cls = "skip"; td.textContent = "–"; }
  else if (status === "failed") {
    cls = "fail";
    const want = add(td, el("span", "want"));
    add(want, el("span", "k", "expected"));
    add(want, el("span", "v", answers.want));
    const got = add(td, el("span", "got"));
    add(got, el("span", "k", "observed"));
    add(got, el("span", "v", answers.got));
  } else {
    cls = expected === "allow" ? "allow" : expected === "undefined" ? "undef" : "deny";
    if (expected === "deny") td.textContent = `${kit.data.symbols.deny} ${answers.got}`;
    else {
      add(td, el("span", "st", c.status >= 0 ? String(c.status) : answers.got));
      if (c.answered >= 0) add(td, el("span", "be", kit.str(c.answered)));
      else if (c.location >= 0) add(td, el("span", "be", `→ ${kit.str(c.location)}`));
    }
  }
  if (c.change >= 0) { cls += " chg"; if (kit.data.changeKinds[c.change] === "fixed") cls += " fixed"; }
  td.className = cls;
}

/** The cell's facts beyond the answers: the connection, who expected it, timing, mismatch, reason, change. */
function httpCellFacts(kit: ClientKit, c: HttpCellData): [string, string][] {
  const { str, data } = kit;
  const expected = data.expectedNames[c.expected] || "?";
  const oracle = data.expectedNames[c.oracle] || "?";
  const facts: [string, string][] = [];
  facts.push(["expected", `${str(c.want)} (${str(c.source)})`]);
  facts.push(["observed", str(c.got)]);
  facts.push(["connection", `expected ${expected}${oracle !== expected ? ` (oracle: ${oracle})` : ""}, observed ${data.observedNames[c.observed] || "?"}`]);
  if (c.received >= 0) facts.push(["backend received", str(c.received)]);
  if (c.latency >= 0 && !(c.flags & 2)) facts.push(["latency", `${c.latency} ms`]);
  facts.push(["attempts", String(c.attempts)]);
  if (c.mismatch >= 0) facts.push(["mismatch", str(c.mismatch)]);
  facts.push(["reason", str(c.reason)]);
  if (c.detail >= 0) facts.push(["detail", str(c.detail)]);
  if (c.change >= 0) facts.push(["change", `${data.changeLabels[c.change]}${c.before >= 0 ? `; baseline: ${str(c.before)}` : ""}`]);
  return facts;
}

/** The hover text: the cell, its verdict, and its facts (long ones cut). */
function httpTooltipText(kit: ClientKit, b: HttpBlockData, c: HttpCellData): string {
  const status = httpCellStatus(c);
  const lines = [httpCellTitle(kit, b, c), status === "failed" ? "✗ FAILED" : status === "skipped" ? "– skipped" : "✓ passed"];
  for (const [k, v] of httpCellFacts(kit, c)) if (k !== "attempts") lines.push(`${k}: ${v.length > 160 ? `${v.slice(0, 157)}…` : v}`);
  return lines.join("\n");
}

/** Expected and observed side by side: status, answering pods, what the backend received, the Location. */
function renderHttpComparison(kit: ClientKit, parent: HTMLElement, c: HttpCellData): void {
  const { el, add, str, data } = kit;
  const expected = data.expectedNames[c.expected] || "?";
  const observed = data.observedNames[c.observed] || "?";
  const rows: [string, string, string][] = [
    ["status", expected === "deny" ? "no HTTP answer (deny)" : str(c.wantStatus) || `any (${expected})`, observed !== "connected" ? observed : c.status >= 0 ? String(c.status) : "no HTTP answer"],
    ["answered by", str(c.mayAnswer), str(c.answered)],
    ["backend received", str(c.wantRequest), str(c.received)],
    ["Location", str(c.wantRedirect), str(c.location)],
  ];
  const table = add(parent, el("table", "compare"));
  const head = add(add(table, el("thead")), el("tr"));
  ["", "expected", "observed"].forEach((h) => add(head, el("th", "", h)));
  const body = add(table, el("tbody"));
  for (const [name, want, got] of rows) {
    if (!want && !got) continue;
    const tr = add(body, el("tr"));
    tr.dataset.compare = name;
    add(tr, el("th", "", name));
    add(tr, el("td", "want", want || "—"));
    add(tr, el("td", "got", got || "—"));
  }
}

/** The pinned details of a cell. */
function showHttpDetails(kit: ClientKit, details: HTMLElement, b: HttpBlockData, c: HttpCellData): void {
  const { el, add } = kit;
  details.textContent = "";
  const status = httpCellStatus(c);
  add(details, el("h4", "", httpCellTitle(kit, b, c)));
  add(details, el("div", `verdict-line ${status === "failed" ? "fail" : status === "skipped" ? "skip" : "pass"}`, status === "failed" ? "✗ failed" : status === "skipped" ? "– skipped" : "✓ passed"));
  renderHttpComparison(kit, details, c);
  const dl = add(details, el("dl"));
  for (const [k, v] of httpCellFacts(kit, c)) { add(dl, el("dt", "", k)); add(dl, el("dd", "", v)).dataset.fact = k; }
}

/** Which rows (requests) and columns (sources) of a table the filters keep. */
function httpKeptLines(kit: ClientKit, b: HttpBlockData): { rows: number[]; cols: number[] } {
  const f = kit.filters;
  const rowKeep = b.requests.map(() => !(f.failedOnly || f.changedOnly));
  const colKeep = b.sources.map((s) => !f.fromNs || kit.str(s).split("/")[0] === f.fromNs);
  const colHit = b.sources.map(() => !(f.failedOnly || f.changedOnly));
  for (const c of b.cells) {
    const hit = (!f.failedOnly || httpCellStatus(c) === "failed") && (!f.changedOnly || c.change >= 0);
    if (hit && colKeep[c.col]) { rowKeep[c.row] = true; colHit[c.col] = true; }
  }
  return { rows: b.requests.map((_, i) => i).filter((i) => rowKeep[i]), cols: b.sources.map((_, i) => i).filter((i) => colKeep[i] && colHit[i]) };
}

/** A request's row header: the method, host, path and headers, each its own element. */
function httpRequestHeader(kit: ClientKit, r: HttpRequestRow): HTMLElement {
  const { el, add, str } = kit;
  const th = el("th", "request");
  th.title = httpRequestText(kit, r);
  add(th, el("span", "method", str(r.method)));
  add(th, el("span", "host", str(r.host)));
  add(th, el("span", "path", str(r.path)));
  if (r.headers >= 0) add(th, el("span", "headers", str(r.headers)));
  return th;
}

/** Draws one table with its details pane; `selected` is the pinned cell, `onSelect` tells the page which one is. */
export function renderHttpTable(kit: ClientKit, body: HTMLElement, b: HttpBlockData, selected: number | undefined, onSelect: (cell: number) => void): void {
  const { el, add, tip } = kit;
  const area = add(body, el("div", "matrix-area"));
  const wrap = add(area, el("div", "matrix-wrap"));
  const details = add(area, el("aside", "details"));
  details.setAttribute("aria-live", "polite");
  add(details, el("div", "hint", "Click a request's cell to see both answers side by side, what the backend received, and the reason."));
  const { rows, cols } = httpKeptLines(kit, b);
  if (!rows.length || !cols.length) { wrap.remove(); area.insertBefore(el("div", "empty", "No request of this table matches the filters."), details); return; }
  const at = new Map(b.cells.map((c, i) => [`${c.row} ${c.col}`, i]));
  const table = add(wrap, el("table", "http"));
  const head = add(add(table, el("thead")), el("tr"));
  add(head, el("th", "corner", "request ↓  from →"));
  for (const col of cols) add(head, el("th", "source", kit.str(b.sources[col]!)));
  const tbody = add(table, el("tbody"));
  for (const row of rows) {
    const tr = add(tbody, el("tr"));
    add(tr, httpRequestHeader(kit, b.requests[row]!));
    for (const col of cols) {
      const td = add(tr, el("td"));
      const i = at.get(`${row} ${col}`);
      if (i === undefined) { td.className = "e"; continue; }
      fillHttpCell(kit, td, b.cells[i]!);
      td.dataset.i = String(i);
      td.tabIndex = 0;
    }
  }
  const cellAt = (target: EventTarget | null): HTMLElement | null => {
    const node = target instanceof Element ? target.closest("td") : null;
    return node instanceof HTMLElement && node.dataset.i !== undefined ? node : null;
  };
  const select = (td: HTMLElement) => {
    table.querySelectorAll("td.sel").forEach((x) => x.classList.remove("sel"));
    td.classList.add("sel");
    onSelect(Number(td.dataset.i));
    showHttpDetails(kit, details, b, b.cells[Number(td.dataset.i)]!);
  };
  table.addEventListener("mouseover", (event) => {
    const td = cellAt(event.target);
    if (!td) { tip.style.display = "none"; return; }
    showCellTooltip(tip, td, httpTooltipText(kit, b, b.cells[Number(td.dataset.i)]!));
  });
  table.addEventListener("mouseleave", () => { tip.style.display = "none"; });
  wireCellSelection(table, cellAt, select, selected);
}

/** What an HTTP table's colours and texts mean. */
export function httpLegend(kit: ClientKit, parent: HTMLElement): void {
  const { el, add } = kit;
  const legend = add(parent, el("div", "legend"));
  const swatch = (cls: string, text: string, label: string) => { const span = add(legend, el("span")); add(span, el("span", `sw ${cls}`, text)); add(span, document.createTextNode(label)); };
  swatch("allow-sw", "200", "answered as expected (status · pod)");
  swatch("deny-sw", kit.data.symbols.deny || "X", "no answer, as expected (denied)");
  swatch("undef-sw", "?", "undefined by Kubernetes");
  swatch("fail-sw", "≠", "FAILED: expected beside observed");
  swatch("skip-sw", "–", "skipped");
  add(legend, el("span", "", "rows: requests · columns: sources · hover or click a cell for what the backend received and the reason"));
}

/** A scenario's failed or changed HTTP cells, for its list of mismatches. */
export function httpMismatchRows(kit: ClientKit, s: ScenarioData, withChanges: boolean): MismatchRow[] {
  const { str, data } = kit;
  const rows: MismatchRow[] = [];
  s.httpBlocks.forEach((b, bi) => {
    b.cells.forEach((c, i) => {
      const failed = httpCellStatus(c) === "failed";
      if (!failed && !(withChanges && c.change >= 0)) return;
      const backend = str(c.answered);
      rows.push({
        failed, title: httpCellTitle(kit, b, c), expected: `${str(c.want)} (${str(c.source)})`, observed: str(c.got), backend,
        why: str(c.mismatch) || str(c.reason),
        change: c.change >= 0 ? `${data.changeLabels[c.change]}${c.before >= 0 ? ` (was ${str(c.before)})` : ""}` : "",
        block: bi, cell: i,
      });
    });
  });
  return rows;
}

/** Every function above, in the order index.ts inlines them. */
export const HTTP_CLIENT = [
  httpTabTitle, httpCellStatus, httpRequestText, httpCellTitle, httpBlockVisible, httpShortAnswers, fillHttpCell, httpCellFacts,
  httpTooltipText, renderHttpComparison, showHttpDetails, httpKeptLines, httpRequestHeader, renderHttpTable, httpLegend, httpMismatchRows,
] as const;
