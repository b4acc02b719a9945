// The conformance report's Layer 7 profiles: GATEWAY-HTTP (the Gateway API's) and INGRESS-HTTP,
// each feature passed, failed or skipped with the counts of the cells that exercised it.
import assert from "node:assert/strict";
import { describe, it } from "mocha";
import { parse } from "yaml";
import type { RunResults } from "../runner/results.js";
import { conformanceReport, renderConformance, type ProfileReport } from "./conformance.js";
import { httpCell, runOf } from "./http.test-helpers.js";
import { syntheticRun } from "./synthetic.js";

const LISTENER = "listener http (port 80, HTTP, no hostname) of Gateway infra/gw: ";

function layer7Run(): RunResults {
  const gateway = runOf([
    httpCell(),
    httpCell({
      request: { method: "POST", host: "shop.example.com", path: "/", headers: {} }, observedStatus: 404, backend: undefined, match: false,
      reason: `${LISTENER}HTTPRoute apps/web rules[1] matches[0] (PathPrefix /, method POST); won over HTTPRoute apps/web rules[0] matches[0] (PathPrefix /) by the method match: apps/web-v2:80`,
    }),
    httpCell({
      request: { method: "GET", host: "shop.example.com", path: "/old", headers: {} }, status: [301], backends: [],
      redirect: { scheme: "http", host: "shop.example.com", port: 80, path: "/new", status: 301 },
      observed: "skipped", skipped: true, match: false, observedStatus: undefined, backend: undefined, detail: "not probed here",
    }),
    // A denied connection and an undefined answer prove nothing about routing: counted as cells, not as features.
    httpCell({ from: "apps/v1", expected: "deny", status: [], backends: [], observed: "timeout", observedStatus: undefined, backend: undefined, reason: "connection to Gateway infra/gw at 172.18.255.200:80: egress: isolated" }),
    httpCell({ from: "apps/v2", expected: "undefined", status: [], backends: [], reason: `${LISTENER}HTTPRoute apps/web rules[2] matches[0] (PathPrefix /, query a ~ b) …: implementation-specific` }),
  ], "gateway-routes").scenarios[0]!;
  const ingress = runOf([httpCell({
    to: "ingress/apps/web", reason: "Ingress apps/web rules[0].http.paths[0] (Prefix /) matches /: Service apps/web port 80",
  })], "ingress-routes").scenarios[0]!;
  const connection = { ...gateway, name: "pods-only", cells: gateway.cells.map((c) => ({ ...c, target: "pod" as const, to: "apps/v1", request: undefined })) };
  return syntheticRun([gateway, ingress, connection]);
}

describe("conformance report: Layer 7 profiles", () => {
  const report = conformanceReport(layer7Run(), { date: new Date("2025-01-15T10:00:00Z") });
  const profile = (name: string) => report.profiles.find((p) => p.name === name) as ProfileReport;

  it("judges GATEWAY-HTTP on the Gateway cells only, scenario by scenario", () => {
    const gateway = profile("GATEWAY-HTTP");
    assert.equal(gateway.result, "failure");
    assert.deepEqual(gateway.statistics, { Passed: 0, Failed: 1, Skipped: 0 });
    assert.deepEqual(gateway.cells, { Passed: 3, Failed: 1, Skipped: 1 });
    assert.deepEqual(gateway.failedTests, ["gateway-routes"]);
  });

  it("gives each core and extended feature its cells: passed, failed or skipped", () => {
    const gateway = profile("GATEWAY-HTTP");
    assert.deepEqual(gateway.core, {
      result: "failure",
      features: [
        { name: "Gateway", result: "failed", cells: { Passed: 1, Failed: 1, Skipped: 1 } },
        { name: "HTTPRoute", result: "failed", cells: { Passed: 1, Failed: 1, Skipped: 1 } },
      ],
    });
    assert.deepEqual(gateway.extended, {
      result: "failure",
      features: [
        { name: "HTTPRouteMethodMatching", result: "failed", cells: { Passed: 0, Failed: 1, Skipped: 0 } },
        { name: "HTTPRoutePathRedirect", result: "skipped", cells: { Passed: 0, Failed: 0, Skipped: 1 } },
      ],
    });
    assert.deepEqual(gateway.supportedFeatures, []);
    assert.deepEqual(gateway.unsupportedFeatures, ["Gateway", "HTTPRoute", "HTTPRouteMethodMatching", "HTTPRoutePathRedirect"]);
    assert.ok(gateway.untestedFeatures!.includes("ReferenceGrant") && gateway.untestedFeatures!.includes("HTTPRouteQueryParamMatching"),
      "the undefined cell's query match is not counted");
  });

  it("judges Ingress cells in INGRESS-HTTP, and leaves both profiles out of a run without HTTP cells", () => {
    const ingress = profile("INGRESS-HTTP");
    assert.equal(ingress.result, "success");
    assert.deepEqual(ingress.core!.features.map((f) => [f.name, f.result]), [["Ingress", "passed"], ["IngressPrefixPathRules", "passed"]]);
    assert.equal(ingress.extended, undefined);
    const pods = conformanceReport(syntheticRun([layer7Run().scenarios[2]!]));
    assert.deepEqual(pods.profiles.map((p) => p.name), ["all", "untagged"]);
  });

  it("is YAML that parses back to the same report", () => {
    const text = renderConformance(layer7Run(), { date: new Date("2025-01-15T10:00:00Z") });
    assert.deepEqual(parse(text), JSON.parse(JSON.stringify(report)));
  });
});
