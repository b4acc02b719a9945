// The console reporter's closing summary: counts, and each mismatch in one line with its reason.
import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { describe, it } from "mocha";
import type { RunResults } from "../runner/results.js";
import { ConsoleReporter } from "./console.js";
import { gatewayScenarioResult, httpCell, runOf } from "./http.test-helpers.js";
import { syntheticRun } from "./synthetic.js";

const plain = { color: false, red: (t: string) => t, green: (t: string) => t, yellow: (t: string) => t, dim: (t: string) => t, bold: (t: string) => t };

function printed(results: RunResults): string {
  const stream = Object.assign(new PassThrough(), { isTTY: false, columns: 0 }) as unknown as NodeJS.WriteStream;
  const chunks: Buffer[] = [];
  stream.on("data", (chunk: Buffer) => chunks.push(chunk));
  const reporter = new ConsoleReporter(stream, plain);
  for (const result of results.scenarios) reporter.onEvent({ type: "scenario-end", scenario: { name: result.name } as never, result });
  reporter.finish(results);
  return Buffer.concat(chunks).toString("utf8");
}

describe("console reporter: HTTP cells", () => {
  it("lists a mismatching request with the answer expected and observed, and counts HTTP cells", () => {
    const v2 = httpCell({
      request: { method: "GET", host: "foo.example.com", path: "/v2", headers: {} }, backends: ["infra/v2-*"],
      observedStatus: 404, backend: undefined, observedRequest: undefined, match: false, mismatch: "expected status 200, observed 404",
      source: "http 3",
    });
    const text = printed(runOf([httpCell(), v2]));
    assert.match(text, /^✗ http-cells 2 cells \(2 HTTP requests\), 1 failed /m);
    assert.match(text, /^ {2}external → gateway\/infra\/gw:80 GET foo\.example\.com\/v2 ipv4: expected 200 from infra\/v2-\*, observed 404$/m);
    assert.match(text, /^ {4}expected by expect\.http\[3\]; oracle: allow — listener http /m);
    assert.match(text, /^1 scenario, 2 cells \(2 HTTP requests\): 1 passed, 1 failed, 0 skipped/m);
  });

  it("says how long the gateways' data planes took to be programmed (the slowest)", () => {
    assert.match(printed(runOf([httpCell()], "one", { convergence: { "gateway/infra/gw": 35 } })), /^✓ one 1 cell.*, gateway programmed in 35 ms\)$/m);
    assert.match(printed(runOf([httpCell()], "two", { convergence: { "gateway/infra/gw": 35, ingress: 52 } })), /, 2 gateways programmed in 52 ms\)$/m);
    assert.doesNotMatch(printed(runOf([httpCell()])), /programmed/);
  });

  it("says what the backend received when it is not what it had to", () => {
    const rewritten = httpCell({
      request: { method: "GET", host: "shop.example.com", path: "/strip/three", headers: {} }, backendRequest: { path: "/three" },
      observedRequest: { method: "GET", path: "/strip/three", host: "shop.example.com", headers: {} }, match: false,
      mismatch: "the backend received path /strip/three, not /three",
    });
    const text = printed(runOf([rewritten]));
    assert.match(text, /expected 200 from apps\/v1 \(backend receives path \/three\), observed 200 from apps\/v1 \(received path \/strip\/three\)$/m);
    assert.match(text, /^ {4}the backend received path \/strip\/three, not \/three; oracle: /m, "a mismatch that says more than expected/observed is printed");
  });

  it("prints every failing cell of a synthetic Gateway run", () => {
    const results = syntheticRun([gatewayScenarioResult({ fail: (c) => c.request?.path === "/old" })]);
    const text = printed(results);
    assert.match(text, /external → gateway\/infra\/gw:80 GET shop\.example\.com\/old ipv4: expected 301 to http:\/\/shop\.example\.com\/new, observed 404$/m);
    assert.match(text, /5 cells \(5 HTTP requests\): 4 passed, 1 failed/);
  });
});
