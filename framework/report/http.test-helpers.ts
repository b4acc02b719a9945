// HTTP cells' results for the report tests, built without a provider: by hand, or from the
// verdict the Layer 7 oracle's routers give a request (so reasons are the oracle's own text).
import { readFileSync } from "node:fs";
import type { HttpVerdict } from "../oracle/http/result.js";
import { statusList } from "../oracle/http/result.js";
import { summarizeRun, type CellResult, type RunResults, type ScenarioResult } from "../runner/results.js";
import { scenarioFromYaml } from "../scenario/build.js";
import type { HttpRequest } from "../scenario/target.js";
import { syntheticRun, syntheticScenarioResult, type SyntheticOptions } from "./synthetic.js";

/** The Gateway API fixture (fixtures/layer7): prefix, header and default rules, a redirect, an unknown host. */
export const GATEWAY_ROUTING = "fixtures/layer7/gateway-routing.yaml";

export function gatewayScenarioResult(options: SyntheticOptions = {}, yaml = readFileSync(GATEWAY_ROUTING, "utf8")): ScenarioResult {
  return syntheticScenarioResult(scenarioFromYaml(yaml, GATEWAY_ROUTING), options);
}

/** A passing `GET shop.example.com/` through gateway/infra/gw answered 200 by apps/v1, with `more` over it. */
export function httpCell(more: Partial<CellResult> = {}): CellResult {
  const request: HttpRequest = { method: "GET", host: "shop.example.com", path: "/", headers: {} };
  return {
    from: "external", to: "gateway/infra/gw", target: "http", port: 80, protocol: "TCP", family: "ipv4", request,
    expected: "allow", status: [200], backends: ["apps/v1"],
    observed: "connected", observedStatus: 200, backend: "apps/v1",
    observedRequest: { method: "GET", path: "/", host: "shop.example.com", headers: { "x-forwarded-for": "172.18.0.1" } },
    match: true, attempts: 1, latencyMs: 3,
    reason: "listener http (port 80, HTTP, no hostname) of Gateway infra/gw: HTTPRoute apps/web rules[0] matches[0] (PathPrefix /); the only matching rule: apps/web-v1:80",
    source: "oracle", oracle: "allow",
    ...more,
  };
}

/**
 * The result of sending `request` to `to` when the router's `verdict` is what happened: its
 * statuses, its Services' pods (`ns/service-0`), its backend request and redirect, its reason.
 */
export function cellFromVerdict(to: string, port: number, request: HttpRequest, verdict: HttpVerdict, more: Partial<CellResult> = {}): CellResult {
  const status = statusList(verdict);
  const backends = verdict.backends.map((b) => `${b.service}-0`);
  return {
    from: "external", to, target: "http", port, protocol: "TCP", family: "ipv4", request,
    expected: verdict.outcome === "unserved" ? "deny" : verdict.outcome === "undefined" ? "undefined" : "allow",
    status, backends,
    ...(verdict.backendRequest ? { backendRequest: verdict.backendRequest } : {}),
    ...(verdict.redirect ? { redirect: verdict.redirect } : {}),
    observed: "connected", ...(status[0] !== undefined ? { observedStatus: status[0] } : {}), ...(backends[0] ? { backend: backends[0] } : {}),
    match: true, attempts: 1, latencyMs: 2, reason: verdict.reason, source: "oracle", oracle: "allow",
    ...more,
  };
}

/** One scenario holding `cells`, as a run (its status and the summary counted from them). */
export function runOf(cells: readonly CellResult[], name = "http-cells", more: Partial<ScenarioResult> = {}): RunResults {
  const failed = cells.some((c) => !c.match && !c.skipped);
  const scenario: ScenarioResult = {
    name, file: `${name}.yaml`, tags: [], status: failed ? "failed" : "passed", durationMs: 1000,
    phases: { provision: 500, apply: 100, probe: 400 }, cells: [...cells], ...more,
  };
  return { ...syntheticRun([scenario]), summary: summarizeRun([scenario]) };
}
