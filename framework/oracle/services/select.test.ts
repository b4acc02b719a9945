import assert from "node:assert/strict";
import type { Family } from "../../kube/net.js";
import { selectBackends, type BackendSelection } from "./index.js";
import { buildScenario, pod, replicas, service, type NodeSpec, type ScenarioSpec } from "./fixtures.test-helpers.js";

interface Case {
  name: string;
  spec: ScenarioSpec;
  /** The client pod (by name); it must be in spec.pods. */
  client: string;
  family?: Family;
  outcome: BackendSelection["outcome"];
  /** Expected backend pod names (sorted). */
  backends: string[];
  exact?: boolean;
  decidedBy?: BackendSelection["decidedBy"];
  /** Substrings the reason must contain. */
  reason?: string[];
}

const client = (name: string, node: string) => ({ name, labels: { role: "client" }, node });
const THREE_NODES_TWO_ZONES: NodeSpec[] = [
  { name: "node-a", zone: "zone-a" }, { name: "node-a2", zone: "zone-a" }, { name: "node-b", zone: "zone-b" },
];
const AUTO = { "service.kubernetes.io/topology-mode": "Auto" };

const cases: Case[] = [
  // ---- endpoints / refusal ----------------------------------------------------------------
  {
    name: "no endpoints at all → no-endpoints (kube-proxy rejects)",
    spec: { pods: [client("c", "node-a")], services: [{ name: "api" }] },
    client: "c", outcome: "no-endpoints", backends: [], decidedBy: "selector", reason: ["matches no pod", "rejects"],
  },
  {
    name: "no selector → no-endpoints",
    spec: { pods: [client("c", "node-a"), ...replicas("api", "api", ["node-a"])], services: [{ name: "api", selector: null }] },
    client: "c", outcome: "no-endpoints", backends: [], reason: ["no spec.selector"],
  },
  {
    name: "only not-ready pods → no-endpoints",
    spec: { pods: [client("c", "node-a"), ...replicas("api", "api", ["node-a"], { ready: false })], services: [{ name: "api" }] },
    client: "c", outcome: "no-endpoints", backends: [], reason: ["not Ready"],
  },
  {
    name: "named targetPort nobody serves with that protocol → no-endpoints, decided by targetPort",
    spec: { pods: [client("c", "node-a"), ...replicas("api", "api", ["node-a"])], services: [{ name: "api", ports: [{ port: 80, protocol: "UDP", targetPort: "http" }] }] },
    client: "c", outcome: "no-endpoints", backends: [], decidedBy: "targetPort", reason: ["UDP container port named 'http'"],
  },
  {
    name: "no traffic policy or topology: every ready endpoint",
    spec: { pods: [client("c", "node-a"), ...replicas("api", "api", ["node-a", "node-b"])], services: [{ name: "api" }] },
    client: "c", outcome: "backends", backends: ["api-0", "api-1"], exact: true, decidedBy: "none",
  },
  // ---- internalTrafficPolicy ---------------------------------------------------------------
  {
    name: "internalTrafficPolicy Local with a local endpoint → only that one",
    spec: { pods: [client("c", "node-a"), ...replicas("api", "api", ["node-a", "node-b"])], services: [{ name: "api", internalTrafficPolicy: "Local" }] },
    client: "c", outcome: "backends", backends: ["api-0"], decidedBy: "internalTrafficPolicy", reason: ["internalTrafficPolicy: Local"],
  },
  {
    name: "internalTrafficPolicy Local without a local endpoint → no-local-endpoints (drop)",
    spec: { pods: [client("c", "node-a"), ...replicas("api", "api", ["node-b"])], services: [{ name: "api", internalTrafficPolicy: "Local" }] },
    client: "c", outcome: "no-local-endpoints", backends: [], reason: ["internalTrafficPolicy: Local and no ready endpoint", "node-a", "drops"],
  },
  {
    name: "internalTrafficPolicy Local with no endpoints anywhere → no-endpoints (reject, not drop)",
    spec: { pods: [client("c", "node-a")], services: [{ name: "api", internalTrafficPolicy: "Local" }] },
    client: "c", outcome: "no-endpoints", backends: [],
  },
  {
    name: "internalTrafficPolicy Local: a not-ready local pod does not count",
    spec: {
      pods: [client("c", "node-a"), { name: "local", labels: { app: "api" }, node: "node-a", ready: false }, ...replicas("api", "api", ["node-b"])],
      services: [{ name: "api", internalTrafficPolicy: "Local" }],
    },
    client: "c", outcome: "no-local-endpoints", backends: [],
  },
  {
    name: "internalTrafficPolicy Local wins over trafficDistribution (topology not applied)",
    spec: {
      nodes: THREE_NODES_TWO_ZONES,
      pods: [client("c", "node-a"), ...replicas("api", "api", ["node-a2", "node-b"])],
      services: [{ name: "api", internalTrafficPolicy: "Local", trafficDistribution: "PreferSameZone" }],
    },
    client: "c", outcome: "no-local-endpoints", backends: [], reason: ["topology hints do not apply"],
  },
  // ---- trafficDistribution -----------------------------------------------------------------
  {
    name: "PreferClose: same-zone endpoints when the client's zone has any",
    spec: { nodes: THREE_NODES_TWO_ZONES, pods: [client("c", "node-a"), ...replicas("api", "api", ["node-a2", "node-b"])], services: [{ name: "api", trafficDistribution: "PreferClose" }] },
    client: "c", outcome: "backends", backends: ["api-0"], decidedBy: "trafficDistribution", reason: ["trafficDistribution: PreferClose", "zone-a"],
  },
  {
    name: "PreferClose: falls back to every endpoint when the client's zone has none",
    spec: { nodes: THREE_NODES_TWO_ZONES, pods: [client("c", "node-a"), ...replicas("api", "api", ["node-b", "node-b"])], services: [{ name: "api", trafficDistribution: "PreferClose" }] },
    client: "c", outcome: "backends", backends: ["api-0", "api-1"], reason: ["no endpoint is hinted for the client's zone zone-a"],
  },
  {
    name: "PreferSameZone is PreferClose's new name",
    spec: { nodes: THREE_NODES_TWO_ZONES, pods: [client("c", "node-b"), ...replicas("api", "api", ["node-a", "node-a2", "node-b"])], services: [{ name: "api", trafficDistribution: "PreferSameZone" }] },
    client: "c", outcome: "backends", backends: ["api-2"],
  },
  {
    name: "PreferClose: an endpoint on a node without zone has no hint → every endpoint",
    spec: {
      nodes: [{ name: "node-a", zone: "zone-a" }, { name: "node-b", zone: "zone-b" }, { name: "node-x" }],
      pods: [client("c", "node-a"), ...replicas("api", "api", ["node-a", "node-x"])],
      services: [{ name: "api", trafficDistribution: "PreferClose" }],
    },
    client: "c", outcome: "backends", backends: ["api-0", "api-1"], reason: ["has no zone hint"],
  },
  {
    name: "PreferClose: a client on a node without zone → every endpoint",
    spec: {
      nodes: [{ name: "node-a", zone: "zone-a" }, { name: "node-b", zone: "zone-b" }, { name: "node-x" }],
      pods: [client("c", "node-x"), ...replicas("api", "api", ["node-a", "node-b"])],
      services: [{ name: "api", trafficDistribution: "PreferClose" }],
    },
    client: "c", outcome: "backends", backends: ["api-0", "api-1"], reason: ["node-x has no topology.kubernetes.io/zone"],
  },
  {
    name: "PreferSameNode: endpoints on the client's node first",
    spec: { nodes: THREE_NODES_TWO_ZONES, pods: [client("c", "node-a"), ...replicas("api", "api", ["node-a", "node-a2", "node-b"])], services: [{ name: "api", trafficDistribution: "PreferSameNode" }] },
    client: "c", outcome: "backends", backends: ["api-0"], reason: ["on the client's node node-a"],
  },
  {
    name: "PreferSameNode: no endpoint on the node → same zone",
    spec: { nodes: THREE_NODES_TWO_ZONES, pods: [client("c", "node-a"), ...replicas("api", "api", ["node-a2", "node-b"])], services: [{ name: "api", trafficDistribution: "PreferSameNode" }] },
    client: "c", outcome: "backends", backends: ["api-0"], reason: ["no endpoint on node-a", "zone-a"],
  },
  {
    name: "PreferSameNode: neither node nor zone → every endpoint",
    spec: { nodes: THREE_NODES_TWO_ZONES, pods: [client("c", "node-b"), ...replicas("api", "api", ["node-a", "node-a2"])], services: [{ name: "api", trafficDistribution: "PreferSameNode" }] },
    client: "c", outcome: "backends", backends: ["api-0", "api-1"],
  },
  {
    name: "unknown trafficDistribution value is ignored (the API server rejects it) → every endpoint",
    spec: { nodes: THREE_NODES_TWO_ZONES, pods: [client("c", "node-a"), ...replicas("api", "api", ["node-a2", "node-b"])], services: [{ name: "api", trafficDistribution: "PreferRegion" }] },
    client: "c", outcome: "backends", backends: ["api-0", "api-1"], reason: ["not a supported value"],
  },
  // ---- topology-mode: Auto -----------------------------------------------------------------
  {
    name: "topology Auto, balanced (2 zones, 2 endpoints each): same-zone endpoints",
    spec: { pods: [client("c", "node-b"), ...replicas("api", "api", ["node-a", "node-a", "node-b", "node-b"])], services: [{ name: "api", annotations: AUTO }] },
    client: "c", outcome: "backends", backends: ["api-2", "api-3"], exact: true, decidedBy: "topology-mode",
  },
  {
    name: "topology Auto safeguard: fewer endpoints than zones → every endpoint",
    spec: { nodes: [...THREE_NODES_TWO_ZONES, { name: "node-c", zone: "zone-c" }], pods: [client("c", "node-a"), ...replicas("api", "api", ["node-a", "node-b"])], services: [{ name: "api", annotations: AUTO }] },
    client: "c", outcome: "backends", backends: ["api-0", "api-1"], reason: ["insufficient number of endpoints (2 endpoints, 3 zones)"],
  },
  {
    name: "topology Auto safeguard: a node without a zone label → every endpoint",
    spec: { nodes: [...TWO(), { name: "node-x" }], pods: [client("c", "node-a"), ...replicas("api", "api", ["node-a", "node-a", "node-b", "node-b"])], services: [{ name: "api", annotations: AUTO }] },
    client: "c", outcome: "backends", backends: ["api-0", "api-1", "api-2", "api-3"], reason: ["node node-x has no topology.kubernetes.io/zone label"],
  },
  {
    name: "topology Auto safeguard: minimum allocation exceeds the overload threshold → every endpoint",
    // 2 equal zones, 3 endpoints: desired 1.5 each, minimum ceil(1.5/1.2) = 2 each, 4 > 3.
    spec: { pods: [client("c", "node-a"), ...replicas("api", "api", ["node-a", "node-a", "node-b"])], services: [{ name: "api", annotations: AUTO }] },
    client: "c", outcome: "backends", backends: ["api-0", "api-1", "api-2"], reason: ["overload threshold"],
  },
  {
    name: "topology Auto safeguard: nodes in one zone only → every endpoint",
    spec: { nodes: [{ name: "node-a", zone: "zone-a" }, { name: "node-b", zone: "zone-a" }], pods: [client("c", "node-a"), ...replicas("api", "api", ["node-a", "node-b"])], services: [{ name: "api", annotations: AUTO }] },
    client: "c", outcome: "backends", backends: ["api-0", "api-1"], reason: ["one zone only"],
  },
  {
    name: "topology Auto: control-plane nodes do not count (a zoneless control plane does not disable hints)",
    spec: {
      nodes: [...TWO(), { name: "cp", labels: { "node-role.kubernetes.io/control-plane": "" } }],
      pods: [client("c", "node-a"), ...replicas("api", "api", ["node-a", "node-a", "node-b", "node-b"])],
      services: [{ name: "api", annotations: AUTO }],
    },
    client: "c", outcome: "backends", backends: ["api-0", "api-1"], exact: true,
  },
  {
    name: "topology Auto: proportional to netspec.dev/cpu (zone-a 2 CPU, zone-b 1 CPU, 2+1 endpoints)",
    spec: {
      nodes: [{ name: "node-a", zone: "zone-a", labels: { "netspec.dev/cpu": "2" } }, { name: "node-b", zone: "zone-b", labels: { "netspec.dev/cpu": "1000m" } }],
      pods: [client("c", "node-b"), ...replicas("api", "api", ["node-a", "node-a", "node-b"])],
      services: [{ name: "api", annotations: AUTO }],
    },
    client: "c", outcome: "backends", backends: ["api-2"], exact: true,
  },
  {
    name: "topology Auto: donated endpoints (3 in zone-a, 1 in zone-b) → zone-b may get any zone-a endpoint, not exact",
    spec: { pods: [client("c", "node-b"), ...replicas("api", "api", ["node-a", "node-a", "node-a", "node-b"])], services: [{ name: "api", annotations: AUTO }] },
    client: "c", outcome: "backends", backends: ["api-0", "api-1", "api-2", "api-3"], exact: false, reason: ["implementation-defined"],
  },
  {
    name: "topology Auto: the donating zone keeps some of its own endpoints, not exact",
    spec: { pods: [client("c", "node-a"), ...replicas("api", "api", ["node-a", "node-a", "node-a", "node-b"])], services: [{ name: "api", annotations: AUTO }] },
    client: "c", outcome: "backends", backends: ["api-0", "api-1", "api-2"], exact: false,
  },
  {
    name: "topology Auto takes precedence over trafficDistribution (safeguard → every endpoint, not PreferClose)",
    spec: { pods: [client("c", "node-a"), ...replicas("api", "api", ["node-a", "node-a", "node-b"])], services: [{ name: "api", annotations: AUTO, trafficDistribution: "PreferClose" }] },
    client: "c", outcome: "backends", backends: ["api-0", "api-1", "api-2"], decidedBy: "topology-mode", reason: ["trafficDistribution: PreferClose is ignored"],
  },
  {
    name: "legacy annotation topology-aware-hints: auto enables Auto",
    spec: { pods: [client("c", "node-a"), ...replicas("api", "api", ["node-a", "node-b"])], services: [{ name: "api", annotations: { "service.kubernetes.io/topology-aware-hints": "auto" } }] },
    client: "c", outcome: "backends", backends: ["api-0"], decidedBy: "topology-mode",
  },
  {
    name: "legacy annotation wins over topology-mode when both are set",
    spec: {
      pods: [client("c", "node-a"), ...replicas("api", "api", ["node-a", "node-b"])],
      services: [{ name: "api", annotations: { "service.kubernetes.io/topology-aware-hints": "Disabled", "service.kubernetes.io/topology-mode": "Auto" } }],
    },
    client: "c", outcome: "backends", backends: ["api-0", "api-1"], decidedBy: "none",
  },
  {
    name: "topology-mode value other than Auto/auto (e.g. AUTO) does not enable hints",
    spec: { pods: [client("c", "node-a"), ...replicas("api", "api", ["node-a", "node-b"])], services: [{ name: "api", annotations: { "service.kubernetes.io/topology-mode": "AUTO" } }] },
    client: "c", outcome: "backends", backends: ["api-0", "api-1"], decidedBy: "none",
  },
  // ---- families ----------------------------------------------------------------------------
  {
    name: "dual-stack Service, IPv6: a single-stack IPv4 pod is not a backend",
    spec: {
      families: ["ipv4", "ipv6"],
      pods: [client("c", "node-a"), { name: "dual", labels: { app: "api" }, node: "node-a" }, { name: "v4", labels: { app: "api" }, node: "node-b", families: ["ipv4"] }],
      services: [{ name: "api" }],
    },
    client: "c", family: "ipv6", outcome: "backends", backends: ["dual"],
  },
  {
    name: "dual-stack Service, IPv4: both pods are backends",
    spec: {
      families: ["ipv4", "ipv6"],
      pods: [client("c", "node-a"), { name: "dual", labels: { app: "api" }, node: "node-a" }, { name: "v4", labels: { app: "api" }, node: "node-b", families: ["ipv4"] }],
      services: [{ name: "api" }],
    },
    client: "c", family: "ipv4", outcome: "backends", backends: ["dual", "v4"],
  },
  {
    name: "single-stack IPv4 Service on a dual-stack cluster: nothing over IPv6",
    spec: { families: ["ipv4", "ipv6"], pods: [client("c", "node-a"), ...replicas("api", "api", ["node-a"])], services: [{ name: "api", families: ["ipv4"] }] },
    client: "c", family: "ipv6", outcome: "no-endpoints", backends: [], decidedBy: "ipFamilies",
  },
  // ---- headless ----------------------------------------------------------------------------
  {
    name: "headless: DNS endpoints answer directly, no traffic policy applied",
    spec: { pods: [client("c", "node-a"), ...replicas("db", "db", ["node-b"])], services: [{ name: "db", headless: true, internalTrafficPolicy: "Local" }] },
    client: "c", outcome: "backends", backends: ["db-0"], decidedBy: "headless",
  },
];

