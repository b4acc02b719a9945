// HTTP cells (SPEC.md, "Layer 7"): each `expect.http` entry, from each client it names, over
// each family the entry's address has. A cell is judged on both hops, through the entry's data
// plane (scenario/gateway-data-plane.ts: a proxy pod behind a LoadBalancer Service, GEP-1762):
//  1. the connection to the entry's address: the load-balancer path to the proxy pod, judged as
//     any load-balancer cell is (the client's egress, the proxy pod's ingress, source ranges and
//     source NAT; `expected`: allow, deny or undefined);
//  2. the answer: the router's verdict (gateway.ts, ingress.ts: status, Services, redirect), its
//     Services turned into the pods that may answer (their ready endpoints), and each such pod's
//     ingress policy judged from the Gateway's proxy pod, which sits in the Gateway's namespace
//     labelled `gateway.networking.k8s.io/gateway-name: NAME` (for an Ingress controller, whose
//     pods' place Kubernetes does not define, such a policy makes the answer undefined).
import { type Family } from "../../kube/net.js";
import { resolveClients, clientIp, type Client } from "../../scenario/clients.js";
import type { HttpExpectationModel, PodModel, Scenario } from "../../scenario/model.js";
import { parseReference } from "../../scenario/references.js";
import type { HttpTarget, LoadBalancerTarget } from "../../scenario/target.js";
import { dataPlaneKey, type GatewayDataPlane } from "../../scenario/gateway-data-plane.js";
import type { Layer7Implementation } from "../../scenario/implementation.js";
import type { Gateway, GatewayClass, HTTPRoute, Ingress, IngressClass, ReferenceGrant } from "../../kube/gateway-types.js";
import type { PolicyDecision, PolicyEngine, TraceStep } from "../policy/index.js";
import { clientEndpoint } from "../client-endpoint.js";
import { serviceEndpoints } from "../services/index.js";
import { GatewayRouter } from "./gateway.js";
import { IngressRouter } from "./ingress.js";
import { statusList, type HttpVerdict } from "./result.js";

/** One HTTP cell before judging. */
export interface HttpCellPlan {
  readonly client: Client;
  readonly target: HttpTarget;
  readonly family: Family;
  readonly port: number;
  readonly protocol: "TCP";
  readonly expectation: HttpExpectationModel;
}

/** What the oracle says about an HTTP cell. */
export interface HttpJudgement {
  readonly expected: "allow" | "deny" | "undefined";
  readonly reason: string;
  readonly status: readonly number[];
  /** Pods that may answer. */
  readonly backends: readonly string[];
  readonly backendRequest?: HttpVerdict["backendRequest"];
  readonly redirect?: HttpVerdict["redirect"];
}

/** How a cell was judged, hop by hop (for `netspec explain`; judge() keeps the judgement only). */
export interface HttpHops {
  /** `Gateway ns/name at address:port` (or the Ingress's). */
  readonly where: string;
  /**
   * Hop 1: the load-balancer path to the entry's proxy pod (its verdict and reason), with the
   * policy trace of the client's own connection to that pod when traced.
   */
  readonly connection: { readonly verdict: string; readonly reason: string; readonly trace: readonly TraceStep[] };
  /** The router's answer, once the connection is allowed. */
  readonly verdict?: HttpVerdict;
  /** Why the router could not answer (the request names no port of a Gateway with several). */
  readonly routerError?: string;
  /** Hop 2: each pod that may answer at its port, with the decision from the gateway's pod (none for an Ingress controller). */
  readonly backends: readonly { readonly pod: PodModel; readonly port: number; readonly decision?: PolicyDecision }[];
  /** Where the Gateway's data plane runs (GEP-1762), for a Gateway. */
  readonly gatewayPod?: PodModel;
  readonly judgement: HttpJudgement;
}

/** Every HTTP cell of the scenario, in `expect.http` order. */
export function planHttpCells(scenario: Scenario): HttpCellPlan[] {
  const out: HttpCellPlan[] = [];
  for (const expectation of scenario.expect.http) {
    const { entry } = expectation;
    const addresses = dataPlaneOf(scenario, entry)?.service.loadBalancerIPs ?? {};
    const parsed = parseReference(expectation.from);
    const clients = typeof parsed === "string" ? [] : resolveClients(scenario, parsed);
    const port = expectation.port ?? defaultPort(scenario, expectation);
    for (const client of clients) {
      for (const family of scenario.probe.families) {
        const address = addresses[family];
        if (!address || !clientIp(client, family)) continue;
        const request = { ...expectation.request, host: expectation.request.host || (family === "ipv6" ? `[${address}]` : address) };
        out.push({ client, target: { kind: "http", entry, request, addresses, expectation: expectation.index }, family, port, protocol: "TCP", expectation });
      }
    }
  }
  return out;
}

