// Test titles say what they assert: a rule as the user wrote it, an oracle group as what it checks.
import assert from "node:assert/strict";
import { describe, it } from "mocha";
import { groupCells } from "./groups.js";
import { formatRule } from "../scenario/references.js";
import type { ExpectRuleModel } from "../scenario/model.js";

const cell = (from: string, to: string, source: string, expected = "allow") =>
  ({ from, to, target: "pod" as const, port: 80, protocol: "TCP" as const, family: "ipv4" as const, source, expected });

describe("report: expectation groups", () => {
  it("titles a rule as written: references, port, protocol, family, result and backends", () => {
    const rule = (r: Partial<ExpectRuleModel>): ExpectRuleModel => ({ from: "shop/frontend", to: "shop/api-*", index: 0, ...r });
    assert.equal(formatRule(rule({ port: "http", result: "allow" })), "shop/frontend → shop/api-* port http: allow");
    assert.equal(formatRule(rule({ to: "svc/shop/api", backends: ["shop/api-0"] })), "shop/frontend → svc/shop/api: as the oracle says, answered by shop/api-0");
    assert.equal(formatRule(rule({ from: { namespace: "ops", labels: { app: "debug" } }, port: { from: 80, to: 81 }, protocol: "UDP", family: "ipv6", result: "deny" })),
      "{namespace: ops, labels: app=debug} → shop/api-* ports 80-81/UDP ipv6: deny");
  });

  it("puts rules first in the order written, keeps alike rules apart, and names what oracle and default groups assert", () => {
    const rules: ExpectRuleModel[] = [
      { from: "a/x", to: "b/*", result: "deny", index: 0 },
      { from: "a/x", to: "b/*", result: "deny", index: 1 },
    ];
    const groups = groupCells([cell("a/x", "b/y", "oracle"), cell("a/x", "b/z", "rule 1", "deny"), cell("a/x", "b/y", "rule 0", "deny"), cell("c/w", "b/y", "default", "deny")], (i) => formatRule(rules[i]!));
    assert.deepEqual([...groups.keys()], [
      "a/x → b/*: deny",
      "a/x → b/*: deny (expect.rules[1])",
      "a/x → pods: as Kubernetes semantics say",
      "c/w → pods: deny (expect.default)",
    ]);
    assert.deepEqual([...groupCells([cell("a/x", "b/y", "rule 0")]).keys()], ["expect.rules[0]"], "without the rules, the index");
  });

  it("makes each HTTP request a group per source, under its Gateway or Ingress, whoever set its expectation", () => {
    const http = (from: string, path: string, family: "ipv4" | "ipv6", source: string) => ({
      ...cell(from, "gateway/infra/gw", source), target: "http" as const, family, request: { method: "GET", host: "shop.example.com", path, headers: { b: "2", a: "1" } },
    });
    const groups = groupCells([http("external", "/v2", "ipv4", "http 0"), http("external", "/v2", "ipv6", "http 0"), http("apps/v1", "/v2", "ipv4", "oracle"), cell("a/x", "b/y", "rule 0")]);
    assert.deepEqual([...groups].map(([title, cells]) => [title, cells.length]), [
      ["expect.rules[0]", 1],
      ["HTTP requests via gateway/infra/gw port 80: external → GET shop.example.com/v2 [a=1,b=2]", 2],
      ["HTTP requests via gateway/infra/gw port 80: apps/v1 → GET shop.example.com/v2 [a=1,b=2]", 1],
    ]);
  });
});
