// The regression view and the conformance report, on synthetic results from real scenarios.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "mocha";
import { parse } from "yaml";
import type { CellResult, RunResults } from "../runner/results.js";
import { scenarioFromYaml } from "../scenario/build.js";
import { conformanceReport, renderConformance } from "./conformance.js";
import { buildReportData, CELL_STRIDE, scriptSafeJson } from "./html/data.js";
import { compareRuns, renderRegressionConsole, terminalSafe } from "./regression.js";
import { syntheticRun, syntheticScenarioResult } from "./synthetic.js";
import { httpCell, runOf } from "./http.test-helpers.js";

const load = (file: string) => scenarioFromYaml(readFileSync(`specs/examples/${file}`, "utf8"), `specs/examples/${file}`);
const plain = { color: false, red: (t: string) => t, green: (t: string) => t, yellow: (t: string) => t, dim: (t: string) => t, bold: (t: string) => t };

function withCell(results: RunResults, scenario: number, predicate: (c: CellResult) => boolean, change: Partial<CellResult>): RunResults {
  const copy = structuredClone(results) as RunResults;
  const s = copy.scenarios[scenario]!;
  const cells = s.cells as CellResult[];
  const i = cells.findIndex(predicate);
  assert.ok(i >= 0);
  cells[i] = { ...cells[i]!, ...change };
  return copy;
}

describe("regression view", () => {
  const base = syntheticRun([syntheticScenarioResult(load("01-shop-api-isolation.yaml")), syntheticScenarioResult(load("10-service-named-targetport.yaml"))]);
  const isApi0 = (c: CellResult) => c.from === "shop/frontend" && c.to === "shop/api-0";
  const isOps = (c: CellResult) => c.from === "ops/debug" && c.to === "shop/api-1";

  it("finds new failures, fixed cells, changed outcomes and changed backends", () => {
    const baseline = withCell(base, 0, isOps, { observed: "connected", match: false });
    let current = withCell(base, 0, isApi0, { observed: "timeout", match: false });
    current = withCell(current, 0, isOps, { observed: "refused" });
    const svc = current.scenarios[1]!.cells.find((c) => c.observed === "connected" && c.target === "service")!;
    current = withCell(current, 1, (c) => c === svc || (c.from === svc.from && c.to === svc.to && c.port === svc.port), { backends: [svc.backend!, "elsewhere/pod"] });
    const r = compareRuns(baseline, current);
    const kinds = Object.fromEntries(r.changes.map((c) => [`${c.scenario} ${c.id}`, c.kind]));
    assert.equal(kinds["shop-api-isolation shop/frontend -> shop/api-0 8080/TCP ipv4"], "new-failure");
    assert.equal(kinds["shop-api-isolation ops/debug -> shop/api-1 8080/TCP ipv4"], "fixed");
    assert.ok(r.changes.find((c) => c.id.startsWith("ops/debug -> shop/api-1"))!.kinds.includes("observed-changed"));
    assert.ok(r.changes.some((c) => c.kind === "backends-changed"), JSON.stringify(r.changes));
    assert.equal(r.counts["new-failure"], 1);
    assert.equal(r.counts.fixed, 1);
    const text = renderRegressionConsole(r, plain);
    assert.match(text, /1 new failures, 1 fixed/);
    assert.match(text, /\+✗ shop-api-isolation: shop\/frontend -> shop\/api-0 8080\/TCP ipv4: expected allow, observed connected -> timeout/);
  });

  it("does not call a different single answering pod a change (load balancing picks one)", () => {
    const svc = base.scenarios[1]!.cells.find((c) => c.observed === "connected" && c.target === "service")!;
    const current = withCell(base, 1, (c) => c.from === svc.from && c.to === svc.to && c.port === svc.port && c.family === svc.family, { backend: "other/pod" });
    assert.equal(compareRuns(base, current).changes.length, 0);
  });

  it("reports nothing for identical runs, and cells or scenarios that appear or disappear", () => {
    assert.equal(compareRuns(base, base).changes.length, 0);
    const fewer = structuredClone(base) as RunResults;
    (fewer.scenarios[0]!.cells as CellResult[]).pop();
    fewer.scenarios.pop();
    const r = compareRuns(fewer, base);
    assert.equal(r.counts.added, 1);
    assert.deepEqual(r.scenarios, [{ name: "service-named-targetport", after: "passed" }]);
    assert.equal(compareRuns(base, fewer).counts.removed, 1);
  });

  it("never lets control characters from a results file reach the terminal", () => {
    assert.equal(terminalSafe("a\u001b[31mb\u2028"), "a\\u001b[31mb\\u2028");
  });

  it("marks changed cells in the HTML report's data", () => {
    const current = withCell(base, 0, isApi0, { observed: "timeout", match: false });
    const data = buildReportData(current, { regression: compareRuns(base, current) });
    assert.equal(data.scenarios[0]!.counts.changed, 1);
    assert.equal(data.regression!.counts["new-failure"], 1);
  });
});

