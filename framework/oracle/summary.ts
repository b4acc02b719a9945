// Counts of the matrix without materialising it, so `netspec expect --format summary` answers
// for clusters of thousands of pods.
//  - pod targets: counted over identity classes from per-direction sets (fast/counts.ts): cost
//    follows distinct classes and their set operations, not cells;
//  - Services and DNS names: the answer also depends on the client's node (traffic policy,
//    topology) and on whether the client is one of the backends (a pod always reaches itself),
//    so clients are grouped by class, the node where routing uses it, and backends alone;
//  - what rules name (external addresses, DNS names as written): few, judged one by one.
import type { PodModel, Scenario } from "../scenario/model.js";
import type { ExpectedResult } from "../scenario/schema.js";
import { dnsTarget } from "../scenario/target.js";
import { countPodCells } from "./fast/counts.js";
import { httpRequest, northSouth, Oracle, planCells, probedServices, sourcePods, throughHostPort } from "./matrix.js";
import { parseReference } from "../scenario/references.js";
import type { Reference } from "../scenario/schema.js";
import { hintPlan, selectedPods } from "./services/index.js";

export type Summary = { cells: number; identities: number } & Record<ExpectedResult, number>;

export function summarize(scenario: Scenario): Summary {
  const oracle = new Oracle(scenario);
  const counts: Summary = { cells: 0, identities: 0, allow: 0, deny: 0, refused: 0, drop: 0, undefined: 0, "dns-error": 0 };
  const add = (expected: ExpectedResult, n: number) => {
    if (n <= 0) return;
    counts.cells += n;
    counts[expected] += n;
  };
  const sources = sourcePods(scenario);

  if (scenario.probe.to.includes("pods")) {
    const targets = scenario.pods.filter((p) => !p.system);
    counts.identities = new Set([...sources, ...targets].map((p) => oracle.engine.identityKey(p))).size;
    const pods = countPodCells(oracle.pods, sources, targets, scenario.probe.families);
    add("allow", pods.allow);
    add("deny", pods.deny);
    add("undefined", pods.undefined);
  }

  const services = probedServices(scenario);
  const wantsServices = scenario.probe.to.includes("services") || scenario.probe.to.includes("dns");
  if (wantsServices && services.length > 0) {
    const clientKey = serviceClientKey(scenario, oracle);
    const groups = new Map<string, PodModel[]>();
    for (const pod of sources) {
      const key = clientKey(pod);
      const group = groups.get(key);
      if (group) group.push(pod);
      else groups.set(key, [pod]);
    }
    // Without the rules: the cells they name are counted one by one below.
    const onlyServices: Scenario = {
      ...scenario, probe: { ...scenario.probe, from: [], to: scenario.probe.to.filter((t) => t !== "pods") }, expect: { ...scenario.expect, rules: [] },
    };
    for (const group of groups.values()) {
      const rep = group[0]!;
      for (const plan of planCells({ ...onlyServices, probe: { ...onlyServices.probe, from: [rep.id] } })) {
        if (northSouth(plan) || throughHostPort(plan)) continue;
        add(oracle.judge(plan).expected, group.length);
      }
    }
  }

  // A rule naming a Service's full name is the probe.to dns cell counted above, not one more.
  const podsOnly = scenario.probe.from.filter((ref) => !isOtherClient(ref));
  const countedNames = new Set(scenario.probe.to.includes("dns") ? services.map((svc) => dnsTarget(svc).name) : []);
  const ruleNamedOnly: Scenario = { ...scenario, probe: { ...scenario.probe, from: podsOnly, to: [] } };
  for (const plan of planCells(ruleNamedOnly)) {
    if (plan.target.kind === "dns" && countedNames.has(plan.target.name)) continue;
    add(oracle.judge(plan).expected, 1);
  }
  // Node ports, load balancers, external IPs and host ports from pods, and every cell of the
  // clients that are no pods (nodes, clients outside the cluster): few, judged one by one.
  const northSouthOnly: Scenario = { ...scenario, probe: { ...scenario.probe, from: podsOnly, to: scenario.probe.to.filter((t) => NORTH_SOUTH.has(t)) } };
  if (northSouthOnly.probe.to.length > 0) {
    for (const plan of planCells(northSouthOnly)) if (northSouth(plan) || throughHostPort(plan)) add(oracle.judge(plan).expected, 1);
  }
  const others: Scenario = { ...scenario, probe: { ...scenario.probe, from: scenario.probe.from.filter(isOtherClient) } };
  // (expect.http cells were counted with the rules' cells above.)
  if (others.probe.from.length > 0) for (const plan of planCells(others)) if (!httpRequest(plan)) add(oracle.judge(plan).expected, 1);
  return counts;
}

const NORTH_SOUTH = new Set<Scenario["probe"]["to"][number]>(["nodeports", "loadbalancers", "externalips", "hostports"]);

/** A `probe.from` reference to nodes or clients outside the cluster. */
function isOtherClient(ref: Reference): boolean {
  const parsed = parseReference(ref);
  return typeof parsed !== "string" && (parsed.kind === "node" || parsed.kind === "external");
}

/**
 * What a Service or DNS cell depends on about its client: the client's identity class (policy),
 * its node where kube-proxy's choice of endpoints uses it (internalTrafficPolicy: Local, or
 * topology hints: select.ts), and, for a pod that may be a backend or the DNS server itself,
 * the pod (its connection to itself is always allowed).
 */
function serviceClientKey(scenario: Scenario, oracle: Oracle): (pod: PodModel) => string {
  const services = probedServices(scenario);
  const byNode = services.some((svc) => svc.internalTrafficPolicy === "Local" ||
    scenario.families.some((family) => hintPlan(scenario, svc, family).source !== "none"));
  const alone = new Set([...services.flatMap((svc) => selectedPods(scenario, svc)), ...scenario.pods.filter((p) => p.system)].map((p) => p.id));
  return (pod) => `${oracle.engine.classOf(pod)}|${byNode ? pod.node : ""}|${alone.has(pod.id) ? pod.id : ""}`;
}
