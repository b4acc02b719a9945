// `netspec explain`: for the cells between two references, every tier, policy and rule that
// was consulted and the final verdict, so a user can see why, not only what.
import type { Family } from "../kube/net.js";
import type { Protocol } from "../kube/types.js";
import { CLUSTER_DNS, clusterDnsFamily, type PodModel, type Scenario, type ServiceModel, type ServicePortModel } from "../scenario/model.js";
import type { Reference } from "../scenario/schema.js";
import { cellId } from "../scenario/target.js";
import { Expectations } from "./expectations.js";
import { clientEndpoint } from "./client-endpoint.js";
import { byName, dialledServicePort, northSouth, Oracle, planCells, throughHostPort, throughService, type CellPlan } from "./matrix.js";
import type { TraceStep } from "./policy/index.js";
import { nameAnswer, selectBackends } from "./services/index.js";
import { northSouthPath, receiverBackends } from "./services/north-south.js";

export interface ExplainQuery {
  readonly from: Reference;
  readonly to: Reference;
  readonly port?: number | string;
  readonly protocol?: Protocol;
  readonly family?: Family;
}

/** Text blocks, one per matching cell; empty when no cell matches. */
export function explain(scenario: Scenario, query: ExplainQuery): string[] {
  // Reuse the expectation-rule matcher: the query is a rule without a result.
  const probeAll: Scenario = {
    ...scenario,
    probe: { ...scenario.probe, from: [query.from], to: ["pods", "services", "dns", "nodeports", "loadbalancers", "externalips", "hostports"] },
    expect: { default: "oracle", http: [], rules: [{ from: query.from, to: query.to, port: query.port, protocol: query.protocol, family: query.family, result: "undefined", index: 0 }] },
  };
  const matcher = new Expectations(probeAll);
  const userRules = new Expectations(scenario);
  const oracle = new Oracle(scenario);
  const blocks: string[] = [];
  for (const plan of planCells(probeAll)) {
    const cell = oracle.judge(plan);
    if (matcher.apply(cell).source !== "rule 0") continue;
    const expected = userRules.apply(cell);
    const lines = [`${cellId(cell)}`];
    lines.push(...details(scenario, oracle, plan).map((l) => `  ${l}`));
    lines.push(`  oracle: ${cell.expected} — ${cell.reason}`);
    if (expected.source !== "oracle") lines.push(`  expected (${expected.source === "default" ? "expect.default" : `expect.rules[${expected.source.slice(5)}]`}): ${expected.expected}`);
    blocks.push(lines.join("\n"));
  }
  return blocks;
}

function details(scenario: Scenario, oracle: Oracle, plan: CellPlan): string[] {
  const trace = (dst: PodModel | string, port: number): string[] =>
    oracle.engine.decide({
      src: clientEndpoint(plan.client, plan.family),
      dst: typeof dst === "string" ? { kind: "external", ip: dst } : { kind: "pod", pod: dst },
      port, protocol: plan.protocol, family: plan.family,
    }).trace.map(formatStep);
  const viaService = (svc: ServiceModel, servicePort: ServicePortModel): string[] => {
    const node = plan.client.kind === "pod" ? plan.client.pod.node : plan.client.kind === "node" ? plan.client.node.name : "";
    const selection = selectBackends(scenario, svc, servicePort, node, plan.family);
    const lines = [`Service ${svc.id} port ${servicePort.port}/${servicePort.protocol}: ${selection.reason}`];
    for (const backend of selection.backends) {
      lines.push(`backend ${backend.pod.id} (targetPort ${backend.targetPort}/${backend.protocol}):`);
      lines.push(...trace(backend.pod, backend.targetPort).map((l) => `  ${l}`));
    }
    return lines;
  };
  if (byName(plan)) {
    const { name, fqdn } = plan.target;
    const answer = nameAnswer(scenario, plan.target.record, plan.family);
    const lines = [...dnsLookupLines(scenario, oracle, plan), `${name}${fqdn === name ? "" : ` → ${fqdn}`}: ${answer.reason}`];
    switch (answer.kind) {
      case "cluster-ip": {
        const servicePort = dialledServicePort(plan, answer);
        return servicePort ? [...lines, ...viaService(answer.service, servicePort)] : lines;
      }
      case "pods": {
        const port = answer.port ?? plan.port;
        return [...lines, ...answer.pods.flatMap((pod) => [`${pod.id} port ${port}/${plan.protocol}:`, ...trace(pod, port).map((l) => `  ${l}`)])];
      }
      case "addresses":
        return [...lines, ...answer.addresses.flatMap((ip) => [`${ip}:`, ...trace(ip, plan.port).map((l) => `  ${l}`)])];
      default:
        return lines;
    }
  }
  if (throughService(plan) && plan.target.kind === "service") return viaService(plan.target.service, plan.servicePort);
  if (northSouth(plan)) {
    const path = northSouthPath(scenario, plan.target, plan.servicePort, plan.client, plan.family);
    const lines = [`${plan.address} port ${plan.port}/${plan.protocol}: ${path.reason}`];
    if (path.outcome !== "receivers") return lines;
    for (const { receiver, backend } of receiverBackends(path.receivers)) {
      const seen = receiver.rewritten ? ` (it may see ${receiver.node.name}'s address)` : "";
      lines.push(`via ${receiver.node.name}, backend ${backend.pod.id} (targetPort ${backend.targetPort}/${backend.protocol})${seen}:`);
      lines.push(...trace(backend.pod, backend.targetPort).map((l) => `  ${l}`));
    }
    return lines;
  }
  if (throughHostPort(plan)) {
    return [`host port ${plan.port} on ${plan.target.node.name} → ${plan.target.pod.id} port ${plan.podPort.port}/${plan.protocol}:`, ...trace(plan.target.pod, plan.podPort.port)];
  }
  const target = plan.target;
  switch (target.kind) {
    case "pod": return trace(target.pod, plan.port);
    case "external": return trace(target.ip, plan.port);
    default: return [];
  }
}

/** The lookup itself: the pod asks the cluster DNS (kube-dns, 53/UDP) over the primary family. */
function dnsLookupLines(scenario: Scenario, oracle: Oracle, plan: CellPlan): string[] {
  const dnsPod = scenario.pods.find((p) => p.system && p.namespace === CLUSTER_DNS.namespace);
  const primary = clusterDnsFamily(scenario);
  if (!dnsPod || plan.client.kind !== "pod" || !plan.client.pod.ips[primary]) return [];
  const steps = oracle.engine.decide({ src: { kind: "pod", pod: plan.client.pod }, dst: { kind: "pod", pod: dnsPod }, port: 53, protocol: "UDP", family: primary }).trace;
  return [`DNS lookup via ${CLUSTER_DNS.namespace}/${CLUSTER_DNS.serviceName} (53/UDP, ${primary}):`, ...steps.map((s) => `  ${formatStep(s)}`)];
}

function formatStep(step: TraceStep): string {
  const where = [step.policy, step.rule].filter(Boolean).join(" ");
  return `${step.direction.padEnd(7)} ${step.tier.padEnd(13)} ${step.effect.padEnd(8)} ${where ? `${where}: ` : ""}${step.detail}`;
}
