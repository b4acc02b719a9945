// Engine-level behaviour: host-network pods, identity keys, trace on/off.
import assert from "node:assert/strict";
import { describe, it } from "mocha";
import type { Protocol } from "../../kube/types.js";
import type { Family } from "../../kube/net.js";
import { PolicyEngine } from "./engine.js";
import {
  anp, banp, buildTestScenario, connection, decideOnce, np, type PodSpec, type ScenarioSpec,
} from "./fixtures.test-helpers.js";

const HOST_PODS: PodSpec[] = [
  { id: "shop/a", labels: { app: "a" }, node: "node-a" },
  { id: "shop/b", labels: { app: "b" }, node: "node-b" },
  { id: "mon/agent-a", labels: { app: "agent" }, node: "node-a", hostNetwork: true, ipv4: "172.18.0.2", ipv6: "fc00::2" },
  { id: "mon/agent-b", labels: { app: "agent" }, node: "node-b", hostNetwork: true, ipv4: "172.18.0.3", ipv6: "fc00::3" },
];

describe("policy engine: host-network pods", () => {
  const spec = (policies: ScenarioSpec["policies"]): ScenarioSpec => ({ pods: HOST_PODS, policies });

  it("in 'undefined' mode, any host-network end is undefined", () => {
    const d = decideOnce(spec([]), { from: "mon/agent-a", to: "shop/b", port: 80 }, { hostNetwork: "undefined" });
    assert.equal(d.verdict, "undefined");
    assert.match(d.reason, /host-network/);
    assert.equal(d.trace[0]!.tier, "hostNetwork");
  });

  it("no policy at all: both documented behaviours allow", () => {
    const d = decideOnce(spec([]), { from: "mon/agent-a", to: "shop/b", port: 80 });
    assert.equal(d.verdict, "allow", d.reason);
    assert.match(d.reason, /both documented behaviours agree/);
  });

  it("deny-all ingress, host-network source on the destination's node: undefined (node traffic is always allowed)", () => {
    const d = decideOnce(spec([np("shop/deny", { podSelector: {} })]), { from: "mon/agent-a", to: "shop/a", port: 80 });
    assert.equal(d.verdict, "undefined", d.reason);
    assert.match(d.reason, /implementation-defined/);
  });

  it("deny-all ingress, host-network source on another node: denied either way", () => {
    const d = decideOnce(spec([np("shop/deny", { podSelector: {} })]), { from: "mon/agent-a", to: "shop/b", port: 80 });
    assert.equal(d.verdict, "deny", d.reason);
  });

  it("podSelector allowing the host-network pod: undefined (selectors may ignore it)", () => {
    const policy = np("shop/allow-agent", { podSelector: {}, ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: "agent" } } }] }] });
    const d = decideOnce(spec([policy]), { from: "mon/agent-a", to: "shop/b", port: 80 });
    assert.equal(d.verdict, "undefined", d.reason);
  });

  it("ipBlock allowing the host-network pod's (node) IP: allowed either way", () => {
    const policy = np("shop/allow-nodes", { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: "172.18.0.0/16" } }] }] });
    const d = decideOnce(spec([policy]), { from: "mon/agent-a", to: "shop/b", port: 80 });
    assert.equal(d.verdict, "allow", d.reason);
  });

  it("a policy selecting the host-network pod itself: undefined (it may not be isolated)", () => {
    const policy = np("mon/deny-egress", { podSelector: {}, policyTypes: ["Egress"] });
    const d = decideOnce(spec([policy]), { from: "mon/agent-a", to: "shop/b", port: 80 });
    assert.equal(d.verdict, "undefined", d.reason);
  });

  it("a host-network pod reaching itself is allowed", () => {
    const d = decideOnce(spec([np("mon/deny", { podSelector: {}, policyTypes: ["Ingress", "Egress"] })]), { from: "mon/agent-a", to: "mon/agent-a", port: 80 });
    assert.equal(d.verdict, "allow");
    assert.equal(d.trace[0]!.tier, "self");
  });
});

