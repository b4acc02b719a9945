// The command line as users meet it: real processes, real exit codes, the SPEC's JSON shapes.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, it } from "mocha";

const main = fileURLToPath(new URL("./main.js", import.meta.url));
const netspec = (...args: string[]) => spawnSync(process.execPath, [main, ...args], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
const example = "specs/examples/01-shop-api-isolation.yaml";

describe("netspec CLI", function () {
  this.timeout(30_000);
  it("expect --format json prints the SPEC's cell shape", () => {
    const result = netspec("expect", example, "--format", "json");
    assert.equal(result.status, 0, result.stderr);
    const json = JSON.parse(result.stdout) as { scenario: string; cells: Record<string, unknown>[] };
    assert.equal(json.scenario, "shop-api-isolation");
    const cell = json.cells.find((c) => c.from === "shop/frontend" && c.to === "shop/api-0")!;
    assert.deepEqual(
      { from: cell.from, to: cell.to, target: cell.target, port: cell.port, protocol: cell.protocol, family: cell.family, expected: cell.expected },
      { from: "shop/frontend", to: "shop/api-0", target: "pod", port: 8080, protocol: "TCP", family: "ipv4", expected: "allow" },
    );
    assert.match(String(cell.reason), /allowed by shop\/api-ingress ingress\[0\]/);
    const svc = json.cells.find((c) => c.from === "ops/debug" && c.to === "svc/shop/api")!;
    assert.equal(svc.port, 80, "a Service cell's port is the Service port");
    assert.equal(svc.expected, "deny");
  });

  it("expect --format summary counts the same cells as the full matrix", () => {
    const full = JSON.parse(netspec("expect", example, "--format", "json").stdout) as { cells: { expected: string }[] };
    const summary = JSON.parse(netspec("expect", example, "--format", "summary").stdout) as Record<string, number>;
    assert.equal(summary.cells, full.cells.length);
    for (const kind of ["allow", "deny", "refused", "drop", "undefined"]) {
      assert.equal(summary[kind], full.cells.filter((c) => c.expected === kind).length, kind);
    }
  });

  it("expect prints a cyclonus-style table", () => {
    const result = netspec("expect", example);
    assert.match(result.stdout, /^pod 8080\/TCP ipv4:$/m);
    assert.match(result.stdout, /^ops\/debug\s+\|\s+X\s+\|\s+X\s+\|$/m);
  });

  it("explain names the tier, policy and rule that decided", () => {
    const result = netspec("explain", example, "--from", "shop/frontend", "--to", "shop/api-1");
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /ingress NetworkPolicy allow\s+shop\/api-ingress ingress\[0\]/);
  });

  it("exits 2 with a usage message, not a stack trace, for a wrong command line", () => {
    for (const args of [["frobnicate"], ["expect"], ["expect", example, "--format", "xml"], ["validate", "no/such/dir"], ["explain", example, "--from", "x"]]) {
      const result = netspec(...args);
      assert.equal(result.status, 2, `${args.join(" ")}: ${result.stderr}`);
      assert.doesNotMatch(result.stderr, /^\s+at /m);
    }
  });
});
