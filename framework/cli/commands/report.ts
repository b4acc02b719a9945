// `netspec report --current NEW/results.json [--baseline OLD/results.json] [--reporter …] [--out DIR]`:
// the reports of a saved run, and with a baseline the regression view (new failures, fixed cells,
// changed outcomes and backends) in the console and the HTML report.
// Exit: 1 when the current run has new failures against the baseline (without a baseline: any
// failure), 0 otherwise, 2 for a usage error or an unreadable results file.
import { ConsoleReporter } from "../../report/console.js";
import { compareRuns, readResults, renderRegressionConsole, ResultsFileError } from "../../report/regression.js";
import { implementationFromFlags, REPORTER_NAMES, writeReports } from "../../report/write.js";
import type { Style } from "../../report/terminal-style.js";
import { UsageError } from "../usage.js";

export interface ReportFlags {
  baseline?: string;
  current?: string;
  reporter?: string;
  out?: string;
  implementationName?: string;
  implementationVersion?: string;
  implementationOrganization?: string;
  implementationUrl?: string;
  implementationContact?: string;
}

export function reportCommand(flags: ReportFlags, style: Style): number {
  const currentPath = flags.current;
  if (!currentPath) throw new UsageError("netspec report needs --current NEW/results.json (and --baseline OLD/results.json for the regression view)");
  const reporters = (flags.reporter ?? "console,html").split(",").map((r) => r.trim()).filter(Boolean);
  for (const r of reporters) {
    if (!(REPORTER_NAMES as readonly string[]).includes(r)) throw new UsageError(`unknown reporter '${r}'; available: ${REPORTER_NAMES.join(", ")}`);
  }
  const out = flags.out ?? "reports";
  let current;
  let baseline;
  try {
    current = readResults(currentPath);
    baseline = flags.baseline ? readResults(flags.baseline) : undefined;
  } catch (error) {
    if (error instanceof ResultsFileError) throw new UsageError(error.message);
    throw error;
  }
  const regression = baseline ? compareRuns(baseline, current) : undefined;
  const write = (line: string) => process.stderr.write(`${line}\n`);
  if (reporters.includes("console")) {
    new ConsoleReporter(process.stderr, style).finish(current);
    if (regression) write(`\n${renderRegressionConsole(regression, style)}`);
  }
  // The current run's results.json is not rewritten unless asked (--reporter json).
  for (const path of writeReports(out, current, reporters, { ...(regression ? { regression } : {}), implementation: implementationFromFlags(flags) })) {
    write(style.dim(`report: ${path}`));
  }
  if (regression) return regression.counts["new-failure"] > 0 ? 1 : 0;
  return current.summary.failed > 0 || current.scenarios.some((s) => s.status !== "passed") ? 1 : 0;
}
