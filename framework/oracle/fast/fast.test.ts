// The differential proof of the set-based matrix: on many random small scenarios, every
// pod-to-pod decision, every count of the summary and every pod cell of the materialised matrix
// must equal what the per-cell engine (PolicyEngine.decide, the reference) gives.
import assert from "node:assert/strict";
import { describe, it } from "mocha";
import { FAMILIES } from "../../kube/net.js";
import type { Scenario } from "../../scenario/model.js";
import { expectedCells } from "../index.js";
import { planCells } from "../matrix.js";
import { PolicyEngine } from "../policy/engine.js";
import type { HostNetworkMode, PolicyVerdict } from "../policy/types.js";
import { summarize } from "../summary.js";
import { PodDecisions } from "./decisions.js";
import { EXTRA_PORTS, randomScenario } from "./random-scenarios.test-helpers.js";

const CASES = 500;
const SEEDS = Array.from({ length: CASES }, (_, i) => 1000 + i);

/** The destination ports judged: every declared one, and a few no pod declares. */
function portsOf(scenario: Scenario) {
  const all = [...scenario.pods.flatMap((p) => p.ports), ...EXTRA_PORTS];
  return [...new Map(all.map((p) => [`${p.port}/${p.protocol}`, { port: p.port, protocol: p.protocol }])).values()];
}

function reference(engine: PolicyEngine, scenario: Scenario, src: string, dst: string, port: number, protocol: "TCP" | "UDP" | "SCTP", family: "ipv4" | "ipv6") {
  const pod = (id: string) => scenario.pods.find((p) => p.id === id)!;
  const d = engine.decide({ src: { kind: "pod", pod: pod(src) }, dst: { kind: "pod", pod: pod(dst) }, port, protocol, family }, { trace: false, memo: false });
  return { verdict: d.verdict, reason: d.reason };
}

describe("set-based pod matrix: differential against the per-cell engine", () => {
  it(`${CASES} random scenarios: every pod-to-pod decision (verdict and reason) equals PolicyEngine.decide, in both host-network modes`, () => {
    const seen = new Map<PolicyVerdict, number>();
    let compared = 0;
    for (const seed of SEEDS) {
      const scenario = randomScenario(seed);
      for (const hostNetwork of ["agree", "undefined"] as HostNetworkMode[]) {
        const engine = new PolicyEngine(scenario, { hostNetwork });
        const fast = new PodDecisions(scenario, new PolicyEngine(scenario, { hostNetwork }));
        for (const src of scenario.pods) {
          for (const dst of scenario.pods) {
            for (const { port, protocol } of portsOf(scenario)) {
              for (const family of FAMILIES) {
                const expected = reference(engine, scenario, src.id, dst.id, port, protocol, family);
                const got = fast.decide(src, dst, port, protocol, family);
                assert.deepEqual({ verdict: got.verdict, reason: got.reason }, expected,
                  `seed ${seed} (${hostNetwork}): ${src.id} -> ${dst.id} ${port}/${protocol} ${family}`);
                seen.set(expected.verdict, (seen.get(expected.verdict) ?? 0) + 1);
                compared++;
              }
            }
          }
        }
      }
    }
    assert.ok(compared > 100_000, `${compared} decisions compared`);
    // The generator is not degenerate: every verdict occurs often.
    for (const verdict of ["allow", "deny", "undefined"] as const) assert.ok((seen.get(verdict) ?? 0) > compared / 50, `${verdict}: ${seen.get(verdict)}`);
  });

  it(`${CASES} random scenarios: summarize counts exactly the cells the engine judges one by one`, () => {
    for (const seed of SEEDS) {
      const scenario = randomScenario(seed);
      const engine = new PolicyEngine(scenario);
      const expected = { cells: 0, allow: 0, deny: 0, undefined: 0 };
      for (const plan of planCells(scenario)) {
        const target = plan.target;
        assert.ok(target.kind === "pod" && plan.client.kind === "pod", "random scenarios probe pods from pods only");
        const d = engine.decide({ src: { kind: "pod", pod: plan.client.pod }, dst: { kind: "pod", pod: target.pod }, port: plan.port, protocol: plan.protocol, family: plan.family }, { trace: false, memo: false });
        expected.cells++;
        expected[d.verdict]++;
      }
      const summary = summarize(scenario);
      assert.deepEqual({ cells: summary.cells, allow: summary.allow, deny: summary.deny, undefined: summary.undefined }, expected, `seed ${seed}`);
    }
  });

  it(`${CASES} random scenarios: every materialised pod cell has the engine's verdict and reason`, () => {
    let cells = 0;
    for (const seed of SEEDS) {
      const scenario = randomScenario(seed);
      const engine = new PolicyEngine(scenario);
      for (const cell of expectedCells(scenario)) {
        const [ns, name] = cell.to.split("/");
        const expected = reference(engine, scenario, cell.from, `${ns}/${name}`, cell.port, cell.protocol, cell.family);
        assert.deepEqual({ verdict: cell.expected, reason: cell.reason }, expected, `seed ${seed}: ${cell.from} -> ${cell.to} ${cell.port}/${cell.protocol} ${cell.family}`);
        cells++;
      }
    }
    assert.ok(cells > 10_000, `${cells} cells compared`);
  });
});
