// The local data plane at cluster scale: N pods over K nodes, dual-stack, ports 80 and 443,
// in namespaces of 4 pods that admit only their own namespace (so ~96 % of the cells are
// denied). Prints each phase, the whole run and the peak memory of the run's node containers
// (their summed usage, sampled every 500 ms from the engine while the run lasts); `runs`
// repeats the scenario to show that every run passes.
import { scenarioFromYaml } from "../scenario/build.js";
import { containersWithLabel, engine } from "../providers/local/engine.js";
import { LABEL_RUN } from "../providers/local/names.js";
import { LocalProvider } from "../providers/local/provider.js";
import { run } from "../runner/run.js";

export function scaleScenarioYaml(pods: number, nodes: number): string {
  const perNamespace = 4;
  const namespaces = Math.ceil(pods / perNamespace);
  const nsNames = Array.from({ length: namespaces }, (_, i) => `team-${i}`);
  const nodeNames = Array.from({ length: nodes }, (_, i) => `node-${i}`);
  const podLines: string[] = [];
  for (let i = 0; i < pods; i++) {
    podLines.push(`  - { name: app-${i % perNamespace}, namespace: ${nsNames[Math.floor(i / perNamespace)]}, node: ${nodeNames[i % nodes]}, labels: { app: a${i % perNamespace} }, ports: [ { port: 80 }, { port: 443 } ] }`);
  }
  const policies = nsNames.map((ns) => `  - apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata: { name: own-namespace-only, namespace: ${ns} }
    spec: { podSelector: {}, ingress: [ { from: [ { podSelector: {} } ] } ] }`);
  return `apiVersion: netspec/v1alpha1
kind: Scenario
metadata: { name: scale-${pods}-on-${nodes} }
cluster:
  ipFamily: dual
  nodes: [ ${nodeNames.map((n, i) => `{ name: ${n}, zone: zone-${i % 2} }`).join(", ")} ]
namespaces: [ ${nsNames.map((n) => `{ name: ${n} }`).join(", ")} ]
pods:
${podLines.join("\n")}
resources:
${policies.join("\n")}
probe: { to: [pods] }
`;
}

/**
 * The summed memory of every netspec node container now (MiB), less the page cache, as
 * `docker stats` counts it (cgroup v1: cache; v2: inactive_file); containers going away count 0.
 */
async function nodeContainersMiB(): Promise<number> {
  const client = await engine();
  const stats = await Promise.all((await containersWithLabel(LABEL_RUN)).map((c) =>
    client.container.getById(c.id).stats({ stream: false, "one-shot": true } as { stream: false }).then((s) => {
      const m = s.memory_stats;
      const cache = (m?.stats as Record<string, number> | undefined)?.cache ?? (m?.stats as Record<string, number> | undefined)?.inactive_file ?? 0;
      return Math.max(0, (m?.usage ?? 0) - cache);
    }, () => 0)));
  return Math.round(stats.reduce((a, b) => a + b, 0) / (1 << 20));
}

export async function localScaleBench(cases: ReadonlyArray<{ pods: number; nodes: number; runs: number }>): Promise<void> {
  console.log("\nlocal provider at scale: namespaces of 4 pods admitting only themselves, ports 80/443, dual-stack");
  console.log("  (targets: 100 pods / 4 nodes: every run passes, provision < 5 s, probe < 5 s, whole run < 15 s; 400 pods / 8 nodes: whole run < 60 s)");
  const provider = new LocalProvider();
  await provider.preflight();
  for (const { pods, nodes, runs } of cases) {
    const scenario = scenarioFromYaml(scaleScenarioYaml(pods, nodes), `scale-${pods}.yaml`);
    let passed = 0;
    for (let i = 1; i <= runs; i++) {
      let peak = 0;
      let sampling = false;
      const sampler = setInterval(() => {
        if (sampling) return;
        sampling = true;
        void nodeContainersMiB().then((mib) => { peak = Math.max(peak, mib); }).finally(() => { sampling = false; });
      }, 500);
      const started = Date.now();
      const results = await run([scenario], { provider, convergeMs: 0 });
      const whole = Date.now() - started;
      clearInterval(sampler);
      const s = results.scenarios[0]!;
      const mismatches = s.cells.filter((c) => !c.match && !c.skipped).length;
      const denied = s.cells.filter((c) => c.expected === "deny").length;
      if (s.status === "passed") passed++;
      console.log(`  ${pods} pods / ${nodes} nodes, run ${i}/${runs}: ${s.status}${s.error ? ` (${s.error})` : ""}  cells ${s.cells.length} (${Math.round((100 * denied) / Math.max(1, s.cells.length))} % denied)  mismatches ${mismatches}  provision ${s.phases.provision} ms  apply ${s.phases.apply} ms  probe ${s.phases.probe} ms  destroy ${s.phases.destroy ?? 0} ms  whole run ${whole} ms  node containers' peak memory ${peak} MiB`);
    }
    console.log(`  ${pods} pods / ${nodes} nodes: ${passed} of ${runs} runs passed`);
  }
}
