// Checks that every reference in `probe.from` and `expect.rules` names something declared.
import { canonicalName, inClusterZone, isSrvName, parseClusterName, resolverCandidates, type ClusterName } from "./dns-names.js";
import type { Diagnostics } from "./diagnostics.js";
import { familyOf } from "../kube/net.js";
import { resolveClients } from "./clients.js";
import type { Scenario, SourcePos } from "./model.js";
import { formatReference, globToRegExp, parseReference, resolvePods, type NorthSouthKind, type ParsedReference } from "./references.js";
import type { Reference } from "./schema.js";
import { hint } from "./suggest.js";
import type { Locator, Path } from "./yaml-source.js";

const SERVICE_TARGET_PREFIXES = ["svc/", "dns/", "nodeport/", "loadbalancer/", "externalip/"];

export function checkReferences(scenario: Scenario, at: Locator, diags: Diagnostics): void {
  // The default probe.from ("*") is not the user's text: an empty scenario is not a mistake.
  if (scenario.probe.fromDeclared) {
    scenario.probe.from.forEach((ref, i) => checkReference(scenario, ref, ["probe", "from", i], at, diags, "pods"));
  }
  scenario.expect.rules.forEach((rule, i) => {
    const path = ["expect", "rules", i];
    checkReference(scenario, rule.from, [...path, "from"], at, diags, "pods");
    checkReference(scenario, rule.to, [...path, "to"], at, diags, "any");
    (rule.backends ?? []).forEach((backend, b) => {
      const pods = scenario.pods.map((p) => p.id);
      if (!pods.includes(backend)) {
        diags.error(at.at([...path, "backends", b]), `backend '${backend}' is not a declared pod (write ns/pod)${hint(backend, pods, "pods")}`);
      }
    });
    const throughService = typeof rule.to === "string" && SERVICE_TARGET_PREFIXES.some((p) => (rule.to as string).startsWith(p));
    if (rule.backends !== undefined && !throughService) {
      diags.error(at.at([...path, "backends"]), "'backends' applies to Services only; 'to' must be svc/ns/name, dns/name.ns, nodeport/…, loadbalancer/… or externalip/…");
    }
    if (rule.clientAddress !== undefined && !throughService) {
      diags.error(at.at([...path, "clientAddress"]), "'clientAddress' is what a Service's backend sees; 'to' must be svc/ns/name, dns/name.ns, nodeport/…, loadbalancer/… or externalip/…");
    }
  });
}

