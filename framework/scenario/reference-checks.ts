// Checks that every reference in `probe.from` and `expect.rules` names something declared.
import { canonicalName, inClusterZone, isSrvName, parseClusterName, resolverCandidates, type ClusterName } from "./dns-names.js";
import type { Diagnostics } from "./diagnostics.js";
import type { Scenario, SourcePos } from "./model.js";
import { formatReference, parseReference, resolvePods } from "./references.js";
import type { Reference } from "./schema.js";
import { hint } from "./suggest.js";
import type { Locator, Path } from "./yaml-source.js";

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
    if (rule.backends !== undefined && typeof rule.to === "string" && !rule.to.startsWith("svc/") && !rule.to.startsWith("dns/")) {
      diags.error(at.at([...path, "backends"]), "'backends' applies to Services only; 'to' must be svc/ns/name or dns/name.ns");
    }
  });
}

function checkReference(scenario: Scenario, ref: Reference, path: Path, at: Locator, diags: Diagnostics, allowed: "pods" | "any"): void {
  const parsed = parseReference(ref);
  const pos = at.at(path);
  if (typeof parsed === "string") { diags.error(pos, parsed); return; }
  if (allowed === "pods" && parsed.kind !== "pods" && parsed.kind !== "selector") {
    diags.error(pos, `'${formatReference(ref)}' cannot be a source: connections start from pods (ns/pod, a glob or a label selector)`);
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
    default:
      return;
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
