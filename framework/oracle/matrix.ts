// The oracle's matrix: every probed cell with the verdict Kubernetes semantics give it.
//  - pod targets: the policy engine on (source pod → destination pod, container port);
//  - Service targets: the Service's backends for this client (traffic policy, topology), then
//    the policy engine on each backend after DNAT (policies see the backend pod and its
//    targetPort: kube-proxy rewrites the destination before the packet reaches the pod);
//  - DNS targets: the lookup itself must be allowed (egress to the cluster DNS), then the
//    answer (a cluster IP, a headless Service's pod IPs, an SRV answer's target and port, a pod
//    or endpoint record, an ExternalName's CNAME followed) is judged like the above; names
//    rules write are planned as written, from the rules' sources (services/dns-lookup.ts);
//  - external targets (cidr/…, ip/… in expectation rules): egress of the source only;
//  - north-south targets (node ports, load balancers, external IPs): the receiving node's proxy
//    picks the backends (externalTrafficPolicy), then policy on each backend, seen both from
//    the client and from the node where the address may be rewritten (services/north-south.ts);
//  - host ports: the pod on its node's address, judged from the client and from that node.
// Clients are pods, nodes (`node/NAME`: pods and cluster IPs too) and clients outside the
// cluster network (`external`: north-south targets only, as a real user reaches nothing else).
import { familyOf, type Family } from "../kube/net.js";
import type { Protocol } from "../kube/types.js";
import { clientId, clientIp, resolveClients, type Client, type PodClient } from "../scenario/clients.js";
import { CLUSTER_DNS, clusterDnsFamily, usesClusterDns, type PodModel, type PodPort, type Scenario, type ServiceModel, type ServicePortModel } from "../scenario/model.js";
import { externalTargets, parseReference, ruleDnsNames, type RuleDnsName } from "../scenario/references.js";
import type { ClientAddressExpectation, ExpectedResult } from "../scenario/schema.js";
import {
  dnsTarget, formatTarget, northSouthAddress, type DnsTarget, type ExternalTarget, type HostPortTarget, type NorthSouthTarget, type PodTarget,
  type ServiceTarget,
} from "../scenario/target.js";
import { flatten } from "./batches.js";
import type { OracleCell } from "./cells.js";
import { PodDecisions } from "./fast/decisions.js";
import { clientEndpoint } from "./client-endpoint.js";
import { PolicyEngine, type Endpoint, type PolicyDecision } from "./policy/index.js";
import { endpointsNamed, nameAnswer, resolveDnsName, selectBackends, type NameAnswer } from "./services/index.js";
import { northSouthPath, receiverBackends } from "./services/north-south.js";
import { HttpJudge, planHttpCells, type HttpCellPlan, type HttpHops } from "./http/cells.js";
import { LOCAL_LAYER7 } from "../scenario/implementation.js";

