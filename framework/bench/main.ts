// `npm run bench`: prints the figures the issues ask for. Each measurement runs in its own
// process so that peak memory belongs to that measurement alone. Targets are printed beside
// the figures; nothing here asserts (timing belongs in benchmarks, not tests).
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

type OracleMode = "summary" | "cells" | "json";

interface OracleFigure {
  scenario: string; mode: string; pods: number; cells: number; identities?: number; policies: number;
  loadMs: number; oracleMs: number; cellsPerSecond: number; peakRssMiB: number;
}

function oracleBench(scenario: string, mode: OracleMode): OracleFigure {
  const out = execFileSync(process.execPath, [here("./oracle-bench.js"), scenario, mode], { encoding: "utf8", maxBuffer: 1 << 20 });
  return JSON.parse(out.trim()) as OracleFigure;
}

/** What each oracle run measures, and the target it is held against (empty: no target). */
const ORACLE_RUNS: readonly { scenario: string; mode: OracleMode; target: string }[] = [
  { scenario: "standard-100", mode: "cells", target: "" },
  { scenario: "standard-1000", mode: "cells", target: ">= 5 M cells/s (materialising every cell)" },
  { scenario: "standard-1000", mode: "json", target: ">= 5 M cells/s (the whole streamed JSON)" },
  { scenario: "standard-100", mode: "summary", target: "" },
  { scenario: "standard-1000", mode: "summary", target: "" },
  { scenario: "standard-5000", mode: "summary", target: "< 10 s, < 1 GiB" },
  { scenario: "identities-5000", mode: "summary", target: "< 2 s, < 1 GiB" },
  { scenario: "cluster-50000", mode: "summary", target: "< 10 s, < 2 GiB" },
  { scenario: "cluster-50000-cnp", mode: "summary", target: "< 10 s, < 2 GiB" },
  { scenario: "cluster-50000-both", mode: "summary", target: "" },
];

const only = process.argv[2];
if (!only || only === "oracle") {
  console.log("oracle: the full pod-to-pod matrix (standard-N: N pods, 5 apps per namespace, 2 ports, dual-stack;");
  console.log("        identities-5000: 5,000 pods, ~3,000 identities, 250 policies, dual-stack;");
  console.log("        cluster-50000: 50,000 pods in 500 namespaces on 500 nodes, 2,000 policies, an ANP and a BANP;");
  console.log("        -cnp: the same two as ClusterNetworkPolicies; -both: both kinds, each tier evaluated in both orders)");
  const columns = ["scenario", "mode", "pods", "identities", "cells", "policies", "load", "oracle", "cells/s", "peak RSS", "target"];
  const widths = [16, 8, 7, 11, 14, 9, 10, 10, 12, 10, 0];
  const row = (values: string[]) => `  ${values.map((v, i) => v.padEnd(widths[i]!)).join(" ").trimEnd()}`;
  console.log(row(columns));
  for (const { scenario, mode, target } of ORACLE_RUNS) {
    const f = oracleBench(scenario, mode);
    console.log(row([
      f.scenario, f.mode, String(f.pods), String(f.identities ?? "-"), String(f.cells), String(f.policies),
      `${f.loadMs} ms`, `${f.oracleMs} ms`, String(f.cellsPerSecond), `${f.peakRssMiB} MiB`, target,
    ]));
  }
}
if (!only || only === "matrix") {
  const { matrixBench } = await import("./matrix-bench.js");
  await matrixBench();
}
if (!only || only === "scale") {
  const { localScaleBench } = await import("./local-scale-bench.js");
  await localScaleBench([{ pods: 100, nodes: 4, runs: 10 }, { pods: 400, nodes: 8, runs: 1 }]);
}
if (!only || only === "report") {
  const { reportBench } = await import("./report-bench.js");
  await reportBench();
}
if (!only || only === "http") {
  const { benchHttpOracle } = await import("../oracle/http/bench.js");
  const ms = benchHttpOracle(1000, 10_000);
  console.log("http: the Gateway API routing oracle, 1,000 HTTPRoutes compiled and 10,000 requests routed");
  console.log(`  ${Math.round(ms)} ms (target < 2 s)`);
}
if (!only || only === "gateway") {
  const { gatewayBench } = await import("./gateway-bench.js");
  await gatewayBench();
}
