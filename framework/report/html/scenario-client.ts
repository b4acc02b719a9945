// The HTML report's scenarios, in the browser: a row of the index and a section each; a
// section's body (drawn when it comes near the viewport) is its tabs (matrix blocks, then HTTP
// tables), the open tab's table and legend, the list of mismatches and changes, and the topology.
//
// These functions run in the page (index.ts inlines them beside reportClient(); no imports or
// module constants at run time) and put text in it through textContent only.
import type { ClientKit, MismatchRow, ScenarioView, Tab } from "./client-kit.js";
import type { ScenarioData } from "./data.js";
import { durationText, plural } from "./format-client.js";
import { httpBlockVisible, httpLegend, httpMismatchRows, httpTabTitle, renderHttpTable } from "./http-client.js";
import { matrixBlockVisible, matrixLegend, matrixMismatchRows, matrixTabTitle, renderMatrix } from "./matrix-client.js";
import { renderTopology } from "./topology-client.js";

/** `✓ passed`, `✗ failed`, `! error`. */
function statusBadge(kit: ClientKit, status: string): HTMLElement {
  return kit.el("span", `badge ${status}`, status === "passed" ? "✓ passed" : status === "failed" ? "✗ failed" : "! error");
}

/** The index of scenarios: its heading and table head; returns the table's body for the rows. */
export function renderScenarioIndex(kit: ClientKit, main: HTMLElement): HTMLElement {
  const { el, add } = kit;
  add(main, el("h2", "section", "Scenarios"));
  const index = add(main, el("table", "list"));
  index.id = "index";
  const headRow = add(add(index, el("thead")), el("tr"));
  const columns: [string, string][] = [
    ["Scenario", ""], ["Status", ""], ["Cells", "num"], ["Passed", "num"], ["Failed", "num"], ["Skipped", "num"],
    ...(kit.data.regression ? [["Changed", "num"] as [string, string]] : []), ["Duration", "num"], ["Tags", ""],
  ];
  columns.forEach(([heading, cls]) => add(headRow, el("th", cls, heading)));
  return add(index, el("tbody"));
}

/** The scenario's row of the index: its name linking to its section, status, counts, duration, tags. */
export function renderIndexRow(kit: ClientKit, tbody: HTMLElement, scenario: ScenarioData, anchor: string): HTMLTableRowElement {
  const { el, add } = kit;
  const tr = add(tbody, el("tr", scenario.status === "passed" ? "" : "failed"));
  tr.dataset.scenario = scenario.name;
  const link = add(add(tr, el("td")), el("a", "", scenario.name));
  link.href = `#${anchor}`;
  add(add(tr, el("td")), statusBadge(kit, scenario.status));
  add(tr, el("td", "num", scenario.counts.cells));
  add(tr, el("td", "num", scenario.counts.passed));
  add(tr, el("td", `num ${scenario.counts.failed ? "failtext" : ""}`, scenario.counts.failed));
  add(tr, el("td", `num ${scenario.counts.skipped ? "skiptext" : ""}`, scenario.counts.skipped));
  if (kit.data.regression) add(tr, el("td", "num", scenario.counts.changed));
  add(tr, el("td", "num", durationText(scenario.durationMs)));
  const tags = add(tr, el("td"));
  scenario.tags.forEach((tag) => add(tags, el("span", "chip", tag)));
  return tr;
}

