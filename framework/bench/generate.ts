// Generated clusters for the oracle benchmark (framework/bench/oracle-bench.ts):
//  - generateScenarioYaml(pods): `pods` pods in namespaces of ~100, five apps per namespace, two
//    ports each, dual-stack, with policies proportional to the size: a default deny per
//    namespace, an allow-from-same-app rule per app, a cross-namespace rule on one app, an egress
//    ipBlock, plus one AdminNetworkPolicy and a BaselineAdminNetworkPolicy;
//  - generateIdentityScenarioYaml(): 5,000 pods with ~3,000 distinct identities, 250 policies;
//  - generateClusterScenarioYaml(): 50,000 pods on 500 nodes, 2,000 policies, an ANP and a BANP.
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

const NETWORK_POLICY = { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy" } as const;
const ADMIN_API = "policy.networking.k8s.io/v1alpha1";
const METRICS_PORTS = [{ name: "http", port: 80 }, { name: "metrics", port: 9090 }];
const nameIn = (...names: string[]) => ({ matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: names }] });

/**
 * Many identities: 50 namespaces x 100 pods (5,000), dual-stack, 25 nodes, 250 NetworkPolicies.
 * Each namespace has 5 apps x 6 shards of 3-4 replicas, and policies select on the shard; an
 * ipBlock that excepts the even nodes' pod CIDRs splits every shard by node parity (replicas are
 * spread round-robin over the nodes), so there are ~3,000 distinct identities.
 */
export function generateIdentityScenarioYaml(): string {
  const namespaces = 50;
  const nodes = 25;
  const apps = ["web", "api", "db", "cache", "worker"];
  const shards = 6;
  const perNamespace = 100;
  const evenNodes = Array.from({ length: Math.ceil(nodes / 2) }, (_, i) => `10.244.${2 * i}.0/24`);
  const oddNodesBlock = { ipBlock: { cidr: "10.244.0.0/16", except: evenNodes } };
  const podSpecs: object[] = [];
  const resources: object[] = [];
  for (let n = 0; n < namespaces; n++) {
    const ns = `ns-${n}`;
    const groups = apps.length * shards;
    apps.forEach((app, a) => {
      for (let s = 0; s < shards; s++) {
        const g = a * shards + s;
        const replicas = Math.floor(perNamespace / groups) + (g < perNamespace % groups ? 1 : 0);
        podSpecs.push({
          name: `${app}-s${s}`, namespace: ns, replicas, ports: METRICS_PORTS,
          labels: { app, tier: a < 2 ? "front" : "back", shard: `s${s}` },
        });
      }
    });
    const policy = (name: string, spec: object) => resources.push({ ...NETWORK_POLICY, metadata: { name, namespace: ns }, spec });
    policy("default-deny", { podSelector: {}, policyTypes: ["Ingress"] });
    policy("team-front-http", {
      podSelector: {},
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: `t${n % 5}` } }, podSelector: { matchLabels: { tier: "front" } } }], ports: [{ port: "http" }] }],
    });
    policy("api-from-front", {
      podSelector: { matchLabels: { app: "api" } },
      ingress: [{
        from: [{ namespaceSelector: nameIn("ns-0", `ns-${(n + 1) % namespaces}`), podSelector: { matchLabels: { tier: "front" } } }],
        ports: [{ port: 80 }, { port: 9090, endPort: 9099 }],
      }],
    });
    policy("canary-shards", {
      podSelector: { matchExpressions: [{ key: "shard", operator: "In", values: ["s0", "s1"] }] },
      ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: "shard", operator: "In", values: ["s0", "s1"] }] } }, oddNodesBlock], ports: [{ port: "metrics" }] }],
    });
    policy("db-egress", {
      podSelector: { matchLabels: { app: "db" } }, policyTypes: ["Egress"],
      egress: [
        { to: [oddNodesBlock, { ipBlock: { cidr: "fd00:10:244::/56" } }] },
        { to: [{ namespaceSelector: {}, podSelector: { matchExpressions: [{ key: "shard", operator: "NotIn", values: ["s5"] }, { key: "app", operator: "In", values: ["cache"] }] } }], ports: [{ port: 80 }] },
      ],
    });
  }
  return stringify({
    apiVersion: "netspec/v1alpha1", kind: "Scenario",
    metadata: { name: "generated-identities-5000" },
    cluster: { ipFamily: "dual", nodes: Array.from({ length: nodes }, (_, i) => ({ name: `node-${i}`, zone: `zone-${i % 3}` })) },
    namespaces: Array.from({ length: namespaces }, (_, n) => ({ name: `ns-${n}`, labels: { env: n % 2 ? "prod" : "dev", team: `t${n % 5}` } })),
    pods: podSpecs,
    resources,
    probe: { to: ["pods"] },
  }, { aliasDuplicateObjects: false });
}