/** The proxy that serves an entry. */
export function dataPlaneOf(scenario: Scenario, entry: HttpTarget["entry"]): GatewayDataPlane | undefined {
  const key = dataPlaneKey(entry);
  return scenario.gatewayDataPlanes.find((d) => d.key === key);
}

/** The listener port when the entry names none: a Gateway's only HTTP port; an Ingress controller's 80. */
function defaultPort(scenario: Scenario, expectation: HttpExpectationModel): number {
  if (expectation.entry.kind === "ingress") return 80;
  const gateway = scenario.manifests.find((m) => m.kind === "Gateway" && m.namespace === expectation.entry.namespace && m.name === expectation.entry.name);
  const ports = new Set(((gateway?.object as Gateway | undefined)?.spec.listeners ?? []).filter((l) => l.protocol === "HTTP").map((l) => l.port));
  return ports.size === 1 ? [...ports][0]! : 80;
}

/**
 * Hop 1 as the matrix judges a load-balancer cell: the client's connection to the proxy's
 * Service on the listener port (matrix.ts viaNorthSouth), its verdict and reason.
 */
export type LoadBalancerJudge = (client: Client, target: LoadBalancerTarget, port: number, family: Family) => { expected: string; reason: string };

/** Judges HTTP cells; the routers are compiled once per scenario. */
export class HttpJudge {
  private readonly gateways: GatewayRouter;
  private readonly ingresses: IngressRouter;

  constructor(
    private readonly scenario: Scenario, private readonly engine: PolicyEngine, private readonly connect: LoadBalancerJudge,
    implementation: Layer7Implementation,
  ) {
    const of = <T>(kind: string) => scenario.manifests.filter((m) => m.kind === kind).map((m) => m.object as unknown as T);
    const services = scenario.services.filter((s) => !s.system).map((s) => s.manifest);
    // A Service port with no ready endpoint in any family: the gateway answers 503 (spec: SHOULD).
    const ready = (id: string, port: number) => {
      const svc = scenario.services.find((s) => s.id === id);
      const servicePort = svc?.ports.find((p) => p.port === port);
      return !!svc && !!servicePort && serviceEndpoints(scenario, svc, servicePort).length > 0;
    };
    this.gateways = new GatewayRouter({
      gatewayClasses: of<GatewayClass>("GatewayClass"), gateways: of<Gateway>("Gateway"), httpRoutes: of<HTTPRoute>("HTTPRoute"),
      referenceGrants: of<ReferenceGrant>("ReferenceGrant"), services,
      namespaceLabels: Object.fromEntries(scenario.namespaces.map((n) => [n.name, n.labels])),
    }, {
      readyEndpoints: ready, gatewayClassNames: implementation.gatewayClassNames, controllerName: implementation.gatewayController,
      ...(implementation.listenerIsolation !== undefined ? { listenerIsolation: implementation.listenerIsolation } : {}),
    });
    this.ingresses = new IngressRouter({ ingresses: of<Ingress>("Ingress"), ingressClasses: of<IngressClass>("IngressClass"), services }, {
      readyEndpoints: ready, classNames: implementation.ingressClassNames, controllers: implementation.ingressControllers,
      ...(implementation.servesClasslessIngress !== undefined ? { servesClassless: implementation.servesClasslessIngress } : {}),
    });
  }

  judge(plan: HttpCellPlan): HttpJudgement {
    return this.assess(plan, false).judgement;
  }

  /** The same judgement with each hop's decision traced (policy engine traces). */
  explain(plan: HttpCellPlan): HttpHops {
    return this.assess(plan, true);
  }

