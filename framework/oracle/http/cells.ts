// HTTP cells (SPEC.md, "Layer 7"): each `expect.http` entry, from each client it names, over
// each family the entry's address has. A cell is judged on both hops:
//  1. the connection to the Gateway's (or the Ingress controller's) address: the client's egress
//     policy decides (`expected`: allow, deny or undefined);
//  2. the answer: the router's verdict (gateway.ts, ingress.ts: status, Services, redirect), its
//     Services turned into the pods that may answer (their ready endpoints), and each such pod's
//     ingress policy judged from the gateway's data-plane pod — which netspec places in the
//     Gateway's namespace labelled `gateway.networking.k8s.io/gateway-name: NAME`, as GEP-1762
//     asks of in-cluster deployments (for an Ingress controller, whose pods' place Kubernetes
//     does not define, such a policy makes the answer undefined).
import { type Family } from "../../kube/net.js";
import { resolveClients, clientIp, type Client } from "../../scenario/clients.js";
import type { HttpExpectationModel, PodModel, Scenario } from "../../scenario/model.js";
import { parseReference } from "../../scenario/references.js";
import type { HttpTarget } from "../../scenario/target.js";
import type { Gateway, GatewayClass, HTTPRoute, Ingress, IngressClass, ReferenceGrant } from "../../kube/gateway-types.js";
import type { PolicyDecision, PolicyEngine } from "../policy/index.js";
import { clientEndpoint } from "../client-endpoint.js";
import { serviceEndpoints } from "../services/index.js";
import { GatewayRouter } from "./gateway.js";
import { IngressRouter } from "./ingress.js";
import { statusList, type HttpVerdict } from "./result.js";

/** The label GEP-1762 asks implementations to put on a Gateway's generated resources. */
export const GATEWAY_NAME_LABEL = "gateway.networking.k8s.io/gateway-name";

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
  /** Hop 1: the client's egress towards the entry's address. */
  readonly connection: PolicyDecision;
  /** The router's answer, once the connection is allowed. */
  readonly verdict?: HttpVerdict;
  /** Why the router could not answer (the request names no port of a Gateway with several). */
  readonly routerError?: string;
  /** Hop 2: each pod that may answer at its port, with the decision from the gateway's pod (none for an Ingress controller). */
  readonly backends: readonly { readonly pod: PodModel; readonly port: number; readonly decision?: PolicyDecision }[];
  /** Where the Gateway's data plane is assumed to run (GEP-1762), for a Gateway. */
  readonly gatewayPod?: PodModel;
  readonly judgement: HttpJudgement;
}

/** Every HTTP cell of the scenario, in `expect.http` order. */
export function planHttpCells(scenario: Scenario): HttpCellPlan[] {
  const out: HttpCellPlan[] = [];
  for (const expectation of scenario.expect.http) {
    const { entry } = expectation;
    const addresses = scenario.httpEntryAddresses[entry.kind === "gateway" ? `gateway/${entry.namespace}/${entry.name}` : "ingress"] ?? {};
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

/** The listener port when the entry names none: a Gateway's only HTTP port; an Ingress controller's 80. */
function defaultPort(scenario: Scenario, expectation: HttpExpectationModel): number {
  if (expectation.entry.kind === "ingress") return 80;
  const gateway = scenario.manifests.find((m) => m.kind === "Gateway" && m.namespace === expectation.entry.namespace && m.name === expectation.entry.name);
  const ports = new Set(((gateway?.object as Gateway | undefined)?.spec.listeners ?? []).filter((l) => l.protocol === "HTTP").map((l) => l.port));
  return ports.size === 1 ? [...ports][0]! : 80;
}

/** Judges HTTP cells; the routers are compiled once per scenario. */
export class HttpJudge {
  private readonly gateways: GatewayRouter;
  private readonly ingresses: IngressRouter;

  constructor(private readonly scenario: Scenario, private readonly engine: PolicyEngine) {
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
    }, { readyEndpoints: ready });
    this.ingresses = new IngressRouter({ ingresses: of<Ingress>("Ingress"), ingressClasses: of<IngressClass>("IngressClass"), services }, { readyEndpoints: ready });
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
    // Hop 1: the client's egress towards the entry's address (no pod of the scenario holds it).
    const connection = this.engine.decide({
      src: clientEndpoint(plan.client, plan.family), dst: { kind: "external", ip: address }, port: plan.port, protocol: "TCP", family: plan.family,
    }, { trace });
    const where = `${entry.kind === "gateway" ? "Gateway" : "Ingress"} ${entry.namespace}/${entry.name} at ${address}:${plan.port}`;
    const hops = { where, connection, backends: [] };
    if (connection.verdict !== "allow") {
      return { ...hops, judgement: { expected: connection.verdict, reason: `connection to ${where}: ${connection.reason}`, status: [], backends: [] } };
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
    const with7 = { ...hops, verdict };
    switch (verdict.outcome) {
      case "unserved": return { ...with7, judgement: { expected: "deny", reason: `${where}: ${verdict.reason}`, status: [], backends: [] } };
      case "undefined": return { ...with7, judgement: { expected: "undefined", reason: verdict.reason, status, backends: [], ...extras } };
      case "status":
      case "redirect": return { ...with7, judgement: { expected: "allow", reason: verdict.reason, status, backends: [], ...extras } };
      case "routed": return this.routed(plan, with7, verdict, status, extras, trace);
    }
  }

  /** Hop 2: the Services' ready endpoints, each judged from the gateway's pod. */
  private routed(
    plan: HttpCellPlan, hops: Omit<HttpHops, "judgement">, verdict: HttpVerdict, status: readonly number[],
    extras: Pick<HttpJudgement, "backendRequest" | "redirect">, trace: boolean,
  ): HttpHops {
    const pods: PodModel[] = [];
    for (const share of verdict.backends) {
      const svc = this.scenario.services.find((s) => s.id === share.service);
      const servicePort = svc?.ports.find((p) => p.port === share.port);
      if (!svc || !servicePort) continue;
      for (const backend of serviceEndpoints(this.scenario, svc, servicePort, plan.family)) if (!pods.includes(backend.pod)) pods.push(backend.pod);
    }
    const gatewayPod = plan.target.entry.kind === "gateway" ? gatewayDataPlanePod(this.scenario, plan.target.entry) : undefined;
    const backends: { pod: PodModel; port: number; decision?: PolicyDecision }[] = [];
    const denied = pods.flatMap((pod) => {
      const port = pod.ports.find((p) => p.protocol === "TCP")?.port ?? 80;
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

/**
 * The Gateway's data-plane pod as GEP-1762 places it: in the Gateway's namespace, labelled
 * `gateway.networking.k8s.io/gateway-name: NAME` (a model pod: no address of its own).
 */
export function gatewayDataPlanePod(scenario: Scenario, entry: { readonly namespace: string; readonly name: string }): PodModel {
  return {
    id: `${entry.namespace}/${entry.name}-gateway`, namespace: entry.namespace, name: `${entry.name}-gateway`,
    labels: { [GATEWAY_NAME_LABEL]: entry.name }, node: scenario.nodes[0]?.name ?? "", ports: [], ips: {},
    ready: true, terminating: false, hostNetwork: false, dnsPolicy: "ClusterFirst", system: true, index: -1,
  };
}
