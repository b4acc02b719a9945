// hostNetwork pods in the model: the node's addresses, the node's ports, and dnsPolicy.
import assert from "node:assert/strict";
import { describe, it } from "mocha";
import { expectedCells } from "../oracle/index.js";
import { scenarioFromYaml } from "./build.js";
import { errorsOf } from "./errors.test-helpers.js";
import { usesClusterDns } from "./model.js";

const text = (pods: string) => `
apiVersion: netspec/v1alpha1
kind: Scenario
metadata: { name: t }
namespaces: [ { name: app } ]
pods:
${pods}
resources:
  - { apiVersion: v1, kind: Service, metadata: { name: web, namespace: app }, spec: { selector: { app: web }, ports: [ { port: 80 } ] } }
probe: { to: [dns] }
`;

describe("scenario model: hostNetwork pods", () => {
  const scenario = scenarioFromYaml(text(`
  - { name: web, namespace: app, labels: { app: web }, node: node-a, ports: [ { port: 80 } ] }
  - { name: agent, namespace: app, node: node-b, hostNetwork: true, ports: [ { port: 9100 } ] }
  - { name: agent-dns, namespace: app, node: node-a, hostNetwork: true, dnsPolicy: ClusterFirstWithHostNet }
  - { name: other, namespace: app, node: node-b }
  - { name: plain, namespace: app, node: node-b, dnsPolicy: Default }`));
  const pod = (name: string) => scenario.pods.find((p) => p.name === name)!;

  it("have their node's addresses and take none of the pod CIDR", () => {
    assert.deepEqual(pod("agent").ips, scenario.nodes[1]!.ips);
    assert.deepEqual(pod("agent-dns").ips, scenario.nodes[0]!.ips);
    assert.equal(pod("other").ips.ipv4, "10.244.1.2");
  });

  it("use the cluster DNS only with ClusterFirstWithHostNet; Default never does", () => {
    assert.deepEqual(["web", "agent", "agent-dns", "plain"].map((n) => usesClusterDns(pod(n))), [true, false, true, false]);
    const cells = [...expectedCells(scenario)];
    const dns = (from: string) => cells.find((c) => c.from === from && c.to === "dns/web.app.svc.cluster.local")!;
    assert.equal(dns("app/agent-dns").expected, "allow");
    assert.equal(dns("app/agent").expected, "undefined");
    assert.match(dns("app/agent").reason, /resolves through its node's resolver \(dnsPolicy ClusterFirst on a hostNetwork pod falls back to Default\)/);
    assert.equal(dns("app/plain").expected, "undefined");
  });

  it("cannot share a port on one node: the scheduler would not run them together", () => {
    assert.deepEqual(errorsOf(text(`
  - { name: a, namespace: app, node: node-a, hostNetwork: true, ports: [ { port: 9100 } ] }
  - { name: b, namespace: app, node: node-a, hostNetwork: true, ports: [ { port: 9100 } ] }
  - { name: c, namespace: app, node: node-a, hostNetwork: true, ports: [ { port: 9100, protocol: UDP } ] }`)), [
      "9:38 pod app/b and app/a both use host port 9100/TCP on node 'node-a': the scheduler would not run them together; place them on different nodes",
    ]);
  });

  it("hostPort: defaults to the port on a hostNetwork pod, must match it there, and shares the node's port space", () => {
    const s = scenarioFromYaml(text(`
  - { name: h, namespace: app, node: node-a, hostNetwork: true, ports: [ { port: 9100 } ] }
  - { name: p, namespace: app, node: node-b, ports: [ { port: 8443, hostPort: 443 }, { port: 80 } ] }`));
    assert.deepEqual(s.pods.find((p) => p.name === "h")!.ports[0], { name: undefined, port: 9100, protocol: "TCP", hostPort: 9100 });
    assert.deepEqual(s.pods.find((p) => p.name === "p")!.ports.map((p) => p.hostPort), [443, undefined]);
    assert.deepEqual(errorsOf(text(`
  - { name: h, namespace: app, node: node-a, hostNetwork: true, ports: [ { port: 9100, hostPort: 9101 } ] }
  - { name: p, namespace: app, node: node-a, ports: [ { port: 8443, hostPort: 9100 } ] }`)), [
      "8:98 pod app/h: hostPort 9101 must match the port (9100) when hostNetwork is true",
      "9:38 pod app/p and app/h both use host port 9100/TCP on node 'node-a': the scheduler would not run them together; place them on different nodes",
    ]);
  });
});
