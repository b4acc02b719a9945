// Loading, building and linting every scenario under some paths: what `validate`, `run` and
// the mocha adapter all start with.
import { lintExpectations } from "../oracle/lint.js";
import { buildScenario } from "../scenario/build.js";
import { Diagnostics } from "../scenario/diagnostics.js";
import { discoverScenarios } from "../scenario/discover.js";
import { loadScenarioFile } from "../scenario/load.js";
import type { Scenario } from "../scenario/model.js";

/** A command-line mistake (exit 2): bad paths, unknown options. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export interface ValidatedSet {
  readonly scenarios: Scenario[];
  readonly diagnostics: Diagnostics;
}

/** Loads, builds and lints every scenario under `paths`; shared by validate and run. */
export function validatePaths(paths: readonly string[], options: { lint: boolean }): ValidatedSet {
  if (paths.length === 0) throw new UsageError("give at least one scenario file or directory");
  const { files, missing } = discoverScenarios(paths);
  if (missing.length > 0) throw new UsageError(`no such file or directory: ${missing.join(", ")}`);
  if (files.length === 0) throw new UsageError(`no scenario (a YAML file with 'kind: Scenario') under ${paths.join(", ")}`);
  const diagnostics = new Diagnostics();
  const scenarios: Scenario[] = [];
  const names = new Map<string, string>();
  for (const file of files) {
    const loaded = loadScenarioFile(file, diagnostics);
    const scenario = loaded && buildScenario(loaded, diagnostics);
    if (!scenario) continue;
    const other = names.get(scenario.name);
    if (other) {
      diagnostics.error(loaded!.locator.at(["metadata", "name"]), `scenario name '${scenario.name}' is also used by ${other}; names must be unique in a run`);
      continue;
    }
    names.set(scenario.name, scenario.file);
    if (options.lint) lintExpectations(scenario, diagnostics);
    scenarios.push(scenario);
  }
  return { scenarios, diagnostics };
}
