import assert from "node:assert/strict";
import { describe, it } from "mocha";
import { scenarioFromYaml } from "../scenario/build.js";
import { Diagnostics } from "../scenario/diagnostics.js";
import { lintExpectations } from "./lint.js";

const scenario = (rules: string) => scenarioFromYaml(`
apiVersion: netspec/v1alpha1
kind: Scenario
metadata: { name: lint }
cluster: { nodes: [ { name: n1, zone: z1 }, { name: n2, zone: z2 } ] }
namespaces: [ { name: geo } ]
pods:
  - { name: client, namespace: geo, node: n1 }
  - { name: cache-a, namespace: geo, node: n1, labels: { app: cache }, ports: [ { port: 80 } ] }
  - { name: cache-b, namespace: geo, node: n2, labels: { app: cache }, ports: [ { port: 80 } ] }
resources:
  - apiVersion: v1
    kind: Service
    metadata: { name: cache, namespace: geo }
    spec: { selector: { app: cache }, ports: [ { port: 80 } ], trafficDistribution: PreferClose }
expect:
  rules:
${rules}
`);

const warnings = (rules: string) => {
  const diags = new Diagnostics();
  lintExpectations(scenario(rules), diags);
  return diags.warnings.map((d) => d.message);
};

describe("oracle lint: expectations checked before any cluster exists", () => {
  it("is quiet when rules agree with the oracle", () => {
    assert.deepEqual(warnings("    - { from: geo/client, to: svc/geo/cache, result: allow, backends: [geo/cache-a] }"), []);
  });

  it("warns when a rule contradicts the oracle, with both verdicts and the oracle's reason", () => {
    const [w] = warnings("    - { from: geo/client, to: geo/cache-b, result: deny }");
    assert.match(w!, /rule 0 says 'deny' but the oracle says 'allow' for 1 cell\(s\), e\.g\. geo\/client -> geo\/cache-b 80\/TCP ipv4: /);
  });

  it("warns when backends: leaves out a pod the oracle says may answer (PreferClose keeps cache-a)", () => {
    const [w] = warnings("    - { from: geo/client, to: svc/geo/cache, backends: [geo/cache-b] }");
    assert.match(w!, /rule 0 lists backends geo\/cache-b, but the oracle says geo\/cache-a may also answer/);
  });

  it("warns when a rule matches no cell", () => {
    const [w] = warnings("    - { from: geo/client, to: geo/cache-a, port: 81, result: allow }");
    assert.match(w!, /rule 0 \(geo\/client → geo\/cache-a, port 81\) matches no cell/);
  });
});