function checkReference(scenario: Scenario, ref: Reference, path: Path, at: Locator, diags: Diagnostics, allowed: "pods" | "any"): void {
  const parsed = parseReference(ref);
  const pos = at.at(path);
  if (typeof parsed === "string") { diags.error(pos, parsed); return; }
  const source = parsed.kind === "pods" || parsed.kind === "selector" || parsed.kind === "node" || parsed.kind === "external";
  if (allowed === "pods" && !source) {
    diags.error(pos, `'${formatReference(ref)}' cannot be a source: connections start from pods (ns/pod, a glob or a label selector), nodes (node/NAME) or external clients (external, external/IP)`);
    return;
  }
  if (allowed === "any" && (parsed.kind === "node" || parsed.kind === "external")) {
    diags.error(pos, `'${formatReference(ref)}' is a source, not a target; a node's ports are reached as nodeport/NAMESPACE/NAME, an address outside the cluster as ip/… or cidr/…`);
    return;
  }
  if (parsed.kind === "dns") { checkDnsReference(scenario, parsed.name, pos, diags); return; }
  const namespaces = scenario.namespaces.map((n) => n.name);
  const namespace = "namespace" in parsed ? parsed.namespace : undefined;
  if (namespace !== undefined && !namespaces.includes(namespace)) {
    diags.error(pos, `'${formatReference(ref)}': namespace '${namespace}' is not declared${hint(namespace, namespaces)}`);
    return;
  }
  switch (parsed.kind) {
    case "pods": {
      if (resolvePods(scenario, parsed).length > 0) return;
      const names = scenario.pods.filter((p) => namespace === undefined || p.namespace === namespace).map((p) => p.id);
      const text = formatReference(ref);
      if (parsed.glob.includes("*")) diags.warning(pos, `'${text}' matches no pod`);
      else diags.error(pos, `pod '${text}' is not declared${hint(text, names, "pods")}`);
      return;
    }
    case "selector":
      if (resolvePods(scenario, parsed).length === 0) diags.warning(pos, `'${formatReference(ref)}' matches no pod`);
      return;
    case "service": {
      const problem = missingService(scenario, parsed.namespace, parsed.name);
      if (problem) diags.error(pos, problem);
      return;
    }
    case "node": {
      const names = scenario.nodes.map((n) => n.name);
      if (resolveClients(scenario, parsed).length > 0) return;
      if (parsed.glob.includes("*")) diags.warning(pos, `'${formatReference(ref)}' matches no node`);
      else diags.error(pos, `node '${parsed.glob}' is not declared${hint(parsed.glob, names, "nodes")}`);
      return;
    }
    case "external":
      if (parsed.ip !== undefined && !scenario.families.includes(familyOf(parsed.ip)!)) {
        diags.error(pos, `'${formatReference(ref)}' is ${familyOf(parsed.ip)}, but the cluster's families are ${scenario.families.join(", ")}`);
      }
      return;
    case "nodeport":
    case "loadbalancer":
    case "externalip":
      checkNorthSouth(scenario, parsed, pos, diags);
      return;
    case "hostport": {
      const pattern = globToRegExp(parsed.glob);
      const pods = scenario.pods.filter((p) => p.namespace === parsed.namespace && pattern.test(p.name));
      if (pods.length === 0) diags.error(pos, `'${formatReference(ref)}' names no pod`);
      else if (!pods.some((p) => !p.hostNetwork && p.ports.some((q) => q.hostPort !== undefined))) {
        diags.error(pos, `'${formatReference(ref)}': no such pod declares a hostPort (a hostNetwork pod is reached as ns/pod)`);
      }
      return;
    }
    default:
      return;
  }
}

/** A north-south target names a Service that has what the kind needs: node ports, a load balancer, external IPs. */
function checkNorthSouth(scenario: Scenario, ref: Extract<ParsedReference, { kind: NorthSouthKind }>, pos: SourcePos, diags: Diagnostics): void {
  const id = `${ref.namespace}/${ref.name}`;
  const svc = scenario.services.find((s) => !s.system && s.id === id);
  if (!svc) { diags.error(pos, missingService(scenario, ref.namespace, ref.name)!); return; }
  if (ref.kind === "nodeport") {
    if (!svc.ports.some((p) => p.nodePort !== undefined)) {
      diags.error(pos, `Service ${id} has no node port: it is type ${svc.type}${svc.type === "LoadBalancer" ? " with allocateLoadBalancerNodePorts: false" : ""} (node ports come with type NodePort or LoadBalancer)`);
    }
    if (ref.node !== undefined && !scenario.nodes.some((n) => n.name === ref.node)) {
      const names = scenario.nodes.map((n) => n.name);
      diags.error(pos, `node '${ref.node}' is not declared${hint(ref.node, names, "nodes")}`);
    }
  } else if (ref.kind === "loadbalancer" && svc.type !== "LoadBalancer") {
    diags.error(pos, `Service ${id} is type ${svc.type}: only a type LoadBalancer Service has a load-balancer address`);
  } else if (ref.kind === "externalip" && svc.externalIPs.length === 0) {
    diags.error(pos, `Service ${id} has no spec.externalIPs`);
  }
}

/**
 * A `dns/` name must name something the scenario declares, for some client: among the names a
 * pod's search path completes it to (its own namespace's first), a Service (with the named
 * port, for SRV), an endpoint of one, a pod record of a declared namespace; or, outside the
 * cluster's zone, a name of cluster.upstreamDNS. Whether a hostname or pod address answers is
 * the oracle's to say (a dns-error cell), not a mistake in the reference.
 */
