// The HTML report: one self-contained file (inline CSS and script, the data as inert JSON), that
// opens from file:// without any network access. Scenario text reaches the page only through
// the JSON block and textContent; a Content-Security-Policy with the hashes of the one script and
// the one stylesheet stops anything else from running even if something slipped through.
import { createHash } from "node:crypto";
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { RunResults } from "../../runner/results.js";
import type { Regression } from "../regression.js";
import { reportClient } from "./client.js";
import type { CellLayout } from "./client-kit.js";
import { buildReportData, CELL_STRIDE, F, MATCH, scriptSafeJson, SKIPPED, type ReportOptions } from "./data.js";
import { FILTERS_CLIENT } from "./filters-client.js";
import { FORMAT_CLIENT } from "./format-client.js";
import { HTTP_CLIENT } from "./http-client.js";
import { MATRIX_CLIENT } from "./matrix-client.js";
import { SCENARIO_CLIENT } from "./scenario-client.js";
import { SUMMARY_CLIENT } from "./summary-client.js";
import { TABLE_CLIENT } from "./table-client.js";
import { TOPOLOGY_CLIENT } from "./topology-client.js";
import { CSS } from "./style.js";

const hash = (text: string) => `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;

const escapeHtml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** The page's functions, inlined side by side in one closure: they call each other by name. */
const PAGE_FUNCTIONS: readonly ((...args: never[]) => unknown)[] = [
  ...FORMAT_CLIENT, ...MATRIX_CLIENT, ...HTTP_CLIENT, ...TOPOLOGY_CLIENT, ...SCENARIO_CLIENT, ...SUMMARY_CLIENT, ...FILTERS_CLIENT, ...TABLE_CLIENT,
];
const duplicate = PAGE_FUNCTIONS.find((f, i) => PAGE_FUNCTIONS.findIndex((g) => g.name === f.name) !== i);
// In one function body, a second declaration of a name silently replaces the first.
if (duplicate) throw new Error(`two page functions are named ${duplicate.name}`);
const CELL_LAYOUT: CellLayout = { fields: F, stride: CELL_STRIDE, match: MATCH, skipped: SKIPPED };

export function renderHtml(results: RunResults, options: ReportOptions = {}): string {
  const data = buildReportData(results, options);
  // One closure: the page's functions, then its script that calls them, given the cells' layout.
  const script = `(() => {\n${PAGE_FUNCTIONS.map((f) => f.toString()).join("\n")}\n(${reportClient.toString()})(${JSON.stringify(CELL_LAYOUT)});\n})();`;
  if (/<\/script/i.test(script) || /<\/style/i.test(CSS)) throw new Error("report script or stylesheet would close its element");
  const csp = [
    "default-src 'none'", `script-src ${hash(script)}`, `style-src ${hash(CSS)}`, "img-src data:",
    "base-uri 'none'", "form-action 'none'", "connect-src 'none'",
  ].join("; ");
  const failed = results.summary.failed;
  const title = `${data.title}: ${results.summary.scenarios} scenarios, ${failed ? `${failed} failed cells` : "all passed"}`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="netspec ${escapeHtml(results.tool.version)}">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
</head>
<body>
<noscript>This report draws its matrices with JavaScript; results.json beside it holds the same data.</noscript>
<div id="app"></div>
<script type="application/json" id="netspec-data">${scriptSafeJson(data)}</script>
<script>${script}</script>
</body>
</html>
`;
}

export interface HtmlOptions {
  readonly regression?: Regression;
  /** File name inside the directory (default report.html). */
  readonly fileName?: string;
}

export function writeHtml(dir: string, results: RunResults, options: HtmlOptions = {}): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, options.fileName ?? "report.html");
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, renderHtml(results, options.regression ? { regression: options.regression } : {}));
  renameSync(temporary, path);
  return path;
}
