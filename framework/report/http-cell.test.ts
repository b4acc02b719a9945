// How every report speaks of an HTTP cell: its request, the answer it expects and the one observed.
import assert from "node:assert/strict";
import { describe, it } from "mocha";
import type { CellResult } from "../runner/results.js";
import { cellId, targetId } from "../scenario/target.js";
import { answeredBy, expectedAnswerText, httpCellTitle, isHttpCell, observedAnswerText, redirectText, requestText } from "./http-cell.js";
import { httpCell } from "./http.test-helpers.js";

const HEADERS = { version: "two", accept: "*/*" };

describe("report: HTTP cells in words", () => {
  it("names a request as targetId() does, and titles a cell with source, entry, port and family", () => {
    const cell = httpCell({ request: { method: "POST", host: "foo.example.com", path: "/v2?animal=whale", headers: HEADERS } });
    assert.equal(requestText(cell.request!), "POST foo.example.com/v2?animal=whale [accept=*/*,version=two]");
    assert.equal(targetId(cell), `${cell.to} ${requestText(cell.request!)}`);
    assert.ok(isHttpCell(cell));
    assert.equal(httpCellTitle(cell), "external → gateway/infra/gw:80 POST foo.example.com/v2?animal=whale [accept=*/*,version=two] ipv4");
    assert.equal(cellId(cell), "external -> gateway/infra/gw POST foo.example.com/v2?animal=whale [accept=*/*,version=two] 80/TCP ipv4");
  });

  const expected: [string, Partial<CellResult>, string][] = [
    ["a status from the pods that may answer", { status: [200], backends: ["infra/v2-*"] }, "200 from infra/v2-*"],
    ["several statuses", { status: [500, 503], backends: [] }, "500 or 503"],
    ["a redirect's Location, the well-known port left out", { status: [301], backends: [], redirect: { scheme: "https", host: "example.org", port: 443, path: "/new", status: 301 } }, "301 to https://example.org/new"],
    ["an asserted part of a redirect", { status: [302], backends: [], redirect: { path: "/new" } }, "302 to path /new"],
    ["a rewrite: what differs from the request", {
      request: { method: "GET", host: "shop.example.com", path: "/strip/three", headers: { a: "1" } },
      backendRequest: { method: "GET", path: "/three", host: "shop.example.com", headers: { added: "yes" }, absentHeaders: ["a"] } as CellResult["backendRequest"],
      observedRequest: undefined,
    }, "200 from apps/v1 (backend receives path /three, header added=yes, without header a)"],
    ["a field the backend did not receive as asserted", { backendRequest: { path: "/" }, observedRequest: { method: "GET", path: "/x", host: "h", headers: {} } }, "200 from apps/v1 (backend receives path /)"],
    ["a denied connection", { expected: "deny", status: [], backends: [] }, "deny (no HTTP answer)"],
    ["an undefined answer", { expected: "undefined", status: [], backends: [] }, "any answer (undefined)"],
  ];
  for (const [title, more, text] of expected) {
    it(`expects ${title}: ${text}`, () => assert.equal(expectedAnswerText(httpCell(more)), text));
  }

  const observed: [string, Partial<CellResult>, string][] = [
    ["the status and the pod", {}, "200 from apps/v1"],
    ["every pod that answered", { observedBackends: ["apps/v1", "apps/v2"] }, "200 from apps/v1, apps/v2"],
    ["a gateway's own answer", { observedStatus: 404, backend: undefined, observedRequest: undefined }, "404"],
    ["a redirect", { observedStatus: 301, backend: undefined, observedLocation: "https://example.org/new" }, "301 to https://example.org/new"],
    ["what the backend received where it differs", {
      backendRequest: { path: "/three", headers: { added: "yes" } },
      observedRequest: { method: "GET", path: "/strip/three", host: "h", headers: { Added: "yes" } },
    }, "200 from apps/v1 (received path /strip/three)"],
    ["a header it should not have received", {
      backendRequest: { path: "/", absentHeaders: ["x-remove"] } as CellResult["backendRequest"],
      observedRequest: { method: "GET", path: "/", host: "h", headers: { "X-Remove": "1" } },
    }, "200 from apps/v1 (received header x-remove=1)"],
    ["a failed connection", { observed: "timeout", observedStatus: undefined, backend: undefined }, "timeout"],
    ["a skipped cell", { observed: "skipped", skipped: true }, "skipped"],
  ];
  for (const [title, more, text] of observed) {
    it(`observes ${title}: ${text}`, () => assert.equal(observedAnswerText(httpCell(more)), text));
  }

  it("tells the pods that answered from those that may (HTTP) and those that did (other cells)", () => {
    assert.deepEqual(answeredBy(httpCell({ backends: ["apps/v1", "apps/v2"], backend: "apps/v2" })), ["apps/v2"]);
    const service = { ...httpCell(), target: "service", to: "svc/apps/web", request: undefined, backends: ["apps/v1", "apps/v2"] } as CellResult;
    assert.deepEqual(answeredBy(service), ["apps/v1", "apps/v2"]);
    assert.equal(redirectText({ scheme: "http", host: "a", port: 8080, path: "/p" }), "http://a:8080/p");
  });
});
