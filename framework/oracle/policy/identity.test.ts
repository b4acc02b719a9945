// Identity classes are exactly as fine as the policies need: what no policy reads does not split
// a class, and each input some policy reads does (the differential test in ../fast/ proves
// that classes are never too coarse on random scenarios).
import assert from "node:assert/strict";
import { describe, it } from "mocha";
import type { NetworkPolicy } from "../../kube/types.js";
import { PolicyEngine } from "./engine.js";
import { anp, buildTestScenario, np, type AnyPolicy, type PodSpec } from "./fixtures.test-helpers.js";

/** Whether the engine puts the two pods of the scenario in one class. */
function sameClass(pods: [PodSpec, PodSpec], policies: AnyPolicy[], namespaces?: Record<string, Record<string, string>>): boolean {
  const scenario = buildTestScenario({ pods, policies, namespaces });
  const engine = new PolicyEngine(scenario);
  return engine.classOf(scenario.pods[0]!) === engine.classOf(scenario.pods[1]!);
}

const selectTier: NetworkPolicy = np("shop/front", { podSelector: { matchLabels: { tier: "front" } }, ingress: [{ from: [{ podSelector: {} }] }] });

describe("identity classes", () => {
  it("labels no selector reads do not split a class (identities still differ)", () => {
    const pods: [PodSpec, PodSpec] = [
      { id: "shop/a", labels: { tier: "front", "pod-name": "a" } },
      { id: "shop/b", labels: { tier: "front", "pod-name": "b" } },
    ];
    assert.equal(sameClass(pods, [selectTier]), true);
    const scenario = buildTestScenario({ pods, policies: [selectTier] });
    const engine = new PolicyEngine(scenario);
    assert.notEqual(engine.identityKey(scenario.pods[0]!), engine.identityKey(scenario.pods[1]!));
  });

  it("a label a selector reads splits a class, also through matchExpressions", () => {
    assert.equal(sameClass([{ id: "shop/a", labels: { tier: "front" } }, { id: "shop/b", labels: { tier: "back" } }], [selectTier]), false);
    const notIn = np("shop/p", { podSelector: {}, ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: "v", operator: "NotIn", values: ["2"] }] } }] }] });
    assert.equal(sameClass([{ id: "shop/a", labels: { v: "1" } }, { id: "shop/b", labels: {} }], [notIn]), true, "both match NotIn");
    assert.equal(sameClass([{ id: "shop/a", labels: { v: "1" } }, { id: "shop/b", labels: { v: "2" } }], [notIn]), false);
  });

  it("the namespace splits a class only where a NetworkPolicy lives", () => {
    const pods: [PodSpec, PodSpec] = [{ id: "x/a", labels: { app: "a" } }, { id: "y/b", labels: { app: "a" } }];
    assert.equal(sameClass(pods, []), true);
    assert.equal(sameClass(pods, [np("x/deny", { podSelector: {} })]), false);
  });

  it("namespace labels split a class only when a namespace selector reads them", () => {
    const pods: [PodSpec, PodSpec] = [{ id: "x/a" }, { id: "y/b" }];
    const namespaces = { x: { env: "dev" }, y: { env: "prod" } };
    assert.equal(sameClass(pods, [], namespaces), true);
    const byEnv = anp("env", { priority: 1, subject: { namespaces: { matchLabels: { env: "dev" } } }, ingress: [{ action: "Deny", from: [{ namespaces: {} }] }] });
    assert.equal(sameClass(pods, [byEnv], namespaces), false);
  });

  it("ports split a class only when a named-port rule names them", () => {
    const pods: [PodSpec, PodSpec] = [{ id: "shop/a", ports: [{ name: "http", port: 80 }] }, { id: "shop/b", ports: [{ name: "http", port: 8080 }, { port: 81 }] }];
    assert.equal(sameClass(pods, [selectTier]), true);
    const named = np("shop/http", { podSelector: {}, ingress: [{ ports: [{ port: "http" }] }] });
    assert.equal(sameClass(pods, [named]), false);
  });

  it("an address splits a class only by the IP blocks that contain it", () => {
    const block = np("shop/block", { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: "10.0.0.0/24", except: ["10.0.0.128/25"] } }] }] });
    assert.equal(sameClass([{ id: "shop/a", ipv4: "10.0.0.1" }, { id: "shop/b", ipv4: "10.0.0.2" }], [block]), true);
    assert.equal(sameClass([{ id: "shop/a", ipv4: "10.0.0.1" }, { id: "shop/b", ipv4: "10.0.0.200" }], [block]), false);
  });

  it("the node splits a class only when the scenario has host-network pods", () => {
    const pods: [PodSpec, PodSpec] = [{ id: "shop/a", node: "node-a" }, { id: "shop/b", node: "node-b" }];
    assert.equal(sameClass(pods, []), true);
    const withHost = buildTestScenario({ pods: [...pods, { id: "mon/agent", hostNetwork: true, ipv4: "172.18.0.2", ipv6: "fc00::2" }] });
    const engine = new PolicyEngine(withHost);
    assert.notEqual(engine.classOf(withHost.pods[0]!), engine.classOf(withHost.pods[1]!));
  });
});
