import assert from "node:assert/strict";
import type { Family } from "../../kube/net.js";
import { dnsAnswer, planTopologyAuto, familyEndpoints } from "./index.js";
import { buildScenario, replicas, type ScenarioSpec } from "./fixtures.test-helpers.js";

interface DnsCase {
  name: string;
  spec: ScenarioSpec;
  family: Family;
  kind: "cluster-ip" | "endpoints" | "cname" | "none";
  addresses: string[];
}

const DUAL: Family[] = ["ipv4", "ipv6"];
const dnsCases: DnsCase[] = [
  {
    name: "ClusterIP Service: A record is its IPv4 cluster IP",
    spec: { pods: replicas("api", "api", ["node-a"]), services: [{ name: "api" }] },
    family: "ipv4", kind: "cluster-ip", addresses: ["10.96.0.10"],
  },
  {
    name: "ClusterIP Service resolves even with no endpoints",
    spec: { services: [{ name: "api" }] },
    family: "ipv4", kind: "cluster-ip", addresses: ["10.96.0.10"],
  },
  {
    name: "dual-stack Service: AAAA record is its IPv6 cluster IP",
    spec: { families: DUAL, services: [{ name: "api" }] },
    family: "ipv6", kind: "cluster-ip", addresses: ["fd00:10:96::a"],
  },
  {
    name: "single-stack IPv4 Service on a dual-stack cluster: no AAAA record",
    spec: { families: DUAL, services: [{ name: "api", families: ["ipv4"] }] },
    family: "ipv6", kind: "none", addresses: [],
  },
  {
    name: "headless Service: A records of the ready endpoints",
    spec: { pods: [...replicas("db", "db", ["node-a", "node-b"]), { name: "db-slow", labels: { app: "db" }, node: "node-a", ready: false }], services: [{ name: "db", headless: true }] },
    family: "ipv4", kind: "endpoints", addresses: ["10.244.0.2", "10.244.1.2"],
  },
  {
    name: "headless Service with publishNotReadyAddresses: not-ready pods are answered too",
    spec: { pods: [...replicas("db", "db", ["node-a"]), { name: "db-slow", labels: { app: "db" }, node: "node-a", ready: false }], services: [{ name: "db", headless: true, publishNotReadyAddresses: true }] },
    family: "ipv4", kind: "endpoints", addresses: ["10.244.0.2", "10.244.0.3"],
  },
  {
    name: "headless Service: endpoints whatever their ports (a pod without the named port is still answered)",
    spec: { pods: [{ name: "db-0", labels: { app: "db" }, node: "node-a" }], services: [{ name: "db", headless: true, ports: [{ port: 5432, targetPort: "pg" }] }] },
    family: "ipv4", kind: "endpoints", addresses: ["10.244.0.2"],
  },
  {
    name: "headless dual-stack Service: AAAA only for pods with an IPv6 address",
    spec: { families: DUAL, pods: [{ name: "dual", labels: { app: "db" }, node: "node-a" }, { name: "v4", labels: { app: "db" }, node: "node-b", families: ["ipv4"] }], services: [{ name: "db", headless: true }] },
    family: "ipv6", kind: "endpoints", addresses: ["fd00:10:244:0::2"],
  },
  {
    name: "headless Service without ready endpoints: no record",
    spec: { pods: replicas("db", "db", ["node-a"], { ready: false }), services: [{ name: "db", headless: true }] },
    family: "ipv4", kind: "none", addresses: [],
  },
  {
    name: "ExternalName: a CNAME, in every family (specification 2.5)",
    spec: { services: [{ name: "ext", type: "ExternalName", externalName: "DB.example.com." }] },
    family: "ipv6", kind: "cname", addresses: [],
  },
];

describe("services: dnsAnswer", () => {
  for (const c of dnsCases) {
    it(c.name, () => {
      const scenario = buildScenario(c.spec);
      const got = dnsAnswer(scenario, scenario.services[0]!, c.family);
      assert.equal(got.kind, c.kind, got.reason);
      assert.deepEqual(got.addresses, c.addresses);
      if (got.kind === "cname") assert.equal(got.cname, "db.example.com");
    });
  }
});

describe("services: topology Auto allocation replay", () => {
  it("rounding follows the controller's float64 arithmetic (4.8 × 1/1.2 rounds up to 5)", () => {
    // zone-a 4 nodes, zone-b 1 node (equal CPU), 6 endpoints: desired 4.8 and 1.2; exactly, the
    // minimums would be 4 + 1 = 5 ≤ 6, but in float64 4.800000000000001 × 0.8333333333333334 =
    // 4.000000000000001 → 5 and 1.0000000000000002 → 2, so 7 > 6: no hints, as in Go.
    const scenario = buildScenario({
      nodes: [
        { name: "a1", zone: "zone-a" }, { name: "a2", zone: "zone-a" }, { name: "a3", zone: "zone-a" }, { name: "a4", zone: "zone-a" },
        { name: "b1", zone: "zone-b" },
      ],
      pods: replicas("api", "api", ["a1", "a2", "a3", "a4", "b1", "b1"]),
      services: [{ name: "api", annotations: { "service.kubernetes.io/topology-mode": "Auto" } }],
    });
    const plan = planTopologyAuto(scenario, familyEndpoints(scenario, scenario.services[0]!, "ipv4"), "ipv4");
    assert.equal(plan.ok, false);
    assert.match(plan.reason, /overload threshold/);
  });
  it("counts after redistribution are exact even when the donated endpoints are not", () => {
    const scenario = buildScenario({
      pods: replicas("api", "api", ["node-a", "node-a", "node-a", "node-b"]),
      services: [{ name: "api", annotations: { "service.kubernetes.io/topology-mode": "Auto" } }],
    });
    const plan = planTopologyAuto(scenario, familyEndpoints(scenario, scenario.services[0]!, "ipv4"), "ipv4");
    assert.ok(plan.ok);
    if (!plan.ok) return;
    assert.deepEqual([...plan.zoneCounts!].sort(), [["zone-a", 2], ["zone-b", 2]]);
    assert.equal(plan.exact, false);
    assert.deepEqual(plan.hints.get("default/api-3"), { zones: ["zone-b"], certain: true });
    assert.deepEqual(plan.hints.get("default/api-0"), { zones: ["zone-a", "zone-b"], certain: false });
  });
});
