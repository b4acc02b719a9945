// Options of the real-cluster providers (kind, existing), from the command line or a library call.
import type { KubeProxyMode } from "../kind/config.js";

export interface KubeProviderOptions {
  // ---- kind
  /** CNI under test: a manifest file, a directory of manifests, a URL, or an executable script. */
  readonly cni?: string;
  /** A kind config merged under the generated one. */
  readonly kindConfig?: string;
  /** Node image for every kind node (kindest/node:vX.Y.Z). */
  readonly kindImage?: string;
  readonly kubeProxyMode?: KubeProxyMode;
  /** Reuse (or create and keep) a kind cluster of this name. */
  readonly clusterName?: string;
  /** Keep the kind cluster after the run. */
  readonly keep?: boolean;
  // ---- existing
  readonly kubeconfig?: string;
  readonly context?: string;
  /** Scenario node → real node name. */
  readonly nodeMap?: Readonly<Record<string, string>>;
  // ---- both
  /** The GatewayClass of the Gateway API implementation under test (`{GATEWAY_CLASS_NAME}` becomes it). */
  readonly gatewayClass?: string;
  /** The IngressClass of the Ingress controller under test (classless Ingresses get it). */
  readonly ingressClass?: string;
  /** Installs the implementation under test before the scenario: a manifest, a directory, a URL or a script. */
  readonly install?: string;
  /** How long --install may take (default 300 s, NETSPEC_INSTALL_TIMEOUT_MS). */
  readonly installTimeoutMs?: number;
  /** GatewayClass Accepted, Gateways Programmed with addresses, Ingress addresses within this long (default 180 s, NETSPEC_LAYER7_TIMEOUT_MS). */
  readonly layer7TimeoutMs?: number;
  /** The HTTP echo backend's image (default NETSPEC_ECHO_IMAGE or the Gateway API conformance suite's echo-basic). */
  readonly echoImage?: string;
  /** The report directory: diagnostics are written below it. */
  readonly reportDir?: string;
  /** The agnhost image (default NETSPEC_AGNHOST_IMAGE or the upstream e2e suite's). */
  readonly agnhostImage?: string;
  readonly signal?: AbortSignal;
  /** The environment of every tool netspec runs (kind, kubectl, docker, the CNI script). */
  readonly env?: NodeJS.ProcessEnv;
  readonly readyTimeoutMs?: number;
  /** How long the CNI (nodes Ready, CNI pods Ready) may take (default 300 s, NETSPEC_CNI_TIMEOUT_MS). */
  readonly cniTimeoutMs?: number;
  readonly execParallel?: number;
  readonly pollMs?: number;
}

export function envNumber(env: NodeJS.ProcessEnv | undefined, name: string): number | undefined {
  const raw = (env ?? process.env)[name];
  if (raw === undefined || raw === "") return undefined;
  const n = Number(raw);
  return Number.isFinite(n) && n > 0 ? n : undefined;
}
