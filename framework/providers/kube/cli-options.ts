// The `netspec run` flags of the real-cluster providers, checked and turned into
// KubeProviderOptions (a usage mistake is a UsageError: exit 2, nothing provisioned).
import * as fs from "node:fs";
import { UsageError } from "../../runner/validate-paths.js";
import { KUBE_PROXY_MODES, type KubeProxyMode } from "../kind/config.js";
import { checkClusterName } from "../kind/kind-cli.js";
import { installKind } from "./install.js";
import type { KubeProviderOptions } from "./options.js";

export interface KubeFlags {
  cni?: string;
  kindConfig?: string;
  kindImage?: string;
  kubeProxyMode?: string;
  clusterName?: string;
  keep?: boolean;
  dryRun?: boolean;
  kubeconfig?: string;
  context?: string;
  nodeMap?: string;
  converge?: string;
  gatewayClass?: string;
  ingressClass?: string;
  install?: string;
}

const KIND_ONLY = ["cni", "kindConfig", "kindImage", "kubeProxyMode", "clusterName", "keep"] as const;
const EXISTING_ONLY = ["kubeconfig", "context", "nodeMap"] as const;
/** The implementation under test on a real cluster (the local provider brings its own). */
const REAL_CLUSTER_ONLY = ["gatewayClass", "ingressClass", "install"] as const;
/** metadata.name of a GatewayClass or an IngressClass: a DNS subdomain (RFC 1123). */
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** `kindConfig` → `--kind-config`, for messages. */
const flagName = (key: string) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
const NODE_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

export function kubeProviderOptions(provider: string, flags: KubeFlags, extra: { reportDir: string; signal?: AbortSignal; parallel: number }): KubeProviderOptions {
  for (const flag of KIND_ONLY) {
    if (flags[flag] !== undefined && provider !== "kind") throw new UsageError(`${flagName(flag)} applies to --provider kind, not '${provider}'`);
  }
  for (const flag of EXISTING_ONLY) {
    if (flags[flag] !== undefined && provider !== "existing") throw new UsageError(`${flagName(flag)} applies to --provider existing, not '${provider}'`);
  }
  for (const flag of REAL_CLUSTER_ONLY) {
    if (flags[flag] !== undefined && provider === "local") {
      throw new UsageError(`${flagName(flag)} applies to --provider kind or existing (the local provider serves Gateways and Ingresses with its own implementation)`);
    }
  }
  if (flags.dryRun && provider === "local") throw new UsageError("--dry-run applies to --provider kind or existing");
  for (const flag of ["gatewayClass", "ingressClass"] as const) {
    const value = flags[flag];
    if (value !== undefined && (!DNS_SUBDOMAIN.test(value) || value.length > 253)) {
      throw new UsageError(`${flagName(flag)} '${value}' is not a class name (a DNS subdomain: lower case letters, digits, '-' and '.')`);
    }
  }
  let kubeProxyMode: KubeProxyMode | undefined;
  if (flags.kubeProxyMode !== undefined) {
    if (!(KUBE_PROXY_MODES as readonly string[]).includes(flags.kubeProxyMode)) {
      throw new UsageError(`--kube-proxy-mode must be one of ${KUBE_PROXY_MODES.join(", ")}, not '${flags.kubeProxyMode}'`);
    }
    kubeProxyMode = flags.kubeProxyMode as KubeProxyMode;
  }
  if (flags.clusterName !== undefined) {
    const problem = checkClusterName(flags.clusterName);
    if (problem) throw new UsageError(`--cluster-name: ${problem}`);
    if (extra.parallel > 1) throw new UsageError("--cluster-name reuses one cluster: run with --parallel 1");
  }
  if (flags.keep && flags.clusterName === undefined) throw new UsageError("--keep needs --cluster-name (the name the next run reuses)");
  for (const file of [flags.kindConfig, flags.kubeconfig]) {
    if (file !== undefined && !fs.existsSync(file)) throw new UsageError(`no such file: ${file}`);
  }
  for (const flag of ["cni", "install"] as const) {
    const source = flags[flag];
    if (source === undefined || /^https:\/\//.test(source)) continue;
    try { installKind(source, flagName(flag)); } catch (error) {
      throw new UsageError(`${(error as Error).message} (a manifest, a directory of manifests, an https URL or an executable script)`);
    }
  }
  return {
    ...(flags.cni !== undefined ? { cni: flags.cni } : {}),
    ...(flags.kindConfig !== undefined ? { kindConfig: flags.kindConfig } : {}),
    ...(flags.kindImage !== undefined ? { kindImage: flags.kindImage } : {}),
    ...(kubeProxyMode ? { kubeProxyMode } : {}),
    ...(flags.clusterName !== undefined ? { clusterName: flags.clusterName } : {}),
    ...(flags.keep ? { keep: true } : {}),
    ...(flags.kubeconfig !== undefined ? { kubeconfig: flags.kubeconfig } : {}),
    ...(flags.context !== undefined ? { context: flags.context } : {}),
    ...(flags.nodeMap !== undefined ? { nodeMap: parseNodeMap(flags.nodeMap) } : {}),
    ...(flags.gatewayClass !== undefined ? { gatewayClass: flags.gatewayClass } : {}),
    ...(flags.ingressClass !== undefined ? { ingressClass: flags.ingressClass } : {}),
    ...(flags.install !== undefined ? { install: flags.install } : {}),
    reportDir: extra.reportDir,
    ...(extra.signal ? { signal: extra.signal } : {}),
  };
}

/** `node-a=worker-1,node-b=worker-2` → { node-a: worker-1, … }. */
export function parseNodeMap(text: string): Record<string, string> {
  const map: Record<string, string> = {};
  for (const pair of text.split(",").map((p) => p.trim()).filter(Boolean)) {
    const [from, to, ...rest] = pair.split("=");
    if (!from || !to || rest.length > 0 || !NODE_NAME.test(from) || !NODE_NAME.test(to)) {
      throw new UsageError(`--node-map: '${pair}' is not SCENARIO_NODE=REAL_NODE (DNS names)`);
    }
    if (map[from]) throw new UsageError(`--node-map: ${from} is mapped twice`);
    map[from] = to;
  }
  return map;
}

/** --converge MS: how long mismatching cells are re-probed (the runner's convergeMs). */
export function convergeMs(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--converge must be a whole number of milliseconds, not '${text}'`);
  return n;
}
