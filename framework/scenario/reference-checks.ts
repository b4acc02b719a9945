// Checks that every reference in `probe.from` and `expect.rules` names something declared.
import type { Diagnostics } from "./diagnostics.js";
import type { Scenario } from "./model.js";
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
    case "dns":
    case "service": {
      if (parsed.kind === "dns" && parsed.namespace === undefined) {
        // A relative name: it must name a Service in some namespace (each client resolves it in its own).
        if (!scenario.services.some((s) => !s.system && s.name === parsed.name)) {
          const services = [...new Set(scenario.services.filter((s) => !s.system).map((s) => s.name))];
          diags.error(pos, `no Service is named '${parsed.name}' in any namespace (dns/NAME resolves in the client's own namespace)${hint(parsed.name, services, "Services")}`);
        }
        return;
      }
      const found = scenario.services.some((s) => s.namespace === parsed.namespace && s.name === parsed.name);
      if (!found) {
        const services = scenario.services.filter((s) => !s.system).map((s) => `${s.namespace}/${s.name}`);
        diags.error(pos, `Service '${parsed.namespace}/${parsed.name}' is not declared${hint(`${parsed.namespace}/${parsed.name}`, services, "Services")}`);
      }
      return;
    }
    default:
      return;
  }
}
