// A small builder of normalised Scenarios for the Service oracle's tests (independent of
// framework/scenario/build.ts, so these tests pin the Service rules only).
import type { Family } from "../../kube/net.js";
import { topologyHintsEnabled } from "../../kube/services.js";
import type { Service } from "../../kube/types.js";
import type {
  NodeModel, PodModel, PodPort, Protocol, Scenario, ServiceModel, ServicePortModel,
} from "../../scenario/model.js";

export interface NodeSpec { name: string; zone?: string; labels?: Record<string, string> }
export interface PodSpec {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  node?: string;
  ports?: { name?: string; port: number; protocol?: Protocol }[];
  ready?: boolean;
  hostNetwork?: boolean;
  /** Families the pod has an address of; default: the scenario's. */
  families?: Family[];
}
export interface SvcSpec {
  name: string;
  namespace?: string;
  /** `null`: no selector at all. Default: { app: name }. */
  selector?: Record<string, string> | null;
  ports?: { name?: string; port: number; protocol?: Protocol; targetPort?: number | string }[];
  families?: Family[];
  headless?: boolean;
  type?: ServiceModel["type"];
  internalTrafficPolicy?: "Cluster" | "Local";
  trafficDistribution?: string;
  annotations?: Record<string, string>;
  publishNotReadyAddresses?: boolean;
  /** For type ExternalName; default example.com. */
  externalName?: string;
}
export interface ScenarioSpec {
  families?: Family[];
  nodes?: NodeSpec[];
  pods?: PodSpec[];
  services?: SvcSpec[];
}

export const TWO_ZONES: NodeSpec[] = [{ name: "node-a", zone: "zone-a" }, { name: "node-b", zone: "zone-b" }];

export function buildScenario(spec: ScenarioSpec): Scenario {
  const families = spec.families ?? ["ipv4"];
  const nodes: NodeModel[] = (spec.nodes ?? TWO_ZONES).map((n, index) => ({
    name: n.name,
    index,
    zone: n.zone,
    labels: {
      "kubernetes.io/hostname": n.name,
      ...(n.zone ? { "topology.kubernetes.io/zone": n.zone } : {}),
      ...(n.labels ?? {}),
    },
    podCIDRs: { ipv4: `10.244.${index}.0/24`, ipv6: `fd00:10:244:${index}::/64` },
    ips: { ipv4: `172.18.0.${index + 2}`, ipv6: `fc00:f853:ccd:e793::${index + 2}` },
  }));
  const slots = new Map<string, number>();
  const pods: PodModel[] = (spec.pods ?? []).map((p, index) => {
    const node = p.node ?? nodes[index % nodes.length]!.name;
    const nodeIndex = nodes.findIndex((n) => n.name === node);
    const slot = (slots.get(node) ?? 0) + 2;
    slots.set(node, slot - 1);
    const ips: Partial<Record<Family, string>> = {};
    for (const f of p.families ?? families) {
      ips[f] = f === "ipv4" ? `10.244.${nodeIndex}.${slot}` : `fd00:10:244:${nodeIndex}::${slot.toString(16)}`;
    }
    const ports: PodPort[] = (p.ports ?? []).map((q) => ({ name: q.name, port: q.port, protocol: q.protocol ?? "TCP" }));
    const namespace = p.namespace ?? "default";
    return {
      id: `${namespace}/${p.name}`, namespace, name: p.name, labels: p.labels ?? {}, node, ports, ips,
      ready: p.ready ?? true, hostNetwork: p.hostNetwork ?? false, terminating: false, dnsPolicy: "ClusterFirst", system: false, index,
    };
  });
  const services: ServiceModel[] = (spec.services ?? []).map((s, i) => {
    const namespace = s.namespace ?? "default";
    const type = s.type ?? "ClusterIP";
    const svcFamilies = s.families ?? families;
    const clusterIPs: Partial<Record<Family, string>> = {};
    if (!s.headless && type !== "ExternalName") {
      for (const f of svcFamilies) clusterIPs[f] = f === "ipv4" ? `10.96.0.${10 + i}` : `fd00:10:96::${(10 + i).toString(16)}`;
    }
    const ports: ServicePortModel[] = (s.ports ?? [{ name: "http", port: 80, targetPort: 8080 }]).map((q) => ({
      name: q.name, port: q.port, protocol: q.protocol ?? "TCP", targetPort: q.targetPort ?? q.port,
    }));
    const selector = s.selector === null ? undefined : (s.selector ?? { app: s.name });
    const manifest: Service = {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: s.name, namespace, ...(s.annotations ? { annotations: s.annotations } : {}) },
      spec: {
        type,
        ...(selector ? { selector } : {}),
        ...(s.headless ? { clusterIP: "None" } : {}),
        ports: ports.map((q) => ({ name: q.name, port: q.port, protocol: q.protocol, targetPort: q.targetPort })),
        ...(s.trafficDistribution ? { trafficDistribution: s.trafficDistribution } : {}),
        ...(type === "ExternalName" ? { externalName: s.externalName ?? "example.com" } : {}),
      },
    };
    const ann = s.annotations ?? {};
    return {
      id: `${namespace}/${s.name}`, namespace, name: s.name, type, headless: s.headless ?? false, selector, ports,
      families: type === "ExternalName" ? [] : svcFamilies, clusterIPs,
      internalTrafficPolicy: s.internalTrafficPolicy ?? "Cluster", externalTrafficPolicy: "Cluster",
      trafficDistribution: s.trafficDistribution,
      topologyModeAuto: topologyHintsEnabled(ann),
      sessionAffinity: "None", publishNotReadyAddresses: s.publishNotReadyAddresses ?? false,
      loadBalancerIPs: {}, externalIPs: [], loadBalancerSourceRanges: [], manifest, system: false,
    };
  });
  const namespaces = [...new Set(["default", ...pods.map((p) => p.namespace), ...services.map((s) => s.namespace)])];
  return {
    name: "test", tags: [], file: "test.yaml", families,
    ipFamily: families.length === 2 ? "dual" : families[0]!,
    podSubnets: {}, serviceSubnets: {}, nodeSubnets: {}, externalClient: {}, gatewayDataPlanes: [], nodes,
    namespaces: namespaces.map((name) => ({ name, labels: { "kubernetes.io/metadata.name": name }, system: false })),
    pods, services, networkPolicies: [], adminNetworkPolicies: [], baselineAdminNetworkPolicies: [], clusterNetworkPolicies: [], endpointSlices: [], manifests: [], upstreamDns: [],
    probe: { from: ["*"], fromDeclared: false, to: ["pods", "services"], families, timeoutMs: 1000 },
    expect: { default: "oracle", rules: [], http: [] },
  };
}

export function pod(scenario: Scenario, id: string): PodModel {
  const found = scenario.pods.find((p) => p.id === id || p.name === id);
  if (!found) throw new Error(`no pod ${id}`);
  return found;
}

export function service(scenario: Scenario, id: string): ServiceModel {
  const found = scenario.services.find((s) => s.id === id || s.name === id);
  if (!found) throw new Error(`no service ${id}`);
  return found;
}

/** `count` pods `prefix-0…` labelled app=<app>, serving 8080/TCP named http, placed on `nodes` in turn. */
export function replicas(prefix: string, app: string, nodes: string[], extra: Partial<PodSpec> = {}): PodSpec[] {
  return nodes.map((node, i) => ({
    name: `${prefix}-${i}`, labels: { app }, node, ports: [{ name: "http", port: 8080 }], ...extra,
  }));
}
