import assert from "node:assert/strict";
import { serviceEndpoints } from "./index.js";
import { buildScenario, replicas, service, type ScenarioSpec } from "./fixtures.test-helpers.js";

interface Case {
  name: string;
  spec: ScenarioSpec;
  svc?: string;
  port?: number;
  /** Expected endpoints as "pod:targetPort". */
  want: string[];
}

const cases: Case[] = [
  {
    name: "no selector → no endpoints (Kubernetes manages none)",
    spec: { pods: replicas("api", "api", ["node-a"]), services: [{ name: "api", selector: null }] },
    want: [],
  },
  {
    name: "empty selector {} behaves as no selector",
    spec: { pods: replicas("api", "api", ["node-a"]), services: [{ name: "api", selector: {} }] },
    want: [],
  },
  {
    name: "ready pods matching the selector are endpoints, numeric targetPort used as is",
    spec: { pods: replicas("api", "api", ["node-a", "node-b"]), services: [{ name: "api" }] },
    want: ["api-0:8080", "api-1:8080"],
  },
  {
    name: "numeric targetPort need not be declared by the pod",
    spec: { pods: [{ name: "p", labels: { app: "api" }, node: "node-a" }], services: [{ name: "api", ports: [{ port: 80, targetPort: 9999 }] }] },
    want: ["p:9999"],
  },
  {
    name: "not-ready pod is excluded",
    spec: { pods: [...replicas("api", "api", ["node-a"]), { name: "slow", labels: { app: "api" }, node: "node-b", ports: [{ name: "http", port: 8080 }], ready: false }], services: [{ name: "api" }] },
    want: ["api-0:8080"],
  },
  {
    name: "publishNotReadyAddresses includes not-ready pods",
    spec: { pods: [...replicas("api", "api", ["node-a"]), { name: "slow", labels: { app: "api" }, node: "node-b", ready: false }], services: [{ name: "api", publishNotReadyAddresses: true }] },
    want: ["api-0:8080", "slow:8080"],
  },
  {
    name: "pods of another namespace are not selected",
    spec: { pods: [...replicas("api", "api", ["node-a"]), { name: "other", namespace: "ops", labels: { app: "api" }, node: "node-a" }], services: [{ name: "api" }] },
    want: ["api-0:8080"],
  },
  {
    name: "named targetPort resolved per pod",
    spec: {
      pods: [
        { name: "v1", labels: { app: "api" }, node: "node-a", ports: [{ name: "http", port: 8080 }] },
        { name: "v2", labels: { app: "api" }, node: "node-b", ports: [{ name: "http", port: 9090 }] },
      ],
      services: [{ name: "api", ports: [{ port: 80, targetPort: "http" }] }],
    },
    want: ["v1:8080", "v2:9090"],
  },
  {
    name: "named targetPort with the wrong protocol → not an endpoint",
    spec: {
      pods: [
        { name: "tcp", labels: { app: "dns" }, node: "node-a", ports: [{ name: "dns", port: 53, protocol: "TCP" }] },
        { name: "udp", labels: { app: "dns" }, node: "node-b", ports: [{ name: "dns", port: 5353, protocol: "UDP" }] },
      ],
      services: [{ name: "dns", ports: [{ port: 53, protocol: "UDP", targetPort: "dns" }] }],
    },
    want: ["udp:5353"],
  },
  {
    name: "pod without the named port is not an endpoint of that port",
    spec: {
      pods: [
        { name: "with", labels: { app: "api" }, node: "node-a", ports: [{ name: "metrics", port: 9100 }] },
        { name: "without", labels: { app: "api" }, node: "node-b", ports: [{ name: "http", port: 8080 }] },
      ],
      services: [{ name: "api", ports: [{ port: 9100, targetPort: "metrics" }] }],
    },
    want: ["with:9100"],
  },
  {
    name: "hostNetwork pods count like others",
    spec: { pods: [{ name: "agent", labels: { app: "api" }, node: "node-a", hostNetwork: true }], services: [{ name: "api" }] },
    want: ["agent:8080"],
  },
  {
    name: "ExternalName has no endpoints",
    spec: { pods: replicas("api", "api", ["node-a"]), services: [{ name: "api", type: "ExternalName" }] },
    want: [],
  },
];

describe("services: serviceEndpoints (EndpointSlice controller)", () => {
  for (const c of cases) {
    it(c.name, () => {
      const scenario = buildScenario(c.spec);
      const svc = service(scenario, c.svc ?? scenario.services[0]!.name);
      const port = svc.ports.find((p) => c.port === undefined || p.port === c.port)!;
      const got = serviceEndpoints(scenario, svc, port).map((b) => `${b.pod.name}:${b.targetPort}`);
      assert.deepEqual(got, c.want);
    });
  }

  it("with a family: a single-stack pod is an endpoint of its own family only", () => {
    const scenario = buildScenario({
      families: ["ipv4", "ipv6"],
      pods: [
        { name: "dual", labels: { app: "api" }, node: "node-a" },
        { name: "v4only", labels: { app: "api" }, node: "node-b", families: ["ipv4"] },
      ],
      services: [{ name: "api" }],
    });
    const svc = service(scenario, "api");
    assert.deepEqual(serviceEndpoints(scenario, svc, svc.ports[0]!, "ipv4").map((b) => b.pod.name), ["dual", "v4only"]);
    assert.deepEqual(serviceEndpoints(scenario, svc, svc.ports[0]!, "ipv6").map((b) => b.pod.name), ["dual"]);
  });

  it("with a family the Service does not have: none (no EndpointSlice of that AddressType)", () => {
    const scenario = buildScenario({
      families: ["ipv4", "ipv6"],
      pods: [{ name: "dual", labels: { app: "api" }, node: "node-a" }],
      services: [{ name: "api", families: ["ipv4"] }],
    });
    const svc = service(scenario, "api");
    assert.deepEqual(serviceEndpoints(scenario, svc, svc.ports[0]!, "ipv6"), []);
  });
});
