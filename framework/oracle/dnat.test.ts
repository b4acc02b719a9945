// Where policy may see the address before a Service's DNAT: the NetworkPolicy docs leave the
// order to the implementation for ipBlock peers, so a verdict that depends on it is undefined;
// selectors are judged on the pod either way.
import assert from "node:assert/strict";
import { describe, it } from "mocha";
import { scenarioFromYaml } from "../scenario/build.js";
import { expectedCells } from "./index.js";

const scenario = (egress: string) => scenarioFromYaml(`
apiVersion: netspec/v1alpha1
kind: Scenario
metadata: { name: dnat }
namespaces: [ { name: app } ]
pods:
  - { name: client, namespace: app, labels: { app: client } }
  - { name: api, namespace: app, labels: { app: api }, ports: [ { port: 80 } ] }
resources:
  - { apiVersion: v1, kind: Service, metadata: { name: api, namespace: app }, spec: { selector: { app: api }, ports: [ { port: 80 } ] } }
  - apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata: { name: client-egress, namespace: app }
    spec:
      podSelector: { matchLabels: { app: client } }
      policyTypes: [Egress]
      egress:
${egress}
probe: { from: [app/client], to: [pods, services, dns] }
`);
const cell = (s: ReturnType<typeof scenario>, to: string) => [...expectedCells(s)].find((c) => c.to === to)!;

const DNS_BY_SELECTOR = `        - to: [ { namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: kube-system } }, podSelector: { matchLabels: { k8s-app: kube-dns } } } ]
          ports: [ { port: 53, protocol: UDP } ]`;

describe("oracle: policy before or after a Service's DNAT", () => {
  it("an ipBlock whose except carves out the Service range: the cluster IP is undefined, the pod itself allowed", () => {
    const s = scenario(`        - to: [ { ipBlock: { cidr: 0.0.0.0/0, except: [ 10.96.0.0/12 ] } } ]\n${DNS_BY_SELECTOR}`);
    assert.equal(cell(s, "app/api").expected, "allow");
    const svc = cell(s, "svc/app/api");
    assert.equal(svc.expected, "undefined");
    assert.match(svc.reason, /covers cluster IP 10\.96\.0\.100: judged before DNAT it is deny .* after DNAT allow/);
  });

  it("DNS allowed by selecting the DNS pods: certain, whatever the ipBlock's except", () => {
    const s = scenario(`        - to: [ { ipBlock: { cidr: 0.0.0.0/0, except: [ 10.96.0.0/12 ] } } ]\n${DNS_BY_SELECTOR}`);
    assert.equal(cell(s, "dns/api.app.svc.cluster.local").expected, "undefined", "the lookup is certain; the connection to the cluster IP is not");
    assert.doesNotMatch(cell(s, "dns/api.app.svc.cluster.local").reason, /^DNS lookup/);
  });

  it("DNS allowed by an ipBlock on the kube-dns address only: undefined (after DNAT the pod IP is not in it)", () => {
    const s = scenario(`        - to: [ { ipBlock: { cidr: 10.96.0.10/32 } } ]
          ports: [ { port: 53, protocol: UDP } ]
        - to: [ { podSelector: { matchLabels: { app: api } } } ]`);
    const dns = cell(s, "dns/api.app.svc.cluster.local");
    assert.equal(dns.expected, "undefined");
    assert.match(dns.reason, /DNS lookup: an egress ipBlock of app\/client covers the kube-dns address 10\.96\.0\.10: judged before DNAT it is allow .* after DNAT deny/);
    assert.equal(cell(s, "svc/app/api").expected, "allow", "the Service itself is reached through the selector");
  });
});
