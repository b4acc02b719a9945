// The HTTP comparison: status, the answering pod, what the backend received, the Location.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { describe, it } from "mocha";
import { expectedCells, type ExpectedCell } from "../oracle/index.js";
import { scenarioFromYaml } from "../scenario/build.js";
import { compare } from "./compare.js";
import type { Observation } from "./provider.js";

const cells = [...expectedCells(scenarioFromYaml(fs.readFileSync("fixtures/layer7/gateway-routing.yaml", "utf8")))].filter((c) => c.target === "http");
const cell = (path: string, host = "shop.example.com"): ExpectedCell => cells.find((c) => c.request!.path === path && c.request!.host === host)!;
const echo = (backend: string, path: string, headers: Record<string, string> = {}): Observation => ({
  id: "0", observed: "connected", backends: [backend], latencyMs: 1,
  http: { status: 200, request: { method: "GET", path, host: "shop.example.com", headers } },
});

describe("runner: comparing HTTP answers (SPEC.md, Layer 7)", () => {
  it("a 200 from the backend the route names matches; from another pod it is a mismatch", () => {
    assert.deepEqual(compare(cell("/v2/items"), echo("apps/v2", "/v2/items")), { match: true });
    const wrong = compare(cell("/v2/items"), echo("apps/v1", "/v2/items"));
    assert.equal(wrong.match, false);
    assert.match(wrong.mismatch!, /answered by apps\/v1, but only apps\/v2 may answer/);
  });

  it("the oracle's backends count where the entry asserts none", () => {
    assert.equal(compare(cell("/anything"), echo("apps/v1", "/anything")).match, true);
    assert.match(compare(cell("/anything"), echo("apps/v2", "/anything")).mismatch!, /the oracle|only apps\/v1 may answer/);
  });

  it("a status the cell does not allow is a mismatch naming both", () => {
    const notFound: Observation = { id: "0", observed: "connected", backends: [], latencyMs: 1, http: { status: 404 } };
    assert.deepEqual(compare(cell("/", "other.example.com"), notFound), { match: true });
    assert.match(compare(cell("/anything"), notFound).mismatch!, /expected status 200, observed 404/);
  });

  it("a redirect's Location is compared by scheme, host, port and path (default ports implied)", () => {
    const redirect = (location: string): Observation => ({ id: "0", observed: "connected", backends: [], latencyMs: 1, http: { status: 301, location } });
    assert.deepEqual(compare(cell("/old"), redirect("http://shop.example.com/new")), { match: true });
    assert.deepEqual(compare(cell("/old"), redirect("http://shop.example.com:80/new")), { match: true });
    assert.match(compare(cell("/old"), redirect("http://shop.example.com:8080/new")).mismatch!, /port 8080 \(expected 80\)/);
    assert.match(compare(cell("/old"), redirect("https://shop.example.com/new")).mismatch!, /scheme https \(expected http\)/);
    assert.match(compare(cell("/old"), { ...redirect(""), http: { status: 301 } }).mismatch!, /without a Location/);
  });

  it("what the backend received must be what the route makes of the request", () => {
    const asserted: ExpectedCell = { ...cell("/v2/items"), expectedHttp: { backendRequest: { path: "/items", headers: { "X-Added": "yes" } } } };
    assert.deepEqual(compare(asserted, echo("apps/v2", "/items", { "x-added": "yes" })), { match: true });
    assert.match(compare(asserted, echo("apps/v2", "/v2/items", {})).mismatch!, /path \/v2\/items \(expected \/items\), header X-Added: absent/);
  });

  it("the connection's own expectation comes first: deny needs refused or timeout", () => {
    const denied: ExpectedCell = { ...cell("/anything"), expected: "deny" };
    assert.equal(compare(denied, { id: "0", observed: "timeout", backends: [], latencyMs: 1 }).match, true);
    assert.match(compare(denied, echo("apps/v1", "/anything")).mismatch!, /expected deny .* observed connected/);
    assert.match(compare(cell("/anything"), { id: "0", observed: "connected", backends: [], latencyMs: 1 }).mismatch!, /no HTTP answer/);
  });
});