  private assess(plan: HttpCellPlan, trace: boolean): HttpHops {
    const { entry, request } = plan.target;
    const address = plan.target.addresses[plan.family]!;
    const where = `${entry.kind === "gateway" ? "Gateway" : "Ingress"} ${entry.namespace}/${entry.name} at ${address}:${plan.port}`;
    const refused = (expected: HttpJudgement["expected"], reason: string): HttpHops => ({
      where, connection: { verdict: expected, reason, trace: [] }, backends: [], judgement: { expected, reason, status: [], backends: [] },
    });
    // Hop 1: the load-balancer path to the proxy pod.
    const plane = dataPlaneOf(this.scenario, entry);
    if (!plane) return refused("undefined", `${where}: no proxy serves it`);
    if (!plane.service.ports.some((p) => p.port === plan.port)) return refused("deny", `${where}: no listener on port ${plan.port}, so its Service has no such port`);
    const path = this.connect(plan.client, { kind: "loadbalancer", service: plane.service }, plan.port, plan.family);
    const steps = trace
      ? this.engine.decide({ src: clientEndpoint(plan.client, plan.family), dst: { kind: "pod", pod: plane.pod }, port: plan.port, protocol: "TCP", family: plan.family }).trace
      : [];
    const connection = { verdict: path.expected, reason: path.reason, trace: steps };
    const hops = { where, connection, backends: [] };
    if (path.expected !== "allow") {
      const expected = path.expected === "undefined" ? "undefined" : "deny";
      return { ...hops, judgement: { expected, reason: `connection to ${where} (its proxy ${plane.pod.id}): ${path.reason}`, status: [], backends: [] } };
    }
    let verdict: HttpVerdict;
    try {
      verdict = entry.kind === "gateway"
        ? this.gateways.route({ namespace: entry.namespace, name: entry.name }, request, plan.port)
        : this.ingresses.route({ namespace: entry.namespace, name: entry.name }, request);
    } catch (error) {
      const message = (error as Error).message;
      return { ...hops, routerError: message, judgement: { expected: "undefined", reason: `${where}: ${message}`, status: [], backends: [] } };
    }
    const status = statusList(verdict);
    const extras = { ...(verdict.backendRequest ? { backendRequest: verdict.backendRequest } : {}), ...(verdict.redirect ? { redirect: verdict.redirect } : {}) };
    const routed = { ...hops, verdict };
    switch (verdict.outcome) {
      // An Ingress no controller serves has no address of its own: the request reaches the
      // controller under test, which answers from the Ingresses it does serve.
      case "unserved": return {
        ...routed,
        judgement: entry.kind === "ingress"
          ? { expected: "undefined", reason: `${where}: ${verdict.reason}; the address is the controller's, which answers for the Ingresses it serves`, status: [], backends: [] }
          : { expected: "deny", reason: `${where}: ${verdict.reason}`, status: [], backends: [] },
      };
      case "undefined": return { ...routed, judgement: { expected: "undefined", reason: verdict.reason, status, backends: [], ...extras } };
      case "status":
      case "redirect": return { ...routed, judgement: { expected: "allow", reason: verdict.reason, status, backends: [], ...extras } };
      case "routed": return this.routed(plan, routed, verdict, status, extras, trace);
    }
  }

  /** Hop 2: the Services' ready endpoints, each judged from the gateway's pod. */
  private routed(
    plan: HttpCellPlan, hops: Omit<HttpHops, "judgement">, verdict: HttpVerdict, status: readonly number[],
    extras: Pick<HttpJudgement, "backendRequest" | "redirect">, trace: boolean,
  ): HttpHops {
    const pods: PodModel[] = [];
    const targetPorts = new Map<PodModel, number>();
    for (const share of verdict.backends) {
      const svc = this.scenario.services.find((s) => s.id === share.service);
      const servicePort = svc?.ports.find((p) => p.port === share.port);
      if (!svc || !servicePort) continue;
      for (const backend of serviceEndpoints(this.scenario, svc, servicePort, plan.family)) {
        if (!pods.includes(backend.pod)) { pods.push(backend.pod); targetPorts.set(backend.pod, backend.targetPort); }
      }
    }
    const gatewayPod = plan.target.entry.kind === "gateway" ? dataPlaneOf(this.scenario, plan.target.entry)?.pod : undefined;
    const backends: { pod: PodModel; port: number; decision?: PolicyDecision }[] = [];
    const denied = pods.flatMap((pod) => {
      const port = targetPorts.get(pod)!;
      if (!gatewayPod) {
        backends.push({ pod, port });
        return this.ingressJudged(pod) ? [`${pod.id} (its ingress policy would have to admit the Ingress controller's pods, whose place Kubernetes does not define)`] : [];
      }
      const decision = this.engine.decide({ src: { kind: "pod", pod: gatewayPod }, dst: { kind: "pod", pod }, port, protocol: "TCP", family: plan.family }, { trace });
      backends.push({ pod, port, decision });
      return decision.verdict === "allow" ? [] : [`${pod.id} (${decision.verdict}: ${decision.reason})`];
    });
    const out = { ...hops, backends, ...(gatewayPod ? { gatewayPod } : {}) };
    if (denied.length > 0) {
      return {
        ...out,
        judgement: {
          expected: "undefined", status, backends: pods.map((p) => p.id), ...extras,
          reason: `${verdict.reason}; the gateway may not reach ${denied.join("; ")}: what it answers then is the implementation's`,
        },
      };
    }
    return { ...out, judgement: { expected: "allow", reason: verdict.reason, status, backends: pods.map((p) => p.id), ...extras } };
  }

  /** Whether any policy of any tier judges the pod's ingress (its sources then matter). */
  private ingressJudged(pod: PodModel): boolean {
    const index = this.engine.subjectPolicies(pod);
    return index.np.ingress.length > 0 || index.admin.ingress.length > 0 || index.baseline.ingress.length > 0;
  }
}
