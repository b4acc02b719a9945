// The HTML report's script, inlined as the source text of reportClient(): it must not use
// anything from outside its own body (no imports at run time). It reads the embedded JSON and
// builds the page with createElement/textContent only: no data ever goes through innerHTML.
// Matrices are drawn when their scenario comes near the viewport, so a report of 50 scenarios
// x 1,000 cells opens at once. Matrices and HTTP tables are matrix-client.ts's and
// http-client.ts's functions, inlined beside this one by index.ts; they get what they share with
// the page as a ClientKit (client-kit.ts), and the matrix cells' layout comes as `layout`.
import type { CellLayout, ClientKit } from "./client-kit.js";
import type { ReportData, ScenarioData } from "./data.js";
import { httpBlockVisible, httpLegend, httpMismatchRows, httpTabTitle, renderHttpTable } from "./http-client.js";
import { matrixBlockVisible, matrixLegend, matrixMismatchRows, matrixTabTitle, renderMatrix, sourceNamespace } from "./matrix-client.js";

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
  const plural = (n: number, word: string) => `${n.toLocaleString("en-US")} ${word}${n === 1 ? "" : /(s|sh|ch|x)$/.test(word) ? "es" : "s"}`;
  const secs = (ms: number) => (ms >= 60000 ? `${Math.floor(ms / 60000)}m ${Math.round((ms % 60000) / 1000)}s` : `${(ms / 1000).toFixed(1)} s`);

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
  add(meta, el("span", "", `started ${data.startedAt.replace("T", " ").replace(/\.\d+Z$/, " UTC")}`));
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
  card("duration", "Duration", secs(data.durationMs), "", "small");
  card("provider", "Provider", data.provider, "", "small");

  // ---- regression summary ------------------------------------------------------------------
  const reg = data.regression;
  if (reg) {
    add(main, el("h2", "section", `Changes since the baseline run of ${reg.baseline.startedAt.replace("T", " ").replace(/\.\d+Z$/, " UTC")} (${reg.baseline.provider}, netspec ${reg.baseline.version})`));
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

  // A scenario's tabs: its matrix blocks, then its HTTP tables (`index` into s.blocks or s.httpBlocks).
  interface Tab { kind: "matrix" | "http"; index: number }
  const tabsOf = (s: ScenarioData): Tab[] => [
    ...s.blocks.map((_, index): Tab => ({ kind: "matrix", index })),
    ...s.httpBlocks.map((_, index): Tab => ({ kind: "http", index })),
  ];
  interface View { s: ScenarioData; tabs: Tab[]; section: HTMLElement; rendered: boolean; tab: number; render: () => void; selected?: { tab: number; cell: number } }
  const views: View[] = [];

  data.scenarios.forEach((s, si) => {
    const anchor = `scenario-${si}`;
    const tr = add(ib, el("tr", s.status === "passed" ? "" : "failed"));
    tr.dataset.scenario = s.name;
    const link = add(add(tr, el("td")), el("a", "", s.name));
    link.href = `#${anchor}`;
    add(add(tr, el("td")), statusBadge(s.status));
    add(tr, el("td", "num", s.counts.cells));
    add(tr, el("td", "num", s.counts.passed));
    add(tr, el("td", `num ${s.counts.failed ? "failtext" : ""}`, s.counts.failed));
    add(tr, el("td", `num ${s.counts.skipped ? "skiptext" : ""}`, s.counts.skipped));
    if (reg) add(tr, el("td", "num", s.counts.changed));
    add(tr, el("td", "num", secs(s.durationMs)));
    const tags = add(tr, el("td"));
    s.tags.forEach((t) => add(tags, el("span", "chip", t)));
    indexRows.push(tr);

    const section = add(main, el("section", `scenario ${s.status}`));
    section.id = anchor;
    section.dataset.scenario = s.name;
    const head = add(section, el("div", "head"));
    add(head, statusBadge(s.status));
    add(head, el("h3", "", s.name));
    add(head, el("span", "file mono", s.file));
    if (s.baselineStatus !== undefined) add(head, el("span", "badge change", `baseline: ${s.baselineStatus}`));
    if (s.tags.length) { const t = add(section, el("div")); s.tags.forEach((x) => add(t, el("span", "chip", x))); }
    if (s.description) add(section, el("p", "desc", s.description));
    const stats = add(section, el("div", "stats"));
    stats.textContent = `${plural(s.counts.cells, "cell")}: ${s.counts.passed} passed, ${s.counts.failed} failed, ${s.counts.skipped} skipped${reg ? `, ${s.counts.changed} changed` : ""} · ${secs(s.durationMs)} (provision ${secs(s.phases.provision)}, apply ${secs(s.phases.apply)}, probe ${secs(s.phases.probe)})`;
    if (s.error) add(section, el("div", "errorbox", s.error));
    const body = add(section, el("div", "body"));
    const tabs = tabsOf(s);
    const view: View = { s, tabs, section, rendered: false, tab: firstTab(s, tabs), render: () => renderScenario(view, body) };
    views.push(view);
  });

  function statusBadge(status: string): HTMLElement {
    return el("span", `badge ${status}`, status === "passed" ? "✓ passed" : status === "failed" ? "✗ failed" : "! error");
  }

  function tabFailures(s: ScenarioData, tab: Tab): number {
    return tab.kind === "matrix" ? s.blocks[tab.index]!.failed : s.httpBlocks[tab.index]!.failed;
  }

  function tabChanges(s: ScenarioData, tab: Tab): number {
    return tab.kind === "matrix" ? s.blocks[tab.index]!.changed : s.httpBlocks[tab.index]!.changed;
  }

  /** The tab a scenario opens on: the first with a failure. */
  function firstTab(s: ScenarioData, tabs: Tab[]): number {
    const i = tabs.findIndex((t) => tabFailures(s, t) > 0);
    return i >= 0 ? i : 0;
  }

  function tabVisible(s: ScenarioData, tab: Tab): boolean {
    return tab.kind === "matrix" ? matrixBlockVisible(kit, s.blocks[tab.index]!) : httpBlockVisible(kit, s.httpBlocks[tab.index]!);
  }

  function tabTitle(s: ScenarioData, tab: Tab): string {
    return tab.kind === "matrix" ? matrixTabTitle(s.blocks[tab.index]!) : httpTabTitle(kit, s.httpBlocks[tab.index]!);
  }

  function renderScenario(view: View, body: HTMLElement): void {
    view.rendered = true;
    body.textContent = "";
    const s = view.s;
    if (view.tabs.length) {
      const visible = view.tabs.map((t) => tabVisible(s, t));
      if (!visible[view.tab]) { const v = visible.indexOf(true); if (v >= 0) view.tab = v; }
      const tabs = add(body, el("div", "tabs"));
      tabs.setAttribute("role", "tablist");
      view.tabs.forEach((tab, ti) => {
        if (!visible[ti]) return;
        const button = add(tabs, el("button", "", tabTitle(s, tab)));
        button.type = "button";
        button.setAttribute("role", "tab");
        button.setAttribute("aria-selected", String(ti === view.tab));
        button.dataset.block = String(ti);
        button.dataset.kind = tab.kind;
        const failed = tabFailures(s, tab);
        const changed = tabChanges(s, tab);
        if (failed) add(button, el("span", "n", `${failed} ✗`));
        else if (reg && changed) add(button, el("span", "n chg", `${changed} Δ`));
        button.addEventListener("click", () => { view.tab = ti; renderScenario(view, body); });
      });
      const tab = view.tabs[view.tab]!;
      if (!visible.some(Boolean)) add(body, el("div", "empty", "No block of this scenario matches the filters."));
      else if (tab.kind === "matrix") renderMatrixTab(view, body, tab.index);
      else renderHttp(view, body, tab.index);
      if (tab.kind === "matrix") matrixLegend(kit, body); else httpLegend(kit, body);
    }
    renderMismatchList(view, body);
    renderTopology(s, body);
  }

  /** The HTTP table of the current tab; the pinned cell stays pinned when it is redrawn. */
  function renderHttp(view: View, body: HTMLElement, index: number): void {
    const tab = view.tab;
    const selected = view.selected && view.selected.tab === tab ? view.selected.cell : undefined;
    renderHttpTable(kit, body, view.s.httpBlocks[index]!, selected, (cell) => { view.selected = { tab, cell }; });
  }

  /** The matrix block of the current tab; the pinned cell stays pinned when it is redrawn. */
  function renderMatrixTab(view: View, body: HTMLElement, index: number): void {
    const tab = view.tab;
    const selected = view.selected && view.selected.tab === tab ? view.selected.cell : undefined;
    renderMatrix(kit, body, view.s.blocks[index]!, tab, selected, (cell) => { view.selected = { tab, cell }; });
  }

  function renderMismatchList(view: View, body: HTMLElement): void {
    const s = view.s;
    const tabOf = (kind: Tab["kind"], index: number) => view.tabs.findIndex((t) => t.kind === kind && t.index === index);
    const rows = [
      ...matrixMismatchRows(kit, s).map((r) => ({ ...r, tab: tabOf("matrix", r.block) })),
      ...httpMismatchRows(kit, s, Boolean(reg)).map((r) => ({ ...r, tab: tabOf("http", r.block) })),
    ];
    if (!rows.length) return;
    const d = add(body, el("details", "more"));
    d.open = s.counts.failed > 0 && s.counts.failed <= 30;
    const failedN = rows.filter((r) => r.failed).length;
    add(d, el("summary", "", `${plural(failedN, "mismatch")}${reg ? ` and ${plural(s.counts.changed, "changed cell")}` : ""}`));
    const t = add(d, el("table", "list changes-list"));
    const hr = add(add(t, el("thead")), el("tr"));
    ["Cell", "Expected", "Observed", "Backend", "Why", ...(reg ? ["Change"] : [])].forEach((h) => add(hr, el("th", "", h)));
    const tb = add(t, el("tbody"));
    for (const row of rows.slice(0, 500)) {
      const tr = add(tb, el("tr", row.failed ? "failed" : ""));
      const a = add(add(tr, el("td")), el("a", "", row.title));
      a.href = "#";
      a.addEventListener("click", (event) => { event.preventDefault(); view.tab = row.tab; view.selected = { tab: row.tab, cell: row.cell }; renderScenario(view, body); view.section.scrollIntoView({ block: "start" }); });
      add(tr, el("td", "", row.expected));
      add(tr, el("td", row.failed ? "failtext" : "", row.observed));
      add(tr, el("td", "", row.backend));
      add(tr, el("td", "", row.why));
      if (reg) add(tr, el("td", "", row.change));
    }
    if (rows.length > 500) add(d, el("div", "empty", `… and ${rows.length - 500} more: see results.json`));
  }

  function table(parent: HTMLElement, headings: string[], rows: string[][]): void {
    const t = add(parent, el("table", "list"));
    const hr = add(add(t, el("thead")), el("tr"));
    headings.forEach((h) => add(hr, el("th", "", h)));
    const tb = add(t, el("tbody"));
    for (const row of rows) { const tr = add(tb, el("tr")); row.forEach((c) => add(tr, el("td", "", c))); }
  }

  const labelsText = (labels: Record<string, string> | undefined) => Object.entries(labels || {}).map(([k, v]) => `${k}=${v}`).join(", ");
  const ipsText = (ips: Record<string, string>) => Object.values(ips).join(", ");

  function renderTopology(s: ScenarioData, body: HTMLElement): void {
    const t = s.topology;
    if (t) {
      const d = add(body, el("details", "more topology"));
      const userPods = t.pods.filter((p) => !p.system);
      add(d, el("summary", "", `Topology: ${plural(t.nodes.length, "node")}, ${plural(t.namespaces.filter((n) => !n.system).length, "namespace")}, ${plural(userPods.length, "pod")}, ${plural(t.services.filter((x) => !x.system).length, "Service")} (${t.ipFamily})`));
      const grid = add(d, el("div", "topo"));
      const box = (title: string, wide = false) => { const b = add(grid, el("div", wide ? "wide" : "")); add(b, el("h5", "", title)); return b; };
      table(box("Nodes"), ["Node", "Zone", "Pod CIDRs"], t.nodes.map((n) => [n.name, n.zone || "", Object.values(n.podCIDRs).join(", ")]));
      table(box("Namespaces"), ["Namespace", "Labels"], t.namespaces.map((n) => [n.name + (n.system ? " (system)" : ""), labelsText(n.labels)]));
      table(box("Pods", true), ["Pod", "Node", "IPs", "Ports", "Labels"], t.pods.map((p) => [
        p.id + (p.system ? " (system)" : "") + (p.ready === false ? " (not ready)" : "") + (p.hostNetwork ? " (hostNetwork)" : ""),
        p.node, ipsText(p.ips), p.ports.map((x) => `${x.name ? `${x.name}:` : ""}${x.port}/${x.protocol}`).join(", "), labelsText(p.labels),
      ]));
      if (t.services.length) {
        table(box("Services", true), ["Service", "Type", "Cluster IPs", "Ports", "Selector", "Traffic"], t.services.map((x) => [
          x.id + (x.system ? " (system)" : ""), x.headless ? `${x.type} (headless)` : x.type, ipsText(x.clusterIPs),
          x.ports.map((p) => `${p.name ? `${p.name}:` : ""}${p.port}→${p.targetPort}/${p.protocol}${p.nodePort ? ` (node ${p.nodePort})` : ""}`).join(", "),
          x.selector ? labelsText(x.selector) : "(none)",
          [x.internalTrafficPolicy && x.internalTrafficPolicy !== "Cluster" ? `internal: ${x.internalTrafficPolicy}` : "", x.externalTrafficPolicy && x.externalTrafficPolicy !== "Cluster" && x.type !== "ClusterIP" ? `external: ${x.externalTrafficPolicy}` : "", x.trafficDistribution ? `distribution: ${x.trafficDistribution}` : ""].filter(Boolean).join(", "),
        ]));
      }
      const pd = add(body, el("details", "more policies"));
      add(pd, el("summary", "", `Policies and other objects: ${t.policies.length}`));
      if (!t.policies.length) add(pd, el("div", "empty", "None: every pod is open (no NetworkPolicy selects it)."));
      for (const p of t.policies) {
        add(pd, el("h5", "", `${p.kind} ${p.namespace ? `${p.namespace}/` : ""}${p.name}`));
        add(pd, el("pre", "", p.yaml));
      }
    }
    if (s.diagnostics) {
      const d = add(body, el("details", "more diagnostics"));
      add(d, el("summary", "", `Diagnostics from the cluster (${Object.keys(s.diagnostics).length})`));
      for (const [name, text] of Object.entries(s.diagnostics)) { add(d, el("h5", "", name)); add(d, el("pre", "", text)); }
    }
  }

  // ---- filters -----------------------------------------------------------------------------
  function scenarioVisible(v: View, si: number): boolean {
    const s = v.s;
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
