// Test helper (not a test file): the errors a scenario text is rejected with.
import assert from "node:assert/strict";
import { scenarioFromYaml } from "./build.js";
import { ScenarioError } from "./diagnostics.js";

/** `LINE:COL message` for each error building `text` reports; none when it builds. */
export function errorsOf(text: string): string[] {
  try {
    scenarioFromYaml(text);
    return [];
  } catch (error) {
    assert.ok(error instanceof ScenarioError, String(error));
    return error.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.line}:${d.col} ${d.message}`);
  }
}
