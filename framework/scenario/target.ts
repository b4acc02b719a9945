// What a cell connects to: one typed union of every target kind (SPEC.md, "References" and
// "Layer 7"), and the one place that names a target in results and keys cells by it.
//
// A target is resolved once per scenario (the planner in oracle/matrix.ts builds each one once
// and shares it between the cells that reach it) and travels, typed, from the plan through the
// oracle's judge, the probe request and the provider. Results and reports only ever see its
// names (`target`, `to` and, for HTTP cells, `request`: the contract of results.json), so every
// id, group, block and column a report shows is derived here, from those names.
//
// Adding a kind: a variant below (the compiler then asks for its name, label and namespace
// here), then one planner, one judge and one probe method (oracle/matrix.ts,
// runner/probe-spec.ts), which ProbedTarget admits once it is planned.
import { familyOf, type Family } from "../kube/net.js";
import type { Protocol } from "../kube/types.js";
import { parseClusterName } from "./dns-names.js";
import { CLUSTER_DNS, type NodeModel, type PodModel, type ServiceModel, type ServicePortModel } from "./model.js";

/** An HTTP request a Layer 7 cell sends (SPEC.md, `expect.http[].request`). */
export interface HttpRequest {
  readonly method: string;
  readonly host: string;
  /** Path and query, e.g. `/v2?animal=whale`. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** A pod, probed on its own IP (`ns/pod`). */
export interface PodTarget {
  readonly kind: "pod";
  readonly pod: PodModel;
}

/** A Service, probed on its cluster IP(s) (`svc/ns/name`). */
export interface ServiceTarget {
  readonly kind: "service";
  readonly service: ServiceModel;
}

/**
 * A name the client looks up in the cluster DNS, then connects to what it answers (`dns/…`):
 * a Service's name (`probe.to: dns`), or any name a rule writes, as it writes it.
 */
export interface DnsTarget {
  readonly kind: "dns";
  /** The name as the client looks it up (relative names complete through its search path). */
  readonly name: string;
  /** The absolute name its resolver settles on (the first it tries that names a record). */
  readonly fqdn: string;
  /** What that name is a record of (for this target's clients: relative names depend on their namespace). */
  readonly record: DnsRecord;
}

/** The record a DNS target's name resolves to (see scenario/dns-names.ts for the forms). */
export type DnsRecord =
  /** A Service's own name: its cluster IP(s), a headless Service's endpoints, an ExternalName's CNAME. */
  | { readonly kind: "service"; readonly service: ServiceModel }
  /** A named port's SRV record: the client connects to each answer's target at its port. */
  | { readonly kind: "srv"; readonly service: ServiceModel; readonly port: ServicePortModel }
  /** One endpoint of a Service, by its hostname (a pod's hostname and subdomain) or its dashed address. */
  | { readonly kind: "endpoint"; readonly service: ServiceModel; readonly hostname: string }
  /** A pod's address record (`a-b-c-d.ns.pod.cluster.local`). */
  | { readonly kind: "pod"; readonly namespace: string; readonly ip: string; readonly family: Family }
  /** A name outside the cluster that `cluster.upstreamDNS` declares. */
  | { readonly kind: "upstream"; readonly name: string; readonly addresses: readonly string[] }
  /** No such record (the cluster DNS answers NXDOMAIN), and why. */
  | { readonly kind: "missing"; readonly reason: string };

/** An address outside the cluster (`ip/…`; a `cidr/…` rule is probed at one host of the block). */
export interface ExternalTarget {
  readonly kind: "external";
  readonly ip: string;
}

/** A Service's node port on one node's address: one cell per node (`nodeport/ns/name@node`). */
export interface NodePortTarget {
  readonly kind: "nodeport";
  readonly service: ServiceModel;
  readonly node: NodeModel;
}

/** A pod's host ports on its node's addresses (`hostport/ns/pod`; ContainerPort.hostPort). */
export interface HostPortTarget {
  readonly kind: "hostport";
  readonly pod: PodModel;
  readonly node: NodeModel;
}

/** A Service's load-balancer address, `status.loadBalancer.ingress` (`loadbalancer/ns/name`). */
export interface LoadBalancerTarget {
  readonly kind: "loadbalancer";
  readonly service: ServiceModel;
}

/** A Service's `spec.externalIPs` (`externalip/ns/name`). */
export interface ExternalIpTarget {
  readonly kind: "externalip";
  readonly service: ServiceModel;
}

/** The object whose address an HTTP cell connects to: a Gateway or an Ingress's controller. */
export interface HttpEntry {
  readonly kind: "gateway" | "ingress";
  readonly namespace: string;
  readonly name: string;
}

/** One HTTP request through a Gateway or an Ingress (`to` is `gateway/ns/name` or `ingress/ns/name`). */
export interface HttpTarget {
  readonly kind: "http";
  readonly entry: HttpEntry;
  readonly request: HttpRequest;
  /** The address connected to per family (the entry's data plane, Scenario.gatewayDataPlanes). */
  readonly addresses: Partial<Record<Family, string>>;
  /** Index of the `expect.http` entry the cell probes (its assertions). */
  readonly expectation: number;
}

export type Target =
  | PodTarget | ServiceTarget | DnsTarget | ExternalTarget
  | NodePortTarget | LoadBalancerTarget | ExternalIpTarget | HostPortTarget | HttpTarget;

export type TargetKind = Target["kind"];

/** A Service reached from outside its cluster IP: on a node port, a load-balancer address or an external IP. */
export type NorthSouthTarget = NodePortTarget | LoadBalancerTarget | ExternalIpTarget;

/** The kinds the matrix plans, judges and probes today; the others are named, not yet planned. */
export type ProbedTarget = PodTarget | ServiceTarget | DnsTarget | ExternalTarget | NorthSouthTarget | HostPortTarget | HttpTarget;

/**
 * The address a north-south cell connects to in a family: the node's InternalIP, the
 * load-balancer address, or the first external IP of the family (undefined: none).
 */
export function northSouthAddress(target: NorthSouthTarget, family: Family): string | undefined {
  switch (target.kind) {
    case "nodeport": return target.node.ips[family];
    case "loadbalancer": return target.service.loadBalancerIPs[family];
    case "externalip": return target.service.externalIPs.find((ip) => familyOf(ip) === family);
  }
}

/** A Service's DNS target: its fully qualified name, `name.ns.svc.cluster.local`. */
export function dnsTarget(service: ServiceModel): DnsTarget {
  const name = `${service.name}.${service.namespace}.svc.${CLUSTER_DNS.domain}`;
  return { kind: "dns", name, fqdn: name, record: { kind: "service", service } };
}

/** A target's reference text, the `to` of its cells (SPEC.md, "`to` is `ns/pod` for a pod target, …"). */
export function formatTarget(target: Target): string {
  switch (target.kind) {
    case "pod": return target.pod.id;
    case "service": return `svc/${target.service.id}`;
    case "dns": return `dns/${target.name}`;
    case "external": return `ip/${target.ip}`;
    case "nodeport": return `nodeport/${target.service.id}@${target.node.name}`;
    case "loadbalancer": return `loadbalancer/${target.service.id}`;
    case "externalip": return `externalip/${target.service.id}`;
    case "hostport": return `hostport/${target.pod.id}`;
    case "http": return `${target.entry.kind}/${target.entry.namespace}/${target.entry.name}`;
  }
}

/** How a cell names its target in results.json and in every report. */
export interface TargetName {
  readonly target: TargetKind;
  /** formatTarget(): `ns/pod`, `svc/ns/name`, `dns/name.ns.svc.cluster.local`, `ip/…`, … */
  readonly to: string;
  /** HTTP cells only: the request, which `to` alone does not tell apart. */
  readonly request?: HttpRequest;
}

/** What identifies a cell: its source, its target's names, and the port, protocol and family. */
export interface CellKey extends TargetName {
  /** The client (scenario/clients.ts clientId): `ns/pod`, `node/NAME`, `external` or `external/IP`. */
  readonly from: string;
  /** Container port for pods; the Service port for Services, DNS names, load balancers and external IPs; the node port for node ports. */
  readonly port: number;
  readonly protocol: Protocol;
  readonly family: Family;
}

/** The key fields of a cell alone, in results.json's order (`request` only on HTTP cells). */
export function cellKey(cell: CellKey): CellKey {
  const { from, to, target, port, protocol, family, request } = cell;
  return request ? { from, to, target, port, protocol, family, request } : { from, to, target, port, protocol, family };
}

/**
 * The text that tells a cell's targets apart: `to`, and for an HTTP cell its request as well
 * (several requests go to one Gateway). A matrix column, and part of every cell id.
 */
export function targetId(name: TargetName): string {
  if (!name.request) return name.to;
  const { method, host, path, headers } = name.request;
  const headerText = Object.entries(headers).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${k}=${v}`).join(",");
  return `${name.to} ${method} ${host}${path}${headerText ? ` [${headerText}]` : ""}`;
}

/**
 * The one key of a cell: `from -> to port/protocol family`. Regression views match cells of two
 * runs by it, JUnit and mocha name failing cells with it, the HTML report marks changed cells by it.
 */
export function cellId(cell: CellKey): string {
  return `${cell.from} -> ${targetId(cell)} ${cell.port}/${cell.protocol} ${cell.family}`;
}

/** The matrix block a cell belongs to (one per target kind, port, protocol and family). */
export function blockKey(cell: CellKey): string {
  return `${cell.target} ${cell.port}/${cell.protocol} ${cell.family}`;
}

/** How reports speak of a kind's targets: JUnit and mocha group titles, HTML matrix tabs. */
export const TARGET_KIND_LABELS: Readonly<Record<TargetKind, { readonly group: string; readonly block: string }>> = {
  pod: { group: "pods", block: "pods" },
  service: { group: "Services", block: "Services" },
  dns: { group: "DNS names", block: "DNS" },
  external: { group: "external addresses", block: "external" },
  nodeport: { group: "node ports", block: "node ports" },
  loadbalancer: { group: "load balancers", block: "load balancers" },
  externalip: { group: "external IPs", block: "external IPs" },
  hostport: { group: "host ports", block: "host ports" },
  http: { group: "HTTP requests", block: "HTTP" },
};

/**
 * The namespace a DNS name spells: that of the record its fully qualified form names (the name
 * completed with the cluster's zone, as the pod's last search domain does), else its second label.
 * A relative name without a namespace (`api`) spells none.
 */
function dnsNameNamespace(name: string): string {
  const text = name.replace(/\.$/, "");
  const qualified = text.endsWith(`.${CLUSTER_DNS.domain}`) ? text : `${text}.${CLUSTER_DNS.domain}`;
  const record = parseClusterName(qualified) ?? parseClusterName(`${text}.svc.${CLUSTER_DNS.domain}`);
  return record?.namespace ?? text.split(".")[1] ?? "";
}

/**
 * The namespace a report files a target under (its destination-namespace filter), read from
 * the names formatTarget() gave it; addresses outside the cluster are `(external)`.
 */
export function targetNamespace(name: TargetName): string {
  switch (name.target) {
    case "pod": return name.to.split("/")[0] ?? "";
    case "hostport": return name.to.split("/")[1] ?? "";
    case "dns": return dnsNameNamespace(name.to.slice("dns/".length));
    case "external": return "(external)";
    case "service":
    case "nodeport":
    case "loadbalancer":
    case "externalip":
    case "http":
      return name.to.split("/")[1] ?? "";
  }
}
