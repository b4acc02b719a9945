// `netspec explain`: for the cells between two references, every tier, policy and rule that
// was consulted and the final verdict, so a user can see why, not only what. For a request
// through a Gateway or an Ingress: both hops (the connection to its address, the gateway's pod
// to each backend) and the routing decision, listener, route, rule and match and the precedence
// criterion that won over the runner-up, as the routers decided them (oracle/http).
import type { Family } from "../kube/net.js";
import type { Protocol } from "../kube/types.js";
import { CLUSTER_DNS, clusterDnsFamily, type PodModel, type Scenario, type ServiceModel, type ServicePortModel } from "../scenario/model.js";
import type { Reference } from "../scenario/schema.js";
import { cellId, type HttpEntry } from "../scenario/target.js";
import { planHttpCells, type HttpHops } from "./http/cells.js";
import type { HttpVerdict } from "./http/result.js";
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
  /** A request through a Gateway or an Ingress (`to` is gateway/ns/name or ingress/ns/name). */
  readonly request?: ExplainRequest;
}

/** What a request to a Gateway or an Ingress carries; unset fields get expect.http's defaults (GET /, the address as Host). */
export interface ExplainRequest {
  readonly method?: string;
  readonly host?: string;
  readonly path?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** The Gateway or Ingress a reference names (`gateway/ns/name`, `ingress/ns/name`), or undefined. */
export function httpEntryOf(reference: string): HttpEntry | undefined {
  const m = /^(gateway|ingress)\/([^/]+)\/([^/]+)$/.exec(reference);
  return m ? { kind: m[1] as HttpEntry["kind"], namespace: m[2]!, name: m[3]! } : undefined;
}

/** Text blocks, one per matching cell; empty when no cell matches. */
export function explain(scenario: Scenario, query: ExplainQuery): string[] {
  const entry = typeof query.to === "string" ? httpEntryOf(query.to) : undefined;
  if (entry) return explainHttp(scenario, entry, query);
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

/**
 * The cells of one request through a Gateway or an Ingress: the request as an `expect.http`
 * entry would carry it, planned and judged by the oracle's own HTTP judge (http/cells.ts), with
 * every hop traced.
 */
function explainHttp(scenario: Scenario, entry: HttpEntry, query: ExplainQuery): string[] {
  const request = query.request ?? {};
  const probed: Scenario = {
    ...scenario,
    probe: { ...scenario.probe, families: query.family ? scenario.probe.families.filter((f) => f === query.family) : scenario.probe.families },
    expect: {
      ...scenario.expect,
      http: [{
        from: query.from, entry, ...(typeof query.port === "number" ? { port: query.port } : {}),
        request: { method: request.method ?? "GET", host: request.host ?? "", path: request.path ?? "/", headers: { ...(request.headers ?? {}) } },
        index: 0,
      }],
    },
  };
  const oracle = new Oracle(scenario);
  return planHttpCells(probed).map((plan) => {
    const cell = oracle.judge(plan);
    const hops = oracle.httpHops(plan);
    const { method, host, path, headers } = plan.target.request;
    const headerText = Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join(", ");
    const lines = [cellId(cell), `  request: ${method} ${path}, Host ${host}${headerText ? `, ${headerText}` : ""}`];
    lines.push(...httpLines(hops).map((l) => `  ${l}`));
    const status = cell.http?.status ?? [];
    const answer = status.length > 0 ? `; answer ${status.join(" or ")}${cell.backends?.length ? ` from ${cell.backends.join(", ")}` : ""}` : "";
    lines.push(`  oracle: ${cell.expected}${answer} — ${cell.reason}`);
    return lines.join("\n");
  });
}

function httpLines(hops: HttpHops): string[] {
  const lines = [`hop 1, the connection to ${hops.where}: ${hops.connection.verdict}`, ...hops.connection.trace.map((s) => `  ${formatStep(s)}`)];
  if (hops.routerError) return [...lines, `routing: ${hops.routerError}`];
  if (!hops.verdict) return lines;
  lines.push(...routingLines(hops.verdict));
  if (hops.backends.length === 0) return lines;
  lines.push(hops.gatewayPod
    ? `hop 2, from the Gateway's pod (GEP-1762: namespace ${hops.gatewayPod.namespace}, ${Object.entries(hops.gatewayPod.labels).map(([k, v]) => `${k}=${v}`).join(", ")}) to each backend:`
    : "hop 2, from the Ingress controller's pods (Kubernetes does not say where they run) to each backend:");
  for (const backend of hops.backends) {
    lines.push(`  ${backend.pod.id} port ${backend.port}/TCP${backend.decision ? `: ${backend.decision.verdict}` : ""}`);
    lines.push(...(backend.decision?.trace ?? []).map((s) => `    ${formatStep(s)}`));
  }
  return lines;
}

/** The router's decision part by part (HttpVerdict.decision), then what it answers. */
function routingLines(verdict: HttpVerdict): string[] {
  const lines = ["routing:"];
  const decision = verdict.decision;
  if (decision) {
    lines.push(`  listener: ${decision.listener}`);
    lines.push(`  route, rule and match: ${decision.match ?? "none matches"}`);
    if (decision.runnerUp) lines.push(`  runner-up: ${decision.runnerUp}`);
    if (decision.criterion) lines.push(`  ${decision.runnerUp ? "won by" : "decided by"}: ${decision.criterion}`);
  }
  const status = typeof verdict.status === "number" ? [verdict.status] : verdict.status;
  const to = verdict.backends.map((b) => `${b.service}:${b.port}${verdict.backends.length > 1 ? ` (weight ${b.weight})` : ""}`);
  const redirect = verdict.redirect ? ` to ${verdict.redirect.scheme}://${verdict.redirect.host}${verdict.redirect.path}` : "";
  lines.push(`  ${verdict.outcome}${status.length > 0 ? ` ${status.join(" or ")}` : ""}${to.length > 0 ? ` via ${to.join(", ")}` : ""}${redirect}`);
  if (!decision) lines.push(`  ${verdict.reason}`);
  return lines;
}