/** The scenario's section: its head, tags, description, counts and error, and an empty body to draw later. */
export function renderScenarioSection(kit: ClientKit, main: HTMLElement, scenario: ScenarioData, anchor: string): ScenarioView {
  const { el, add } = kit;
  const section = add(main, el("section", `scenario ${scenario.status}`));
  section.id = anchor;
  section.dataset.scenario = scenario.name;
  const head = add(section, el("div", "head"));
  add(head, statusBadge(kit, scenario.status));
  add(head, el("h3", "", scenario.name));
  add(head, el("span", "file mono", scenario.file));
  if (scenario.baselineStatus !== undefined) add(head, el("span", "badge change", `baseline: ${scenario.baselineStatus}`));
  if (scenario.tags.length) { const tags = add(section, el("div")); scenario.tags.forEach((tag) => add(tags, el("span", "chip", tag))); }
  if (scenario.description) add(section, el("p", "desc", scenario.description));
  const stats = add(section, el("div", "stats"));
  const { counts, phases } = scenario;
  stats.textContent = `${plural(counts.cells, "cell")}: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped${kit.data.regression ? `, ${counts.changed} changed` : ""} · ${durationText(scenario.durationMs)} (provision ${durationText(phases.provision)}, apply ${durationText(phases.apply)}, probe ${durationText(phases.probe)})`;
  if (scenario.error) add(section, el("div", "errorbox", scenario.error));
  const body = add(section, el("div", "body"));
  const tabs = scenarioTabs(scenario);
  const view: ScenarioView = { scenario, tabs, section, rendered: false, tab: firstTab(scenario, tabs), render: () => renderScenario(kit, view, body) };
  return view;
}

/** A scenario's tabs: its matrix blocks, then its HTTP tables. */
function scenarioTabs(scenario: ScenarioData): Tab[] {
  return [
    ...scenario.blocks.map((_, index): Tab => ({ kind: "matrix", index })),
    ...scenario.httpBlocks.map((_, index): Tab => ({ kind: "http", index })),
  ];
}

function tabFailures(scenario: ScenarioData, tab: Tab): number {
  return tab.kind === "matrix" ? scenario.blocks[tab.index]!.failed : scenario.httpBlocks[tab.index]!.failed;
}

function tabChanges(scenario: ScenarioData, tab: Tab): number {
  return tab.kind === "matrix" ? scenario.blocks[tab.index]!.changed : scenario.httpBlocks[tab.index]!.changed;
}

/** The tab a scenario opens on: the first with a failure. */
function firstTab(scenario: ScenarioData, tabs: Tab[]): number {
  const i = tabs.findIndex((tab) => tabFailures(scenario, tab) > 0);
  return i >= 0 ? i : 0;
}

function tabVisible(kit: ClientKit, scenario: ScenarioData, tab: Tab): boolean {
  return tab.kind === "matrix" ? matrixBlockVisible(kit, scenario.blocks[tab.index]!) : httpBlockVisible(kit, scenario.httpBlocks[tab.index]!);
}

function tabTitle(kit: ClientKit, scenario: ScenarioData, tab: Tab): string {
  return tab.kind === "matrix" ? matrixTabTitle(scenario.blocks[tab.index]!) : httpTabTitle(kit, scenario.httpBlocks[tab.index]!);
}

