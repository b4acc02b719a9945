// The command line as users meet it: real processes, real exit codes, the SPEC's JSON shapes.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { generateScenarioYaml } from "../bench/generate.js";
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

  it("explain for a request through a Gateway names the rule and the criterion; without a request it says GET /", () => {
    const layer7 = "fixtures/layer7/gateway-routing.yaml";
    const result = netspec("explain", layer7, "--from", "external", "--to", "gateway/infra/gw", "--host", "shop.example.com", "--path", "/", "--header", "version=two");
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^ {4}route, rule and match: HTTPRoute apps\/web rules\[1\] matches\[0\] \(PathPrefix \/, header version=two\)$/m);
    assert.match(result.stdout, /^ {4}won by: more header matches \(1 over 0\)$/m);
    const bare = netspec("explain", layer7, "--from", "external", "--to", "gateway/infra/gw");
    assert.equal(bare.status, 0, bare.stderr);
    assert.match(bare.stdout, /^no request described \(--path, --host, --method, --header\): GET \/ with the address as Host/);
    const cases: [string[], RegExp][] = [
      [[example, "--from", "shop/frontend", "--to", "shop/api-0", "--path", "/"], /--to shop\/api-0 is neither/],
      [[layer7, "--from", "external", "--to", "gateway/infra/gw", "--header", "version"], /--header 'version' is not NAME=VALUE/],
      [[layer7, "--from", "external", "--to", "gateway/infra/gw", "--port", "http"], /a listener port number, not 'http'/],
      [[layer7, "--from", "external", "--to", "gateway/infra/gw", "--method", "GE T"], /is not an HTTP method/],
      [[layer7, "--from", "external", "--to", "gateway/infra/gw", "--path", "v2"], /must start with '\/'/],
      [[layer7, "--from", "external", "--to", "gateway/infra/nope"], /declares no Gateway infra\/nope/],
    ];
    for (const [args, message] of cases) {
      const r = netspec("explain", ...args);
      assert.equal(r.status, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, message, args.join(" "));
    }
  });

  it("exits 2 with a usage message, not a stack trace, for a wrong command line", () => {
    for (const args of [[], ["frobnicate"], ["expect"], ["expect", example, "--format", "xml"], ["validate", "no/such/dir"], ["explain", example, "--from", "x", "--to", "y"]]) {
      const result = netspec(...args);
      assert.equal(result.status, 2, `${args.join(" ")}: ${result.stderr}`);
      assert.doesNotMatch(result.stderr, /^\s+at /m);
    }
  });

  it("rejects an option that belongs to another command with exit 2 and that command's own help", () => {
    const cases: [string[], RegExp, RegExp][] = [
      [["validate", example, "--cni", "x"], /unknown option '--cni'/, /Usage: netspec validate/],
      [["expect", example, "--parallel", "3"], /unknown option '--parallel'/, /Usage: netspec expect/],
      [["explain", example, "--from", "shop/frontend", "--to", "shop/api-0", "--reporter", "json"], /unknown option '--reporter'/, /Usage: netspec explain/],
      [["report", "--current", "x.json", "--provider", "kind"], /unknown option '--provider'/, /Usage: netspec report/],
      [["expect", example, "--format", "xml"], /argument 'xml' is invalid. Allowed choices are table, json, summary/, /Usage: netspec expect/],
      [["run", example, "--provider", "nope"], /Allowed choices are local, kind, existing/, /Usage: netspec run/],
      [["explain", example, "--from", "shop/frontend"], /required option '--to <ref>' not specified/, /Usage: netspec explain/],
      [["run", example, "--parallel", "0"], /--parallel must be a whole number/, /Usage: netspec run/],
    ];
    for (const [args, message, help] of cases) {
      const result = netspec(...args);
      assert.equal(result.status, 2, `${args.join(" ")}: ${result.stderr}`);
      assert.match(result.stderr, message, args.join(" "));
      assert.match(result.stderr, help, args.join(" "));
      assert.equal(result.stdout, "", "nothing on stdout");
    }
  });

  it("prints each command's help, generated from its options, with exit 0", () => {
    const run = netspec("run", "--help");
    assert.equal(run.status, 0);
    for (const flag of ["--provider <name>", "--kind-config <file>", "--node-map <map>", "--implementation-name <name>"]) assert.ok(run.stdout.includes(flag), flag);
    const validate = netspec("validate", "--help");
    assert.equal(validate.status, 0);
    assert.doesNotMatch(validate.stdout, /--provider|--format/, "validate lists only its own options");
  });

  it("ends quietly with exit 0 when the reader of stdout goes away (expect --format json | head)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "netspec-epipe-"));
    const file = join(dir, "big.yaml");
    writeFileSync(file, generateScenarioYaml(300)); // megabytes of JSON: far more than a pipe buffers
    const child = spawn(process.execPath, [main, "expect", file, "--format", "json"], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (d: string) => { stderr += d; });
    child.stdout.once("data", () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    assert.equal(code, 0, stderr);
    assert.equal(stderr, "", "no EPIPE stack trace");
  });
});
