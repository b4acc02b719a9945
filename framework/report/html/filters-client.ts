// The HTML report's filters, in the browser: the toolbar (failed only, changed only, from and to
// namespace, family, a text search) and which scenarios they keep; the matrices and HTTP tables
// trim their own rows and columns (matrix-client.ts, http-client.ts). Inlined by index.ts beside
// reportClient() (no imports or module constants at run time).
import type { ClientKit, Filters } from "./client-kit.js";
import type { ScenarioData } from "./data.js";
import { sourceNamespace } from "./matrix-client.js";

/** The namespaces a scenario's cells come from and go to. */
export interface ScenarioNamespaces {
  readonly from: Set<string>;
  readonly to: Set<string>;
}

/** Each scenario's namespaces, and every namespace and family of the run (sorted) for the toolbar's choices. */
export function runNamespaces(kit: ClientKit): { perScenario: ScenarioNamespaces[]; namespaces: string[]; families: string[] } {
  const { data, str } = kit;
  const namespaces = new Set<string>();
  const families = new Set<string>();
  const perScenario = data.scenarios.map((scenario) => {
    const from = new Set<string>();
    const to = new Set<string>();
    for (const block of scenario.blocks) {
      families.add(block.family);
      block.rows.forEach((row) => { const namespace = sourceNamespace(str(row)); from.add(namespace); namespaces.add(namespace); });
      block.colNamespaces.forEach((col) => { const namespace = str(col); to.add(namespace); namespaces.add(namespace); });
    }
    for (const block of scenario.httpBlocks) {
      families.add(block.family);
      block.sources.forEach((source) => { const namespace = sourceNamespace(str(source)); from.add(namespace); namespaces.add(namespace); });
      const namespace = str(block.toNamespace); to.add(namespace); namespaces.add(namespace);
    }
    return { from, to };
  });
  return { perScenario, namespaces: [...namespaces].sort(), families: [...families].sort() };
}

/** The toolbar: each control sets its field of `filters`, then calls `onChange`. Returns the `showing n of m` element. */
export function renderToolbar(kit: ClientKit, main: HTMLElement, filters: Filters, namespaces: string[], families: string[], onChange: () => void): HTMLElement {
  const { el, add } = kit;
  const toolbar = add(main, el("div", "toolbar"));
  toolbar.id = "filters";
  const checkbox = (id: string, label: string, set: (on: boolean) => void) => {
    const wrapper = add(toolbar, el("label"));
    const input = add(wrapper, el("input"));
    input.type = "checkbox"; input.id = id;
    input.addEventListener("change", () => { set(input.checked); onChange(); });
    add(wrapper, document.createTextNode(label));
  };
  const choice = (id: string, label: string, options: string[], allText: string, set: (value: string) => void) => {
    const wrapper = add(toolbar, el("label", "", label));
    const select = add(wrapper, el("select"));
    select.id = id;
    const all = add(select, el("option", "", allText)); all.value = "";
    for (const option of options) { const element = add(select, el("option", "", option)); element.value = option; }
    select.addEventListener("change", () => { set(select.value); onChange(); });
  };
  checkbox("f-failed", "Failed only", (on) => { filters.failedOnly = on; });
  if (kit.data.regression) checkbox("f-changed", "Changed only", (on) => { filters.changedOnly = on; });
  choice("f-from", "From namespace", namespaces, "all", (value) => { filters.fromNs = value; });
  choice("f-to", "To namespace", namespaces, "all", (value) => { filters.toNs = value; });
  choice("f-family", "Family", families, "all", (value) => { filters.family = value; });
  const search = add(add(toolbar, el("label", "", "Scenario")), el("input"));
  search.type = "search"; search.id = "f-text"; search.placeholder = "name, tag or text";
  search.addEventListener("input", () => { filters.text = search.value.toLowerCase(); onChange(); });
  const showing = add(toolbar, el("span", "showing"));
  showing.id = "showing";
  return showing;
}

/** Whether the filters keep a scenario: its status, changes, families, namespaces, and its text. */
export function scenarioVisible(kit: ClientKit, scenario: ScenarioData, namespaces: ScenarioNamespaces): boolean {
  const filters = kit.filters;
  if (filters.failedOnly && scenario.status === "passed") return false;
  if (filters.changedOnly && !scenario.counts.changed && scenario.baselineStatus === undefined) return false;
  const blocks = [...scenario.blocks, ...scenario.httpBlocks];
  if (filters.family && blocks.length && !blocks.some((block) => block.family === filters.family)) return false;
  if (filters.fromNs && !namespaces.from.has(filters.fromNs)) return false;
  if (filters.toNs && !namespaces.to.has(filters.toNs)) return false;
  if (filters.text) {
    const haystack = `${scenario.name}\n${scenario.description || ""}\n${scenario.tags.join(" ")}\n${scenario.file}`.toLowerCase();
    if (!haystack.includes(filters.text)) return false;
  }
  return true;
}

/** Every function above, in the order index.ts inlines them. */
export const FILTERS_CLIENT = [runNamespaces, renderToolbar, scenarioVisible] as const;
