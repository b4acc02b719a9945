// The kind cluster config for a scenario (kind.x-k8s.io/v1alpha4, sigs.k8s.io/kind
// pkg/apis/config/v1alpha4/types.go): networking from the scenario's cluster section, one
// control-plane plus one worker per scenario node, labelled with its zone
// (topology.kubernetes.io/zone), its labels and netspec.io/node (how pods are pinned to it).
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import { parse as parseYaml, stringify } from "yaml";
import type { Scenario } from "../../scenario/model.js";
import { LABEL_NODE } from "../kube/names.js";

export const KIND_API_VERSION = "kind.x-k8s.io/v1alpha4";
export const KUBE_PROXY_MODES = ["iptables", "ipvs", "nftables", "none"] as const;
export type KubeProxyMode = (typeof KUBE_PROXY_MODES)[number];

export interface KindNode {
  role: "control-plane" | "worker";
  image?: string;
  labels?: Record<string, string>;
  [key: string]: unknown;
}

export interface KindConfig {
  kind: "Cluster";
  apiVersion: typeof KIND_API_VERSION;
  name?: string;
  networking: {
    ipFamily?: "ipv4" | "ipv6" | "dual";
    podSubnet?: string;
    serviceSubnet?: string;
    disableDefaultCNI?: boolean;
    kubeProxyMode?: KubeProxyMode;
    [key: string]: unknown;
  };
  nodes: KindNode[];
  [key: string]: unknown;
}

export interface KindConfigOptions {
  /** A CNI under test is installed: kind's own (kindnet) is left out. */
  readonly cni?: boolean;
  readonly kubeProxyMode?: KubeProxyMode;
  /** The node image (kindest/node:vX.Y.Z) for every node. */
  readonly image?: string;
  /** A user's kind config, merged in (see mergeKindConfig). */
  readonly base?: Record<string, unknown>;
}

/**
 * Label prefixes kubelet refuses to set on itself (--node-labels): kubernetes.io and k8s.io
 * except the allowed set (k8s.io/kubernetes pkg/kubelet/apis: KubeletLabels and the
 * kubelet.kubernetes.io/ and node.kubernetes.io/ namespaces). A kind node with one never joins.
 */
const KUBELET_ALLOWED = new Set([
  "kubernetes.io/hostname", "kubernetes.io/instance-type", "kubernetes.io/os", "kubernetes.io/arch",
  "beta.kubernetes.io/instance-type", "beta.kubernetes.io/os", "beta.kubernetes.io/arch",
  "failure-domain.beta.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/region",
  "topology.kubernetes.io/zone", "topology.kubernetes.io/region", "node.kubernetes.io/instance-type",
]);

export function kubeletRefuses(key: string): boolean {
  if (KUBELET_ALLOWED.has(key)) return false;
  const prefix = key.includes("/") ? key.slice(0, key.indexOf("/")) : "";
  if (prefix === "kubelet.kubernetes.io" || prefix.endsWith(".kubelet.kubernetes.io")) return false;
  if (prefix === "node.kubernetes.io" || prefix.endsWith(".node.kubernetes.io")) return false;
  return prefix === "kubernetes.io" || prefix.endsWith(".kubernetes.io") || prefix === "k8s.io" || prefix.endsWith(".k8s.io");
}

export class KindConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "KindConfigError";
  }
}

export function generateKindConfig(scenario: Scenario, options: KindConfigOptions = {}): KindConfig {
  const subnets = (map: Scenario["podSubnets"]) => scenario.families.map((f) => map[f]).filter(Boolean).join(",");
  const workers: KindNode[] = scenario.nodes.map((node) => {
    const labels: Record<string, string> = {};
    for (const [key, value] of Object.entries(node.labels)) {
      // The kubelet sets these itself (kind names the workers; os and arch are the node's own).
      if (key === "kubernetes.io/hostname" || key === "kubernetes.io/os" || key === "kubernetes.io/arch") continue;
      if (kubeletRefuses(key)) {
        throw new KindConfigError(`node ${node.name}: label '${key}' is in a namespace kubelet refuses to set on itself (kubernetes.io, k8s.io); a kind node with it never joins. Use another prefix.`);
      }
      labels[key] = value;
    }
    labels[LABEL_NODE] = node.name;
    return { role: "worker", labels };
  });
  const generated: KindConfig = {
    kind: "Cluster",
    apiVersion: KIND_API_VERSION,
    networking: {
      ipFamily: scenario.ipFamily,
      podSubnet: subnets(scenario.podSubnets),
      serviceSubnet: subnets(scenario.serviceSubnets),
      ...(options.cni ? { disableDefaultCNI: true } : {}),
      ...(options.kubeProxyMode ? { kubeProxyMode: options.kubeProxyMode } : {}),
    },
    nodes: [{ role: "control-plane" }, ...workers],
  };
  const merged = options.base ? mergeKindConfig(options.base, generated) : generated;
  if (options.image) for (const node of merged.nodes) node.image = options.image;
  return merged;
}