/** (Re)draws a scenario's body: tabs, the open tab's table and legend, mismatches, topology. */
function renderScenario(kit: ClientKit, view: ScenarioView, body: HTMLElement): void {
  const { el, add } = kit;
  view.rendered = true;
  body.textContent = "";
  const scenario = view.scenario;
  if (view.tabs.length) {
    const visible = view.tabs.map((tab) => tabVisible(kit, scenario, tab));
    // The open tab filtered away: open the first one left.
    if (!visible[view.tab]) { const firstVisible = visible.indexOf(true); if (firstVisible >= 0) view.tab = firstVisible; }
    const bar = add(body, el("div", "tabs"));
    bar.setAttribute("role", "tablist");
    view.tabs.forEach((tab, tabIndex) => {
      if (!visible[tabIndex]) return;
      const button = add(bar, el("button", "", tabTitle(kit, scenario, tab)));
      button.type = "button";
      button.setAttribute("role", "tab");
      button.setAttribute("aria-selected", String(tabIndex === view.tab));
      button.dataset.block = String(tabIndex);
      button.dataset.kind = tab.kind;
      const failed = tabFailures(scenario, tab);
      const changed = tabChanges(scenario, tab);
      if (failed) add(button, el("span", "n", `${failed} ✗`));
      else if (kit.data.regression && changed) add(button, el("span", "n chg", `${changed} Δ`));
      button.addEventListener("click", () => { view.tab = tabIndex; renderScenario(kit, view, body); });
    });
    const tab = view.tabs[view.tab]!;
    // The pinned cell stays pinned when its tab is redrawn.
    const openTab = view.tab;
    const selected = view.selected && view.selected.tab === openTab ? view.selected.cell : undefined;
    const onSelect = (cell: number) => { view.selected = { tab: openTab, cell }; };
    if (!visible.some(Boolean)) add(body, el("div", "empty", "No block of this scenario matches the filters."));
    else if (tab.kind === "matrix") renderMatrix(kit, body, scenario.blocks[tab.index]!, openTab, selected, onSelect);
    else renderHttpTable(kit, body, scenario.httpBlocks[tab.index]!, selected, onSelect);
    if (tab.kind === "matrix") matrixLegend(kit, body); else httpLegend(kit, body);
  }
  renderMismatchList(kit, view, body);
  renderTopology(kit, scenario, body);
}

/** The scenario's failed (and, against a baseline, changed) cells of every tab, each linking to its cell. */
function renderMismatchList(kit: ClientKit, view: ScenarioView, body: HTMLElement): void {
  const { el, add } = kit;
  const scenario = view.scenario;
  const withChanges = Boolean(kit.data.regression);
  const tabOf = (kind: Tab["kind"], index: number) => view.tabs.findIndex((tab) => tab.kind === kind && tab.index === index);
  const rows: (MismatchRow & { tab: number })[] = [
    ...matrixMismatchRows(kit, scenario).map((row) => ({ ...row, tab: tabOf("matrix", row.block) })),
    ...httpMismatchRows(kit, scenario, withChanges).map((row) => ({ ...row, tab: tabOf("http", row.block) })),
  ];
  if (!rows.length) return;
  const details = add(body, el("details", "more"));
  details.open = scenario.counts.failed > 0 && scenario.counts.failed <= 30;
  const failedCount = rows.filter((row) => row.failed).length;
  add(details, el("summary", "", `${plural(failedCount, "mismatch")}${withChanges ? ` and ${plural(scenario.counts.changed, "changed cell")}` : ""}`));
  const table = add(details, el("table", "list changes-list"));
  const headRow = add(add(table, el("thead")), el("tr"));
  ["Cell", "Expected", "Observed", "Backend", "Why", ...(withChanges ? ["Change"] : [])].forEach((heading) => add(headRow, el("th", "", heading)));
  const tbody = add(table, el("tbody"));
  for (const row of rows.slice(0, 500)) {
    const tr = add(tbody, el("tr", row.failed ? "failed" : ""));
    const link = add(add(tr, el("td")), el("a", "", row.title));
    link.href = "#";
    link.addEventListener("click", (event) => {
      event.preventDefault();
      view.tab = row.tab;
      view.selected = { tab: row.tab, cell: row.cell };
      renderScenario(kit, view, body);
      view.section.scrollIntoView({ block: "start" });
    });
    add(tr, el("td", "", row.expected));
    add(tr, el("td", row.failed ? "failtext" : "", row.observed));
    add(tr, el("td", "", row.backend));
    add(tr, el("td", "", row.why));
    if (withChanges) add(tr, el("td", "", row.change));
  }
  if (rows.length > 500) add(details, el("div", "empty", `… and ${rows.length - 500} more: see results.json`));
}

/** Every function above, in the order index.ts inlines them. */
export const SCENARIO_CLIENT = [
  statusBadge, renderScenarioIndex, renderIndexRow, renderScenarioSection, scenarioTabs, tabFailures, tabChanges, firstTab, tabVisible, tabTitle,
  renderScenario, renderMismatchList,
] as const;
