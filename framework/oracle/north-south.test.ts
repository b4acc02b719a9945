// North-south cells: node ports, load balancers and external IPs, from pods, nodes and clients
// outside the cluster, judged as kube-proxy and the Service docs have them (services/north-south.ts).
import assert from "node:assert/strict";
import { describe, it } from "mocha";
import { scenarioFromYaml } from "../scenario/build.js";
import { expectedCells, type ExpectedCell } from "./index.js";

// web-0 runs on node-a only; node-b has no endpoint of any Service.
const BASE = `
apiVersion: netspec/v1alpha1
kind: Scenario
metadata: { name: north-south }
namespaces: [ { name: app } ]
pods:
  - { name: web-0, namespace: app, labels: { app: web }, node: node-a, ports: [ { name: http, port: 8080 } ] }
  - { name: client, namespace: app, labels: { app: client }, node: node-b }
`;

const SERVICES = `
  - { apiVersion: v1, kind: Service, metadata: { name: cluster, namespace: app },
      spec: { type: NodePort, selector: { app: web }, ports: [ { port: 80, targetPort: http, nodePort: 30080 } ] } }
  - { apiVersion: v1, kind: Service, metadata: { name: local, namespace: app },
      spec: { type: NodePort, externalTrafficPolicy: Local, selector: { app: web }, ports: [ { port: 80, targetPort: http, nodePort: 30081 } ] } }
  - { apiVersion: v1, kind: Service, metadata: { name: lb-local, namespace: app },
      spec: { type: LoadBalancer, externalTrafficPolicy: Local, selector: { app: web }, ports: [ { port: 80, targetPort: http } ] } }
  - { apiVersion: v1, kind: Service, metadata: { name: lb-ranges, namespace: app },
      spec: { type: LoadBalancer, allocateLoadBalancerNodePorts: false, loadBalancerSourceRanges: [203.0.113.0/24],
              selector: { app: web }, ports: [ { port: 80, targetPort: http } ] } }
  - { apiVersion: v1, kind: Service, metadata: { name: lb-empty, namespace: app },
      spec: { type: LoadBalancer, selector: { app: nobody }, ports: [ { port: 80 } ] } }
  - { apiVersion: v1, kind: Service, metadata: { name: eip-local, namespace: app },
      spec: { externalIPs: [198.51.100.20], externalTrafficPolicy: Local, selector: { app: web }, ports: [ { port: 80, targetPort: http } ] } }
`;

function cells(resources: string, from: string[]): ExpectedCell[] {
  const scenario = scenarioFromYaml(`${BASE}resources:${resources}
probe: { from: ${JSON.stringify(from)}, to: [pods, nodeports, loadbalancers, externalips] }
`);
  return [...expectedCells(scenario)];
}

function cell(all: readonly ExpectedCell[], from: string, to: string): ExpectedCell {
  const found = all.find((c) => c.from === from && c.to === to);
  assert.ok(found, `no cell ${from} -> ${to}; cells: ${all.map((c) => `${c.from} -> ${c.to}`).join(", ")}`);
  return found;
}

