// `netspec report` as users run it: real process, real files, exit codes.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, describe, it } from "mocha";
import type { CellResult, RunResults } from "../runner/results.js";
import { scenarioFromYaml } from "../scenario/build.js";
import { syntheticRun, syntheticScenarioResult } from "./synthetic.js";

const main = fileURLToPath(new URL("../cli/main.js", import.meta.url));
const netspec = (...args: string[]) => spawnSync(process.execPath, [main, ...args], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });

describe("netspec report", function () {
  this.timeout(30_000);
  const dir = mkdtempSync(join(tmpdir(), "netspec-report-cmd-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const scenario = scenarioFromYaml(readFileSync("specs/examples/01-shop-api-isolation.yaml", "utf8"), "specs/examples/01-shop-api-isolation.yaml");
  const old = syntheticRun([syntheticScenarioResult(scenario)]);
  const now = structuredClone(old) as RunResults;
  const cells = now.scenarios[0]!.cells as CellResult[];
  cells[1] = { ...cells[1]!, observed: "timeout", match: false };
  writeFileSync(join(dir, "old.json"), JSON.stringify(old));
  writeFileSync(join(dir, "new.json"), JSON.stringify(now));

  it("prints and writes the regression, exiting 1 for new failures", () => {
    const out = join(dir, "out");
    const r = netspec("report", "--baseline", join(dir, "old.json"), "--current", join(dir, "new.json"), "--out", out, "--reporter", "console,html,junit,conformance", "--implementation-name", "test-cni");
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /1 new failures/);
    assert.match(r.stderr, /\+✗ shop-api-isolation: shop\/frontend -> shop\/api-0 8080\/TCP ipv4/);
    for (const f of ["report.html", "junit.xml", "conformance.yaml", "regression.json"]) assert.ok(existsSync(join(out, f)), f);
    assert.match(readFileSync(join(out, "conformance.yaml"), "utf8"), /name: test-cni/);
    assert.equal(netspec("report", "--baseline", join(dir, "new.json"), "--current", join(dir, "old.json"), "--out", out).status, 0, "only fixes");
  });

  it("exits 2 for a missing or foreign results file and an unknown reporter", () => {
    assert.equal(netspec("report", "--current", join(dir, "nope.json")).status, 2);
    writeFileSync(join(dir, "foreign.json"), "{\"a\": 1}");
    const r = netspec("report", "--current", join(dir, "foreign.json"));
    assert.equal(r.status, 2);
    assert.match(r.stderr, /not a netspec results.json/);
    assert.equal(netspec("report", "--current", join(dir, "new.json"), "--reporter", "pdf").status, 2);
    assert.equal(netspec("report").status, 2);
  });
});
