// Test helper (not a test file): a scenario of one pod `app/a` and Services s0, s1, … whose
// specs add the given fields (selector app=a, port 80), and optionally cluster and trailing text.

/** Scenario text; `services[i]` is extra Service spec fields (YAML flow), `extra` goes after `resources:`. */
export function servicesScenario(services: readonly string[], options: { cluster?: string; extra?: string } = {}): string {
  return `
apiVersion: netspec/v1alpha1
kind: Scenario
metadata: { name: t }
${options.cluster ?? ""}
namespaces: [ { name: app } ]
pods:
  - { name: a, namespace: app, labels: { app: a }, ports: [ { name: http, port: 80 } ] }
resources:
${services.map((spec, i) => `  - apiVersion: v1
    kind: Service
    metadata: { name: s${i}, namespace: app }
    spec: { selector: { app: a }, ports: [ { port: 80 } ]${spec ? `, ${spec}` : ""} }`).join("\n")}
${options.extra ?? ""}`;
}