describe("oracle: node ports, load balancers and external IPs", () => {
  const all = cells(SERVICES, ["external", "external/203.0.113.7", "node/*", "app/client"]);

  const table: { from: string; to: string; expected: string; clientAddress?: string; why: RegExp }[] = [
    // externalTrafficPolicy Cluster: every node forwards to any endpoint, the address may be rewritten.
    { from: "external", to: "nodeport/app/cluster@node-b", expected: "allow", clientAddress: "any", why: /node port 30080 on node-b/ },
    // Local: only the node with a ready endpoint serves; the other drops; the client address is kept.
    { from: "external", to: "nodeport/app/local@node-a", expected: "allow", clientAddress: "preserved", why: /externalTrafficPolicy: Local: 1 ready endpoint/ },
    { from: "external", to: "nodeport/app/local@node-b", expected: "drop", why: /externalTrafficPolicy: Local and no ready endpoint of app\/local .* on node-b/ },
    // Pods short-circuit to the cluster endpoints (kube-proxy's externalTrafficChain)…
    { from: "app/client", to: "nodeport/app/local@node-b", expected: "allow", clientAddress: "any", why: /node port 30081 on node-b/ },
    // …and so does the receiving node's own traffic (masqueraded).
    { from: "node/node-b", to: "nodeport/app/local@node-b", expected: "allow", clientAddress: "any", why: /node port/ },
    // Another node is an ordinary client of node-b: Local applies.
    { from: "node/node-a", to: "nodeport/app/local@node-b", expected: "drop", why: /no ready endpoint/ },
    // A load balancer with Local sends only to nodes whose health check passes.
    { from: "external", to: "loadbalancer/app/lb-local", expected: "allow", clientAddress: "preserved", why: /health check passes .*: node-a/ },
    // loadBalancerSourceRanges: outside → dropped before the Service; inside → served.
    { from: "external", to: "loadbalancer/app/lb-ranges", expected: "deny", why: /loadBalancerSourceRanges of app\/lb-ranges \(203\.0\.113\.0\/24\) do not include the client address 172\.18\.0\.1/ },
    { from: "external/203.0.113.7", to: "loadbalancer/app/lb-ranges", expected: "allow", why: /any node/ },
    { from: "app/client", to: "loadbalancer/app/lb-ranges", expected: "deny", why: /do not include the client address 10\.244\.1\.2/ },
    // No endpoints: through the load balancer the client sees what the load balancer makes of it.
    { from: "external", to: "loadbalancer/app/lb-empty", expected: "deny", why: /kube-proxy rejects/ },
    { from: "external", to: "nodeport/app/lb-empty@node-a", expected: "refused", why: /kube-proxy rejects/ },
    { from: "app/client", to: "loadbalancer/app/lb-empty", expected: "refused", why: /client's node node-b/ },
    // An external IP with Local: the network picks the node, and the nodes disagree.
    { from: "external", to: "externalip/app/eip-local", expected: "undefined", why: /nodes disagree .* the network's choice/ },
    // From a pod, its own node's proxy handles it: the cluster endpoints.
    { from: "app/client", to: "externalip/app/eip-local", expected: "allow", why: /proxy on the client's node node-b/ },
  ];
  for (const c of table) {
    it(`${c.from} -> ${c.to}: ${c.expected}`, () => {
      const got = cell(all, c.from, c.to);
      assert.equal(got.expected, c.expected, got.reason);
      assert.match(got.reason, c.why);
      if (c.clientAddress) assert.equal(got.clientAddress, c.clientAddress);
    });
  }

  it("plans one node-port cell per node on the node port, and none where allocateLoadBalancerNodePorts is false", () => {
    const external = all.filter((c) => c.from === "external");
    assert.deepEqual(external.filter((c) => c.to.startsWith("nodeport/app/cluster")).map((c) => `${c.to} ${c.port}`),
      ["nodeport/app/cluster@node-a 30080", "nodeport/app/cluster@node-b 30080"]);
    assert.equal(external.filter((c) => c.to.startsWith("nodeport/app/lb-ranges")).length, 0);
    assert.equal(cell(all, "external", "loadbalancer/app/lb-ranges").port, 80);
  });

  it("external clients reach nothing but what is exposed; nodes reach pods and cluster IPs, not names", () => {
    const scenario = scenarioFromYaml(`${BASE}resources:${SERVICES}
probe: { from: [external, node/node-a], to: [pods, services, dns, nodeports] }
`);
    const kinds = (from: string) => [...new Set([...expectedCells(scenario)].filter((c) => c.from === from).map((c) => c.target))];
    assert.deepEqual(kinds("external"), ["nodeport"]);
    assert.deepEqual(kinds("node/node-a"), ["pod", "service", "nodeport"]);
  });
});

describe("oracle: policy on north-south backends", () => {
  // web admits only the external client's address.
  const POLICY = `
  - apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata: { name: web-from-outside, namespace: app }
    spec:
      podSelector: { matchLabels: { app: web } }
      ingress: [ { from: [ { ipBlock: { cidr: 172.18.0.1/32 } } ] } ]
`;
  const all = cells(SERVICES + POLICY, ["external", "node/*", "app/client"]);

  it("Local keeps the client address: an ipBlock on it admits the client", () => {
    const got = cell(all, "external", "nodeport/app/local@node-a");
    assert.equal(got.expected, "allow", got.reason);
  });

  it("Cluster may rewrite it to the receiving node's: undefined where the two views disagree", () => {
    const got = cell(all, "external", "nodeport/app/cluster@node-b");
    assert.equal(got.expected, "undefined");
    assert.match(got.reason, /may see the client's address or node-b's \(source NAT\): as the client it is allow .* as node-b deny/);
  });

  it("Cluster on the backend's own node: both views admit (a pod's own node is always allowed)", () => {
    const got = cell(all, "external", "nodeport/app/cluster@node-a");
    assert.equal(got.expected, "allow", got.reason);
  });

  it("a node is judged by its address and as the pod's own node", () => {
    assert.equal(cell(all, "node/node-b", "app/web-0").expected, "deny");
    assert.equal(cell(all, "node/node-a", "app/web-0").expected, "allow");
  });

  it("a pod the policy does not admit: denied when neither its address nor the receiving node's is admitted", () => {
    const got = cell(all, "app/client", "nodeport/app/cluster@node-b");
    assert.equal(got.expected, "deny", got.reason);
  });

  it("a pod through a node port on the backend's node: its own address is denied, the node's admitted: undefined", () => {
    const got = cell(all, "app/client", "nodeport/app/local@node-a");
    assert.equal(got.expected, "undefined");
    assert.match(got.reason, /as the client it is deny .* as node-a allow/);
  });
});
