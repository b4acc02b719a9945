// The scenario's topology as results.json carries it (ScenarioResult.topology): what the HTML
// report shows beside the matrix. Plain data only: no class instances, no functions.
import type { Scenario } from "../scenario/model.js";
import type { ScenarioTopology } from "./results.js";

const record = (value: Partial<Record<string, string>> | undefined): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value ?? {})) if (v !== undefined) out[k] = v;
  return out;
};

export function scenarioTopology(scenario: Scenario): ScenarioTopology {
  return {
    ipFamily: scenario.ipFamily,
    nodes: scenario.nodes.map((n) => ({
      name: n.name, ...(n.zone ? { zone: n.zone } : {}), labels: record(n.labels), podCIDRs: record(n.podCIDRs),
    })),
    namespaces: scenario.namespaces.map((ns) => ({ name: ns.name, labels: record(ns.labels), ...(ns.system ? { system: true } : {}) })),
    pods: scenario.pods.map((p) => ({
      id: p.id, namespace: p.namespace, name: p.name, node: p.node, labels: record(p.labels), ips: record(p.ips),
      ports: p.ports.map((port) => ({ ...(port.name ? { name: port.name } : {}), port: port.port, protocol: port.protocol })),
      ...(p.ready ? {} : { ready: false }), ...(p.hostNetwork ? { hostNetwork: true } : {}), ...(p.system ? { system: true } : {}),
    })),
    services: scenario.services.map((s) => ({
      id: s.id, namespace: s.namespace, name: s.name, type: s.type, ...(s.headless ? { headless: true } : {}),
      ...(s.selector ? { selector: record(s.selector) } : {}), clusterIPs: record(s.clusterIPs),
      ports: s.ports.map((p) => ({
        ...(p.name ? { name: p.name } : {}), port: p.port, protocol: p.protocol, targetPort: p.targetPort,
        ...(p.nodePort ? { nodePort: p.nodePort } : {}),
      })),
      internalTrafficPolicy: s.internalTrafficPolicy, externalTrafficPolicy: s.externalTrafficPolicy,
      ...(s.trafficDistribution ? { trafficDistribution: s.trafficDistribution } : {}),
      ...(s.system ? { system: true } : {}),
    })),
    policies: scenario.manifests
      .filter((m) => !(m.apiVersion === "v1" && m.kind === "Service"))
      .map((m) => ({ apiVersion: m.apiVersion, kind: m.kind, name: m.name, ...(m.namespace ? { namespace: m.namespace } : {}), object: m.object })),
  };
}
