// The validated, normalised scenario: what the oracle judges and what providers build.
// Everything here is derived deterministically from the scenario file (see addresses.ts for
// the address plan), so the oracle and the local provider agree on every IP.
import type { Family } from "../kube/net.js";
import type { Labels } from "../kube/labels.js";
import type {
  AdminNetworkPolicy, BaselineAdminNetworkPolicy, ClusterNetworkPolicy, EndpointSlice, NetworkPolicy, Protocol, Service,
} from "../kube/types.js";
import type { ClientAddressExpectation, ExpectedResult, Reference } from "./schema.js";
import type { GatewayDataPlane } from "./gateway-data-plane.js";
import type { Layer7Implementation } from "./implementation.js";
import type { HttpEntry, HttpRequest } from "./target.js";
import type { Locator } from "./yaml-source.js";

export type { Family, Protocol, Labels };

/** A place in a source file, 1-based, for messages. */
export interface SourcePos {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

export interface NodeModel {
  readonly name: string;
  readonly index: number;
  readonly zone?: string;
  /** Includes kubernetes.io/hostname and, with a zone, topology.kubernetes.io/zone. */
  readonly labels: Labels;
  /** The node's pod CIDR per family (node-cidr-mask-size /24 and /64, as kube-controller-manager). */
  readonly podCIDRs: Partial<Record<Family, string>>;
  /** The node's InternalIP per family on the node network (addresses.ts; a provider may report its own). */
  readonly ips: Partial<Record<Family, string>>;
}

export interface NamespaceModel {
  readonly name: string;
  /** Includes kubernetes.io/metadata.name=<name>, as the API server adds it. */
  readonly labels: Labels;
  /** Implicit namespaces (kube-system) exist without being declared. */
  readonly system: boolean;
}

export interface PodPort {
  readonly name?: string;
  readonly port: number;
  readonly protocol: Protocol;
  /** ContainerPort.hostPort: the node's port that forwards here (a hostNetwork pod's is its port). */
  readonly hostPort?: number;
}

export interface PodModel {
  /** `namespace/name`, the reference form used everywhere. */
  readonly id: string;
  readonly namespace: string;
  readonly name: string;
  readonly labels: Labels;
  readonly node: string;
  readonly ports: readonly PodPort[];
  readonly ips: Partial<Record<Family, string>>;
  readonly ready: boolean;
  /** Deleted, in its grace period (metadata.deletionTimestamp set), still running. */
  readonly terminating: boolean;
  /** In the node's network namespace: its addresses are the node's (`ips` is `node.ips`). */
  readonly hostNetwork: boolean;
  /** PodSpec.dnsPolicy (usesClusterDns says what it means for the pod). */
  readonly dnsPolicy: "ClusterFirst" | "ClusterFirstWithHostNet" | "Default";
  /** Pods netspec adds itself (the cluster DNS): never probed unless named. */
  readonly system: boolean;
  /** Index in declaration order (after replica expansion). */
  readonly index: number;
  /** spec.hostname and spec.subdomain: the endpoint hostname a Service named `subdomain` publishes. */
  readonly hostname?: string;
  readonly subdomain?: string;
}

export interface ServicePortModel {
  readonly name?: string;
  readonly port: number;
  readonly protocol: Protocol;
  /** Number or named container port; defaults to `port`. */
  readonly targetPort: number | string;
  readonly nodePort?: number;
}

export interface ServiceModel {
  readonly id: string;
  readonly namespace: string;
  readonly name: string;
  readonly type: "ClusterIP" | "NodePort" | "LoadBalancer" | "ExternalName";
  readonly headless: boolean;
  /** undefined: no selector (endpoints are managed outside; netspec treats them as none). */
  readonly selector?: Labels;
  readonly ports: readonly ServicePortModel[];
  /** The families the API server would assign (ipFamilies/ipFamilyPolicy on this cluster). */
  readonly families: readonly Family[];
  /** Cluster IPs per family from the address plan (absent for headless). */
  readonly clusterIPs: Partial<Record<Family, string>>;
  readonly internalTrafficPolicy: "Cluster" | "Local";
  readonly externalTrafficPolicy: "Cluster" | "Local";
  readonly trafficDistribution?: string;
  /** service.kubernetes.io/topology-mode: Auto (or the older topology-aware-hints: auto). */
  readonly topologyModeAuto: boolean;
  readonly sessionAffinity: "None" | "ClientIP";
  readonly publishNotReadyAddresses: boolean;
  /**
   * type LoadBalancer: the address per family the load-balancer implementation would publish
   * in status.loadBalancer.ingress (addresses.ts pool; a provider may report its own).
   */
  readonly loadBalancerIPs: Partial<Record<Family, string>>;
  /** spec.externalIPs as written (canonical text): routed to the nodes by the network, not by Kubernetes. */
  readonly externalIPs: readonly string[];
  /** spec.loadBalancerSourceRanges (type LoadBalancer only: kube-proxy ignores them otherwise). */
  readonly loadBalancerSourceRanges: readonly string[];
  readonly manifest: Service;
  readonly system: boolean;
}

export interface UpstreamNameModel {
  /** Lower-cased, without a trailing dot. */
  readonly name: string;
  /** Canonical IP literals. */
  readonly addresses: readonly string[];
}

export interface ManifestModel {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  readonly object: Record<string, unknown>;
  readonly pos?: SourcePos;
  /** Where its fields are in the source, for checks that run after the build (lint). */
  readonly locator?: Locator;
}

export type ProbeTargetKind = "pods" | "services" | "dns" | "nodeports" | "loadbalancers" | "externalips" | "hostports";

export interface ProbeModel {
  readonly from: readonly Reference[];
  /** False when `from` is the default (every pod). */
  readonly fromDeclared: boolean;
  readonly to: readonly ProbeTargetKind[];
  readonly families: readonly Family[];
  readonly timeoutMs: number;
}

export interface ExpectRuleModel {
  readonly from: Reference;
  readonly to: Reference;
  /** A number, a port name, or an inclusive range. */
  readonly port?: number | string | { readonly from: number; readonly to: number };
  readonly protocol?: Protocol;
  readonly family?: Family;
  readonly result?: ExpectedResult;
  readonly backends?: readonly string[];
  /** The client address the backend must see (SPEC.md, "Results"). */
  readonly clientAddress?: ClientAddressExpectation;
  readonly index: number;
  readonly pos?: SourcePos;
}

/** One `expect.http` entry, defaults applied (SPEC.md, "Layer 7"). */
export interface HttpExpectationModel {
  readonly from: Reference;
  readonly entry: HttpEntry;
  readonly port?: number;
  readonly request: HttpRequest;
  /** Asserted statuses (any of them), when given. */
  readonly status?: readonly number[];
  readonly backends?: readonly string[];
  readonly backendRequest?: { readonly path?: string; readonly host?: string; readonly headers?: Readonly<Record<string, string>> };
  readonly redirect?: { readonly scheme?: "http" | "https"; readonly host?: string; readonly port?: number; readonly path?: string };
  readonly index: number;
  readonly pos?: SourcePos;
}

export interface ExpectModel {
  readonly default: "oracle" | "allow" | "deny";
  readonly rules: readonly ExpectRuleModel[];
  readonly http: readonly HttpExpectationModel[];
}

export interface Scenario {
  readonly name: string;
  readonly description?: string;
  readonly tags: readonly string[];
  readonly file: string;
  readonly families: readonly Family[];
  readonly ipFamily: "ipv4" | "ipv6" | "dual";
  readonly podSubnets: Partial<Record<Family, string>>;
  readonly serviceSubnets: Partial<Record<Family, string>>;
  /** The network the nodes (and the host, the `external` client) are on: addresses.ts. */
  readonly nodeSubnets: Partial<Record<Family, string>>;
  /** Where an `external` source connects from, per family: the host on the node network. */
  readonly externalClient: Partial<Record<Family, string>>;
  /**
   * What serves HTTP cells: per Gateway, and for the Ingress controller, a proxy pod and the
   * LoadBalancer Service in front of it (system objects, gateway-data-plane.ts); HTTP cells
   * connect to the Service's load-balancer address.
   */
  readonly gatewayDataPlanes: readonly GatewayDataPlane[];
  /** The Layer 7 implementation under test (implementation.ts); unset: the local provider's own. */
  readonly layer7?: Layer7Implementation;
  readonly nodes: readonly NodeModel[];
  readonly namespaces: readonly NamespaceModel[];
  readonly pods: readonly PodModel[];
  readonly services: readonly ServiceModel[];
  readonly networkPolicies: readonly NetworkPolicy[];
  readonly adminNetworkPolicies: readonly AdminNetworkPolicy[];
  readonly baselineAdminNetworkPolicies: readonly BaselineAdminNetworkPolicy[];
  /**
   * discovery.k8s.io/v1 EndpointSlices written in the scenario, and those the mirroring
   * controller makes of its v1 Endpoints (scenario/endpoints-mirror.ts); the EndpointSlice
   * controller's own are derived from Services where they are read.
   */
  readonly endpointSlices: readonly EndpointSlice[];
  /** policy.networking.k8s.io/v1alpha2 ClusterNetworkPolicy, both tiers. */
  readonly clusterNetworkPolicies: readonly ClusterNetworkPolicy[];
  /** Every resource in apply order (modelled kinds and passed-through ones). */
  readonly manifests: readonly ManifestModel[];
  /** cluster.upstreamDNS: names outside the cluster's zone and the addresses upstream resolvers answer. */
  readonly upstreamDns: readonly UpstreamNameModel[];
  readonly probe: ProbeModel;
  readonly expect: ExpectModel;
}

/**
 * The family pods query the cluster DNS over: kubeadm gives the kubelet (`clusterDNS`) the
 * kube-dns address of the first service subnet, the primary Service family.
 */
export function clusterDnsFamily(scenario: Scenario): Family {
  const dns = scenario.services.find((s) => s.system && s.namespace === CLUSTER_DNS.namespace && s.name === CLUSTER_DNS.serviceName);
  return dns?.families[0] ?? scenario.families[0]!;
}

/**
 * Whether a pod resolves names through the cluster DNS. PodSpec.dnsPolicy: ClusterFirst, except
 * that a hostNetwork pod with ClusterFirst "fallbacks to the behavior of the Default policy" (its
 * node's resolver); ClusterFirstWithHostNet is the cluster DNS for hostNetwork pods too.
 * https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/#pod-s-dns-policy
 */
export function usesClusterDns(pod: PodModel): boolean {
  return pod.dnsPolicy === "ClusterFirstWithHostNet" || (pod.dnsPolicy === "ClusterFirst" && !pod.hostNetwork);
}

/** The cluster DNS netspec models (kube-dns Service and its pod), as kubeadm/kind name them. */
export const CLUSTER_DNS = {
  namespace: "kube-system",
  serviceName: "kube-dns",
  podName: "coredns",
  labels: { "k8s-app": "kube-dns" } as Labels,
  domain: "cluster.local",
} as const;
