// `netspec expect <file> [--format table|json|summary]`: the oracle's matrix.
import { once } from "node:events";
import { expectedCells } from "../../oracle/index.js";
import { CellsJson } from "../../oracle/json.js";
import { summarize } from "../../oracle/summary.js";
import { loadScenario } from "../../scenario/build.js";
import { renderMatrixTables } from "../../report/matrix-table.js";

export type ExpectFormat = "table" | "json" | "summary";

/** `format` is one of ExpectFormat: the command line's choices enforce it. */
export async function expectCommand(file: string, format: string): Promise<number> {
  const { scenario } = loadScenario(file);
  if (format === "summary") {
    process.stdout.write(`${JSON.stringify({ scenario: scenario.name, ...summarize(scenario) })}\n`);
    return 0;
  }
  if (format === "json") {
    // Streamed chunk by chunk, waiting for a slow reader (a pipe) to drain what was written, so
    // that neither the document nor a backlog of it sits in memory.
    for (const chunk of new CellsJson(scenario)) {
      if (!process.stdout.write(chunk)) await once(process.stdout, "drain");
    }
    return 0;
  }
  process.stdout.write(`${renderMatrixTables(expectedCells(scenario))}\n`);
  return 0;
}
