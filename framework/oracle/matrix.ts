// The oracle's matrix: every probed cell with the verdict Kubernetes semantics give it.
//  - pod targets: the policy engine on (source pod → destination pod, container port);
//  - Service targets: the Service's backends for this client (traffic policy, topology), then
//    the policy engine on each backend after DNAT (policies see the backend pod and its
//    targetPort: kube-proxy rewrites the destination before the packet reaches the pod);
//  - DNS targets: the lookup itself must be allowed (egress to the cluster DNS), then the
//    answer (a cluster IP, or a headless Service's pod IPs) is judged like the above;
//  - external targets (cidr/…, ip/… in expectation rules): egress of the source only.
import type { Family } from "../kube/net.js";
import type { Protocol } from "../kube/types.js";
import { CLUSTER_DNS, clusterDnsFamily, type PodModel, type Scenario, type ServiceModel, type ServicePortModel } from "../scenario/model.js";
import { externalTargets, parseReference, resolvePods } from "../scenario/references.js";
import type { ExpectedResult } from "../scenario/schema.js";
import { dnsTarget, formatTarget, type DnsTarget, type ExternalTarget, type PodTarget, type ServiceTarget } from "../scenario/target.js";
import { flatten } from "./batches.js";
import type { OracleCell } from "./cells.js";
import { PodDecisions } from "./fast/decisions.js";
import { PolicyEngine, type PolicyDecision } from "./policy/index.js";
import { dnsAnswer, selectBackends } from "./services/index.js";

/** Who connects, over which port, protocol and family: what every cell plan has. */
interface PlanCoordinates {
  readonly src: PodModel;
  readonly family: Family;
  readonly port: number;
  readonly protocol: Protocol;
  readonly portName?: string;
}

/** A cell whose target is the destination itself: the policy engine judges the connection to it. */
export interface DirectCellPlan extends PlanCoordinates {
  readonly target: PodTarget | ExternalTarget;
}

/** A cell through a Service (by cluster IP or by name): backends are chosen for one Service port. */
export interface ServiceCellPlan extends PlanCoordinates {
  readonly target: ServiceTarget | DnsTarget;
  readonly servicePort: ServicePortModel;
}

/** One cell before judging: who connects to what, discriminated by the typed target. */
export type CellPlan = DirectCellPlan | ServiceCellPlan;

/** Whether a plan goes through a Service (only those carry a Service port). */
export function throughService(plan: CellPlan): plan is ServiceCellPlan {
  return "servicePort" in plan;
}

/** Sources of the matrix: `probe.from` resolved (system pods only when named). */
export function sourcePods(scenario: Scenario): PodModel[] {
  const seen = new Set<string>();
  const out: PodModel[] = [];
  for (const ref of scenario.probe.from) {
    const parsed = parseReference(ref);
    if (typeof parsed === "string") continue;
    for (const pod of resolvePods(scenario, parsed)) {
      if (!seen.has(pod.id)) { seen.add(pod.id); out.push(pod); }
    }
  }
  return out;
}

/** Services a matrix probes: the scenario's own (not netspec's DNS), reachable by cluster IP or name. */
export function probedServices(scenario: Scenario): ServiceModel[] {
  return scenario.services.filter((s) => !s.system && s.type !== "ExternalName");
}

/** Every cell of the scenario's matrix, in a stable order (source, target kind, target, port, family). */
export function planCells(scenario: Scenario): IterableIterator<CellPlan> {
  return flatten(sourcePods(scenario), cellPlanner(scenario));
}

/**
 * The cells of one source, in matrix order: pod targets, Services, DNS names, external
 * addresses. Every target is resolved once per scenario, here, and shared by the cells of
 * every source that reach it.
 */