describe("regression view: HTTP cells", () => {
  const v2 = (more: Partial<CellResult>) => httpCell({ request: { method: "GET", host: "shop.example.com", path: "/v2", headers: {} }, ...more });
  const replicas = { backends: ["apps/web-*"], backend: "apps/web-0" };
  const changes = (before: CellResult, after: CellResult) => compareRuns(runOf([before]), runOf([after])).changes;

  it("a different status is a change though both runs pass, shown old → new", () => {
    const before = v2({ status: [200, 404], backends: [], backend: undefined, observedStatus: 200 });
    const after = v2({ status: [200, 404], backends: [], backend: undefined, observedStatus: 404 });
    const [change] = changes(before, after);
    assert.deepEqual(change!.kinds, ["observed-changed"]);
    assert.equal(change!.id, "external -> gateway/infra/gw GET shop.example.com/v2 80/TCP ipv4");
    assert.match(renderRegressionConsole(compareRuns(runOf([before]), runOf([after])), plain), /Δ http-cells: external -> gateway\/infra\/gw GET shop\.example\.com\/v2 80\/TCP ipv4: expected allow, observed connected, status 200 -> 404$/m);
  });

  it("a redirect to another Location is a change", () => {
    const [change] = changes(v2({ observedStatus: 301, observedLocation: "http://a/new" }), v2({ observedStatus: 301, observedLocation: "http://b/new" }));
    assert.deepEqual(change!.kinds, ["observed-changed"]);
  });

  it("another answering pod is a change when it may not answer in both runs, not when load balancing picked it", () => {
    // The route moved /v2 from v2 to v1: the new pod is not among those that could answer before.
    const moved = changes(v2({ backends: ["apps/v2"], backend: "apps/v2" }), v2({ backends: ["apps/v1"], backend: "apps/v1" }));
    assert.deepEqual(moved.map((c) => c.kinds), [["backends-changed"]]);
    assert.match(renderRegressionConsole(compareRuns(runOf([v2({ backends: ["apps/v2"], backend: "apps/v2" })]), runOf([v2({ backends: ["apps/v1"], backend: "apps/v1" })])), plain), /backends apps\/v2 -> apps\/v1$/m);
    assert.deepEqual(changes(v2(replicas), v2({ ...replicas, backend: "apps/web-1" })), [], "two replicas behind one glob: load balancing");
    const sampled = changes(v2({ ...replicas, observedBackends: ["apps/web-0", "apps/web-1"] }), v2(replicas));
    assert.deepEqual(sampled.map((c) => c.kinds), [["backends-changed"]], "several pods answered, now one does");
  });

  it("a flipped match still comes first", () => {
    const [change] = changes(v2({}), v2({ observedStatus: 503, backend: undefined, match: false }));
    assert.deepEqual(change!.kinds, ["new-failure", "observed-changed"]);
  });
});

describe("HTML report data", () => {
  it("embeds JSON that cannot end its script element", () => {
    const json = scriptSafeJson({ s: "</script><!-- & > \u2028\u2029" });
    assert.doesNotMatch(json, /[<>&\u2028\u2029]/);
    assert.deepEqual(JSON.parse(json), { s: "</script><!-- & > \u2028\u2029" });
  });

  it("puts HTTP cells in one table per entry, port and family (requests by source), counted with the rest", () => {
    const redirect = httpCell({ request: { method: "GET", host: "shop.example.com", path: "/old", headers: { b: "2", a: "1" } }, status: [301], backends: [], backend: undefined, observedRequest: undefined, observedStatus: 301, observedLocation: "http://shop.example.com/new" });
    const v6 = httpCell({ family: "ipv6" });
    const pods = syntheticScenarioResult(load("01-shop-api-isolation.yaml")).cells.slice(0, 3);
    const data = buildReportData(runOf([...pods, httpCell(), httpCell({ from: "apps/v1", match: false, observedStatus: 404, backend: undefined }), redirect, v6]));
    const s = data.scenarios[0]!;
    assert.deepEqual(s.counts, { cells: 7, passed: 6, failed: 1, skipped: 0, changed: 0 });
    assert.equal(s.blocks.reduce((n, b) => n + b.cells.length / CELL_STRIDE, 0), 3, "the matrix keeps the connection cells");
    const [v4, six] = s.httpBlocks;
    const text = (i: number) => data.strings[i];
    assert.deepEqual([s.httpBlocks.length, v4!.family, six!.family, text(v4!.to), v4!.failed], [2, "ipv4", "ipv6", "gateway/infra/gw", 1]);
    assert.deepEqual(v4!.sources.map(text), ["external", "apps/v1"]);
    assert.deepEqual(v4!.requests.map((r) => [text(r.method), text(r.host), text(r.path), r.headers >= 0 ? text(r.headers) : ""]), [
      ["GET", "shop.example.com", "/", ""], ["GET", "shop.example.com", "/old", "a=1, b=2"],
    ]);
    const cell = v4!.cells.find((c) => c.row === 1)!;
    assert.deepEqual([text(cell.want), text(cell.got), cell.status, text(cell.location)], ["301", "301 to http://shop.example.com/new", 301, "http://shop.example.com/new"]);
  });
});