/**
 * A cluster-sized policy set: 500 namespaces x 10 apps x 10 replicas (50,000 pods) on 500 nodes,
 * IPv4, 2,000 NetworkPolicies, an AdminNetworkPolicy (Allow, Pass, Deny by named port; an egress
 * Deny towards canaries) and a BaselineAdminNetworkPolicy (egress Deny to a network, Allow
 * otherwise). In every tenth namespace one replica of app-1 is a canary (version=v2, selected
 * by policies); the BANP's network splits the apps whose replicas straddle its boundary.
 * `admin` says in which kinds the two cluster-wide policies are written: the v1alpha1 ANP and
 * BANP, the same rules as Admin- and Baseline-tier ClusterNetworkPolicies, or both (each tier
 * then holds two kinds, which the oracle evaluates in both orders).
 */
export function generateClusterScenarioYaml(admin: "v1alpha1" | "cnp" | "both" = "v1alpha1"): string {
  const namespaces = 500;
  const nodes = 500;
  const apps = 10;
  const replicas = 10;
  const podSpecs: object[] = [];
  const resources: object[] = [];
  for (let n = 0; n < namespaces; n++) {
    const ns = `ns-${n}`;
    for (let a = 0; a < apps; a++) {
      const labels = { app: `app-${a}`, version: "v1" };
      const canary = a === 1 && n % 10 === 0;
      podSpecs.push({ name: `app-${a}`, namespace: ns, labels, replicas: canary ? replicas - 1 : replicas, ports: METRICS_PORTS });
      if (canary) podSpecs.push({ name: `app-${a}-canary`, namespace: ns, labels: { ...labels, version: "v2" }, ports: METRICS_PORTS });
    }
    const policy = (name: string, spec: object) => resources.push({ ...NETWORK_POLICY, metadata: { name, namespace: ns }, spec });
    policy("default-deny", { podSelector: {}, policyTypes: ["Ingress"] });
    policy("same-namespace-http", { podSelector: {}, ingress: [{ from: [{ podSelector: {} }], ports: [{ port: "http" }] }] });
    policy("app-1-from-team", {
      podSelector: { matchLabels: { app: "app-1" } },
      ingress: [{
        from: [{ namespaceSelector: { matchLabels: { team: `t${n % 50}` } }, podSelector: { matchExpressions: [{ key: "app", operator: "In", values: ["app-0", "app-2"] }] } }],
        ports: [{ port: 80 }, { port: 9090, endPort: 9099 }],
      }],
    });
    policy("canary-egress", {
      podSelector: { matchLabels: { version: "v2" } }, policyTypes: ["Egress"],
      egress: [
        { to: [{ namespaceSelector: {}, podSelector: { matchExpressions: [{ key: "app", operator: "NotIn", values: ["app-9"] }] } }], ports: [{ port: "http" }] },
        { to: [{ ipBlock: { cidr: "10.240.0.0/12", except: ["10.240.0.0/16"] } }] },
      ],
    });
  }
  const guardrails = {
    ingress: [
      { name: "monitoring", action: "Allow", from: [{ pods: { namespaceSelector: nameIn("ns-0"), podSelector: { matchLabels: { app: "app-9" } } } }], ports: [{ portNumber: { port: 9090 } }] },
      { name: "canaries-to-namespaces", action: "Pass", from: [{ pods: { namespaceSelector: {}, podSelector: { matchLabels: { version: "v2" } } } }] },
      { name: "no-metrics", action: "Deny", from: [{ namespaces: {} }], ports: [{ namedPort: "metrics" }] },
    ],
    egress: [
      { name: "no-dev-canary-metrics", action: "Deny", to: [{ pods: { namespaceSelector: { matchLabels: { env: "dev" } }, podSelector: { matchLabels: { version: "v2" } } } }], ports: [{ portNumber: { port: 9090 } }] },
    ],
  };
  const baseline = {
    egress: [
      { name: "no-legacy-nodes", action: "Deny", to: [{ networks: ["10.240.0.0/16"] }], ports: [{ portRange: { start: 9000, end: 9999 } }] },
      { name: "allow-rest", action: "Allow", to: [{ namespaces: {} }] },
    ],
  };
  if (admin !== "cnp") {
    resources.push({ apiVersion: ADMIN_API, kind: "AdminNetworkPolicy", metadata: { name: "cluster-guardrails" }, spec: { priority: 10, subject: { namespaces: {} }, ...guardrails } });
    resources.push({ apiVersion: ADMIN_API, kind: "BaselineAdminNetworkPolicy", metadata: { name: "default" }, spec: { subject: { namespaces: {} }, ...baseline } });
  }
  if (admin !== "v1alpha1") {
    resources.push(clusterNetworkPolicy("cluster-guardrails", "Admin", guardrails));
    resources.push(clusterNetworkPolicy("baseline", "Baseline", baseline));
  }
  return stringify({
    apiVersion: "netspec/v1alpha1", kind: "Scenario",
    metadata: { name: "generated-cluster-50000" },
    cluster: {
      ipFamily: "ipv4", podSubnet: "10.240.0.0/12",
      nodes: Array.from({ length: nodes }, (_, i) => ({ name: `node-${i}`, zone: `zone-${i % 5}` })),
    },
    namespaces: Array.from({ length: namespaces }, (_, n) => ({ name: `ns-${n}`, labels: { env: n % 2 ? "prod" : "dev", team: `t${n % 50}` } })),
    pods: podSpecs,
    resources,
    probe: { to: ["pods"] },
  }, { aliasDuplicateObjects: false });
}

