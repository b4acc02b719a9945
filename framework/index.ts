// The library API: the same operations the CLI offers.
export { loadScenario, scenarioFromYaml, buildScenario } from "./scenario/build.js";
export { Diagnostics, ScenarioError, formatDiagnostic, type Diagnostic } from "./scenario/diagnostics.js";
export type * from "./scenario/model.js";
export { expectedCells, Oracle, planCells, expectationHolds, type ExpectedCell, type OracleCell } from "./oracle/index.js";
export { cellId, formatTarget, targetId, type CellKey, type Target, type TargetKind, type TargetName, type HttpRequest } from "./scenario/target.js";
export { summarize, type Summary } from "./oracle/summary.js";
export { explain, type ExplainQuery } from "./oracle/explain.js";
export { lintExpectations } from "./oracle/lint.js";
export { validatePaths, UsageError } from "./runner/validate-paths.js";
export { run, type RunOptions, type RunEvent } from "./runner/run.js";
export type { Provider, Cluster, ProbeRequest, Observation } from "./runner/provider.js";
export { EnvironmentError } from "./runner/provider.js";
export type { RunResults, ScenarioResult, CellResult } from "./runner/results.js";
export { providerFor, PROVIDERS } from "./providers/index.js";
export { VERSION } from "./version.js";