describe("conformance report", () => {
  const shop = syntheticScenarioResult(load("01-shop-api-isolation.yaml"), { fail: (c) => c.from === "ops/debug" && c.target === "service" });
  const udp = syntheticScenarioResult(load("08-udp-ports.yaml"));
  const ipblock = syntheticScenarioResult(load("06-ipblock-except.yaml"), { skip: (c) => (c.target === "external" ? "outside the cluster" : undefined) });
  const results = syntheticRun([shop, udp, ipblock]);

  it("names the network-policy-api features a ClusterNetworkPolicy exercises", () => {
    const scenario = scenarioFromYaml(`apiVersion: netspec/v1alpha1
kind: Scenario
metadata: { name: cnp-features, tags: [cnp] }
namespaces: [ { name: a }, { name: b } ]
pods:
  - { name: web, namespace: a, ports: [ { name: http, port: 80 } ] }
  - { name: cli, namespace: b }
resources:
  - apiVersion: policy.networking.k8s.io/v1alpha2
    kind: ClusterNetworkPolicy
    metadata: { name: baseline }
    spec:
      tier: Baseline
      priority: 5
      subject: { namespaces: {} }
      ingress:
        - { action: Pass, from: [ { namespaces: {} } ], protocols: [ { tcp: { destinationPort: { range: { start: 80, end: 90 } } } } ] }
        - { action: Deny, from: [ { namespaces: {} } ], protocols: [ { destinationNamedPort: http } ] }
      egress:
        - { action: Accept, to: [ { networks: [ 10.0.0.0/8 ] } ] }
`, "cnp.yaml");
    const report = conformanceReport(syntheticRun([syntheticScenarioResult(scenario)]));
    const profile = report.profiles.find((p) => p.name === "cnp")!;
    const features = [...profile.supportedFeatures, ...profile.unsupportedFeatures];
    for (const feature of ["ClusterNetworkPolicy", "ClusterNetworkPolicyBaselineTier", "ClusterNetworkPolicyPass", "ClusterNetworkPolicyDeny",
      "ClusterNetworkPolicyAccept", "ClusterNetworkPolicyNamedPorts", "ClusterNetworkPolicyPortRange", "ClusterNetworkPolicyNetworks",
      "ClusterNetworkPolicyIngress", "ClusterNetworkPolicyEgress"]) {
      assert.ok(features.includes(feature), `${feature} in ${features.join(", ")}`);
    }
    assert.ok(!features.includes("ClusterNetworkPolicyAdminTier"));
    assert.ok(!features.includes("ClusterNetworkPolicyEgressNodePeers"));
  });

  it("counts passed, failed and skipped scenarios per tag, with features", () => {
    const report = conformanceReport(results, { implementation: { name: "cilium", version: "1.16.0" }, date: new Date("2025-01-15T10:00:00Z") });
    assert.equal(report.kind, "ConformanceReport");
    assert.deepEqual(report.implementation, { name: "cilium", version: "1.16.0" });
    const all = report.profiles.find((p) => p.name === "all")!;
    assert.deepEqual(all.statistics, { Passed: 2, Failed: 1, Skipped: 0 });
    assert.deepEqual(all.failedTests, ["shop-api-isolation"]);
    assert.deepEqual(all.skippedTests, ["ipblock-except"]);
    assert.equal(all.result, "failure");
    const udpProfile = report.profiles.find((p) => p.name === "udp")!;
    assert.equal(udpProfile.result, "success");
    assert.ok(udpProfile.supportedFeatures.includes("UDP"), udpProfile.supportedFeatures.join());
    assert.ok(all.unsupportedFeatures.includes("ExternalAddress"), "skipped external cells make the feature unsupported");
    assert.ok(all.unsupportedFeatures.includes("ServiceClusterIP"));
    const ipb = report.profiles.find((p) => p.name === "ipblock")!;
    assert.equal(ipb.result, "partial");
    assert.ok(ipb.supportedFeatures.includes("NetworkPolicyIPBlock") || ipb.unsupportedFeatures.includes("NetworkPolicyIPBlock"));
  });

  it("is YAML that parses back to the same report", () => {
    const text = renderConformance(results, { implementation: { name: "x: y # not a comment", version: "1" }, date: new Date(0) });
    const parsed = parse(text) as { implementation: { name: string }; netspecVersion: string; profiles: unknown[] };
    assert.equal(parsed.implementation.name, "x: y # not a comment");
    assert.equal(parsed.netspecVersion, results.tool.version);
    assert.ok(parsed.profiles.length > 3);
  });
});
