// The conformance report, in the spirit of the Gateway API's ConformanceReport
// (gateway.networking.k8s.io ConformanceReport: implementation, date, version, per profile
// result/statistics/failedTests/skippedTests, supported and unsupported features).
//
// Profiles are the scenarios' tags (plus `all`). Features are what the cells exercise: the
// protocol, the IP family, the target kind and the kinds of object the scenario applies. A
// feature is supported when every cell that exercises it passed, unsupported when any of them
// failed or was skipped (e.g. SCTP on a kernel without SCTP), and absent when nothing used it.
//
// HTTP cells add the Layer 7 profiles (http-features.ts): GATEWAY-HTTP, as the Gateway API
// defines it, and INGRESS-HTTP. There each feature of the profile's catalogue, core and
// extended, is passed, failed or skipped with the counts of the cells that exercised it, as the
// Gateway API's ProfileReport splits core and extended results.
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import type { CellResult, RunResults, ScenarioResult } from "../runner/results.js";
import type { TargetKind } from "../scenario/target.js";
import { isHttpCell } from "./http-cell.js";
import { GATEWAY_HTTP, INGRESS_HTTP, type FeatureLevel, type ProfileCatalogue } from "./http-features.js";

export interface Implementation {
  readonly name?: string;
  readonly version?: string;
  readonly organization?: string;
  readonly url?: string;
  readonly contact?: readonly string[];
}

export interface ConformanceOptions {
  readonly implementation?: Implementation;
  /** Report date (default: now). */
  readonly date?: Date;
}

interface Statistics { Passed: number; Failed: number; Skipped: number }

export interface ProfileReport {
  readonly name: string;
  readonly summary: string;
  readonly result: "success" | "partial" | "failure" | "skipped";
  /** Scenario counts (a scenario passes when every probed cell matched). */
  readonly statistics: Statistics;
  /** Cell counts. */
  readonly cells: Statistics;
  readonly failedTests: string[];
  readonly skippedTests: string[];
  readonly supportedFeatures: string[];
  readonly unsupportedFeatures: string[];
  /** Layer 7 profiles: the core and extended features, each with the cells that exercised it. */
  readonly core?: LevelReport;
  readonly extended?: LevelReport;
  /** Layer 7 profiles: the catalogue's features no cell exercised. */
  readonly untestedFeatures?: string[];
}

export interface FeatureReport {
  readonly name: string;
  /** passed: every cell that exercised it and was probed passed; failed: one failed; skipped: none was probed. */
  readonly result: "passed" | "failed" | "skipped";
  readonly cells: Statistics;
}

export interface LevelReport {
  readonly result: ProfileReport["result"];
  readonly features: FeatureReport[];
}

export interface ConformanceReport {
  readonly apiVersion: "netspec/v1alpha1";
  readonly kind: "ConformanceReport";
  readonly date: string;
  readonly netspecVersion: string;
  readonly implementation: Implementation;
  readonly provider: string;
  readonly mode: "default";
  readonly runStartedAt: string;
  readonly summary: string;
  readonly profiles: ProfileReport[];
}

const FAMILY: Record<string, string> = { ipv4: "IPv4", ipv6: "IPv6" };
/** The feature each target kind's cells exercise. */
const TARGET: Record<TargetKind, string> = {
  pod: "PodIP", service: "ServiceClusterIP", dns: "ServiceDNS", external: "ExternalAddress",
  nodeport: "ServiceNodePortAddress", loadbalancer: "ServiceLoadBalancerAddress", externalip: "ServiceExternalIP", hostport: "PodHostPort",
  http: "HTTPRequest",
};

/** Features a scenario exercises everywhere (from its objects), named like Kubernetes fields. */
function scenarioFeatures(scenario: ScenarioResult): string[] {
  const features = new Set<string>();
  const topology = scenario.topology;
  if (!topology) return [];
  if (topology.ipFamily === "dual") features.add("DualStack");
  for (const policy of topology.policies) {
    const object = policy.object as { spec?: Record<string, unknown> };
    const spec = object.spec ?? {};
    features.add(policy.kind);
    if (policy.kind === "NetworkPolicy") {
      const types = (spec.policyTypes as string[] | undefined) ?? [];
      if (types.includes("Egress") || spec.egress) features.add("NetworkPolicyEgress");
      if (types.includes("Ingress") || spec.ingress || types.length === 0) features.add("NetworkPolicyIngress");
      const text = JSON.stringify(spec);
      if (text.includes('"ipBlock"')) features.add("NetworkPolicyIPBlock");
      if (text.includes('"endPort"')) features.add("NetworkPolicyEndPort");
      if (text.includes('"namespaceSelector"')) features.add("NetworkPolicyNamespaceSelector");
      if (text.includes('"matchExpressions"')) features.add("LabelSelectorMatchExpressions");
      if (/"port":"[^"]+"/.test(text)) features.add("NetworkPolicyNamedPort");
    }
    if (NETWORK_POLICY_API_KINDS.has(policy.kind)) for (const f of networkPolicyApiFeatures(policy.kind, spec)) features.add(f);
  }
  for (const service of topology.services) {
    if (service.system) continue;
    features.add(service.headless ? "ServiceHeadless" : `Service${service.type}`);
    if (service.internalTrafficPolicy === "Local") features.add("ServiceInternalTrafficPolicyLocal");
    if (service.externalTrafficPolicy === "Local" && service.type !== "ClusterIP") features.add("ServiceExternalTrafficPolicyLocal");
    if (service.trafficDistribution) features.add("ServiceTrafficDistribution");
    if (service.ports.some((p) => typeof p.targetPort === "string")) features.add("ServiceNamedTargetPort");
  }
  return [...features];
}

