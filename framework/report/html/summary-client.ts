// The HTML report's top, in the browser: the title and run facts, the verdict, the count cards
// and, against a baseline, what changed since it. Inlined by index.ts beside reportClient() (no
// imports or module constants at run time); text goes through textContent only.
import type { ClientKit } from "./client-kit.js";
import { durationText, plural, utcText } from "./format-client.js";

/** The title, when and where the run was, and the verdict in one line. */
export function renderHeader(kit: ClientKit, root: HTMLElement): void {
  const { data, el, add } = kit;
  const header = add(root, el("header", "top"));
  add(header, el("h1", "", data.title));
  const meta = add(header, el("div", "meta"));
  add(meta, el("span", "", `started ${utcText(data.startedAt)}`));
  add(meta, el("span", "", `provider ${data.provider}`));
  add(meta, el("span", "", `${data.tool.name} ${data.tool.version}`));
  if (data.environment) add(meta, el("span", "", `Node.js ${data.environment.node} on ${data.environment.platform}/${data.environment.arch}`));
  const summary = data.summary;
  const { failed: failedScenarios, errored } = scenarioOutcomes(kit);
  const bad = summary.failed > 0 || errored > 0;
  const verdict = add(header, el("div", `verdict ${bad ? "fail" : "pass"}`));
  verdict.id = "verdict";
  add(verdict, el("span", "sym", bad ? "✗" : "✓"));
  add(verdict, el("span", "", bad
    ? `${plural(summary.failed, "cell")} did not match in ${plural(failedScenarios, "scenario")}${errored ? `; ${plural(errored, "scenario")} could not run` : ""}`
    : `Every expectation held: ${plural(summary.passed, "cell")} passed${summary.skipped ? `, ${summary.skipped} skipped` : ""}`));
  if (data.interrupted) add(verdict, el("span", "", "(interrupted: partial results)"));
}

/** How many scenarios failed and how many could not run. */
function scenarioOutcomes(kit: ClientKit): { failed: number; errored: number } {
  const scenarios = kit.data.scenarios;
  return { failed: scenarios.filter((s) => s.status === "failed").length, errored: scenarios.filter((s) => s.status === "error").length };
}

/** The count cards: scenarios, cells, passed, failed, skipped, duration, provider. */
export function renderSummaryCards(kit: ClientKit, main: HTMLElement): void {
  const { data, el, add } = kit;
  const summary = data.summary;
  const { failed: failedScenarios, errored } = scenarioOutcomes(kit);
  const cards = add(main, el("div", "cards"));
  cards.id = "summary";
  const card = (key: string, label: string, value: string, sub?: string, extra = "") => {
    const box = add(cards, el("div", `card ${value === "0" ? "zero" : key} ${extra}`));
    box.dataset.key = key;
    box.classList.add(`is-${key}`);
    add(box, el("div", "label", label));
    const shown = add(box, el("div", "value", value));
    shown.dataset.count = key;
    if (sub) add(box, el("div", "sub", sub));
  };
  card("scenarios", "Scenarios", String(summary.scenarios), `${data.scenarios.length - failedScenarios - errored} passed · ${failedScenarios} failed${errored ? ` · ${errored} error` : ""}`);
  card("cells", "Cells", String(summary.cells), "probed connections");
  card("passed", "Passed", String(summary.passed), summary.cells ? `${((100 * summary.passed) / Math.max(1, summary.cells - summary.skipped)).toFixed(1)} % of probed` : "");
  card("failed", "Failed", String(summary.failed), "expected ≠ observed", summary.failed ? "nonzero" : "");
  card("skipped", "Skipped", String(summary.skipped), "not probeable here");
  card("duration", "Duration", durationText(data.durationMs), "", "small");
  card("provider", "Provider", data.provider, "", "small");
}

/** Against a baseline: a card per kind of change, the scenarios whose status changed, the cells no longer probed. */
export function renderRegressionSummary(kit: ClientKit, main: HTMLElement): void {
  const { data, el, add } = kit;
  const regression = data.regression;
  if (!regression) return;
  const baseline = regression.baseline;
  add(main, el("h2", "section", `Changes since the baseline run of ${utcText(baseline.startedAt)} (${baseline.provider}, netspec ${baseline.version})`));
  const cards = add(main, el("div", "cards"));
  cards.id = "changes";
  data.changeKinds.forEach((kind, i) => {
    const count = regression.counts[kind] || 0;
    const card = add(cards, el("div", `card ${kind === "new-failure" ? "failed" : kind === "fixed" ? "passed" : ""} ${kind === "new-failure" && count ? "nonzero" : ""}`));
    add(card, el("div", "label", data.changeLabels[i]!));
    const shown = add(card, el("div", "value", String(count)));
    shown.dataset.change = kind;
  });
  if (regression.scenarios.length) {
    const table = add(main, el("table", "list"));
    const headRow = add(add(table, el("thead")), el("tr"));
    ["Scenario", "Baseline", "Now"].forEach((heading) => add(headRow, el("th", "", heading)));
    const tbody = add(table, el("tbody"));
    for (const scenario of regression.scenarios) {
      const tr = add(tbody, el("tr", scenario.after === "failed" || scenario.after === "error" ? "failed" : ""));
      add(tr, el("td", "", scenario.name)); add(tr, el("td", "", scenario.before || "absent")); add(tr, el("td", "", scenario.after || "absent"));
    }
  }
  if (regression.removed.length) {
    const details = add(main, el("details", "more"));
    add(details, el("summary", "", `${plural(regression.removed.length, "cell")} of the baseline no longer probed`));
    const pre = add(details, el("pre"));
    pre.textContent = regression.removed.map((cell) => `${cell.scenario}: ${cell.id} (was: ${cell.before})`).join("\n");
  }
}

/** Every function above, in the order index.ts inlines them. */
export const SUMMARY_CLIENT = [renderHeader, scenarioOutcomes, renderSummaryCards, renderRegressionSummary] as const;
