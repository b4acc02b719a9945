// A small Scenario builder for the policy engine's tests (not a test file itself).
import type {
  AdminNetworkPolicy, BaselineAdminNetworkPolicy, ClusterNetworkPolicy, NetworkPolicy, Protocol,
} from "../../kube/types.js";
import type { Family } from "../../kube/net.js";
import type { NamespaceModel, NodeModel, PodModel, Scenario } from "../../scenario/model.js";
import { PolicyEngine } from "./engine.js";
import type { Connection, Endpoint, PolicyDecision, PolicyEngineOptions } from "./types.js";

export interface PodSpec {
  /** `ns/name` */
  id: string;
  labels?: Record<string, string>;
  ports?: { name?: string; port: number; protocol?: Protocol }[];
  node?: string;
  ipv4?: string;
  ipv6?: string;
  hostNetwork?: boolean;
}

export type AnyPolicy = NetworkPolicy | AdminNetworkPolicy | BaselineAdminNetworkPolicy | ClusterNetworkPolicy;

export interface ScenarioSpec {
  /** Namespaces; those only used by pods are added with no extra labels. */
  namespaces?: Record<string, Record<string, string>>;
  nodes?: Record<string, Record<string, string>>;
  pods: PodSpec[];
  policies?: AnyPolicy[];
}

export function buildTestScenario(spec: ScenarioSpec): Scenario {
  const nsNames = new Set<string>(Object.keys(spec.namespaces ?? {}));
  for (const p of spec.pods) nsNames.add(p.id.split("/")[0]!);
  const namespaces: NamespaceModel[] = [...nsNames].map((name) => ({
    name, system: false, labels: { ...(spec.namespaces?.[name] ?? {}), "kubernetes.io/metadata.name": name },
  }));
  const nodeSpecs = spec.nodes ?? { "node-a": {}, "node-b": {} };
  const nodes: NodeModel[] = Object.entries(nodeSpecs).map(([name, labels], index) => ({
    name, index, labels: { ...labels, "kubernetes.io/hostname": name }, podCIDRs: {},
    ips: { ipv4: `172.18.0.${index + 2}`, ipv6: `fc00:f853:ccd:e793::${index + 2}` },
  }));
  const pods: PodModel[] = spec.pods.map((p, index) => {
    const [namespace, name] = p.id.split("/") as [string, string];
    return {
      id: p.id, namespace, name,
      labels: p.labels ?? {},
      node: p.node ?? nodes[index % nodes.length]!.name,
      ports: (p.ports ?? []).map((port) => ({ ...port, protocol: port.protocol ?? "TCP" })),
      ips: { ipv4: p.ipv4 ?? `10.244.0.${index + 10}`, ipv6: p.ipv6 ?? `fd00:10:244::${(index + 10).toString(16)}` },
      ready: true,
      hostNetwork: p.hostNetwork ?? false,
      terminating: false, dnsPolicy: "ClusterFirst",
      system: false,
      index,
    };
  });
  const policies = spec.policies ?? [];
  return {
    name: "test", tags: [], file: "test.yaml",
    families: ["ipv4", "ipv6"], ipFamily: "dual",
    podSubnets: { ipv4: "10.244.0.0/16", ipv6: "fd00:10:244::/56" },
    serviceSubnets: { ipv4: "10.96.0.0/16", ipv6: "fd00:10:96::/112" },
    nodeSubnets: { ipv4: "172.18.0.0/16", ipv6: "fc00:f853:ccd:e793::/64" },
    externalClient: { ipv4: "172.18.0.1", ipv6: "fc00:f853:ccd:e793::1" },
    gatewayDataPlanes: [],
    nodes, namespaces, pods, services: [],
    networkPolicies: policies.filter((p): p is NetworkPolicy => p.kind === "NetworkPolicy"),
    adminNetworkPolicies: policies.filter((p): p is AdminNetworkPolicy => p.kind === "AdminNetworkPolicy"),
    baselineAdminNetworkPolicies: policies.filter((p): p is BaselineAdminNetworkPolicy => p.kind === "BaselineAdminNetworkPolicy"),
    clusterNetworkPolicies: policies.filter((p): p is ClusterNetworkPolicy => p.kind === "ClusterNetworkPolicy"),
    endpointSlices: [],
    manifests: [],
    upstreamDns: [],
    probe: { from: [], fromDeclared: true, to: ["pods"], families: ["ipv4", "ipv6"], timeoutMs: 1000 },
    expect: { default: "oracle", rules: [], http: [] },
  };
}

/** A NetworkPolicy `ns/name` with the given spec. */
export function np(id: string, spec: NetworkPolicy["spec"]): NetworkPolicy {
  const [namespace, name] = id.split("/") as [string, string];
  return { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name, namespace }, spec };
}

export function anp(name: string, spec: AdminNetworkPolicy["spec"]): AdminNetworkPolicy {
  return { apiVersion: "policy.networking.k8s.io/v1alpha1", kind: "AdminNetworkPolicy", metadata: { name }, spec };
}

export function banp(spec: BaselineAdminNetworkPolicy["spec"], name = "default"): BaselineAdminNetworkPolicy {
  return { apiVersion: "policy.networking.k8s.io/v1alpha1", kind: "BaselineAdminNetworkPolicy", metadata: { name }, spec };
}

export function cnp(name: string, spec: ClusterNetworkPolicy["spec"]): ClusterNetworkPolicy {
  return { apiVersion: "policy.networking.k8s.io/v1alpha2", kind: "ClusterNetworkPolicy", metadata: { name }, spec };
}

/** `ns/name` for a pod of the scenario, anything else is an external address. */
export function endpoint(scenario: Scenario, ref: string): Endpoint {
  const pod = scenario.pods.find((p) => p.id === ref);
  if (pod) return { kind: "pod", pod };
  if (ref.includes("/")) throw new Error(`no pod ${ref} in the test scenario`);
  return { kind: "external", ip: ref };
}

export interface Probe {
  from: string;
  to: string;
  port: number;
  protocol?: Protocol;
  family?: Family;
}

export function connection(scenario: Scenario, probe: Probe): Connection {
  return {
    src: endpoint(scenario, probe.from), dst: endpoint(scenario, probe.to),
    port: probe.port, protocol: probe.protocol ?? "TCP", family: probe.family ?? "ipv4",
  };
}

export function decideOnce(spec: ScenarioSpec, probe: Probe, options?: PolicyEngineOptions): PolicyDecision {
  const scenario = buildTestScenario(spec);
  return new PolicyEngine(scenario, options).decide(connection(scenario, probe));
}
