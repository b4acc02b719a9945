// The HTML report's script, inlined as the source text of reportClient(): it must not use
// anything from outside its own body (no imports at run time). It reads the embedded JSON and
// builds the page with createElement/textContent only: no data ever goes through innerHTML.
// Matrices are drawn when their scenario comes near the viewport, so a report of 50 scenarios
// x 1,000 cells opens at once. Matrices and HTTP tables are matrix-client.ts's and
// http-client.ts's functions, inlined beside this one by index.ts; they get what they share with
// the page as a ClientKit (client-kit.ts), and the matrix cells' layout comes as `layout`.
import type { CellLayout, ClientKit, ScenarioView } from "./client-kit.js";
import type { ReportData } from "./data.js";
import { durationText, plural, utcText } from "./format-client.js";
import { sourceNamespace } from "./matrix-client.js";
import { renderIndexRow, renderScenarioSection } from "./scenario-client.js";

export function reportClient(layout: CellLayout): void {
  const source = document.getElementById("netspec-data");
  const data = JSON.parse(source ? source.textContent || "{}" : "{}") as ReportData;
  const S = data.strings;
  const str = (i: number): string => (i >= 0 ? S[i]! : "");
  const root = document.getElementById("app")!;

  function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string | number): HTMLElementTagNameMap[K] {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = String(text);
    return node;
  }
  function add<T extends Node>(parent: Node, child: T): T { parent.appendChild(child); return child; }

  // ---- state -------------------------------------------------------------------------------
  const filters = { failedOnly: false, changedOnly: false, fromNs: "", toNs: "", family: "", text: "" };
  const namespaces = new Set<string>();
  const families = new Set<string>();
  const scenarioNs = data.scenarios.map((s) => {
    const from = new Set<string>();
    const to = new Set<string>();
    for (const b of s.blocks) {
      families.add(b.family);
      b.rows.forEach((r) => { const ns = sourceNamespace(str(r)); from.add(ns); namespaces.add(ns); });
      b.colNamespaces.forEach((n) => { const ns = str(n); to.add(ns); namespaces.add(ns); });
    }
    for (const b of s.httpBlocks) {
      families.add(b.family);
      b.sources.forEach((r) => { const ns = sourceNamespace(str(r)); from.add(ns); namespaces.add(ns); });
      const ns = str(b.toNamespace); to.add(ns); namespaces.add(ns);
    }
    return { from, to };
  });

  // ---- header and summary ------------------------------------------------------------------
  const header = add(root, el("header", "top"));
  add(header, el("h1", "", data.title));
  const meta = add(header, el("div", "meta"));
  add(meta, el("span", "", `started ${utcText(data.startedAt)}`));
  add(meta, el("span", "", `provider ${data.provider}`));
  add(meta, el("span", "", `${data.tool.name} ${data.tool.version}`));
  if (data.environment) add(meta, el("span", "", `Node.js ${data.environment.node} on ${data.environment.platform}/${data.environment.arch}`));
  const sum = data.summary;
  const errored = data.scenarios.filter((s) => s.status === "error").length;
  const failedScenarios = data.scenarios.filter((s) => s.status === "failed").length;
  const bad = sum.failed > 0 || errored > 0;
  const verdict = add(header, el("div", `verdict ${bad ? "fail" : "pass"}`));
  verdict.id = "verdict";
  add(verdict, el("span", "sym", bad ? "✗" : "✓"));
  add(verdict, el("span", "", bad
    ? `${plural(sum.failed, "cell")} did not match in ${plural(failedScenarios, "scenario")}${errored ? `; ${plural(errored, "scenario")} could not run` : ""}`
    : `Every expectation held: ${plural(sum.passed, "cell")} passed${sum.skipped ? `, ${sum.skipped} skipped` : ""}`));
  if (data.interrupted) add(verdict, el("span", "", "(interrupted: partial results)"));

  const main = add(root, el("main"));
  const cards = add(main, el("div", "cards"));
  cards.id = "summary";
  const card = (key: string, label: string, value: string, sub?: string, extra = "") => {
    const c = add(cards, el("div", `card ${value === "0" ? "zero" : key} ${extra}`));
    c.dataset.key = key;
    c.classList.add(`is-${key}`);
    add(c, el("div", "label", label));
    const v = add(c, el("div", "value", value));
    v.dataset.count = key;
    if (sub) add(c, el("div", "sub", sub));
  };
  card("scenarios", "Scenarios", String(sum.scenarios), `${data.scenarios.length - failedScenarios - errored} passed · ${failedScenarios} failed${errored ? ` · ${errored} error` : ""}`);
  card("cells", "Cells", String(sum.cells), "probed connections");
  card("passed", "Passed", String(sum.passed), sum.cells ? `${((100 * sum.passed) / Math.max(1, sum.cells - sum.skipped)).toFixed(1)} % of probed` : "");
  card("failed", "Failed", String(sum.failed), "expected ≠ observed", sum.failed ? "nonzero" : "");
  card("skipped", "Skipped", String(sum.skipped), "not probeable here");
  card("duration", "Duration", durationText(data.durationMs), "", "small");
  card("provider", "Provider", data.provider, "", "small");

  // ---- regression summary ------------------------------------------------------------------
  const reg = data.regression;
  if (reg) {
    add(main, el("h2", "section", `Changes since the baseline run of ${utcText(reg.baseline.startedAt)} (${reg.baseline.provider}, netspec ${reg.baseline.version})`));
    const rc = add(main, el("div", "cards"));
    rc.id = "changes";
    data.changeKinds.forEach((kind, i) => {
      const n = reg.counts[kind] || 0;
      const c = add(rc, el("div", `card ${kind === "new-failure" ? "failed" : kind === "fixed" ? "passed" : ""} ${kind === "new-failure" && n ? "nonzero" : ""}`));
      add(c, el("div", "label", data.changeLabels[i]!));
      const v = add(c, el("div", "value", String(n)));
      v.dataset.change = kind;
    });
    if (reg.scenarios.length) {
      const t = add(main, el("table", "list"));
      const hr = add(add(t, el("thead")), el("tr"));
      ["Scenario", "Baseline", "Now"].forEach((h) => add(hr, el("th", "", h)));
      const tb = add(t, el("tbody"));
      for (const s of reg.scenarios) {
        const tr = add(tb, el("tr", s.after === "failed" || s.after === "error" ? "failed" : ""));
        add(tr, el("td", "", s.name)); add(tr, el("td", "", s.before || "absent")); add(tr, el("td", "", s.after || "absent"));
      }
    }
    if (reg.removed.length) {
      const d = add(main, el("details", "more"));
      add(d, el("summary", "", `${plural(reg.removed.length, "cell")} of the baseline no longer probed`));
      const pre = add(d, el("pre"));
      pre.textContent = reg.removed.map((r) => `${r.scenario}: ${r.id} (was: ${r.before})`).join("\n");
    }
  }

  // ---- toolbar (filters) -------------------------------------------------------------------
  const toolbar = add(main, el("div", "toolbar"));
  toolbar.id = "filters";
  const check = (id: string, label: string, on: (v: boolean) => void) => {
    const l = add(toolbar, el("label"));
    const i = add(l, el("input"));
    i.type = "checkbox"; i.id = id;
    i.addEventListener("change", () => { on(i.checked); applyFilters(); });
    add(l, document.createTextNode(label));
  };
  const select = (id: string, label: string, options: string[], allText: string, on: (v: string) => void) => {
    const l = add(toolbar, el("label", "", label));
    const s = add(l, el("select"));
    s.id = id;
    const all = add(s, el("option", "", allText)); all.value = "";
    for (const o of options) { const opt = add(s, el("option", "", o)); opt.value = o; }
    s.addEventListener("change", () => { on(s.value); applyFilters(); });
  };
  check("f-failed", "Failed only", (v) => { filters.failedOnly = v; });
  if (reg) check("f-changed", "Changed only", (v) => { filters.changedOnly = v; });
  const nsList = [...namespaces].sort();
  select("f-from", "From namespace", nsList, "all", (v) => { filters.fromNs = v; });
  select("f-to", "To namespace", nsList, "all", (v) => { filters.toNs = v; });
  select("f-family", "Family", [...families].sort(), "all", (v) => { filters.family = v; });
  const search = add(add(toolbar, el("label", "", "Scenario")), el("input"));
  search.type = "search"; search.id = "f-text"; search.placeholder = "name, tag or text";
  search.addEventListener("input", () => { filters.text = search.value.toLowerCase(); applyFilters(); });
  const showing = add(toolbar, el("span", "showing"));
  showing.id = "showing";

  // ---- scenario index ----------------------------------------------------------------------
  add(main, el("h2", "section", "Scenarios"));
  const index = add(main, el("table", "list"));
  index.id = "index";
  const ih = add(add(index, el("thead")), el("tr"));
  ([["Scenario", ""], ["Status", ""], ["Cells", "num"], ["Passed", "num"], ["Failed", "num"], ["Skipped", "num"], ...(reg ? [["Changed", "num"]] : []), ["Duration", "num"], ["Tags", ""]] as [string, string][])
    .forEach(([h, c]) => add(ih, el("th", c, h)));
  const ib = add(index, el("tbody"));
  const indexRows: HTMLTableRowElement[] = [];

  // ---- per scenario ------------------------------------------------------------------------
  const tip = add(document.body, el("div"));
  tip.id = "tip";
  tip.setAttribute("role", "tooltip");

  const kit: ClientKit = { data, layout, str, el, add, tip, filters };

  const views: ScenarioView[] = [];
  data.scenarios.forEach((scenario, si) => {
    const anchor = `scenario-${si}`;
    indexRows.push(renderIndexRow(kit, ib, scenario, anchor));
    views.push(renderScenarioSection(kit, main, scenario, anchor));
  });

  // ---- filters -----------------------------------------------------------------------------
  function scenarioVisible(v: ScenarioView, si: number): boolean {
    const s = v.scenario;
    if (filters.failedOnly && s.status === "passed") return false;
    if (filters.changedOnly && !s.counts.changed && s.baselineStatus === undefined) return false;
    const blocks = [...s.blocks, ...s.httpBlocks];
    if (filters.family && blocks.length && !blocks.some((b) => b.family === filters.family)) return false;
    if (filters.fromNs && !scenarioNs[si]!.from.has(filters.fromNs)) return false;
    if (filters.toNs && !scenarioNs[si]!.to.has(filters.toNs)) return false;
    if (filters.text) {
      const hay = `${s.name}\n${s.description || ""}\n${s.tags.join(" ")}\n${s.file}`.toLowerCase();
      if (!hay.includes(filters.text)) return false;
    }
    return true;
  }

  function applyFilters(): void {
    let shown = 0;
    views.forEach((v, si) => {
      const visible = scenarioVisible(v, si);
      v.section.hidden = !visible;
      indexRows[si]!.hidden = !visible;
      if (visible) shown++;
      if (v.rendered && visible) v.render();
      else if (v.rendered) v.rendered = false;
    });
    showing.textContent = `showing ${shown} of ${plural(views.length, "scenario")}`;
    observe();
  }

  // Draw matrices when their scenario comes within a screen or two of the viewport.
  const observer = "IntersectionObserver" in window
    ? new IntersectionObserver((entries) => {
      for (const entry of entries) {
        if (!entry.isIntersecting) continue;
        const v = views.find((x) => x.section === entry.target);
        if (v && !v.rendered) v.render();
        observer!.unobserve(entry.target);
      }
    }, { rootMargin: "1200px 0px" })
    : undefined;
  function observe(): void {
    for (const v of views) {
      if (v.rendered || v.section.hidden) continue;
      if (observer) observer.observe(v.section); else v.render();
    }
  }
  document.addEventListener("scroll", () => { tip.style.display = "none"; }, { passive: true });
  applyFilters();
  if (location.hash) { const target = document.getElementById(location.hash.slice(1)); if (target) target.scrollIntoView(); }
  document.documentElement.dataset.ready = "true";
}
