// Generated clusters for the oracle benchmark: `pods` pods in namespaces of ~100, five apps per
// namespace, two ports each, dual-stack, with policies proportional to the size: a default
// deny per namespace, an allow-from-same-app rule per app, a cross-namespace rule on one app,
// an egress ipBlock, plus one AdminNetworkPolicy and a BaselineAdminNetworkPolicy.
import { stringify } from "yaml";

export function generateScenarioYaml(pods: number): string {
  const perNamespace = 100;
  const namespaces = Math.max(1, Math.ceil(pods / perNamespace));
  const nodes = Math.max(2, Math.ceil(pods / 200));
  const apps = ["web", "api", "db", "cache", "worker"];
  const resources: object[] = [];
  const podSpecs: object[] = [];
  for (let n = 0; n < namespaces; n++) {
    const ns = `ns-${n}`;
    const count = Math.min(perNamespace, pods - n * perNamespace);
    apps.forEach((app, a) => {
      const replicas = Math.floor(count / apps.length) + (a < count % apps.length ? 1 : 0);
      if (replicas === 0) return;
      podSpecs.push({
        name: app, namespace: ns, labels: { app, tier: a < 2 ? "front" : "back" }, replicas,
        ports: [{ name: "http", port: 80 }, { name: "metrics", port: 9090 }],
      });
      resources.push({
        apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: `${app}-same-app`, namespace: ns },
        spec: { podSelector: { matchLabels: { app } }, ingress: [{ from: [{ podSelector: { matchLabels: { app } } }], ports: [{ port: "http" }] }] },
      });
    });
    resources.push({
      apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "default-deny", namespace: ns },
      spec: { podSelector: {}, policyTypes: ["Ingress"] },
    });
    resources.push({
      apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "api-from-front", namespace: ns },
      spec: {
        podSelector: { matchLabels: { app: "api" } },
        ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: ["ns-0", `ns-${(n + 1) % namespaces}`] }] }, podSelector: { matchLabels: { tier: "front" } } }], ports: [{ port: 80 }, { port: 9090, endPort: 9099 }] }],
      },
    });
    resources.push({
      apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "db-egress", namespace: ns },
      spec: { podSelector: { matchLabels: { app: "db" } }, policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: "10.244.0.0/16", except: ["10.244.1.0/24"] } }, { ipBlock: { cidr: "fd00:10:244::/56" } }] }] },
    });
  }
  resources.push({
    apiVersion: "policy.networking.k8s.io/v1alpha1", kind: "AdminNetworkPolicy", metadata: { name: "protect-metrics" },
    spec: {
      priority: 10, subject: { namespaces: {} },
      ingress: [
        { name: "monitoring", action: "Allow", from: [{ pods: { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ns-0" } }, podSelector: { matchLabels: { app: "worker" } } } }], ports: [{ portNumber: { port: 9090 } }] },
        { name: "no-metrics", action: "Deny", from: [{ namespaces: {} }], ports: [{ namedPort: "metrics" }] },
      ],
    },
  });
  resources.push({
    apiVersion: "policy.networking.k8s.io/v1alpha1", kind: "BaselineAdminNetworkPolicy", metadata: { name: "default" },
    spec: { subject: { namespaces: {} }, ingress: [{ action: "Deny", from: [{ namespaces: { matchLabels: { "kubernetes.io/metadata.name": "ns-1" } } }] }] },
  });
  return stringify({
    apiVersion: "netspec/v1alpha1", kind: "Scenario",
    metadata: { name: `generated-${pods}` },
    cluster: { ipFamily: "dual", nodes: Array.from({ length: nodes }, (_, i) => ({ name: `node-${i}`, zone: `zone-${i % 3}` })) },
    namespaces: Array.from({ length: namespaces }, (_, n) => ({ name: `ns-${n}`, labels: { env: n % 2 ? "prod" : "dev" } })),
    pods: podSpecs,
    resources,
    probe: { to: ["pods"] },
  });
}
