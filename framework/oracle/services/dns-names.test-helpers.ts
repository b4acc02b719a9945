// Test helper (not a test file): one scenario holding every DNS form the oracle answers, and a
// one-line summary of what a name resolves to, for the lookup and answer tables.
import type { Family } from "../../kube/net.js";
import { scenarioFromYaml } from "../../scenario/build.js";
import type { DnsTarget } from "../../scenario/target.js";
import type { NameAnswer } from "./dns-answers.js";

// Pods spread over node-a (10.244.0.x) and node-b (10.244.1.x) in declaration order.
export const dnsWorld = scenarioFromYaml(`
apiVersion: netspec/v1alpha1
kind: Scenario
metadata: { name: dns-world }
cluster:
  ipFamily: dual
  upstreamDNS: [ { name: db.example.com, addresses: [192.0.2.10, "2001:db8::10"] } ]
namespaces: [ { name: shop }, { name: ops } ]
pods:
  - { name: web, namespace: shop, labels: { app: web }, node: node-a }
  - { name: api, namespace: shop, labels: { app: api }, replicas: 2, ports: [ { name: http, port: 8080 } ] }
  - { name: db-0, namespace: shop, labels: { app: db }, node: node-a, hostname: db-0, subdomain: db, ports: [ { name: pg, port: 5432 } ] }
  - { name: db-1, namespace: shop, labels: { app: db }, node: node-b, hostname: db-1, subdomain: elsewhere, ports: [ { name: pg, port: 5432 } ] }
  - { name: cache-0, namespace: shop, labels: { app: cache }, hostname: cache-0, subdomain: cache, ready: false }
  - { name: front-0, namespace: shop, labels: { app: front }, hostname: front-0, subdomain: front, ports: [ { port: 80 } ] }
  - { name: shadow, namespace: shop, labels: { app: shadow }, hostname: api, subdomain: ops, ports: [ { port: 80 } ] }
  - { name: tool, namespace: ops, labels: { app: api }, ports: [ { port: 80 } ] }
resources:
  - { apiVersion: v1, kind: Service, metadata: { name: api, namespace: shop }, spec: { selector: { app: api }, ports: [ { name: http, port: 80, targetPort: http } ] } }
  - { apiVersion: v1, kind: Service, metadata: { name: api, namespace: ops }, spec: { selector: { app: api }, ports: [ { port: 80 } ] } }
  - { apiVersion: v1, kind: Service, metadata: { name: db, namespace: shop }, spec: { clusterIP: None, ipFamilyPolicy: PreferDualStack, selector: { app: db }, ports: [ { name: pg, port: 5432 } ] } }
  - { apiVersion: v1, kind: Service, metadata: { name: db-alt, namespace: shop }, spec: { clusterIP: None, selector: { app: db }, ports: [ { name: pg, port: 15432, targetPort: 5432 } ] } }
  - { apiVersion: v1, kind: Service, metadata: { name: cache, namespace: shop }, spec: { clusterIP: None, selector: { app: cache }, ports: [ { name: redis, port: 6379 } ] } }
  - { apiVersion: v1, kind: Service, metadata: { name: front, namespace: shop }, spec: { selector: { app: front }, ports: [ { port: 80 } ] } }
  - { apiVersion: v1, kind: Service, metadata: { name: ops, namespace: shop }, spec: { clusterIP: None, selector: { app: shadow }, ports: [ { port: 80 } ] } }
  - { apiVersion: v1, kind: Service, metadata: { name: ext, namespace: shop }, spec: { type: ExternalName, externalName: db.example.com., ports: [ { name: pg, port: 5432 } ] } }
  - { apiVersion: v1, kind: Service, metadata: { name: alias, namespace: shop }, spec: { type: ExternalName, externalName: api.shop.svc.cluster.local } }
  - { apiVersion: v1, kind: Service, metadata: { name: chain, namespace: shop }, spec: { type: ExternalName, externalName: ext.shop.svc.cluster.local } }
  - { apiVersion: v1, kind: Service, metadata: { name: literal, namespace: shop }, spec: { type: ExternalName, externalName: 192.0.2.10 } }
  - { apiVersion: v1, kind: Service, metadata: { name: partner, namespace: shop }, spec: { type: ExternalName, externalName: partner.example.org } }
  - { apiVersion: v1, kind: Service, metadata: { name: loop-a, namespace: shop }, spec: { type: ExternalName, externalName: loop-b.shop.svc.cluster.local } }
  - { apiVersion: v1, kind: Service, metadata: { name: loop-b, namespace: shop }, spec: { type: ExternalName, externalName: loop-a.shop.svc.cluster.local } }
  - { apiVersion: v1, kind: Service, metadata: { name: gone, namespace: shop }, spec: { type: ExternalName, externalName: nothing.shop.svc.cluster.local } }
`);

/** The address a pod of dnsWorld holds. */
export function ipOf(pod: string, family: Family = "ipv4"): string {
  return dnsWorld.pods.find((p) => p.id === pod)!.ips[family]!;
}

/** `fqdn kind what` for a target, e.g. `api.shop.svc.cluster.local service shop/api`. */
export function describeTarget(target: DnsTarget | undefined): string {
  if (!target) return "(no cell)";
  const record = target.record;
  const what = (() => {
    switch (record.kind) {
      case "service": return record.service.id;
      case "srv": return `${record.service.id} ${record.port.name}/${record.port.protocol}`;
      case "endpoint": return `${record.service.id} ${record.hostname}`;
      case "pod": return `${record.namespace} ${record.ip}`;
      case "upstream": return record.addresses.join(",");
      case "missing": return record.reason;
    }
  })();
  return `${target.fqdn} ${record.kind} ${what}`;
}

/** `kind what` for an answer, e.g. `pods shop/db-0 port 5432`, `cluster-ip 10.96.0.100`. */
export function describeAnswer(answer: NameAnswer): string {
  switch (answer.kind) {
    case "cluster-ip": return `cluster-ip ${answer.service.id} ${answer.ip}${answer.port ? ` port ${answer.port.port}` : ""}`;
    case "pods": return `pods ${answer.pods.map((p) => p.id).join(",")}${answer.port ? ` port ${answer.port}` : ""}`;
    case "addresses": return `addresses ${answer.addresses.join(",")}`;
    case "none": return "none";
    case "undefined": return "undefined";
  }
}