function cellPlanner(scenario: Scenario): (src: PodModel) => CellPlan[] {
  const families = scenario.probe.families;
  const wants = (kind: Scenario["probe"]["to"][number]) => scenario.probe.to.includes(kind);
  const podTargets = wants("pods") ? scenario.pods.filter((p) => !p.system).map((pod): PodTarget => ({ kind: "pod", pod })) : [];
  const services = probedServices(scenario);
  // A headless Service has no cluster IP: it is reached by name only.
  const serviceTargets = wants("services") ? services.filter((s) => !s.headless).map((service): ServiceTarget => ({ kind: "service", service })) : [];
  const dnsTargets = wants("dns") ? services.map(dnsTarget) : [];
  const externals = externalTargets(scenario).filter((e) => families.includes(e.family));
  return (src) => {
    const out: CellPlan[] = [];
    for (const target of podTargets) {
      for (const port of target.pod.ports) {
        for (const family of families) {
          if (src.ips[family] && target.pod.ips[family]) {
            out.push({ src, target, family, port: port.port, protocol: port.protocol, portName: port.name });
          }
        }
      }
    }
    for (const target of serviceTargets) {
      for (const servicePort of target.service.ports) {
        for (const family of families) {
          if (src.ips[family] && target.service.clusterIPs[family]) {
            out.push({ src, target, family, port: servicePort.port, protocol: servicePort.protocol, portName: servicePort.name, servicePort });
          }
        }
      }
    }
    for (const target of dnsTargets) {
      for (const servicePort of target.service.ports) {
        for (const family of families) {
          if (src.ips[family] && target.service.families.includes(family)) {
            out.push({ src, target, family, port: servicePort.port, protocol: servicePort.protocol, portName: servicePort.name, servicePort });
          }
        }
      }
    }
    // Addresses outside the cluster, towards which an expectation rule from this source points.
    for (const external of externals) {
      if (!external.sources.has(src.id) || !src.ips[external.family]) continue;
      for (const port of external.ports) out.push({ src, target: external.target, family: external.family, port, protocol: external.protocol });
    }
    return out;
  };
}

type BackendOutcome = { pod: PodModel; outcome: "allow" | "deny" | "refused" | "undefined"; reason: string };

/**
 * Judges cells. Pod-to-pod decisions (pod targets, Service backends, the DNS lookup) come from
 * per-direction partitions over identity classes (fast/decisions.ts), computed once per class,
 * port and family; connections to addresses outside the cluster go to the policy engine, which
 * memoises them per identity class.
 */
export class Oracle {
  readonly engine: PolicyEngine;
  readonly pods: PodDecisions;
  private readonly dnsPod: PodModel | undefined;

  constructor(readonly scenario: Scenario) {
    this.engine = new PolicyEngine(scenario);
    this.pods = new PodDecisions(scenario, this.engine);
    this.dnsPod = scenario.pods.find((p) => p.system && p.namespace === CLUSTER_DNS.namespace && p.name === CLUSTER_DNS.podName);
  }

  private decide(src: PodModel, dst: PodModel | string, port: number, protocol: Protocol, family: Family): PolicyDecision {
    if (typeof dst !== "string") return this.pods.decide(src, dst, port, protocol, family);
    return this.engine.decide({ src: { kind: "pod", pod: src }, dst: { kind: "external", ip: dst }, port, protocol, family }, { trace: false });
  }

  judge(plan: CellPlan): OracleCell {
    if (throughService(plan)) return plan.target.kind === "dns" ? this.viaDns(plan, plan.target) : this.viaClusterIp(plan, plan.target);
    const target = plan.target;
    switch (target.kind) {
      case "pod": {
        const decision = this.decide(plan.src, target.pod, plan.port, plan.protocol, plan.family);
        return makeCell(plan, decision.verdict, decision.reason);
      }
      case "external": {
        const decision = this.decide(plan.src, target.ip, plan.port, plan.protocol, plan.family);
        return makeCell(plan, decision.verdict, decision.reason);
      }
    }
  }

  private viaClusterIp(plan: ServiceCellPlan, target: ServiceTarget): OracleCell {
    const verdict = this.viaService(plan, target.service.clusterIPs[plan.family]!);
    return makeCell(plan, verdict.expected, verdict.reason, verdict.backends);
  }

