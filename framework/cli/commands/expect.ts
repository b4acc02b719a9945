// `netspec expect <file> [--format table|json|summary]`: the oracle's matrix.
import { expectedCells } from "../../oracle/index.js";
import { summarize } from "../../oracle/summary.js";
import { loadScenario } from "../../scenario/build.js";
import { renderMatrixTables } from "../../report/matrix-table.js";

export type ExpectFormat = "table" | "json" | "summary";

/** `format` is one of ExpectFormat: the command line's choices enforce it. */
export function expectCommand(file: string, format: string): number {
  const { scenario } = loadScenario(file);
  if (format === "summary") {
    process.stdout.write(`${JSON.stringify({ scenario: scenario.name, ...summarize(scenario) })}\n`);
    return 0;
  }
  if (format === "json") {
    // Streamed cell by cell so that a large matrix never sits in memory as one string.
    process.stdout.write(`{"scenario":${JSON.stringify(scenario.name)},"cells":[`);
    let first = true;
    for (const cell of expectedCells(scenario)) {
      const { from, to, target, port, protocol, family, expected, reason, backends } = cell;
      const json = JSON.stringify({ from, to, target, port, protocol, family, expected, reason, ...(backends && target !== "pod" ? { backends } : {}), ...(cell.source !== "oracle" ? { source: cell.source, oracle: cell.oracle } : {}) });
      process.stdout.write(`${first ? "\n" : ",\n"}${json}`);
      first = false;
    }
    process.stdout.write("\n]}\n");
    return 0;
  }
  process.stdout.write(`${renderMatrixTables(expectedCells(scenario))}\n`);
  return 0;
}