function checkDnsReference(scenario: Scenario, name: string, pos: SourcePos, diags: Diagnostics): void {
  const namespaces = scenario.namespaces.map((n) => n.name);
  const everyClient = [...new Set(namespaces.flatMap((ns) => resolverCandidates(name, ns)))];
  const forms = everyClient.map(parseClusterName).filter((f) => f !== undefined);
  if (forms.some((form) => declaredProblem(scenario, form) === undefined)) return;
  // The names it stands for whatever the client's namespace, the fullest first (as written,
  // then completed by `cluster.local`, then by `svc.cluster.local`): what the user most likely meant.
  const spelled = resolverCandidates(name).sort((a, b) => a.length - b.length);
  const outside = spelled.find((candidate) => !inClusterZone(candidate));
  const upstream = scenario.upstreamDns.map((u) => u.name);
  if (outside !== undefined && upstream.includes(canonicalName(outside))) return;
  const explicit = spelled.map(parseClusterName).find((f) => f !== undefined);
  const ref = `'dns/${name}'`;
  // A name that spells no record explicitly (no SRV labels, no svc or pod label, not in the zone) may have been meant for upstream.
  const clusterLike = isSrvName(name) || /(^|\.)(svc|pod)(\.|$)/.test(name) || inClusterZone(canonicalName(name));
  const orUpstream = clusterLike ? "" : `; nor is ${canonicalName(name)} a name of cluster.upstreamDNS`;
  if (explicit) { diags.error(pos, `${ref} (${FORM_TEXT[explicit.kind]}): ${declaredProblem(scenario, explicit)}${orUpstream}`); return; }
  const own = forms[0];
  if (own && own.kind !== "pod") {
    const services = [...new Set(scenario.services.filter((s) => !s.system).map((s) => s.name))];
    const resolves = `(dns/${name} resolves in the client's own namespace)`;
    if (own.kind === "srv" && services.includes(own.service)) {
      diags.error(pos, `no Service named '${own.service}' has a port named '${own.port}' (${own.protocol}) in any namespace ${resolves}`);
    } else {
      diags.error(pos, `no Service is named '${own.service}' in any namespace ${resolves}${hint(own.service, services, "Services")}${orUpstream}`);
    }
    return;
  }
  const absolute = name.endsWith(".") ? " (a trailing dot makes it absolute: no search path completes it)" : "";
  diags.error(pos, `${ref} names no record of the cluster's zone${absolute} and is not a name of cluster.upstreamDNS${upstream.length > 0 ? hint(canonicalName(name), upstream, "upstream names") : ""}`);
}

/** How each record form is written, for messages. */
const FORM_TEXT: Readonly<Record<ClusterName["kind"], string>> = {
  service: "SERVICE.NAMESPACE.svc",
  srv: "_PORT._PROTO.SERVICE.NAMESPACE.svc",
  endpoint: "HOSTNAME.SERVICE.NAMESPACE.svc",
  pod: "A-B-C-D.NAMESPACE.pod",
};

/** Why a record form names nothing declared, or undefined when it does. */
function declaredProblem(scenario: Scenario, form: ClusterName): string | undefined {
  if (!scenario.namespaces.some((n) => n.name === form.namespace)) {
    return `namespace '${form.namespace}' is not declared${hint(form.namespace, scenario.namespaces.map((n) => n.name))}`;
  }
  if (form.kind === "pod") return undefined;
  const missing = missingService(scenario, form.namespace, form.service);
  if (missing || form.kind !== "srv") return missing;
  const svc = scenario.services.find((s) => s.namespace === form.namespace && s.name === form.service)!;
  if (svc.ports.some((p) => p.name === form.port && p.protocol === form.protocol)) return undefined;
  const named = svc.ports.filter((p) => p.name).map((p) => `${p.name} (${p.protocol})`);
  return `Service ${svc.id} has no port named '${form.port}' with protocol ${form.protocol} (SRV records exist for named ports only, kubernetes/dns specification 2.3.2)${named.length ? `; its named ports: ${named.join(", ")}` : ""}`;
}

function missingService(scenario: Scenario, namespace: string, name: string): string | undefined {
  if (scenario.services.some((s) => s.namespace === namespace && s.name === name)) return undefined;
  const services = scenario.services.filter((s) => !s.system).map((s) => `${s.namespace}/${s.name}`);
  return `Service '${namespace}/${name}' is not declared${hint(`${namespace}/${name}`, services, "Services")}`;
}
