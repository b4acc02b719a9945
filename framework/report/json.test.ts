// results.json: SPEC's HTTP cell (names, order, `status` as N or [N…]), every field kept, and
// read back as the run held it.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "mocha";
import { writeJsonResults } from "./json.js";
import { httpCell, runOf } from "./http.test-helpers.js";
import { readResults } from "./regression.js";

describe("results.json: HTTP cells", () => {
  const dir = mkdtempSync(join(tmpdir(), "netspec-json-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const redirect = httpCell({
    request: { method: "GET", host: "shop.example.com", path: "/old", headers: { version: "two" } },
    status: [301], backends: [], redirect: { scheme: "https", host: "example.org", port: 443, path: "/new", status: 301 },
    observedStatus: 301, backend: undefined, observedRequest: undefined, observedLocation: "https://example.org/new",
  });
  const split = httpCell({
    status: [500, 200], backends: ["apps/v1", "apps/v2"], observedBackends: ["apps/v1", "apps/v2"],
    backendRequest: { method: "GET", path: "/three", host: "shop.example.com", headers: {}, absentHeaders: ["x-remove"] } as never,
    source: "http 1", mismatch: undefined, detail: "sampled 4 times",
  });
  const results = runOf([redirect, split]);
  const path = writeJsonResults(dir, results);
  const written = JSON.parse(readFileSync(path, "utf8")) as { scenarios: { cells: Record<string, unknown>[] }[] };
  const [first, second] = written.scenarios[0]!.cells;

  it("writes SPEC's names in SPEC's order, then what was observed", () => {
    assert.deepEqual(Object.keys(first!), [
      "from", "to", "target", "port", "protocol", "family", "request", "expected", "status", "backends", "redirect",
      "observed", "observedStatus", "observedLocation", "match", "reason", "attempts", "latencyMs", "source", "oracle",
    ]);
    assert.deepEqual(first!.request, { method: "GET", host: "shop.example.com", path: "/old", headers: { version: "two" } });
    assert.deepEqual(first!.redirect, { scheme: "https", host: "example.org", port: 443, path: "/new", status: 301 });
    assert.equal(first!.observedLocation, "https://example.org/new");
  });

  it("writes one status as a number and several as a list, as `netspec expect --format json` does", () => {
    assert.equal(first!.status, 301);
    assert.deepEqual(second!.status, [500, 200]);
  });

  it("drops no field the cell holds", () => {
    assert.deepEqual(second!.backendRequest, { method: "GET", path: "/three", host: "shop.example.com", headers: {}, absentHeaders: ["x-remove"] });
    assert.deepEqual(second!.observedBackends, ["apps/v1", "apps/v2"]);
    assert.deepEqual(second!.observedRequest, { method: "GET", path: "/", host: "shop.example.com", headers: { "x-forwarded-for": "172.18.0.1" } });
    assert.equal(second!.detail, "sampled 4 times");
    assert.equal(second!.backend, "apps/v1");
    assert.equal(second!.source, "http 1");
  });

  it("reads back as the run held it (status lists)", () => {
    assert.deepEqual(readResults(path), JSON.parse(JSON.stringify(results)));
  });
});
