// The oracle's matrix: every probed cell with the verdict Kubernetes semantics give it.
//  - pod targets: the policy engine on (source pod → destination pod, container port);
//  - Service targets: the Service's backends for this client (traffic policy, topology), then
//    the policy engine on each backend after DNAT (policies see the backend pod and its
//    targetPort: kube-proxy rewrites the destination before the packet reaches the pod);
//  - DNS targets: the lookup itself must be allowed (egress to the cluster DNS), then the
//    answer (a cluster IP, a headless Service's pod IPs, an SRV answer's target and port, a pod
//    or endpoint record, an ExternalName's CNAME followed) is judged like the above; names
//    rules write are planned as written, from the rules' sources (services/dns-lookup.ts);
//  - external targets (cidr/…, ip/… in expectation rules): egress of the source only.
import { familyOf, type Family } from "../kube/net.js";
import type { Protocol } from "../kube/types.js";
import { CLUSTER_DNS, clusterDnsFamily, type PodModel, type Scenario, type ServiceModel, type ServicePortModel } from "../scenario/model.js";
import { externalTargets, parseReference, resolvePods, ruleDnsNames, type RuleDnsName } from "../scenario/references.js";
import type { ExpectedResult } from "../scenario/schema.js";
import { dnsTarget, formatTarget, type DnsTarget, type ExternalTarget, type PodTarget, type ServiceTarget } from "../scenario/target.js";
import { flatten } from "./batches.js";
import type { OracleCell } from "./cells.js";
import { PodDecisions } from "./fast/decisions.js";
import { PolicyEngine, type PolicyDecision } from "./policy/index.js";
import { endpointsNamed, nameAnswer, resolveDnsName, selectBackends, type NameAnswer } from "./services/index.js";

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

/**
 * A cell by a DNS name that names no one Service port: a pod or endpoint record, a name outside
 * the cluster, a name without a record, an ExternalName Service without ports.
 */
export interface NameCellPlan extends PlanCoordinates {
  readonly target: DnsTarget;
}

/** One cell before judging: who connects to what, discriminated by the typed target. */
export type CellPlan = DirectCellPlan | ServiceCellPlan | NameCellPlan;

/** A cell by DNS name, with the Service port its name is a record of, if any. */
export type DnsCellPlan = PlanCoordinates & { readonly target: DnsTarget; readonly servicePort?: ServicePortModel };

/** Whether a plan goes through a Service (only those carry a Service port). */
export function throughService(plan: CellPlan): plan is ServiceCellPlan {
  return "servicePort" in plan;
}

/** Whether a plan looks a name up first. */
export function byName(plan: CellPlan): plan is DnsCellPlan {
  return plan.target.kind === "dns";
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
  return scenario.services.filter((s) => !s.system);
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
  // A headless Service has no cluster IP, an ExternalName none either: they are reached by name only.
  const serviceTargets = wants("services")
    ? services.filter((s) => !s.headless && s.type !== "ExternalName").map((service): ServiceTarget => ({ kind: "service", service }))
    : [];
  const dnsTargets = wants("dns") ? services.map(dnsTarget) : [];
  // Names rules write are probed as written, unless probe.to already plans that very name.
  const planned = new Set(dnsTargets.map((t) => t.name));
  const ruleNames = ruleDnsNames(scenario).filter((n) => !planned.has(n.name));
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
    for (const target of dnsTargets) out.push(...nameCells(scenario, src, target, families));
    for (const name of ruleNames) {
      if (!name.sources.has(src.id)) continue;
      // A relative name depends on the client's namespace: resolved once per namespace.
      const target = resolveDnsName(scenario, name.name, src.namespace);
      if (target) out.push(...nameCells(scenario, src, target, families, name));
    }
    // Addresses outside the cluster, towards which an expectation rule from this source points.
    for (const external of externals) {
      if (!external.sources.has(src.id) || !src.ips[external.family]) continue;
      for (const port of external.ports) out.push({ src, target: external.target, family: external.family, port, protocol: external.protocol });
    }
    return out;
  };
}

