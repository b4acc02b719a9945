// `netspec explain` for requests through a Gateway or an Ingress, on real scenario YAML
// (fixtures/layer7): both hops, and the listener, route, rule and match with the precedence
// criterion that won over the runner-up, as the routers decided them.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { loadScenario, scenarioFromYaml } from "../scenario/build.js";
import { LOCAL_LAYER7 } from "../scenario/implementation.js";
import { explain, type ExplainRequest } from "./explain.js";

const routing = loadScenario("fixtures/layer7/gateway-routing.yaml").scenario;

function explained(request: ExplainRequest, to = "gateway/infra/gw", from = "external"): string {
  const blocks = explain(routing, { from, to, request });
  assert.equal(blocks.length, 1, blocks.join("\n\n"));
  return blocks[0]!;
}

/** The value printed after `label:` in the routing section. */
const field = (text: string, label: string) => new RegExp(`^\\s+${label}: (.*)$`, "m").exec(text)?.[1];

describe("explain: HTTP requests", () => {
  const cases: { name: string; request: ExplainRequest; match: string; runnerUp?: string; criterion: string; answer: RegExp }[] = [
    {
      name: "the longer PathPrefix", request: { host: "shop.example.com", path: "/v2/items" },
      match: "HTTPRoute apps/web rules[0] matches[0] (PathPrefix /v2)", runnerUp: "HTTPRoute apps/web rules[2] matches[0] (PathPrefix /)",
      criterion: "the longer PathPrefix (3 over 1 characters)", answer: /^\s+routed 200 via apps\/web-v2:80$/m,
    },
    {
      name: "more header matches", request: { host: "shop.example.com", path: "/", headers: { version: "two" } },
      match: "HTTPRoute apps/web rules[1] matches[0] (PathPrefix /, header version=two)", runnerUp: "HTTPRoute apps/web rules[2] matches[0] (PathPrefix /)",
      criterion: "more header matches (1 over 0)", answer: /^\s+routed 200 via apps\/web-v2:80$/m,
    },
    {
      name: "the only matching rule", request: { host: "shop.example.com", path: "/anything" },
      match: "HTTPRoute apps/web rules[2] matches[0] (PathPrefix /)", criterion: "the only matching rule", answer: /^\s+routed 200 via apps\/web-v1:80$/m,
    },
    {
      name: "a redirect", request: { host: "shop.example.com", path: "/old" },
      match: "HTTPRoute apps/web rules[3] matches[0] (PathPrefix /old)", runnerUp: "HTTPRoute apps/web rules[2] matches[0] (PathPrefix /)",
      criterion: "the longer PathPrefix (4 over 1 characters)", answer: /^\s+redirect 301 to http:\/\/shop\.example\.com\/new$/m,
    },
  ];
  for (const c of cases) {
    it(`names the listener, the winning match, the runner-up and the criterion: ${c.name}`, () => {
      const text = explained(c.request);
      assert.equal(field(text, "listener"), "listener http (port 80, HTTP, no hostname) of Gateway infra/gw");
      assert.equal(field(text, "route, rule and match"), c.match);
      assert.equal(field(text, "runner-up"), c.runnerUp);
      assert.equal(field(text, c.runnerUp ? "won by" : "decided by"), c.criterion);
      assert.match(text, c.answer);
    });
  }

  it("shows both hops: the connection to the Gateway's address, the Gateway's pod to each backend", () => {
    const text = explained({ host: "shop.example.com", path: "/v2/items" });
    assert.match(text, /^external -> gateway\/infra\/gw GET shop\.example\.com\/v2\/items 80\/TCP ipv4$/m);
    assert.match(text, /^\s+hop 1, the connection to Gateway infra\/gw at [\d.]+:80: allow$/m);
    assert.match(text, /^\s+hop 2, from the Gateway's pod \(GEP-1762: namespace infra, gateway\.networking\.k8s\.io\/gateway-name=gw\) to each backend:$/m);
    assert.match(text, /^\s+apps\/v2 port 8080\/TCP: allow$/m);
    assert.doesNotMatch(text, /apps\/v1 port/, "only the route's backends");
    assert.match(text, /^\s+oracle: allow; answer 200 from apps\/v2 — listener http/m);
  });

  it("a host no route serves: no match, 404, and what was looked for", () => {
    const text = explained({ host: "other.example.com" });
    assert.equal(field(text, "route, rule and match"), "none matches");
    assert.equal(field(text, "decided by"), "no rule of the 1 route(s) attached matches host other.example.com and GET /");
    assert.match(text, /^\s+status 404$/m);
  });

  it("a policy that blocks the client stops at hop 1", () => {
    const yaml = fs.readFileSync("fixtures/layer7/gateway-and-ingress.yaml", "utf8").replace("resources:\n", `resources:
  - { apiVersion: networking.k8s.io/v1, kind: NetworkPolicy, metadata: { name: no-egress, namespace: infra }, spec: { podSelector: {}, policyTypes: [Egress] } }
`);
    const [text] = explain(scenarioFromYaml(yaml, "denied.yaml"), { from: "infra/client", to: "gateway/infra/gw", request: { host: "shop.example.com", path: "/v2" } });
    assert.match(text!, /^\s+hop 1, the connection to Gateway infra\/gw at [\d.]+:80: deny$/m);
    assert.match(text!, /infra\/no-egress/);
    assert.doesNotMatch(text!, /routing:|hop 2/);
    assert.match(text!, /^\s+oracle: deny — connection to Gateway infra\/gw/m);
  });

  it("an Ingress without a class: served by an implementation that serves classless Ingresses (the local one)", () => {
    const scenario = loadScenario("fixtures/layer7/gateway-and-ingress.yaml").scenario;
    const [text] = explain(scenario, { from: "infra/client", to: "ingress/apps/shop", request: { host: "shop.example.com" } });
    assert.match(text!, /^\s+hop 1, the connection to Ingress apps\/shop at [\d.]+:80: allow$/m);
    assert.match(text!, /^\s+routed 200 via apps\/web-v1:80$/m);
  });

  it("an Ingress without a class: for an implementation that does not say, the routing says the controller decides", () => {
    const loaded = loadScenario("fixtures/layer7/gateway-and-ingress.yaml").scenario;
    const scenario = { ...loaded, layer7: { ...LOCAL_LAYER7, servesClasslessIngress: undefined } };
    const [text] = explain(scenario, { from: "infra/client", to: "ingress/apps/shop", request: { host: "shop.example.com" } });
    assert.match(text!, /^\s+undefined 200 via apps\/web-v1:80$/m);
    assert.match(text!, /no ingressClassName, no class annotation and no default IngressClass: whether a controller serves it is the controller's choice/);
  });
});
