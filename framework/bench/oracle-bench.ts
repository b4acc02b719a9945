// One oracle benchmark in this process: `node oracle-bench.js PODS MODE`, prints one JSON line.
// MODE "summary": the full pod-to-pod matrix counted by identity classes (the scale path).
// MODE "cells": every cell materialised through the oracle (what `expect --format json` does).
import { performance } from "node:perf_hooks";
import { scenarioFromYaml } from "../scenario/build.js";
import { expectedCells } from "../oracle/index.js";
import { summarize } from "../oracle/summary.js";
import { generateScenarioYaml } from "./generate.js";

const pods = Number(process.argv[2] ?? 100);
const mode = process.argv[3] ?? "summary";
const t0 = performance.now();
const scenario = scenarioFromYaml(generateScenarioYaml(pods), `generated-${pods}.yaml`);
const t1 = performance.now();
let cells = 0;
let identities: number | undefined;
if (mode === "summary") {
  const summary = summarize(scenario);
  cells = summary.cells;
  identities = summary.identities;
} else {
  for (const _cell of expectedCells(scenario)) cells++;
}
const t2 = performance.now();
process.stdout.write(`${JSON.stringify({
  pods, mode, cells, identities, policies: scenario.networkPolicies.length,
  loadMs: Math.round(t1 - t0), oracleMs: Math.round(t2 - t1),
  cellsPerSecond: Math.round(cells / ((t2 - t1) / 1000)),
  peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
})}\n`);