describe("policy engine: trace and externals", () => {
  it("{ trace: false } gives the same verdict and reason with an empty trace", () => {
    const scenario = buildTestScenario({ pods: HOST_PODS, policies: [np("shop/deny", { podSelector: {} })] });
    const engine = new PolicyEngine(scenario);
    for (const from of ["shop/a", "shop/b", "mon/agent-a", "203.0.113.1"]) {
      for (const to of ["shop/a", "shop/b", "mon/agent-b"]) {
        const conn = connection(scenario, { from, to, port: 80 });
        const full = engine.decide(conn);
        const bare = engine.decide(conn, { trace: false });
        assert.deepEqual([bare.verdict, bare.reason, bare.trace], [full.verdict, full.reason, []], `${from} -> ${to}`);
      }
    }
  });

  it("an external source is not judged: only the destination's ingress counts", () => {
    const d = decideOnce({ pods: HOST_PODS, policies: [] }, { from: "203.0.113.1", to: "shop/a", port: 80 });
    assert.equal(d.verdict, "allow");
    assert.equal(d.reason, "egress: external source; ingress: not isolated");
  });
});

describe("policy engine: identityKey", () => {
  // A generated cluster: the invariant says pods with equal keys are interchangeable.
  const pods: PodSpec[] = [];
  const apps = ["web", "api", "db"];
  for (let i = 0; i < 24; i++) {
    pods.push({
      id: `${i % 2 ? "shop" : "ops"}/p${i}`,
      labels: { app: apps[i % 3]!, ...(i % 4 === 0 ? { tier: "gold" } : {}) },
      ports: [{ name: "http", port: i % 5 === 0 ? 8080 : 80 }, { name: "dns", port: 53, protocol: "UDP" }],
      node: i % 3 === 0 ? "node-a" : "node-b",
    });
  }
  pods.push({ id: "ops/host", labels: { app: "web" }, hostNetwork: true, node: "node-a", ipv4: "172.18.0.2", ipv6: "fc00::2" });
  const policies = [
    np("shop/api", { podSelector: { matchLabels: { app: "api" } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: "web" } } }], ports: [{ port: "http" }] }] }),
    np("shop/db", { podSelector: { matchLabels: { app: "db" } }, policyTypes: ["Ingress", "Egress"], ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchExpressions: [{ key: "tier", operator: "Exists" }] } }] }], egress: [{ to: [{ ipBlock: { cidr: "10.244.0.0/28", except: ["10.244.0.12/31"] } }] }] }),
    np("ops/default-deny", { podSelector: {}, policyTypes: ["Egress"] , egress: [{ ports: [{ protocol: "UDP", port: 53 }] }, { to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "shop" } } }] }] }),
    anp("gold", { priority: 5, subject: { pods: { namespaceSelector: {}, podSelector: { matchLabels: { tier: "gold" } } } }, ingress: [{ action: "Allow", from: [{ namespaces: {} }] }] }),
    anp("block", { priority: 6, subject: { namespaces: {} }, egress: [{ action: "Pass", to: [{ networks: ["10.244.0.16/29"] }] }, { action: "Deny", to: [{ pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: "db" } } } }], ports: [{ portRange: { start: 80, end: 100 } }] }] }),
    banp({ subject: { namespaces: {} }, ingress: [{ action: "Deny", from: [{ namespaces: { matchLabels: { "kubernetes.io/metadata.name": "ops" } } }] }] }),
  ];
  const scenario = buildTestScenario({ pods, policies });
  const engine = new PolicyEngine(scenario);

  it("pods with equal keys get the same verdicts and reasons against every peer", () => {
    const classes = new Map<string, typeof scenario.pods[number][]>();
    for (const pod of scenario.pods) {
      const key = engine.identityKey(pod);
      classes.set(key, [...(classes.get(key) ?? []), pod]);
    }
    assert.ok(classes.size < scenario.pods.length, "some pods share a class");
    assert.ok(classes.size > 3, "classes are not trivially merged");
    const probes: [number, Protocol, Family][] = [[80, "TCP", "ipv4"], [8080, "TCP", "ipv6"], [53, "UDP", "ipv4"]];
    let compared = 0;
    for (const members of classes.values()) {
      if (members.length < 2) continue;
      const [a, a2] = members as [typeof members[number], typeof members[number]];
      for (const other of scenario.pods) {
        if (other === a || other === a2) continue;
        for (const [port, protocol, family] of probes) {
          const out1 = engine.decide({ src: { kind: "pod", pod: a }, dst: { kind: "pod", pod: other }, port, protocol, family }, { trace: false });
          const out2 = engine.decide({ src: { kind: "pod", pod: a2 }, dst: { kind: "pod", pod: other }, port, protocol, family }, { trace: false });
          assert.deepEqual(out2, out1, `${a.id} vs ${a2.id} -> ${other.id}`);
          const in1 = engine.decide({ src: { kind: "pod", pod: other }, dst: { kind: "pod", pod: a }, port, protocol, family }, { trace: false });
          const in2 = engine.decide({ src: { kind: "pod", pod: other }, dst: { kind: "pod", pod: a2 }, port, protocol, family }, { trace: false });
          assert.deepEqual(in2, in1, `${other.id} -> ${a.id} vs ${a2.id}`);
          compared += 2;
        }
      }
    }
    assert.ok(compared > 100);
  });

  it("an IP inside an ipBlock separates otherwise identical pods", () => {
    const s = buildTestScenario({
      pods: [{ id: "x/a", labels: { app: "a" }, ipv4: "10.0.0.1" }, { id: "x/b", labels: { app: "a" }, ipv4: "10.0.0.2" }],
      policies: [np("x/p", { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: "10.0.0.1/32" } }] }] })],
    });
    const e = new PolicyEngine(s);
    assert.notEqual(e.identityKey(s.pods[0]!), e.identityKey(s.pods[1]!));
  });
});

