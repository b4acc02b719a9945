// The mocha adapter: a spec file of three lines turns folders of scenarios into suites.
//
//   import { describeScenarios } from "netspec/mocha";
//   describeScenarios(["specs"]);
//
// One suite per scenario (its cluster is provisioned in `before` and removed in `after`),
// one test per expectation group; a failing test lists the mismatching cells.
import { AssertionError } from "node:assert";
import { validatePaths } from "../runner/validate-paths.js";
import { expectedCells, type ExpectedCell } from "../oracle/index.js";
import { providerFor } from "../providers/index.js";
import { formatDiagnostic } from "../scenario/diagnostics.js";
import { groupCells } from "../report/groups.js";
import { formatRule } from "../scenario/references.js";
import { cellId } from "../scenario/target.js";
import type { CellResult, ScenarioResult } from "../runner/results.js";
import { run } from "../runner/run.js";

export interface DescribeOptions {
  /** Provider name (default "local"). */
  readonly provider?: string;
  /** Per-scenario time limit for provision + probe + teardown (default 5 minutes). */
  readonly timeoutMs?: number;
}

export function describeScenarios(paths: string | readonly string[], options: DescribeOptions = {}): void {
  const list = typeof paths === "string" ? [paths] : paths;
  const { scenarios, diagnostics } = validatePaths(list, { lint: false });
  if (diagnostics.hasErrors) {
    describe(`netspec: ${list.join(", ")}`, () => {
      it("scenarios are valid", () => {
        throw new AssertionError({ message: diagnostics.errors.map(formatDiagnostic).join("\n") });
      });
    });
    return;
  }
  for (const scenario of scenarios) {
    describe(`${scenario.name}${scenario.description ? ` — ${scenario.description}` : ""}`, function () {
      this.timeout(options.timeoutMs ?? 300_000);
      let result: ScenarioResult | undefined;
      before(async function () {
        const results = await run([scenario], { provider: providerFor(options.provider ?? "local") });
        result = results.scenarios[0];
      });
      for (const [title, cells] of groupCells(expectedCells(scenario), (i) => { const rule = scenario.expect.rules.find((r) => r.index === i); return rule && formatRule(rule); })) {
        it(title, function () {
          if (!result) throw new Error("the scenario did not run (see the before hook's error)");
          if (result.status === "error") throw new Error(`scenario error: ${result.error}`);
          const observed = new Map(result.cells.map((c) => [cellId(c), c]));
          const outcomes = cells.map((cell) => observed.get(cellId(cell)));
          const missing = cells.filter((_, i) => !outcomes[i]);
          if (missing.length > 0) throw new Error(`no observation for ${missing.map(cellId).join(", ")}`);
          const failed = outcomes.filter((c): c is CellResult => !c!.match && !c!.skipped);
          if (failed.length === 0) {
            if (outcomes.every((c) => c!.skipped)) this.skip();
            return;
          }
          throw mismatchError(cells, failed);
        });
      }
    });
  }
}

/** An AssertionError whose expected/actual show only the mismatching cells, one per line. */
function mismatchError(cells: readonly ExpectedCell[], failed: readonly CellResult[]): AssertionError {
  const line = (c: CellResult, value: string) => `${cellId(c)}: ${value}`;
  const error = new AssertionError({
    message: `${failed.length} of ${cells.length} cells differ:\n${failed.map((c) => `  ${cellId(c)}: expected ${c.expected}, observed ${c.observed}${c.mismatch ? ` (${c.mismatch})` : ""}\n    ${c.reason}`).join("\n")}`,
    expected: failed.map((c) => line(c, c.expected)).join("\n"),
    actual: failed.map((c) => line(c, c.observed)).join("\n"),
    operator: "strictEqual",
  });
  return error;
}