function TWO(): NodeSpec[] {
  return [{ name: "node-a", zone: "zone-a" }, { name: "node-b", zone: "zone-b" }];
}

describe("services: selectBackends (kube-proxy)", () => {
  for (const c of cases) {
    it(c.name, () => {
      const scenario = buildScenario(c.spec);
      const svc = scenario.services[0]!;
      const got = selectBackends(scenario, svc, svc.ports[0]!, pod(scenario, c.client).node, c.family ?? "ipv4");
      assert.equal(got.outcome, c.outcome, got.reason);
      assert.deepEqual(got.backends.map((b) => b.pod.name).sort(), [...c.backends].sort(), got.reason);
      if (c.exact !== undefined) assert.equal(got.exact, c.exact, got.reason);
      if (c.decidedBy !== undefined) assert.equal(got.decidedBy, c.decidedBy, got.reason);
      for (const text of c.reason ?? []) assert.ok(got.reason.includes(text), `reason '${got.reason}' lacks '${text}'`);
      assert.ok(!got.reason.includes("\n"), "reason is one line");
    });
  }

  it("headless: the client dials the Service port on the pod (no targetPort translation)", () => {
    const scenario = buildScenario({ pods: replicas("db", "db", ["node-b"]), services: [{ name: "db", headless: true, ports: [{ port: 5432, targetPort: 6543 }] }] });
    const svc = service(scenario, "db");
    const got = selectBackends(scenario, svc, svc.ports[0]!, pod(scenario, "db-0").node, "ipv4");
    assert.deepEqual(got.backends.map((b) => b.targetPort), [5432]);
  });

  it("named targetPort: each backend carries its own container port", () => {
    const scenario = buildScenario({
      pods: [
        { name: "v1", labels: { app: "api" }, node: "node-a", ports: [{ name: "http", port: 8080 }] },
        { name: "v2", labels: { app: "api" }, node: "node-b", ports: [{ name: "http", port: 9090 }] },
      ],
      services: [{ name: "api", ports: [{ port: 80, targetPort: "http" }] }],
    });
    const svc = service(scenario, "api");
    const got = selectBackends(scenario, svc, svc.ports[0]!, pod(scenario, "v1").node, "ipv4");
    assert.deepEqual(got.backends.map((b) => `${b.pod.name}:${b.targetPort}/${b.protocol}`), ["v1:8080/TCP", "v2:9090/TCP"]);
  });

  it("ExternalName: nothing to select", () => {
    const scenario = buildScenario({ pods: [client("c", "node-a")], services: [{ name: "ext", type: "ExternalName" }] });
    const svc = service(scenario, "ext");
    const got = selectBackends(scenario, svc, svc.ports[0]!, pod(scenario, "c").node, "ipv4");
    assert.equal(got.outcome, "no-endpoints");
    assert.equal(got.decidedBy, "type");
  });
});
