// `npm run bench`: prints the figures the issues ask for. Each measurement runs in its own
// process so that peak memory belongs to that measurement alone. Targets are printed beside
// the figures; nothing here asserts (timing belongs in benchmarks, not tests).
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

interface OracleFigure { pods: number; mode: string; cells: number; identities?: number; policies: number; loadMs: number; oracleMs: number; cellsPerSecond: number; peakRssMiB: number }

function oracleBench(pods: number, mode: "summary" | "cells"): OracleFigure {
  const out = execFileSync(process.execPath, [here("./oracle-bench.js"), String(pods), mode], { encoding: "utf8", maxBuffer: 1 << 20 });
  return JSON.parse(out.trim()) as OracleFigure;
}

const only = process.argv[2];
if (!only || only === "oracle") {
  console.log("oracle: full pod-to-pod matrix, 2 ports x 2 families (target for 5,000 pods: < 10 s and < 1 GiB)");
  console.log("  pods   mode     cells          identities  policies  load      oracle    cells/s         peak RSS");
  const runs: [number, "summary" | "cells"][] = [[100, "cells"], [1000, "cells"], [100, "summary"], [1000, "summary"], [5000, "summary"]];
  for (const [pods, mode] of runs) {
    const f = oracleBench(pods, mode);
    console.log(`  ${String(f.pods).padEnd(6)} ${f.mode.padEnd(8)} ${String(f.cells).padEnd(14)} ${String(f.identities ?? "-").padEnd(11)} ${String(f.policies).padEnd(9)} ${`${f.loadMs} ms`.padEnd(9)} ${`${f.oracleMs} ms`.padEnd(9)} ${String(f.cellsPerSecond).padEnd(15)} ${f.peakRssMiB} MiB`);
  }
}
if (!only || only === "matrix") {
  const { matrixBench } = await import("./matrix-bench.js");
  await matrixBench();
}
if (!only || only === "report") {
  const { reportBench } = await import("./report-bench.js");
  await reportBench();
}