describe("policy engine: helpers for the matrix", () => {
  const scenario = buildTestScenario({
    pods: [{ id: "shop/a", labels: { app: "a" } }, { id: "shop/b", labels: { app: "b" } }, { id: "shop/a2", labels: { app: "a" } }],
    policies: [
      np("shop/eg", { podSelector: { matchLabels: { app: "a" } }, policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: "10.96.0.0/16", except: ["10.96.5.0/24"] } }] }] }),
      anp("nets", { priority: 3, subject: { pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: "b" } } } }, egress: [{ action: "Allow", to: [{ networks: ["fd00:10:96::/112"] }] }] }),
    ],
  });
  const engine = new PolicyEngine(scenario);
  const [a, b, a2] = scenario.pods as [typeof scenario.pods[number], typeof scenario.pods[number], typeof scenario.pods[number]];

  it("egressIpBlockCovers: an ipBlock of a NetworkPolicy isolating the source for egress, its except included", () => {
    assert.equal(engine.egressIpBlockCovers(a, "10.96.0.10"), true);
    assert.equal(engine.egressIpBlockCovers(a, "10.96.5.1"), true, "an address the except carves out is decided by the block too");
    assert.equal(engine.egressIpBlockCovers(a, "10.97.0.1"), false, "outside the block");
    assert.equal(engine.egressIpBlockCovers(b, "10.96.0.10"), false, "the policy does not select b");
  });

  it("egressIpBlockCovers: an ANP networks peer of an ANP whose subject is the source", () => {
    assert.equal(engine.egressIpBlockCovers(b, "fd00:10:96::a"), true);
    assert.equal(engine.egressIpBlockCovers(a, "fd00:10:96::a"), false);
  });

  it("classOf: dense ids, equal for equal identity keys", () => {
    assert.equal(engine.classOf(a), engine.classOf(a2));
    assert.notEqual(engine.classOf(a), engine.classOf(b));
    assert.ok(Math.max(engine.classOf(a), engine.classOf(b)) <= 1);
  });

  it("memoised decisions (trace: false) equal fresh ones", () => {
    for (const [s, d] of [[a, b], [a2, b], [b, a], [b, a2], [a, a2]] as const) {
      for (const family of ["ipv4", "ipv6"] as const) {
        const conn = { src: { kind: "pod" as const, pod: s }, dst: { kind: "pod" as const, pod: d }, port: 80, protocol: "TCP" as const, family };
        const fresh = engine.decide(conn);
        const memo = engine.decide(conn, { trace: false });
        assert.deepEqual([memo.verdict, memo.reason], [fresh.verdict, fresh.reason]);
      }
    }
  });
});
