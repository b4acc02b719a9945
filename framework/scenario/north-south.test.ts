// The north-south part of the scenario model: node and load-balancer addresses, node ports,
// the references to node ports, load balancers and external IPs, and the sources that are not pods.
import assert from "node:assert/strict";
import { describe, it } from "mocha";
import { scenarioFromYaml } from "./build.js";
import { clientId, resolveClients } from "./clients.js";
import { errorsOf } from "./errors.test-helpers.js";
import { servicesScenario } from "./services-scenario.test-helpers.js";
import { parseReference } from "./references.js";

const scenario = (services: string[], extra = "", cluster = "") => servicesScenario(services, { extra, cluster });

describe("scenario model: north-south addresses", () => {
  it("puts the nodes and the host on kind's network, load balancers at its top (MetalLB's kind pool)", () => {
    const s = scenarioFromYaml(scenario(["type: LoadBalancer", "type: NodePort", "type: LoadBalancer, ipFamilyPolicy: RequireDualStack"], "", "cluster: { ipFamily: dual }"));
    assert.deepEqual(s.nodes.map((n) => n.ips), [
      { ipv4: "172.18.0.2", ipv6: "fc00:f853:ccd:e793::2" }, { ipv4: "172.18.0.3", ipv6: "fc00:f853:ccd:e793::3" },
    ]);
    assert.deepEqual(s.externalClient, { ipv4: "172.18.0.1", ipv6: "fc00:f853:ccd:e793::1" });
    const lb = s.services.filter((x) => !x.system).map((x) => x.loadBalancerIPs);
    assert.deepEqual(lb, [{ ipv4: "172.18.255.200" }, {}, { ipv4: "172.18.255.201", ipv6: "fc00:f853:ccd:e793:ffff:ffff:ffff:ffc9" }]);
  });

  it("allocates node ports for NodePort and LoadBalancer, but not with allocateLoadBalancerNodePorts: false", () => {
    const s = scenarioFromYaml(scenario(["type: NodePort", "type: LoadBalancer", "type: LoadBalancer, allocateLoadBalancerNodePorts: false", ""]));
    assert.deepEqual(s.services.filter((x) => !x.system).map((x) => x.ports[0]!.nodePort), [30000, 30001, undefined, undefined]);
  });

  it("keeps externalIPs canonical and source ranges only for load balancers", () => {
    const s = scenarioFromYaml(scenario([
      "externalIPs: [ 198.51.100.7 ]",
      "type: LoadBalancer, loadBalancerSourceRanges: [ 203.0.113.0/24 ]",
    ]));
    const [eip, lb] = s.services.filter((x) => !x.system);
    assert.deepEqual(eip!.externalIPs, ["198.51.100.7"]);
    assert.deepEqual(lb!.loadBalancerSourceRanges, ["203.0.113.0/24"]);
  });
});

describe("references: north-south targets and non-pod sources", () => {
  it("parses each form once", () => {
    assert.deepEqual(parseReference("nodeport/app/web"), { kind: "nodeport", namespace: "app", name: "web" });
    assert.deepEqual(parseReference("nodeport/app/web@node-b"), { kind: "nodeport", namespace: "app", name: "web", node: "node-b" });
    assert.deepEqual(parseReference("loadbalancer/app/web"), { kind: "loadbalancer", namespace: "app", name: "web" });
    assert.deepEqual(parseReference("externalip/app/web"), { kind: "externalip", namespace: "app", name: "web" });
    assert.deepEqual(parseReference("node/node-*"), { kind: "node", glob: "node-*" });
    assert.deepEqual(parseReference("external"), { kind: "external" });
    assert.deepEqual(parseReference("external/2001:DB8::7"), { kind: "external", ip: "2001:db8::7" });
    assert.match(parseReference("loadbalancer/app/web@node-a") as string, /not a loadbalancer reference/);
    assert.match(parseReference("external/nowhere") as string, /not an external client/);
  });

  it("names clients as results do", () => {
    const s = scenarioFromYaml(scenario([""]));
    const ids = (ref: string) => resolveClients(s, parseReference(ref) as Exclude<ReturnType<typeof parseReference>, string>).map(clientId);
    assert.deepEqual(ids("node/*"), ["node/node-a", "node/node-b"]);
    assert.deepEqual(ids("external"), ["external"]);
    assert.deepEqual(ids("external/203.0.113.9"), ["external/203.0.113.9"]);
    assert.deepEqual(ids("app/a"), ["app/a"]);
  });

  it("rejects what a kind cannot be, at the reference's position", () => {
    const errors = errorsOf(scenario(["", "type: NodePort"], `probe: { from: [node/node-c] }
expect:
  rules:
    - { from: app/a, to: nodeport/app/s0, result: allow }
    - { from: app/a, to: loadbalancer/app/s1, result: allow }
    - { from: app/a, to: externalip/app/s1, result: allow }
    - { from: app/a, to: nodeport/app/s1@node-z, result: allow }
    - { from: app/a, to: external, result: allow }
    - { from: svc/app/s0, to: app/a, result: allow }
    - { from: app/a, to: app/a, clientAddress: preserved }
`));
    assert.deepEqual(errors, [
      "18:17 node 'node-c' is not declared; did you mean 'node-a'?",
      "21:26 Service app/s0 has no node port: it is type ClusterIP (node ports come with type NodePort or LoadBalancer)",
      "22:26 Service app/s1 is type NodePort: only a type LoadBalancer Service has a load-balancer address",
      "23:26 Service app/s1 has no spec.externalIPs",
      "24:26 node 'node-z' is not declared; did you mean 'node-a'?",
      "25:26 'external' is a source, not a target; a node's ports are reached as nodeport/NAMESPACE/NAME, an address outside the cluster as ip/… or cidr/…",
      "26:15 'svc/app/s0' cannot be a source: connections start from pods (ns/pod, a glob or a label selector), nodes (node/NAME) or external clients (external, external/IP)",
      "27:48 'clientAddress' is what a Service's backend sees; 'to' must be svc/ns/name, dns/name.ns, nodeport/…, loadbalancer/… or externalip/…",
    ]);
  });
});