/**
 * The cells of one source to one DNS target: the ports and families of what its record names.
 * A Service's name and SRV records are cells of its ports (an ExternalName's in every family:
 * its CNAME decides); pod and endpoint records of those pods' ports, in the families the name
 * has; what brings no port of its own (a name outside the cluster, no record, an ExternalName
 * without ports) is probed on the rules' ports.
 */
function nameCells(scenario: Scenario, src: PodModel, target: DnsTarget, families: readonly Family[], rule?: RuleDnsName): CellPlan[] {
  const out: CellPlan[] = [];
  const servicePorts = (ports: readonly ServicePortModel[], inFamilies: readonly Family[]) => {
    for (const servicePort of ports) {
      for (const family of inFamilies) {
        if (src.ips[family]) out.push({ src, target, family, port: servicePort.port, protocol: servicePort.protocol, portName: servicePort.name, servicePort });
      }
    }
  };
  const ports = (list: readonly { port: number; protocol: Protocol; name?: string }[], inFamilies: readonly Family[]) => {
    for (const port of list) {
      for (const family of inFamilies) {
        if (src.ips[family]) out.push({ src, target, family, port: port.port, protocol: port.protocol, portName: port.name });
      }
    }
  };
  const rulePorts = rule ? rule.ports.map((port) => ({ port, protocol: rule.protocol })) : [];
  const record = target.record;
  switch (record.kind) {
    case "service":
    case "srv": {
      const svc = record.service;
      const inFamilies = svc.type === "ExternalName" ? families : families.filter((f) => svc.families.includes(f));
      if (record.kind === "srv") servicePorts([record.port], inFamilies);
      else if (svc.ports.length > 0) servicePorts(svc.ports, inFamilies);
      else if (svc.type === "ExternalName") ports(rulePorts, inFamilies);
      break;
    }
    case "endpoint": {
      const named = endpointsNamed(scenario, record.service, record.hostname);
      const served = new Map<string, PodModel["ports"][number]>();
      for (const port of named.flatMap((e) => e.pod?.ports ?? [])) served.set(`${port.port}/${port.protocol}`, port);
      ports(served.size > 0 ? [...served.values()] : rulePorts, families.filter((f) => named.some((e) => e.family === f)));
      break;
    }
    case "pod": {
      const pod = scenario.pods.find((p) => p.ips[record.family] === record.ip);
      ports(pod && pod.ports.length > 0 ? pod.ports : rulePorts, families.filter((f) => f === record.family));
      break;
    }
    case "upstream":
      ports(rulePorts, families.filter((f) => record.addresses.some((a) => familyOf(a) === f)));
      break;
    case "missing":
      ports(rulePorts, families);
      break;
  }
  return out;
}

