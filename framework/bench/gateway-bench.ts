// The local gateway data plane under load: one Gateway (HAProxy in its proxy pod), 20
// HTTPRoutes over 10 backends, and 500 distinct requests from outside the cluster. Prints the
// provision and apply phases (apply includes programming the proxy) and the probe phase: the
// 500 requests once (consistency rule of 1) and held to the conformance suite's 3 in a row.
import { scenarioFromYaml } from "../scenario/build.js";
import { LocalProvider } from "../providers/local/provider.js";
import { run } from "../runner/run.js";

export function gatewayScenarioYaml(requests: number, routes: number, backends: number): string {
  const pods = Array.from({ length: backends }, (_, i) => `  - { name: b${i}, namespace: apps, labels: { app: b${i} }, ports: [ { name: http, port: 8080 } ] }`);
  const services = Array.from({ length: backends }, (_, i) => `  - { apiVersion: v1, kind: Service, metadata: { name: b${i}, namespace: apps }, spec: { selector: { app: b${i} }, ports: [ { port: 80, targetPort: http } ] } }`);
  const routeDocs = Array.from({ length: routes }, (_, i) => `  - apiVersion: gateway.networking.k8s.io/v1
    kind: HTTPRoute
    metadata: { name: r${i}, namespace: apps }
    spec:
      parentRefs: [ { name: edge } ]
      rules: [ { matches: [ { path: { type: PathPrefix, value: /r${i} } } ], backendRefs: [ { name: b${i % backends}, port: 80 } ] } ]`);
  const entries = Array.from({ length: requests }, (_, i) => `    - { to: gateway/apps/edge, request: { host: bench.example.com, path: /r${i % routes}/item-${i} } }`);
  return `apiVersion: netspec/v1alpha1
kind: Scenario
metadata: { name: gateway-${requests}-requests }
namespaces: [ { name: apps } ]
pods:
${pods.join("\n")}
resources:
${services.join("\n")}
  - apiVersion: gateway.networking.k8s.io/v1
    kind: Gateway
    metadata: { name: edge, namespace: apps }
    spec: { gatewayClassName: "{GATEWAY_CLASS_NAME}", listeners: [ { name: http, port: 80, protocol: HTTP } ] }
${routeDocs.join("\n")}
probe: { from: [], to: [] }
expect:
  http:
${entries.join("\n")}
`;
}

export async function gatewayBench(requests = 500): Promise<void> {
  console.log(`\nlocal gateway data plane: ${requests} HTTP requests through one Gateway (HAProxy), 20 routes, 10 backends`);
  console.log("  (target: the requests probed in < 2 s after provisioning)");
  const provider = new LocalProvider();
  await provider.preflight();
  const scenario = scenarioFromYaml(gatewayScenarioYaml(requests, 20, 10), "gateway-bench.yaml");
  for (const consecutive of [1, 3]) {
    const results = await run([scenario], { provider, convergeMs: 0, httpConsecutive: consecutive });
    const s = results.scenarios[0]!;
    const failed = s.cells.filter((c) => !c.match && !c.skipped);
    console.log(`  ${consecutive} matching answer(s) in a row: ${s.status}${s.error ? ` (${s.error})` : ""}  cells ${s.cells.length}  mismatches ${failed.length}${failed[0] ? ` (first: ${failed[0].mismatch ?? failed[0].observed})` : ""}  provision ${s.phases.provision} ms  apply ${s.phases.apply} ms  probe ${s.phases.probe} ms`);
  }
}
