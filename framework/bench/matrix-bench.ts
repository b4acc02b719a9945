// The issue's matrix benchmark: 3 namespaces x 3 pods, ports 80 and 81, TCP and UDP,
// dual-stack (648 pod-to-pod cells), once all allowed and once all denied, on the local
// provider. Prints the probe phase and the whole run (provision to teardown).
import { scenarioFromYaml } from "../scenario/build.js";
import { LocalProvider } from "../providers/local/provider.js";
import { run } from "../runner/run.js";

function matrixScenario(name: string, denyAll: boolean): string {
  const namespaces = ["x", "y", "z"];
  const pods = namespaces.flatMap((ns) => ["a", "b", "c"].map((pod) => `  - { name: ${pod}, namespace: ${ns}, labels: { pod: ${pod} }, ports: [ { port: 80 }, { port: 81 }, { port: 80, protocol: UDP }, { port: 81, protocol: UDP } ] }`));
  const deny = namespaces.map((ns) => `  - apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata: { name: deny-all, namespace: ${ns} }
    spec: { podSelector: {}, policyTypes: [Ingress, Egress] }`);
  return `apiVersion: netspec/v1alpha1
kind: Scenario
metadata: { name: ${name} }
cluster: { ipFamily: dual }
namespaces: [ ${namespaces.map((n) => `{ name: ${n} }`).join(", ")} ]
pods:
${pods.join("\n")}
${denyAll ? `resources:\n${deny.join("\n")}` : ""}
probe: { to: [pods] }
`;
}

export async function matrixBench(): Promise<void> {
  console.log("\nmatrix: 3 namespaces x 3 pods, ports 80/81, TCP/UDP, dual-stack, local provider (targets: probe < 3 s, whole run < 20 s)");
  const provider = new LocalProvider();
  await provider.preflight();
  for (const denyAll of [false, true]) {
    const scenario = scenarioFromYaml(matrixScenario(denyAll ? "matrix-deny" : "matrix-allow", denyAll), "matrix.yaml");
    const started = Date.now();
    const results = await run([scenario], { provider, convergeMs: 0 });
    const whole = Date.now() - started;
    const s = results.scenarios[0]!;
    const mismatches = s.cells.filter((c) => !c.match && !c.skipped).length;
    console.log(`  ${denyAll ? "all denied " : "all allowed"}  cells ${s.cells.length}  mismatches ${mismatches}  provision ${s.phases.provision} ms  apply ${s.phases.apply} ms  probe ${s.phases.probe} ms  destroy ${s.phases.destroy ?? 0} ms  whole run ${whole} ms`);
  }
}
