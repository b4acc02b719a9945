// One oracle benchmark in this process: `node oracle-bench.js SCENARIO MODE`, prints one JSON line.
// SCENARIO: `standard-PODS` (generateScenarioYaml), `identities-5000`, `cluster-50000`,
// `cluster-50000-cnp` (its ANP and BANP as ClusterNetworkPolicies), `cluster-50000-both` (both kinds).
// MODE "summary": the full pod-to-pod matrix counted (`expect --format summary`, the scale path).
// MODE "cells": every cell materialised with its expectation (what `expect --format json` iterates).
// MODE "json": the whole streamed `expect --format json` output, written to /dev/null.
import { closeSync, openSync, writeSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { scenarioFromYaml } from "../scenario/build.js";
import { expectedCells } from "../oracle/index.js";
import { CellsJson } from "../oracle/json.js";
import { summarize } from "../oracle/summary.js";
import { generateClusterScenarioYaml, generateIdentityScenarioYaml, generateScenarioYaml } from "./generate.js";

function scenarioYaml(name: string): string {
  if (name === "identities-5000") return generateIdentityScenarioYaml();
  if (name === "cluster-50000") return generateClusterScenarioYaml();
  if (name === "cluster-50000-cnp") return generateClusterScenarioYaml("cnp");
  if (name === "cluster-50000-both") return generateClusterScenarioYaml("both");
  const standard = /^standard-(\d+)$/.exec(name);
  if (standard) return generateScenarioYaml(Number(standard[1]));
  throw new Error(`unknown benchmark scenario ${name}`);
}

const name = process.argv[2] ?? "standard-100";
const mode = process.argv[3] ?? "summary";
const yaml = scenarioYaml(name);
const t0 = performance.now();
const scenario = scenarioFromYaml(yaml, `${name}.yaml`);
const t1 = performance.now();
let cells = 0;
let identities: number | undefined;
if (mode === "summary") {
  const summary = summarize(scenario);
  cells = summary.cells;
  identities = summary.identities;
} else if (mode === "cells") {
  for (const _cell of expectedCells(scenario)) cells++;
} else if (mode === "json") {
  const devNull = openSync("/dev/null", "w");
  const document = new CellsJson(scenario);
  for (const chunk of document) writeSync(devNull, chunk);
  closeSync(devNull);
  cells = document.cells;
} else {
  throw new Error(`unknown mode ${mode}`);
}
const t2 = performance.now();
process.stdout.write(`${JSON.stringify({
  scenario: name, mode, pods: scenario.pods.filter((p) => !p.system).length, cells, identities,
  policies: scenario.networkPolicies.length + scenario.adminNetworkPolicies.length + scenario.baselineAdminNetworkPolicies.length +
    scenario.clusterNetworkPolicies.length,
  loadMs: Math.round(t1 - t0), oracleMs: Math.round(t2 - t1),
  cellsPerSecond: Math.round(cells / ((t2 - t1) / 1000)),
  peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
})}\n`);