type AdminRules = { ingress?: { action: string; ports?: object[] }[]; egress?: { action: string; ports?: object[] }[] };

/** The same rules as a ClusterNetworkPolicy: Allow is Accept, `ports` are `protocols`. */
function clusterNetworkPolicy(name: string, tier: "Admin" | "Baseline", rules: AdminRules): object {
  const protocol = (port: { portNumber?: { port: number }; portRange?: { start: number; end: number }; namedPort?: string }) =>
    port.namedPort ? { destinationNamedPort: port.namedPort }
      : port.portRange ? { tcp: { destinationPort: { range: port.portRange } } }
        : { tcp: { destinationPort: { number: port.portNumber!.port } } };
  const convert = (list: AdminRules["ingress"]) => list?.map(({ ports, ...rule }) => ({
    ...rule, action: rule.action === "Allow" ? "Accept" : rule.action,
    ...(ports ? { protocols: ports.map((p) => protocol(p as Parameters<typeof protocol>[0])) } : {}),
  }));
  return {
    apiVersion: "policy.networking.k8s.io/v1alpha2", kind: "ClusterNetworkPolicy", metadata: { name },
    spec: { tier, priority: 10, subject: { namespaces: {} }, ...(rules.ingress ? { ingress: convert(rules.ingress) } : {}), ...(rules.egress ? { egress: convert(rules.egress) } : {}) },
  };
}
