// Counts of the matrix without materialising it, so `netspec expect --format summary` answers
// for clusters of thousands of pods. Pods whose verdicts cannot differ (same identity: the
// policy engine's identityKey covers namespace, labels, ports and ipBlock membership) are
// grouped, and each pair of groups is judged once: cost follows distinct identities, not pods².
import type { PodModel, Scenario } from "../scenario/model.js";
import type { ExpectedResult } from "../scenario/schema.js";
import { Oracle, planCells, probedServices, sourcePods } from "./matrix.js";

export type Summary = { cells: number; identities: number } & Record<ExpectedResult, number>;

interface Group {
  readonly key: string;
  readonly pods: PodModel[];
}

function groupBy(pods: readonly PodModel[], key: (pod: PodModel) => string): Group[] {
  const groups = new Map<string, Group>();
  for (const pod of pods) {
    const k = key(pod);
    let group = groups.get(k);
    if (!group) { group = { key: k, pods: [] }; groups.set(k, group); }
    group.pods.push(pod);
  }
  return [...groups.values()];
}

export function summarize(scenario: Scenario): Summary {
  const oracle = new Oracle(scenario);
  const counts: Summary = { cells: 0, identities: 0, allow: 0, deny: 0, refused: 0, drop: 0, undefined: 0, "dns-error": 0 };
  const add = (expected: ExpectedResult, n: number) => {
    if (n <= 0) return;
    counts.cells += n;
    counts[expected] += n;
  };
  const identity = (pod: PodModel) => oracle.engine.identityKey(pod);
  const sources = sourcePods(scenario);
  const sourceIds = new Set(sources.map((p) => p.id));
  const families = scenario.probe.families;

  if (scenario.probe.to.includes("pods")) {
    const srcGroups = groupBy(sources, identity);
    const dstGroups = groupBy(scenario.pods.filter((p) => !p.system), identity);
    counts.identities = new Set([...srcGroups, ...dstGroups].map((g) => g.key)).size;
    for (const gs of srcGroups) {
      for (const gd of dstGroups) {
        const a = gs.pods[0]!;
        const self = gs.key === gd.key ? gd.pods.filter((p) => sourceIds.has(p.id)).length : 0;
        const other = gs.key === gd.key ? gd.pods.find((p) => p !== a) : gd.pods[0];
        const pairs = gs.pods.length * gd.pods.length - self;
        for (const port of gd.pods[0]!.ports) {
          for (const family of families) {
            if (!a.ips[family] || !gd.pods[0]!.ips[family]) continue;
            const verdict = (dst: PodModel) => oracle.engine.decide({
              src: { kind: "pod", pod: a }, dst: { kind: "pod", pod: dst }, port: port.port, protocol: port.protocol, family,
            }, { trace: false, memo: false }).verdict;
            // Pod targets are judged by policy alone (Oracle.judge does the same, with the cell).
            if (self > 0) add(verdict(a), self);
            if (pairs > 0 && other) add(verdict(other), pairs);
          }
        }
      }
    }
  }

  // Services and DNS names: the answer also depends on the client's node (traffic policy,
  // topology), so clients are grouped by identity and node.
  const services = probedServices(scenario);
  const wantsServices = scenario.probe.to.includes("services") || scenario.probe.to.includes("dns");
  if (wantsServices && services.length > 0) {
    const clientGroups = groupBy(sources, (p) => `${identity(p)}|${p.node}`);
    const onlyServices: Scenario = { ...scenario, probe: { ...scenario.probe, from: [], to: scenario.probe.to.filter((t) => t !== "pods") } };
    for (const group of clientGroups) {
      const rep = group.pods[0]!;
      for (const plan of planCells({ ...onlyServices, probe: { ...onlyServices.probe, from: [rep.id] } })) {
        if (plan.target === "external") continue;
        add(oracle.judge(plan).expected, group.pods.length);
      }
    }
  }

  // External cells are few (named by rules): judged one by one.
  const externalOnly: Scenario = { ...scenario, probe: { ...scenario.probe, to: [] } };
  for (const plan of planCells(externalOnly)) add(oracle.judge(plan).expected, 1);
  return counts;
}
