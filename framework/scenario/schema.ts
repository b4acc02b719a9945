// The scenario file format (apiVersion netspec/v1alpha1), as a TypeBox schema. The same
// definition yields the TypeScript types (Static<>) and the published JSON Schema
// (schema/scenario.schema.json, written by write-schema.ts), so the two never drift.
import { Type, type Static, type TSchema } from "@sinclair/typebox";
import { Protocol } from "../kube/types.js";

const Strict = { additionalProperties: false } as const;
const opt = <T extends TSchema>(schema: T) => Type.Optional(schema);
const Labels = Type.Record(Type.String(), Type.String(), { description: "Kubernetes labels (key: value)." });

export const FamilyName = Type.Union([Type.Literal("ipv4"), Type.Literal("ipv6")]);

export const NodeSpec = Type.Object(
  {
    name: Type.String({ description: "Node name (DNS-1123 label)." }),
    zone: opt(Type.String({ description: "Sets topology.kubernetes.io/zone." })),
    labels: opt(Labels),
  },
  Strict,
);

export const UpstreamName = Type.Object(
  {
    name: Type.String({ description: "A DNS name outside the cluster's zone, e.g. db.example.com." }),
    addresses: Type.Array(Type.String(), { minItems: 1, description: "Its A/AAAA records: addresses outside the cluster's pod and Service subnets." }),
  },
  Strict,
);

export const ClusterSpec = Type.Object(
  {
    ipFamily: opt(Type.Union([Type.Literal("ipv4"), Type.Literal("ipv6"), Type.Literal("dual")], {
      description: "The cluster's IP families, in kind's vocabulary. Default ipv4.",
    })),
    podSubnet: opt(Type.String({ description: "Comma-separated CIDRs, one per family (kind's format)." })),
    serviceSubnet: opt(Type.String({ description: "Comma-separated CIDRs, one per family (kind's format)." })),
    nodes: opt(Type.Array(NodeSpec, { minItems: 1, description: "Default: node-a (zone-a) and node-b (zone-b)." })),
    upstreamDNS: opt(Type.Array(UpstreamName, {
      description: "What the cluster DNS's upstream resolvers answer for names outside cluster.local (an ExternalName Service's target, say); other such names are outside the model.",
    })),
  },
  Strict,
);

export const NamespaceSpec = Type.Object({ name: Type.String(), labels: opt(Labels) }, Strict);

export const PodPortSpec = Type.Object(
  {
    name: opt(Type.String({ description: "IANA service name, referenced by named ports." })),
    port: Type.Integer({ minimum: 1, maximum: 65535 }),
    protocol: opt(Protocol),
    hostPort: opt(Type.Integer({ minimum: 1, maximum: 65535, description: "ContainerPort.hostPort: also reachable on the node's addresses at this port." })),
  },
  Strict,
);

export const PodSpec = Type.Object(
  {
    name: Type.String(),
    namespace: Type.String(),
    labels: opt(Labels),
    node: opt(Type.String({ description: "Node to run on; default: spread round-robin in declaration order." })),
    replicas: opt(Type.Integer({ minimum: 1, maximum: 10000, description: "Expands to NAME-0 … NAME-(n-1)." })),
    ports: opt(Type.Array(PodPortSpec)),
    ready: opt(Type.Boolean({ description: "false: running but not Ready, so no Service sends it traffic. Default true." })),
    terminating: opt(Type.Boolean({ description: "Deleted and in its grace period, still running: a serving-terminating endpoint, used only when a Service has no ready one. Default false." })),
    hostNetwork: opt(Type.Boolean({ description: "Runs in the node's network namespace, with the node's addresses (NetworkPolicy behaviour for it is implementation-defined)." })),
    dnsPolicy: opt(Type.Union([Type.Literal("ClusterFirst"), Type.Literal("ClusterFirstWithHostNet"), Type.Literal("Default")], {
      description: "As PodSpec.dnsPolicy (default ClusterFirst). A hostNetwork pod uses the cluster DNS only with ClusterFirstWithHostNet.",
    })),
    hostname: opt(Type.String({ description: "spec.hostname (DNS-1123 label): with subdomain, the pod's name HOSTNAME.SUBDOMAIN.NS.svc.cluster.local, served when a headless Service named SUBDOMAIN selects it. Every replica gets it." })),
    subdomain: opt(Type.String({ description: "spec.subdomain (DNS-1123 label): the headless Service that gives the pod's hostname a DNS record." })),
  },
  Strict,
);

export const SelectorRef = Type.Object(
  { namespace: opt(Type.String()), labels: opt(Labels) },
  { ...Strict, description: "Every pod matching these labels (in this namespace, if given)." },
);
export const Reference = Type.Union([
  Type.String({ description: "ns/pod, ns/prefix-*, ns/*, *, svc/ns/name, dns/NAME (as the client looks it up: svc, svc.ns[.svc.cluster.local][.], _port._tcp.svc.ns, hostname.svc.ns, a-b-c-d.ns.pod, an upstream name), cidr/…, ip/…, nodeport/ns/name, loadbalancer/ns/name, externalip/ns/name, hostport/ns/pod; sources also node/NAME, external, external/IP" }),
  SelectorRef,
]);
export type Reference = Static<typeof Reference>;