/**
 * Merges a user's kind config under the generated one. The user's config keeps everything the
 * scenario does not decide (featureGates, runtimeConfig, kubeadm and containerd patches,
 * extraMounts, extra nodes); the scenario decides the networking it models and the workers'
 * labels. A user value that contradicts the scenario is an error, never silently dropped.
 */
export function mergeKindConfig(base: Record<string, unknown>, generated: KindConfig): KindConfig {
  if (base.kind !== undefined && base.kind !== "Cluster") throw new KindConfigError(`--kind-config: kind is '${String(base.kind)}', want Cluster`);
  if (base.apiVersion !== undefined && base.apiVersion !== KIND_API_VERSION) {
    throw new KindConfigError(`--kind-config: apiVersion '${String(base.apiVersion)}' is not supported; netspec writes ${KIND_API_VERSION}`);
  }
  const userNet = (base.networking ?? {}) as Record<string, unknown>;
  const networking = { ...userNet, ...generated.networking };
  for (const key of ["ipFamily", "podSubnet", "serviceSubnet"] as const) {
    if (userNet[key] !== undefined && userNet[key] !== generated.networking[key]) {
      throw new KindConfigError(`--kind-config sets networking.${key}: ${String(userNet[key])}, but the scenario needs ${String(generated.networking[key])}; set it in the scenario's cluster section instead`);
    }
  }
  if (userNet.disableDefaultCNI === true && !generated.networking.disableDefaultCNI) {
    throw new KindConfigError("--kind-config disables the default CNI but no --cni was given: pods would never become ready");
  }
  if (userNet.kubeProxyMode !== undefined && generated.networking.kubeProxyMode === undefined) networking.kubeProxyMode = userNet.kubeProxyMode as KubeProxyMode;
  const userNodes = Array.isArray(base.nodes) ? (base.nodes as KindNode[]) : [];
  const userControl = userNodes.filter((n) => (n.role ?? "control-plane") === "control-plane");
  const userWorkers = userNodes.filter((n) => n.role === "worker");
  const control = userControl.length > 0 ? userControl.map((n) => ({ ...n, role: "control-plane" as const })) : [generated.nodes[0]!];
  const generatedWorkers = generated.nodes.filter((n) => n.role === "worker");
  const workers = generatedWorkers.map((node, i) => {
    const user = userWorkers[i];
    return user ? { ...user, ...node, labels: { ...(user.labels ?? {}), ...(node.labels ?? {}) } } : node;
  });
  // Extra user workers stay (they run nothing of the scenario's).
  workers.push(...userWorkers.slice(generatedWorkers.length));
  return { ...base, kind: "Cluster", apiVersion: KIND_API_VERSION, networking, nodes: [...control, ...workers] } as KindConfig;
}

export function readKindConfig(file: string): Record<string, unknown> {
  let text: string;
  try { text = fs.readFileSync(file, "utf8"); } catch (error) { throw new KindConfigError(`--kind-config ${file}: ${(error as Error).message}`); }
  const parsed: unknown = parseYaml(text);
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new KindConfigError(`--kind-config ${file}: not a YAML mapping`);
  return parsed as Record<string, unknown>;
}

export function kindConfigYaml(config: KindConfig): string {
  return stringify(config, { lineWidth: 0 });
}

/** What decides whether an existing cluster can host a scenario (the config, minus the name). */
export function shapeHash(config: KindConfig): string {
  const { name: _name, ...rest } = config;
  return createHash("sha256").update(JSON.stringify(rest)).digest("hex").slice(0, 12);
}