const NETWORK_POLICY_API_KINDS = new Set(["AdminNetworkPolicy", "BaselineAdminNetworkPolicy", "ClusterNetworkPolicy"]);

/**
 * What a network-policy-api object exercises, prefixed with its kind. The names follow the
 * project's conformance suite (conformance/utils/suite/features.go: ClusterNetworkPolicy,
 * ClusterNetworkPolicyNamedPorts, ClusterNetworkPolicyEgressNodePeers) and otherwise the API
 * fields: the tier, each action, port ranges, networks and domainNames peers, each direction.
 */
function networkPolicyApiFeatures(kind: string, spec: Record<string, unknown>): string[] {
  const features = new Set<string>();
  if (kind === "ClusterNetworkPolicy") features.add(`${kind}${spec.tier === "Baseline" ? "BaselineTier" : "AdminTier"}`);
  for (const direction of ["ingress", "egress"] as const) {
    const rules = (spec[direction] as { action?: string; to?: unknown[]; from?: unknown[] }[] | undefined) ?? [];
    if (rules.length > 0) features.add(`${kind}${direction === "ingress" ? "Ingress" : "Egress"}`);
    for (const rule of rules) {
      if (rule.action) features.add(`${kind}${rule.action}`);
      const text = JSON.stringify(rule);
      if (text.includes('"destinationNamedPort"') || text.includes('"namedPort"')) features.add(`${kind}NamedPorts`);
      if (text.includes('"range"') || text.includes('"portRange"')) features.add(`${kind}PortRange`);
      if (text.includes('"nodes"')) features.add(`${kind}EgressNodePeers`);
      if (text.includes('"networks"')) features.add(`${kind}Networks`);
      if (text.includes('"domainNames"')) features.add(`${kind}DomainNames`);
    }
  }
  return [...features];
}

function cellFeatures(cell: CellResult): string[] {
  return [cell.protocol, FAMILY[cell.family] ?? cell.family, TARGET[cell.target] ?? cell.target];
}

function profile(name: string, summary: string, scenarios: readonly ScenarioResult[]): ProfileReport {
  const statistics: Statistics = { Passed: 0, Failed: 0, Skipped: 0 };
  const cells: Statistics = { Passed: 0, Failed: 0, Skipped: 0 };
  const failedTests: string[] = [];
  const skippedTests: string[] = [];
  const used = new Set<string>();
  const broken = new Set<string>();
  for (const scenario of scenarios) {
    const whole = scenarioFeatures(scenario);
    const probed = scenario.cells.filter((c) => !c.skipped);
    const failed = scenario.status === "error" || probed.some((c) => !c.match);
    if (failed) { statistics.Failed++; failedTests.push(scenario.name); }
    else if (probed.length === 0) { statistics.Skipped++; skippedTests.push(scenario.name); }
    else statistics.Passed++;
    // Partly skipped scenarios pass what they probed and are listed among the skipped as well.
    if (!failed && probed.length > 0 && probed.length < scenario.cells.length) skippedTests.push(scenario.name);
    if (scenario.status === "error") whole.forEach((f) => { used.add(f); broken.add(f); });
    for (const cell of scenario.cells) {
      const bad = Boolean(cell.skipped || !cell.match);
      if (cell.skipped) cells.Skipped++; else if (cell.match) cells.Passed++; else cells.Failed++;
      for (const feature of [...whole, ...cellFeatures(cell)]) {
        used.add(feature);
        if (bad) broken.add(feature);
      }
    }
  }
  const result = statistics.Failed > 0 ? "failure"
    : statistics.Passed === 0 ? "skipped"
      : skippedTests.length > 0 ? "partial" : "success";
  return {
    name, summary, result, statistics, cells, failedTests, skippedTests,
    supportedFeatures: [...used].filter((f) => !broken.has(f)).sort(),
    unsupportedFeatures: [...broken].sort(),
  };
}

function featureResult(cells: Statistics): FeatureReport["result"] {
  return cells.Failed > 0 ? "failed" : cells.Passed === 0 ? "skipped" : "passed";
}

function levelReport(features: FeatureReport[]): LevelReport {
  const result = features.some((f) => f.result === "failed") ? "failure"
    : !features.some((f) => f.result === "passed") ? "skipped"
      : features.some((f) => f.result === "skipped" || f.cells.Skipped > 0) ? "partial" : "success";
  return { result, features };
}

/**
 * A Layer 7 profile over the cells it judges: scenarios pass when each of those cells passed,
 * and each feature of the catalogue is judged on the cells that exercise it (`expected: allow`,
 * see http-features.ts). Undefined when no cell of the run goes through such an entry.
 */