  /** A connection to a cluster IP: backend selection, then policy on each backend after DNAT. */
  private viaService(plan: ServiceCellPlan, clusterIP: string): { expected: ExpectedResult; reason: string; backends?: string[] } {
    const selection = selectBackends(this.scenario, plan.target.service, plan.servicePort, plan.src, plan.family);
    if (selection.outcome === "no-endpoints") return { expected: "refused", reason: selection.reason };
    if (selection.outcome === "no-local-endpoints") return { expected: "drop", reason: selection.reason };
    if (selection.outcome === "foreign-endpoints") return { expected: "undefined", reason: selection.reason };
    const outcomes = selection.backends.map((backend): BackendOutcome => {
      const decision = this.decide(plan.src, backend.pod, backend.targetPort, backend.protocol, plan.family);
      const preDnat = this.preDnatConflict(plan, clusterIP, decision);
      if (preDnat) return { pod: backend.pod, outcome: "undefined", reason: preDnat };
      if (decision.verdict === "allow" && !serves(backend.pod, backend.targetPort, backend.protocol)) {
        return { pod: backend.pod, outcome: "refused", reason: `${backend.pod.id} does not serve ${backend.targetPort}/${backend.protocol}` };
      }
      return { pod: backend.pod, outcome: decision.verdict, reason: decision.reason };
    });
    return combineBackends(outcomes, selection.reason, plan.src.id);
  }

  /**
   * The NetworkPolicy docs leave open whether policy sees a Service's cluster IP (before DNAT)
   * or the backend (after): "it is not defined whether this happens before or after
   * NetworkPolicy processing". That matters only where an egress ipBlock of the source covers
   * the cluster IP, so there, when the two views disagree, the cell is undefined.
   */
  private preDnatConflict(plan: ServiceCellPlan, clusterIP: string, postDnat: PolicyDecision): string | undefined {
    if (!this.engine.egressIpBlockCovers(plan.src, clusterIP)) return undefined;
    const preDnat = this.decide(plan.src, clusterIP, plan.port, plan.protocol, plan.family);
    if (preDnat.verdict === postDnat.verdict) return undefined;
    return `an egress ipBlock of ${plan.src.id} covers cluster IP ${clusterIP}: judged before DNAT it is ${preDnat.verdict} (${preDnat.reason}), after DNAT ${postDnat.verdict} (${postDnat.reason}); Kubernetes leaves the order to the implementation`;
  }

  private viaDns(plan: ServiceCellPlan, target: DnsTarget): OracleCell {
    const { service: svc, name } = target;
    const cell = (verdict: { expected: ExpectedResult; reason: string; backends?: string[] }) =>
      makeCell(plan, verdict.expected, verdict.reason, verdict.backends);
    const lookup = this.dnsLookupVerdict(plan.src);
    if (lookup) return cell(lookup);
    const answer = dnsAnswer(this.scenario, svc, plan.family);
    if (answer.kind === "none" || answer.addresses.length === 0) {
      const record = plan.family === "ipv4" ? "A" : "AAAA";
      return cell({ expected: "dns-error", reason: `${name} has no ${record} record (${svc.headless ? "headless Service without ready endpoints of that family" : `Service families: ${svc.families.join(", ")}`})` });
    }
    if (answer.kind === "cluster-ip") return cell(this.viaService(plan, answer.addresses[0]!));
    // Headless: the name resolves to the ready endpoints' own IPs; the client connects to one
    // of them directly on the Service port (no proxy, so targetPort plays no part).
    const pods = answer.addresses.map((ip) => this.scenario.pods.find((p) => p.ips[plan.family] === ip)!).filter(Boolean);
    const foreign = answer.addresses.filter((ip) => !this.scenario.pods.some((p) => p.ips[plan.family] === ip));
    if (foreign.length > 0) {
      // Written EndpointSlices may list addresses no pod holds: the client may dial one of them.
      return cell({ expected: "undefined", reason: `${name} also resolves to ${foreign.join(", ")}, no pod of the scenario (from the Service's EndpointSlices): what answers there is outside what netspec models` });
    }
    const outcomes = pods.map((pod): BackendOutcome => {
      const decision = this.decide(plan.src, pod, plan.port, plan.protocol, plan.family);
      if (decision.verdict === "allow" && !serves(pod, plan.port, plan.protocol)) {
        return { pod, outcome: "refused", reason: `${pod.id} does not serve ${plan.port}/${plan.protocol}` };
      }
      return { pod, outcome: decision.verdict, reason: decision.reason };
    });
    return cell(combineBackends(outcomes, `headless ${svc.id} resolves to ${pods.map((p) => p.id).join(", ")}`, plan.src.id));
  }