/** Who connects, over which port, protocol and family: what every cell plan has. */
interface PlanCoordinates {
  readonly client: Client;
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

/**
 * A cell from outside the Service's cluster IP (node port, load balancer, external IP): the
 * port is the node port for node ports, the Service port otherwise.
 */
export interface NorthSouthCellPlan extends PlanCoordinates {
  readonly target: NorthSouthTarget;
  readonly servicePort: ServicePortModel;
  /** The address connected to (node IP, load-balancer address, external IP). */
  readonly address: string;
}

/** A pod's host port on its node's address: the port is the host port. */
export interface HostPortCellPlan extends PlanCoordinates {
  readonly target: HostPortTarget;
  /** The container port the host port forwards to. */
  readonly podPort: PodPort;
  /** The node address connected to. */
  readonly address: string;
}

/** One cell before judging: who connects to what, discriminated by the typed target. */
export type CellPlan = DirectCellPlan | ServiceCellPlan | NameCellPlan | NorthSouthCellPlan | HostPortCellPlan | HttpCellPlan;

/** A cell by DNS name, with the Service port its name is a record of, if any. */
export type DnsCellPlan = PlanCoordinates & { readonly target: DnsTarget; readonly servicePort?: ServicePortModel };

/** Whether a plan goes through a Service's cluster IP or name. */
export function throughService(plan: CellPlan): plan is ServiceCellPlan {
  return plan.target.kind === "service" || plan.target.kind === "dns";
}

/** Whether a plan looks a name up first. */
export function byName(plan: CellPlan): plan is DnsCellPlan {
  return plan.target.kind === "dns";
}

/** Whether a plan enters a Service from outside its cluster IP. */
export function northSouth(plan: CellPlan): plan is NorthSouthCellPlan {
  return plan.target.kind === "nodeport" || plan.target.kind === "loadbalancer" || plan.target.kind === "externalip";
}

/** Whether a plan goes to a pod's host port. */
export function throughHostPort(plan: CellPlan): plan is HostPortCellPlan {
  return plan.target.kind === "hostport";
}

/** Source pods of the matrix: the pods `probe.from` names (system pods only when named). */
export function sourcePods(scenario: Scenario): PodModel[] {
  return sourceClients(scenario).flatMap((c) => (c.kind === "pod" ? [c.pod] : []));
}

/** Every source of the matrix: `probe.from` resolved to pods, nodes and external clients, once each. */
export function sourceClients(scenario: Scenario): Client[] {
  const seen = new Set<string>();
  const out: Client[] = [];
  for (const ref of scenario.probe.from) {
    const parsed = parseReference(ref);
    if (typeof parsed === "string") continue;
    for (const client of resolveClients(scenario, parsed)) {
      const id = clientId(client);
      if (!seen.has(id)) { seen.add(id); out.push(client); }
    }
  }
  return out;
}

/** Services a matrix probes: the scenario's own (not netspec's DNS), reachable by cluster IP or name. */
export function probedServices(scenario: Scenario): ServiceModel[] {
  return scenario.services.filter((s) => !s.system);
}

/** Every cell of the scenario's matrix, in a stable order (source, target kind, target, port, family). */
export function* planCells(scenario: Scenario): IterableIterator<CellPlan> {
  yield* flatten(sourceClients(scenario), cellPlanner(scenario));
  // The requests of expect.http, after every connection cell.
  if (scenario.expect.http.length > 0) yield* planHttpCells(scenario);
}

/** Whether a plan is an HTTP request through a Gateway or an Ingress. */
export function httpRequest(plan: CellPlan): plan is HttpCellPlan {
  return plan.target.kind === "http";
}

/**
 * The cells of one source, in matrix order: pod targets, Services, DNS names, external
 * addresses, node ports, load balancers, external IPs. Every target is resolved once per
 * scenario, here, and shared by the cells of every source that reach it. Nodes reach pods and
 * cluster IPs (not names: a node does not resolve through the cluster DNS); external clients
 * reach only what is exposed outside the cluster.
 */
function cellPlanner(scenario: Scenario): (client: Client) => CellPlan[] {
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
  const northSouthTargets = northSouthTargetsOf(scenario, wants);
  // A hostNetwork pod's host ports are its own ports, on the node's address: its pod target.
  const hostPortTargets = wants("hostports")
    ? scenario.pods.filter((p) => !p.system && !p.hostNetwork && p.ports.some((q) => q.hostPort !== undefined))
      .map((pod): HostPortTarget => ({ kind: "hostport", pod, node: scenario.nodes.find((n) => n.name === pod.node)! }))
    : [];
  return (client) => {
    const out: CellPlan[] = [];
    const has = (family: Family) => clientIp(client, family) !== undefined;
    if (client.kind !== "external") {
      for (const target of podTargets) {
        for (const port of target.pod.ports) {
          for (const family of families) {
            if (has(family) && target.pod.ips[family]) {
              out.push({ client, target, family, port: port.port, protocol: port.protocol, portName: port.name });
            }
          }
        }
      }
      for (const target of serviceTargets) {
        for (const servicePort of target.service.ports) {
          for (const family of families) {
            if (has(family) && target.service.clusterIPs[family]) {
              out.push({ client, target, family, port: servicePort.port, protocol: servicePort.protocol, portName: servicePort.name, servicePort });
            }
          }
        }
      }
    }
    if (client.kind === "pod") {
      const src = client.pod;
      for (const target of dnsTargets) out.push(...nameCells(scenario, client, target, families));
      for (const name of ruleNames) {
        if (!name.sources.has(src.id)) continue;
        // A relative name depends on the client's namespace: resolved once per namespace.
        const target = resolveDnsName(scenario, name.name, src.namespace);
        if (target) out.push(...nameCells(scenario, client, target, families, name));
      }
      // Addresses outside the cluster, towards which an expectation rule from this source points.
      for (const external of externals) {
        if (!external.sources.has(client.pod.id) || !has(external.family)) continue;
        for (const port of external.ports) out.push({ client, target: external.target, family: external.family, port, protocol: external.protocol });
      }
    }
    for (const target of northSouthTargets) {
      for (const servicePort of target.service.ports) {
        const port = target.kind === "nodeport" ? servicePort.nodePort : servicePort.port;
        if (port === undefined) continue;
        for (const family of families) {
          const address = northSouthAddress(target, family);
          if (has(family) && address !== undefined && target.service.families.includes(family)) {
            out.push({ client, target, family, port, protocol: servicePort.protocol, portName: servicePort.name, servicePort, address });
          }
        }
      }
    }
    for (const target of hostPortTargets) {
      for (const podPort of target.pod.ports) {
        if (podPort.hostPort === undefined) continue;
        for (const family of families) {
          const address = target.node.ips[family];
          if (has(family) && address !== undefined && target.pod.ips[family]) {
            out.push({ client, target, family, port: podPort.hostPort, protocol: podPort.protocol, portName: podPort.name, podPort, address });
          }
        }
      }
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
function nameCells(scenario: Scenario, client: PodClient, target: DnsTarget, families: readonly Family[], rule?: RuleDnsName): CellPlan[] {
  const out: CellPlan[] = [];
  const src = client.pod;
  const servicePorts = (ports: readonly ServicePortModel[], inFamilies: readonly Family[]) => {
    for (const servicePort of ports) {
      for (const family of inFamilies) {
        if (src.ips[family]) out.push({ client, target, family, port: servicePort.port, protocol: servicePort.protocol, portName: servicePort.name, servicePort });
      }
    }
  };
  const ports = (list: readonly { port: number; protocol: Protocol; name?: string }[], inFamilies: readonly Family[]) => {
    for (const port of list) {
      for (const family of inFamilies) {
        if (src.ips[family]) out.push({ client, target, family, port: port.port, protocol: port.protocol, portName: port.name });
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

/** The north-south targets `probe.to` asks for: every node's port of each node-port Service, load balancers, external IPs. */
function northSouthTargetsOf(scenario: Scenario, wants: (kind: Scenario["probe"]["to"][number]) => boolean): NorthSouthTarget[] {
  const services = probedServices(scenario);
  const out: NorthSouthTarget[] = [];
  if (wants("nodeports")) {
    for (const service of services) {
      if (!service.ports.some((p) => p.nodePort !== undefined)) continue;
      for (const node of scenario.nodes) out.push({ kind: "nodeport", service, node });
    }
  }
  if (wants("loadbalancers")) {
    for (const service of services) if (service.type === "LoadBalancer") out.push({ kind: "loadbalancer", service });
  }
  if (wants("externalips")) {
    for (const service of services) if (service.externalIPs.length > 0 && service.type !== "ExternalName") out.push({ kind: "externalip", service });
  }
  return out;
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
  private readonly dnsService: ServiceModel | undefined;
  /** Compiled on the first HTTP cell. */
  private http: HttpJudge | undefined;

  constructor(readonly scenario: Scenario) {
    this.engine = new PolicyEngine(scenario);
    this.pods = new PodDecisions(scenario, this.engine);
    this.dnsPod = scenario.pods.find((p) => p.system && p.namespace === CLUSTER_DNS.namespace && p.name === CLUSTER_DNS.podName);
    this.dnsService = scenario.services.find((s) => s.system && s.namespace === CLUSTER_DNS.namespace && s.name === CLUSTER_DNS.serviceName);
  }

  /** The policy decision for a client's connection to a pod or an address (fast path for pod pairs). */
  private decide(client: Client, dst: PodModel | string, port: number, protocol: Protocol, family: Family): PolicyDecision {
    if (client.kind === "pod" && typeof dst !== "string") return this.pods.decide(client.pod, dst, port, protocol, family);
    const to: Endpoint = typeof dst === "string" ? { kind: "external", ip: dst } : { kind: "pod", pod: dst };
    return this.engine.decide({ src: clientEndpoint(client, family), dst: to, port, protocol, family }, { trace: false });
  }

  judge(plan: CellPlan): OracleCell {
    if (httpRequest(plan)) return this.viaHttp(plan);
    if (byName(plan)) return this.viaName(plan);
    if (throughService(plan) && plan.target.kind === "service") {
      const verdict = this.viaService(plan, plan.target.service, plan.servicePort, plan.target.service.clusterIPs[plan.family]!);
      return makeCell(plan, verdict.expected, verdict.reason, verdict.backends);
    }
    if (northSouth(plan)) return this.viaNorthSouth(plan);
    if (throughHostPort(plan)) return this.viaHostPort(plan);
    const target = plan.target;
    switch (target.kind) {
      case "pod": {
        const decision = this.decide(plan.client, target.pod, plan.port, plan.protocol, plan.family);
        return makeCell(plan, decision.verdict, decision.reason);
      }
      case "external": {
        const decision = this.decide(plan.client, target.ip, plan.port, plan.protocol, plan.family);
        return makeCell(plan, decision.verdict, decision.reason);
      }
      default:
        throw new Error(`no judge for a ${target.kind} target`);
    }
  }

  /** A connection to a cluster IP: backend selection, then policy on each backend after DNAT. */
  private viaService(plan: PlanCoordinates, svc: ServiceModel, servicePort: ServicePortModel, clusterIP: string): Verdict {
    const selection = selectBackends(this.scenario, svc, servicePort, clientNode(plan.client), plan.family);
    if (selection.outcome === "no-endpoints") return { expected: "refused", reason: selection.reason };
    if (selection.outcome === "no-local-endpoints") return { expected: "drop", reason: selection.reason };
    if (selection.outcome === "foreign-endpoints") return { expected: "undefined", reason: selection.reason };
    const outcomes = selection.backends.map((backend): BackendOutcome => {
      const decision = this.decide(plan.client, backend.pod, backend.targetPort, backend.protocol, plan.family);
      const preDnat = this.preDnatConflict(plan, "cluster IP", clusterIP, backend.pod, decision);
      if (preDnat) return { pod: backend.pod, outcome: "undefined", reason: preDnat };
      return served(backend.pod, backend.targetPort, backend.protocol, decision);
    });
    return combineBackends(outcomes, selection.reason, clientId(plan.client));
  }

  /**
   * The NetworkPolicy docs leave open whether policy sees a Service's cluster IP (before DNAT)
   * or the backend (after): "it is not defined whether this happens before or after
   * NetworkPolicy processing". That matters only where an egress ipBlock of the source covers
   * the address connected to (a cluster IP, a node's, a load balancer's), so there, when the
   * two views disagree, the cell is undefined.
   */
  private preDnatConflict(plan: PlanCoordinates, what: string, address: string, backend: PodModel, postDnat: PolicyDecision): string | undefined {
    if (plan.client.kind !== "pod" || !this.engine.egressIpBlockCovers(plan.client.pod, address)) return undefined;
    const preDnat = this.beforeDnat(plan.client.pod, backend, address, plan.port, plan.protocol, plan.family);
    if (preDnat.verdict === postDnat.verdict) return undefined;
    return `an egress ipBlock of ${plan.client.pod.id} covers ${what} ${address}: judged before DNAT it is ${preDnat.verdict} (${preDnat.reason}), after DNAT ${postDnat.verdict} (${postDnat.reason}); Kubernetes leaves the order to the implementation`;
  }

  /**
   * The decision as a policy judged before DNAT makes it: IP-based peers see the address
   * connected to (and its port), selectors the backend pod (the upstream e2e suite reaches
   * selected pods through Services, so selectors are judged on the pod everywhere).
   */
  private beforeDnat(src: PodModel, backend: PodModel, address: string, port: number, protocol: Protocol, family: Family): PolicyDecision {
    return this.engine.decide({ src: { kind: "pod", pod: src }, dst: { kind: "pod", pod: backend, seenAt: address }, port, protocol, family }, { trace: false });
  }

  /**
   * A node port, load balancer or external IP (services/north-south.ts): the receiving nodes'
   * backends, each judged by policy as the backend may see the connection. Where the address
   * may be rewritten to the receiving node's, both views are judged and must agree ([docs]
   * NetworkPolicy, "the 'source IP' that the NetworkPolicy acts on may be the IP of a
   * LoadBalancer or of the Pod's node"), else the cell is undefined.
   */
  private viaNorthSouth(plan: NorthSouthCellPlan): OracleCell {
    const path = northSouthPath(this.scenario, plan.target, plan.servicePort, plan.client, plan.family);
    if (path.outcome !== "receivers") return makeCell(plan, path.outcome, path.reason);
    const preserved = path.receivers.every((r) => !r.rewritten);
    const what = plan.target.kind === "nodeport" ? "node address" : plan.target.kind === "loadbalancer" ? "load-balancer address" : "external IP";
    const outcomes = receiverBackends(path.receivers).map(({ receiver, backend }): BackendOutcome => {
      const { pod, targetPort, protocol } = backend;
      const asClient = this.decide(plan.client, pod, targetPort, protocol, plan.family);
      const preDnat = this.preDnatConflict(plan, what, plan.address, pod, asClient);
      if (preDnat) return { pod, outcome: "undefined", reason: preDnat };
      if (receiver.rewritten) {
        const conn = { src: clientEndpoint(plan.client, plan.family), dst: { kind: "pod", pod } as const, port: targetPort, protocol, family: plan.family };
        const asNode = this.engine.decideRewritten(conn, { kind: "node", node: receiver.node });
        if (asNode.verdict !== asClient.verdict) {
          return {
            pod, outcome: "undefined",
            reason: `${pod.id} may see the client's address or ${receiver.node.name}'s (source NAT): as the client it is ${asClient.verdict} (${asClient.reason}), as ${receiver.node.name} ${asNode.verdict} (${asNode.reason}); Kubernetes leaves the rewrite to the implementation`,
          };
        }
      }
      return served(pod, targetPort, protocol, asClient);
    });
    // Several receivers may pick one backend: it counts once per distinct verdict.
    const distinct = [...new Map(outcomes.map((o) => [`${o.pod.id}|${o.outcome}|${o.reason}`, o])).values()];
    const verdict = combineBackends(distinct, path.reason, clientId(plan.client));
    const clientAddress: ClientAddressExpectation = preserved ? "preserved" : "any";
    return makeCell(plan, verdict.expected, verdict.reason, verdict.backends, clientAddress);
  }

  /** An HTTP cell judged hop by hop, traced (netspec explain). */
  httpHops(plan: HttpCellPlan): HttpHops {
    return this.httpJudge().explain(plan);
  }

  private httpJudge(): HttpJudge {
    this.http ??= new HttpJudge(this.scenario, this.engine, (client, target, port, family) => {
      const servicePort = target.service.ports.find((p) => p.port === port)!;
      return this.viaNorthSouth({ client, family, port, protocol: "TCP", target, servicePort, address: target.service.loadBalancerIPs[family]! });
    }, this.scenario.layer7 ?? LOCAL_LAYER7);
    return this.http;
  }

  /** An HTTP request through a Gateway or an Ingress (http/cells.ts). */
  private viaHttp(plan: HttpCellPlan): OracleCell {
    const judged = this.httpJudge().judge(plan);
    const { backendRequest, redirect } = judged;
    return {
      from: clientId(plan.client), to: formatTarget(plan.target), target: "http", port: plan.port, protocol: "TCP", family: plan.family,
      request: plan.target.request, expected: judged.expected, reason: judged.reason, backends: judged.backends, destination: plan.target,
      http: { status: judged.status, ...(backendRequest ? { backendRequest } : {}), ...(redirect ? { redirect } : {}) },
    };
  }

  /**
   * A host port: the CNI plugin (portmap) DNATs the node's address and host port to the pod on
   * that node (docs, Pod `ports[].hostPort`, implemented by the network plugin). Whether the pod
   * then sees the client's address or its node's is the plugin's choice, so policy is judged
   * both ways and must agree, as for node ports.
   */
  private viaHostPort(plan: HostPortCellPlan): OracleCell {
    const { pod, node } = plan.target;
    const { port, protocol } = plan.podPort;
    const asClient = this.decide(plan.client, pod, port, protocol, plan.family);
    const preDnat = this.preDnatConflict(plan, "node address", plan.address, pod, asClient);
    if (preDnat) return makeCell(plan, "undefined", preDnat);
    const conn = { src: clientEndpoint(plan.client, plan.family), dst: { kind: "pod", pod } as const, port, protocol, family: plan.family };
    const asNode = this.engine.decideRewritten(conn, { kind: "node", node });
    const via = `host port ${plan.port} on ${node.name} → ${pod.id} port ${port}/${protocol}`;
    if (asNode.verdict !== asClient.verdict) {
      return makeCell(plan, "undefined", `${via}: ${pod.id} may see the client's address or ${node.name}'s: as the client it is ${asClient.verdict} (${asClient.reason}), as ${node.name} ${asNode.verdict} (${asNode.reason}); the network plugin decides`);
    }
    const outcome = served(pod, port, protocol, asClient);
    return makeCell(plan, outcome.outcome, `${via}: ${outcome.reason}`);
  }

  /** A cell by name: the lookup must pass policy, then the client connects to what the name answers. */
  private viaName(plan: DnsCellPlan): OracleCell {
    if (plan.client.kind !== "pod") throw new Error(`DNS cells start from pods, not ${clientId(plan.client)}`);
    const lookup = this.dnsLookupVerdict(plan.client.pod);
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
        const outcomes = answer.pods.map((pod): BackendOutcome => served(pod, port, plan.protocol, this.decide(plan.client, pod, port, plan.protocol, plan.family)));
        return combineBackends(outcomes, answer.reason, clientId(plan.client));
      }
      case "addresses": {
        // Outside the cluster: the source's egress alone decides, as for an ip/ target.
        const decisions = answer.addresses.map((ip) => ({ ip, decision: this.decide(plan.client, ip, plan.port, plan.protocol, plan.family) }));
        const verdicts = new Set(decisions.map((d) => d.decision.verdict));
        const first = decisions[0]!;
        if (verdicts.size === 1) return { expected: first.decision.verdict, reason: `${answer.reason}; ${first.ip}: ${first.decision.reason}` };
        return { expected: "undefined", reason: `${answer.reason}; the client picks one, and policy treats them differently: ${decisions.map((d) => `${d.ip} ${d.decision.verdict} (${d.decision.reason})`).join("; ")}` };
      }
    }
  }

  /** The pod's resolver is the kube-dns cluster IP (primary family): the lookup must pass policy. */
  private dnsLookupVerdict(src: PodModel): Verdict | undefined {
    if (!usesClusterDns(src)) {
      return {
        expected: "undefined",
        reason: `${src.id} resolves through its node's resolver (dnsPolicy ${src.dnsPolicy}${src.hostNetwork && src.dnsPolicy === "ClusterFirst" ? " on a hostNetwork pod falls back to Default" : ""}), which Kubernetes does not define`,
      };
    }
    const primary = clusterDnsFamily(this.scenario);
    if (!this.dnsPod || !src.ips[primary]) return undefined;
    const decision = this.pods.decide(src, this.dnsPod, 53, "UDP", primary);
    // The resolver is the kube-dns cluster IP: an egress ipBlock on it (a common way to "allow
    // DNS") decides only if policy sees the address before DNAT, which Kubernetes leaves open.
    const resolver = this.dnsService?.clusterIPs[primary];
    if (resolver && this.engine.egressIpBlockCovers(src, resolver)) {
      const preDnat = this.beforeDnat(src, this.dnsPod, resolver, 53, "UDP", primary);
      if (preDnat.verdict !== decision.verdict) {
        return {
          expected: "undefined",
          reason: `DNS lookup: an egress ipBlock of ${src.id} covers the kube-dns address ${resolver}: judged before DNAT it is ${preDnat.verdict} (${preDnat.reason}), after DNAT ${decision.verdict} (${decision.reason}); Kubernetes leaves the order to the implementation`,
        };
      }
    }
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
function makeCell(plan: Exclude<CellPlan, HttpCellPlan>, expected: ExpectedResult, reason: string, backends?: readonly string[], clientAddress?: ClientAddressExpectation): OracleCell {
  return {
    from: clientId(plan.client), to: formatTarget(plan.target), target: plan.target.kind, port: plan.port, protocol: plan.protocol, family: plan.family,
    expected, reason, backends, destination: plan.target, portName: plan.portName, clientAddress,
  };
}

/** The policy decision on a backend, or `refused` when it allows but nothing listens there. */
function served(pod: PodModel, port: number, protocol: Protocol, decision: PolicyDecision): BackendOutcome {
  if (decision.verdict === "allow" && !pod.ports.some((p) => p.port === port && p.protocol === protocol)) {
    return { pod, outcome: "refused", reason: `${pod.id} does not serve ${port}/${protocol}` };
  }
  return { pod, outcome: decision.verdict, reason: decision.reason };
}

/** The node whose proxy handles a cluster-IP connection from the client (external clients reach none). */
function clientNode(client: Client): string {
  if (client.kind === "pod") return client.pod.node;
  if (client.kind === "node") return client.node.name;
  throw new Error("an external client has no node: it reaches no cluster IP");
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