function layer7Profile(catalogue: ProfileCatalogue, scenarios: readonly ScenarioResult[]): ProfileReport | undefined {
  const statistics: Statistics = { Passed: 0, Failed: 0, Skipped: 0 };
  const cells: Statistics = { Passed: 0, Failed: 0, Skipped: 0 };
  const failedTests: string[] = [];
  const skippedTests: string[] = [];
  const byFeature = new Map<string, Statistics>();
  for (const scenario of scenarios) {
    const judged = scenario.cells.filter(isHttpCell).filter(catalogue.judges);
    if (judged.length === 0) continue;
    const probed = judged.filter((c) => !c.skipped);
    if (probed.some((c) => !c.match)) { statistics.Failed++; failedTests.push(scenario.name); }
    else if (probed.length === 0) { statistics.Skipped++; skippedTests.push(scenario.name); }
    else statistics.Passed++;
    if (probed.length > 0 && probed.length < judged.length && !failedTests.includes(scenario.name)) skippedTests.push(scenario.name);
    for (const cell of judged) {
      const outcome = cell.skipped ? "Skipped" : cell.match ? "Passed" : "Failed";
      cells[outcome]++;
      if (cell.expected !== "allow") continue;
      for (const feature of new Set(catalogue.features(cell, scenario.topology))) {
        const counts = byFeature.get(feature) ?? { Passed: 0, Failed: 0, Skipped: 0 };
        counts[outcome]++;
        byFeature.set(feature, counts);
      }
    }
  }
  if (statistics.Passed + statistics.Failed + statistics.Skipped === 0) return undefined;
  const report = (names: readonly string[]) => names.filter((n) => byFeature.has(n)).map((name): FeatureReport => ({ name, result: featureResult(byFeature.get(name)!), cells: byFeature.get(name)! }));
  const levels: Record<FeatureLevel, FeatureReport[]> = { core: report(catalogue.core), extended: report(catalogue.extended) };
  const all = [...levels.core, ...levels.extended];
  const result = statistics.Failed > 0 ? "failure" : statistics.Passed === 0 ? "skipped" : skippedTests.length > 0 ? "partial" : "success";
  return {
    name: catalogue.name, summary: catalogue.summary, result, statistics, cells, failedTests, skippedTests,
    supportedFeatures: all.filter((f) => f.result === "passed").map((f) => f.name).sort(),
    unsupportedFeatures: all.filter((f) => f.result !== "passed").map((f) => f.name).sort(),
    core: levelReport(levels.core),
    ...(catalogue.extended.length > 0 ? { extended: levelReport(levels.extended) } : {}),
    untestedFeatures: [...catalogue.core, ...catalogue.extended].filter((n) => !byFeature.has(n)),
  };
}

export function conformanceReport(results: RunResults, options: ConformanceOptions = {}): ConformanceReport {
  const tags = [...new Set(results.scenarios.flatMap((s) => s.tags))].sort();
  const profiles = [profile("all", "every scenario of the run", results.scenarios)];
  for (const catalogue of [GATEWAY_HTTP, INGRESS_HTTP]) {
    const layer7 = layer7Profile(catalogue, results.scenarios);
    if (layer7) profiles.push(layer7);
  }
  for (const tag of tags) profiles.push(profile(tag, `scenarios tagged '${tag}'`, results.scenarios.filter((s) => s.tags.includes(tag))));
  const untagged = results.scenarios.filter((s) => s.tags.length === 0);
  if (untagged.length) profiles.push(profile("untagged", "scenarios without tags", untagged));
  const all = profiles[0]!;
  const implementation: Implementation = {
    ...(options.implementation?.organization ? { organization: options.implementation.organization } : {}),
    name: options.implementation?.name ?? "unknown",
    version: options.implementation?.version ?? "unknown",
    ...(options.implementation?.url ? { url: options.implementation.url } : {}),
    ...(options.implementation?.contact?.length ? { contact: [...options.implementation.contact] } : {}),
  };
  return {
    apiVersion: "netspec/v1alpha1",
    kind: "ConformanceReport",
    date: (options.date ?? new Date()).toISOString(),
    netspecVersion: results.tool.version,
    implementation,
    provider: results.provider,
    mode: "default",
    runStartedAt: results.startedAt,
    summary: `${all.statistics.Passed} of ${results.scenarios.length} scenarios passed (${all.statistics.Failed} failed, ${all.statistics.Skipped} skipped); ${all.cells.Passed} of ${results.summary.cells} cells passed`,
    profiles,
  };
}

export function renderConformance(results: RunResults, options: ConformanceOptions = {}): string {
  const report = conformanceReport(results, options);
  return `# netspec conformance report (in the spirit of the Gateway API's ConformanceReport)\n${stringify(report, { lineWidth: 0 })}`;
}

export function writeConformance(dir: string, results: RunResults, options: ConformanceOptions = {}): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, "conformance.yaml");
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, renderConformance(results, options));
  renameSync(temporary, path);
  return path;
}