export const ProbeSpec = Type.Object(
  {
    from: opt(Type.Array(Reference)),
    to: opt(Type.Array(Type.Union([
      Type.Literal("pods"), Type.Literal("services"), Type.Literal("dns"),
      Type.Literal("nodeports"), Type.Literal("loadbalancers"), Type.Literal("externalips"), Type.Literal("hostports"),
    ]))),
    families: opt(Type.Array(FamilyName)),
    timeout: opt(Type.String({ pattern: "^[0-9]+(\\.[0-9]+)?(ms|s)$", description: "Per connection attempt, e.g. 1s or 500ms." })),
  },
  Strict,
);

export const ExpectedResult = Type.Union([
  Type.Literal("allow"), Type.Literal("deny"), Type.Literal("refused"), Type.Literal("drop"),
  Type.Literal("undefined"), Type.Literal("dns-error"),
]);
export type ExpectedResult = Static<typeof ExpectedResult>;

export const ClientAddressExpectation = Type.Union([Type.Literal("preserved"), Type.Literal("node"), Type.Literal("any")], {
  description: "The client address the backend sees: the client's own (preserved), a node's (SNAT), or either.",
});
export type ClientAddressExpectation = Static<typeof ClientAddressExpectation>;

export const ExpectRule = Type.Object(
  {
    from: Reference,
    to: Reference,
    port: opt(Type.Union([Type.Integer({ minimum: 1, maximum: 65535 }), Type.String()], {
      description: "A number, a port name or a range 80-81.",
    })),
    protocol: opt(Protocol),
    family: opt(FamilyName),
    result: opt(ExpectedResult),
    backends: opt(Type.Array(Type.String(), { description: "Pods (ns/pod) that may answer a Service." })),
    clientAddress: opt(ClientAddressExpectation),
  },
  Strict,
);
export type ExpectRuleSpec = Static<typeof ExpectRule>;

const HttpHeaders = Type.Record(Type.String(), Type.String(), { description: "Header name → value." });

export const HttpExpectation = Type.Object(
  {
    from: opt(Reference),
    to: Type.String({ description: "gateway/ns/name or ingress/ns/name" }),
    port: opt(Type.Integer({ minimum: 1, maximum: 65535, description: "The listener port; default: the only HTTP one." })),
    request: Type.Object(
      {
        host: opt(Type.String({ description: "The Host header; default: the address connected to." })),
        path: opt(Type.String({ description: "Path and query, e.g. /v2?animal=whale; default /." })),
        method: opt(Type.String({ description: "Default GET." })),
        headers: opt(HttpHeaders),
      },
      Strict,
    ),
    status: opt(Type.Union([Type.Integer({ minimum: 100, maximum: 599 }), Type.Array(Type.Integer({ minimum: 100, maximum: 599 }), { minItems: 1 })])),
    backends: opt(Type.Array(Type.String(), { description: "Pod globs (ns/pod) that may answer." })),
    backendRequest: opt(Type.Object({ path: opt(Type.String()), host: opt(Type.String()), headers: opt(HttpHeaders) }, Strict)),
    redirect: opt(Type.Object(
      { scheme: opt(Type.Union([Type.Literal("http"), Type.Literal("https")])), host: opt(Type.String()), port: opt(Type.Integer({ minimum: 1, maximum: 65535 })), path: opt(Type.String()) },
      Strict,
    )),
  },
  { ...Strict, description: "One HTTP request to probe through a Gateway or an Ingress; the fields beside `request` assert over the oracle." },
);
export type HttpExpectationSpec = Static<typeof HttpExpectation>;

export const ExpectSpec = Type.Object(
  {
    default: opt(Type.Union([Type.Literal("oracle"), Type.Literal("allow"), Type.Literal("deny")])),
    rules: opt(Type.Array(ExpectRule)),
    http: opt(Type.Array(HttpExpectation)),
  },
  Strict,
);

export const Manifest = Type.Object(
  {
    apiVersion: Type.String(),
    kind: Type.String(),
    metadata: Type.Object({ name: Type.String() }),
  },
  { description: "A Kubernetes object exactly as kubectl takes it." },
);

export const ScenarioSchema = Type.Object(
  {
    apiVersion: Type.Literal("netspec/v1alpha1"),
    kind: Type.Literal("Scenario"),
    metadata: Type.Object(
      {
        name: Type.String({ description: "DNS-1123 label, unique in a run." }),
        description: opt(Type.String()),
        tags: opt(Type.Array(Type.String())),
      },
      Strict,
    ),
    cluster: opt(ClusterSpec),
    namespaces: Type.Array(NamespaceSpec),
    pods: Type.Array(PodSpec),
    resources: opt(Type.Array(Manifest)),
    passthrough: opt(Type.Array(Type.String({ description: "apiVersion/kind of resources applied as-is by the kind provider, e.g. cilium.io/v2/CiliumNetworkPolicy." }))),
    include: opt(Type.Array(Type.String({ description: "Manifest files or globs, relative to this file." }))),
    probe: opt(ProbeSpec),
    expect: opt(ExpectSpec),
  },
  { ...Strict, $id: "https://netspec.dev/schema/scenario.schema.json", title: "netspec Scenario" },
);
export type ScenarioFile = Static<typeof ScenarioSchema>;
export type PodSpecFile = Static<typeof PodSpec>;
