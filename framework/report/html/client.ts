// The HTML report's script, inlined as the source text of reportClient(): it must not use
// anything from outside its own body (no imports at run time). It reads the embedded JSON and
// builds the page with createElement/textContent only: no data ever goes through innerHTML.
// Matrices are drawn when their scenario comes near the viewport, so a report of 50 scenarios
// x 1,000 cells opens at once.
//
// This function holds the page's state (the filters, each scenario's view) and puts the page
// together; the parts are the *-client.ts modules' functions (summary, filters, scenario,
// matrix, http, topology, format), inlined beside this one by index.ts. They get what they
// share with the page as a ClientKit (client-kit.ts); the matrix cells' layout comes as `layout`.
import type { CellLayout, ClientKit, Filters, ScenarioView } from "./client-kit.js";
import type { ReportData } from "./data.js";
import { renderToolbar, runNamespaces, scenarioVisible } from "./filters-client.js";
import { plural } from "./format-client.js";
import { renderIndexRow, renderScenarioIndex, renderScenarioSection } from "./scenario-client.js";
import { renderHeader, renderRegressionSummary, renderSummaryCards } from "./summary-client.js";

export function reportClient(layout: CellLayout): void {
  const source = document.getElementById("netspec-data");
  const data = JSON.parse(source ? source.textContent || "{}" : "{}") as ReportData;
  const strings = data.strings;
  const str = (i: number): string => (i >= 0 ? strings[i]! : "");
  const root = document.getElementById("app")!;

  function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string | number): HTMLElementTagNameMap[K] {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = String(text);
    return node;
  }
  function add<T extends Node>(parent: Node, child: T): T { parent.appendChild(child); return child; }

  // ---- state -------------------------------------------------------------------------------
  const filters: Filters = { failedOnly: false, changedOnly: false, fromNs: "", toNs: "", family: "", text: "" };
  const tip = add(document.body, el("div"));
  tip.id = "tip";
  tip.setAttribute("role", "tooltip");
  const kit: ClientKit = { data, layout, str, el, add, tip, filters };
  const { perScenario, namespaces, families } = runNamespaces(kit);

  // ---- the page, top to bottom -------------------------------------------------------------
  renderHeader(kit, root);
  const main = add(root, el("main"));
  renderSummaryCards(kit, main);
  renderRegressionSummary(kit, main);
  const showing = renderToolbar(kit, main, filters, namespaces, families, applyFilters);
  const indexBody = renderScenarioIndex(kit, main);
  const indexRows: HTMLTableRowElement[] = [];
  const views: ScenarioView[] = [];
  data.scenarios.forEach((scenario, si) => {
    const anchor = `scenario-${si}`;
    indexRows.push(renderIndexRow(kit, indexBody, scenario, anchor));
    views.push(renderScenarioSection(kit, main, scenario, anchor));
  });

  // ---- filtering and drawing ---------------------------------------------------------------
  /** Hides what the filters drop, redraws the drawn scenarios they keep, and has the rest drawn when near. */
  function applyFilters(): void {
    let shown = 0;
    views.forEach((view, si) => {
      const visible = scenarioVisible(kit, view.scenario, perScenario[si]!);
      view.section.hidden = !visible;
      indexRows[si]!.hidden = !visible;
      if (visible) shown++;
      if (view.rendered && visible) view.render();
      else if (view.rendered) view.rendered = false;
    });
    showing.textContent = `showing ${shown} of ${plural(views.length, "scenario")}`;
    observe();
  }

  // Draw matrices when their scenario comes within a screen or two of the viewport.
  const observer = "IntersectionObserver" in window
    ? new IntersectionObserver((entries) => {
      for (const entry of entries) {
        if (!entry.isIntersecting) continue;
        const view = views.find((candidate) => candidate.section === entry.target);
        if (view && !view.rendered) view.render();
        observer!.unobserve(entry.target);
      }
    }, { rootMargin: "1200px 0px" })
    : undefined;
  function observe(): void {
    for (const view of views) {
      if (view.rendered || view.section.hidden) continue;
      if (observer) observer.observe(view.section); else view.render();
    }
  }
  document.addEventListener("scroll", () => { tip.style.display = "none"; }, { passive: true });
  applyFilters();
  if (location.hash) { const target = document.getElementById(location.hash.slice(1)); if (target) target.scrollIntoView(); }
  document.documentElement.dataset.ready = "true";
}