type Verdict = { expected: ExpectedResult; reason: string; backends?: string[] };

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
    if (byName(plan)) return this.viaName(plan);
    if (throughService(plan) && plan.target.kind === "service") {
      const verdict = this.viaService(plan, plan.target.service, plan.servicePort, plan.target.service.clusterIPs[plan.family]!);
      return makeCell(plan, verdict.expected, verdict.reason, verdict.backends);
    }
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
      default:
        throw new Error(`no judge for a ${target.kind} target`);
    }
  }

  /** A connection to a cluster IP: backend selection, then policy on each backend after DNAT. */
  private viaService(plan: PlanCoordinates, svc: ServiceModel, servicePort: ServicePortModel, clusterIP: string): Verdict {
    const selection = selectBackends(this.scenario, svc, servicePort, plan.src, plan.family);
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
  private preDnatConflict(plan: PlanCoordinates, clusterIP: string, postDnat: PolicyDecision): string | undefined {
    if (!this.engine.egressIpBlockCovers(plan.src, clusterIP)) return undefined;
    const preDnat = this.decide(plan.src, clusterIP, plan.port, plan.protocol, plan.family);
    if (preDnat.verdict === postDnat.verdict) return undefined;
    return `an egress ipBlock of ${plan.src.id} covers cluster IP ${clusterIP}: judged before DNAT it is ${preDnat.verdict} (${preDnat.reason}), after DNAT ${postDnat.verdict} (${postDnat.reason}); Kubernetes leaves the order to the implementation`;
  }

  /** A cell by name: the lookup must pass policy, then the client connects to what the name answers. */
  private viaName(plan: DnsCellPlan): OracleCell {
    const lookup = this.dnsLookupVerdict(plan.src);
    const verdict = lookup ?? this.connectTo(plan, nameAnswer(this.scenario, plan.target.record, plan.family));
    return makeCell(plan, verdict.expected, verdict.reason, verdict.backends);
  }

  private connectTo(plan: DnsCellPlan, answer: NameAnswer): Verdict {
    switch (answer.kind) {
      case "none": return { expected: "dns-error", reason: `${plan.target.name}: ${answer.reason}` };
      case "undefined": return { expected: "undefined", reason: answer.reason };
      case "cluster-ip": {
        const servicePort = dialledServicePort(plan, answer);
        if (!servicePort) {
          return { expected: "undefined", reason: `${answer.reason}; ${answer.service.id} has no port ${plan.port}/${plan.protocol}: what its cluster IP does with a port the Service does not expose is left to the implementation` };
        }
        const verdict = this.viaService(plan, answer.service, servicePort, answer.ip);
        // A Service's own name needs no word on the lookup; an SRV answer or a CNAME does.
        const record = plan.target.record;
        const ownName = record.kind === "service" && record.service === answer.service;
        return ownName ? verdict : { ...verdict, reason: `${answer.reason}; ${verdict.reason}` };
      }
      case "pods": {
        // No proxy: the client dials the pod itself, on the SRV answer's port or its own.
        const port = answer.port ?? plan.port;
        const outcomes = answer.pods.map((pod): BackendOutcome => {
          const decision = this.decide(plan.src, pod, port, plan.protocol, plan.family);
          if (decision.verdict === "allow" && !serves(pod, port, plan.protocol)) {
            return { pod, outcome: "refused", reason: `${pod.id} does not serve ${port}/${plan.protocol}` };
          }
          return { pod, outcome: decision.verdict, reason: decision.reason };
        });
        return combineBackends(outcomes, answer.reason, plan.src.id);
      }
      case "addresses": {
        // Outside the cluster: the source's egress alone decides, as for an ip/ target.
        const decisions = answer.addresses.map((ip) => ({ ip, decision: this.decide(plan.src, ip, plan.port, plan.protocol, plan.family) }));
        const verdicts = new Set(decisions.map((d) => d.decision.verdict));
        const first = decisions[0]!;
        if (verdicts.size === 1) return { expected: first.decision.verdict, reason: `${answer.reason}; ${first.ip}: ${first.decision.reason}` };
        return { expected: "undefined", reason: `${answer.reason}; the client picks one, and policy treats them differently: ${decisions.map((d) => `${d.ip} ${d.decision.verdict} (${d.decision.reason})`).join("; ")}` };
      }
    }
  }

  /** The pod's resolver is the kube-dns cluster IP (primary family): the lookup must pass policy. */
  private dnsLookupVerdict(src: PodModel): Verdict | undefined {
    const primary = clusterDnsFamily(this.scenario);
    if (!this.dnsPod || !src.ips[primary]) return undefined;
    const decision = this.decide(src, this.dnsPod, 53, "UDP", primary);
    if (decision.verdict === "allow") return undefined;
    if (decision.verdict === "undefined") return { expected: "undefined", reason: `DNS lookup: ${decision.reason}` };
    return { expected: "dns-error", reason: `DNS lookup to ${CLUSTER_DNS.namespace}/${CLUSTER_DNS.serviceName} (53/UDP) is blocked: ${decision.reason}` };
  }
}

/**
 * The Service port a cell by name dials at a cluster IP: the one an SRV answer names, the
 * cell's own when the name is that Service's, else (a CNAME to another Service's name) the
 * port of that Service the client's port is; undefined when it has none.
 */
export function dialledServicePort(plan: DnsCellPlan, answer: NameAnswer & { kind: "cluster-ip" }): ServicePortModel | undefined {
  if (answer.port) return answer.port;
  const record = plan.target.record;
  if (record.kind === "service" && record.service === answer.service && plan.servicePort) return plan.servicePort;
  return answer.service.ports.find((p) => p.port === plan.port && p.protocol === plan.protocol);
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
