// summarize() counts what the materialised matrix holds, on every example (pods, Services,
// DNS names, traffic policies, topology, ANPs) and on a scenario whose replicas differ in the
// ports they serve and whose Service backends are clients too.
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, it } from "mocha";
import { loadScenario, scenarioFromYaml } from "../scenario/build.js";
import type { Scenario } from "../scenario/model.js";
import { expectedCells } from "./index.js";
import { summarize } from "./summary.js";

const EXAMPLES = join(resolve(dirname(fileURLToPath(import.meta.url)), "..", ".."), "specs", "examples");

function countCells(scenario: Scenario): Record<string, number> {
  const counts: Record<string, number> = { cells: 0, allow: 0, deny: 0, refused: 0, drop: 0, undefined: 0, "dns-error": 0 };
  for (const cell of expectedCells(scenario)) {
    counts.cells!++;
    counts[cell.oracle.expected]!++;
  }
  return counts;
}

function assertSummaryCounts(scenario: Scenario): void {
  const { identities: _identities, ...summary } = summarize(scenario);
  assert.deepEqual(summary, countCells(scenario), scenario.name);
}

describe("summarize", () => {
  for (const file of readdirSync(EXAMPLES).filter((f) => f.endsWith(".yaml")).sort()) {
    it(`${file}: the counts of the materialised matrix`, () => assertSummaryCounts(loadScenario(join(EXAMPLES, file)).scenario));
  }

  it("pods of one class serving different ports, Service backends that are also clients", () => {
    assertSummaryCounts(scenarioFromYaml(`
apiVersion: netspec/v1alpha1
kind: Scenario
metadata: { name: mixed-ports }
cluster: { ipFamily: dual }
namespaces: [ { name: shop } ]
pods:
  - { name: web, namespace: shop, labels: { app: web }, replicas: 2, ports: [ { name: http, port: 80 } ] }
  - { name: web-extra, namespace: shop, labels: { app: web }, ports: [ { name: http, port: 80 }, { port: 81 } ] }
  - { name: client, namespace: shop, labels: { app: client } }
resources:
  - apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata: { name: web-from-client, namespace: shop }
    spec:
      podSelector: { matchLabels: { app: web } }
      ingress: [ { from: [ { podSelector: { matchLabels: { app: client } } } ] } ]
  - apiVersion: v1
    kind: Service
    metadata: { name: web, namespace: shop }
    spec: { selector: { app: web }, ports: [ { port: 80, targetPort: http } ] }
probe: { to: [pods, services, dns] }
`));
  });
});
