// The HTML report's scenario topology, policies and diagnostics, in the browser: folded details
// under each scenario (inlined by index.ts beside reportClient(); no imports or constants at
// run time, text through textContent only).
import type { ClientKit } from "./client-kit.js";
import type { ScenarioData } from "./data.js";
import { plural } from "./format-client.js";

/** A plain table of text. */
function listTable(kit: ClientKit, parent: HTMLElement, headings: string[], rows: string[][]): void {
  const { el, add } = kit;
  const table = add(parent, el("table", "list"));
  const headRow = add(add(table, el("thead")), el("tr"));
  headings.forEach((heading) => add(headRow, el("th", "", heading)));
  const body = add(table, el("tbody"));
  for (const row of rows) { const tr = add(body, el("tr")); row.forEach((text) => add(tr, el("td", "", text))); }
}

/** `app=api, tier=back`. */
function labelsText(labels: Record<string, string> | undefined): string {
  return Object.entries(labels || {}).map(([key, value]) => `${key}=${value}`).join(", ");
}

/** A pod's or Service's addresses, one per family. */
function addressesText(addresses: Record<string, string>): string {
  return Object.values(addresses).join(", ");
}

/** The cluster as the scenario built it (nodes, namespaces, pods, Services), its policies and other objects, and the cluster's diagnostics. */
export function renderTopology(kit: ClientKit, scenario: ScenarioData, body: HTMLElement): void {
  const { el, add } = kit;
  const topology = scenario.topology;
  if (topology) {
    const details = add(body, el("details", "more topology"));
    const userPods = topology.pods.filter((pod) => !pod.system);
    add(details, el("summary", "", `Topology: ${plural(topology.nodes.length, "node")}, ${plural(topology.namespaces.filter((namespace) => !namespace.system).length, "namespace")}, ${plural(userPods.length, "pod")}, ${plural(topology.services.filter((service) => !service.system).length, "Service")} (${topology.ipFamily})`));
    const grid = add(details, el("div", "topo"));
    const box = (title: string, wide = false) => { const boxed = add(grid, el("div", wide ? "wide" : "")); add(boxed, el("h5", "", title)); return boxed; };
    listTable(kit, box("Nodes"), ["Node", "Zone", "Pod CIDRs"], topology.nodes.map((node) => [node.name, node.zone || "", Object.values(node.podCIDRs).join(", ")]));
    listTable(kit, box("Namespaces"), ["Namespace", "Labels"], topology.namespaces.map((namespace) => [namespace.name + (namespace.system ? " (system)" : ""), labelsText(namespace.labels)]));
    listTable(kit, box("Pods", true), ["Pod", "Node", "IPs", "Ports", "Labels"], topology.pods.map((pod) => [
      pod.id + (pod.system ? " (system)" : "") + (pod.ready === false ? " (not ready)" : "") + (pod.hostNetwork ? " (hostNetwork)" : ""),
      pod.node, addressesText(pod.ips), pod.ports.map((port) => `${port.name ? `${port.name}:` : ""}${port.port}/${port.protocol}`).join(", "), labelsText(pod.labels),
    ]));
    if (topology.services.length) {
      listTable(kit, box("Services", true), ["Service", "Type", "Cluster IPs", "Ports", "Selector", "Traffic"], topology.services.map((service) => [
        service.id + (service.system ? " (system)" : ""), service.headless ? `${service.type} (headless)` : service.type, addressesText(service.clusterIPs),
        service.ports.map((port) => `${port.name ? `${port.name}:` : ""}${port.port}→${port.targetPort}/${port.protocol}${port.nodePort ? ` (node ${port.nodePort})` : ""}`).join(", "),
        service.selector ? labelsText(service.selector) : "(none)",
        [
          service.internalTrafficPolicy && service.internalTrafficPolicy !== "Cluster" ? `internal: ${service.internalTrafficPolicy}` : "",
          service.externalTrafficPolicy && service.externalTrafficPolicy !== "Cluster" && service.type !== "ClusterIP" ? `external: ${service.externalTrafficPolicy}` : "",
          service.trafficDistribution ? `distribution: ${service.trafficDistribution}` : "",
        ].filter(Boolean).join(", "),
      ]));
    }
    const policies = add(body, el("details", "more policies"));
    add(policies, el("summary", "", `Policies and other objects: ${topology.policies.length}`));
    if (!topology.policies.length) add(policies, el("div", "empty", "None: every pod is open (no NetworkPolicy selects it)."));
    for (const policy of topology.policies) {
      add(policies, el("h5", "", `${policy.kind} ${policy.namespace ? `${policy.namespace}/` : ""}${policy.name}`));
      add(policies, el("pre", "", policy.yaml));
    }
  }
  if (scenario.diagnostics) {
    const details = add(body, el("details", "more diagnostics"));
    add(details, el("summary", "", `Diagnostics from the cluster (${Object.keys(scenario.diagnostics).length})`));
    for (const [name, text] of Object.entries(scenario.diagnostics)) { add(details, el("h5", "", name)); add(details, el("pre", "", text)); }
  }
}

/** Every function above, in the order index.ts inlines them. */
export const TOPOLOGY_CLIENT = [listTable, labelsText, addressesText, renderTopology] as const;