  /** The pod's resolver is the kube-dns cluster IP (primary family): the lookup must pass policy. */
  private dnsLookupVerdict(src: PodModel): { expected: ExpectedResult; reason: string } | undefined {
    const primary = clusterDnsFamily(this.scenario);
    if (!this.dnsPod || !src.ips[primary]) return undefined;
    const decision = this.decide(src, this.dnsPod, 53, "UDP", primary);
    if (decision.verdict === "allow") return undefined;
    if (decision.verdict === "undefined") return { expected: "undefined", reason: `DNS lookup: ${decision.reason}` };
    return { expected: "dns-error", reason: `DNS lookup to ${CLUSTER_DNS.namespace}/${CLUSTER_DNS.serviceName} (53/UDP) is blocked: ${decision.reason}` };
  }
}

/** Every cell has the same shape (one hidden class): the bulk path builds millions of them. */
function makeCell(plan: CellPlan, expected: ExpectedResult, reason: string, backends?: readonly string[]): OracleCell {
  return {
    from: plan.src.id, to: formatTarget(plan.target), target: plan.target.kind, port: plan.port, protocol: plan.protocol, family: plan.family,
    expected, reason, backends, destination: plan.target, portName: plan.portName,
  };
}

function serves(pod: PodModel, port: number, protocol: Protocol): boolean {
  return pod.ports.some((p) => p.port === port && p.protocol === protocol);
}

/**
 * Several backends: kube-proxy picks one at random per connection, so the cell is only
 * certain when every backend agrees. When they disagree the cell is `undefined` and the reason
 * lists who allows and who does not: never flattened into one side.
 */
function combineBackends(outcomes: readonly BackendOutcome[], selectionReason: string, client: string): { expected: ExpectedResult; reason: string; backends: string[] } {
  const allowed = outcomes.filter((o) => o.outcome === "allow").map((o) => o.pod.id);
  const kinds = new Set(outcomes.map((o) => o.outcome));
  const first = (outcome: BackendOutcome["outcome"]) => outcomes.find((o) => o.outcome === outcome)!;
  if (kinds.size === 1) {
    // Quote a backend other than the client: its reason speaks for the rest (self traffic is special).
    const only = outcomes.find((o) => o.pod.id !== client) ?? outcomes[0]!;
    const reason = outcomes.length === 1 ? `backend ${only.pod.id}: ${only.reason}` : `all ${outcomes.length} backends (e.g. ${only.pod.id}: ${only.reason})`;
    return { expected: only.outcome, reason: `${reason} (${selectionReason})`, backends: allowed };
  }
  if (kinds.has("undefined")) return { expected: "undefined", reason: `backend ${first("undefined").pod.id}: ${first("undefined").reason}`, backends: allowed };
  if (!kinds.has("allow")) {
    // deny and refused both mean "not connected".
    return { expected: "deny", reason: `no backend accepts: ${outcomes.map((o) => `${o.pod.id} ${o.outcome} (${o.reason})`).join("; ")}`, backends: [] };
  }
  const others = outcomes.filter((o) => o.outcome !== "allow").map((o) => `${o.pod.id} ${o.outcome} (${o.reason})`);
  return {
    expected: "undefined",
    reason: `backends disagree: allowed by ${allowed.join(", ")}; ${others.join("; ")}`,
    backends: allowed,
  };
}
