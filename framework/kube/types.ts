// Kubernetes API objects netspec understands, as TypeBox schemas: one source gives both the
// TypeScript types and the JSON Schema used to validate manifests (so they never drift).
// Field names and enums follow the upstream API types:
//   networking.k8s.io/v1        k8s.io/api/networking/v1/types.go
//   v1 Service                  k8s.io/api/core/v1/types.go (ServiceSpec)
//   policy.networking.k8s.io/v1alpha1  sigs.k8s.io/network-policy-api/apis/v1alpha1
//   policy.networking.k8s.io/v1alpha2  sigs.k8s.io/network-policy-api/apis/v1alpha2
import { Type, type Static, type TSchema } from "@sinclair/typebox";

const Strict = { additionalProperties: false } as const;
const opt = <T extends TSchema>(schema: T) => Type.Optional(schema);

export const Protocol = Type.Union([Type.Literal("TCP"), Type.Literal("UDP"), Type.Literal("SCTP")]);
export type Protocol = Static<typeof Protocol>;

/** IntOrString, as in k8s.io/apimachinery/pkg/util/intstr. */
export const IntOrString = Type.Union([Type.Integer(), Type.String()]);
export type IntOrString = Static<typeof IntOrString>;

export const LabelSelectorRequirement = Type.Object(
  {
    key: Type.String(),
    operator: Type.Union([
      Type.Literal("In"), Type.Literal("NotIn"), Type.Literal("Exists"), Type.Literal("DoesNotExist"),
    ]),
    values: opt(Type.Array(Type.String())),
  },
  Strict,
);
export type LabelSelectorRequirement = Static<typeof LabelSelectorRequirement>;

export const LabelSelector = Type.Object(
  {
    matchLabels: opt(Type.Record(Type.String(), Type.String())),
    matchExpressions: opt(Type.Array(LabelSelectorRequirement)),
  },
  Strict,
);
export type LabelSelector = Static<typeof LabelSelector>;

export const ObjectMeta = Type.Object({
  name: Type.String(),
  namespace: opt(Type.String()),
  labels: opt(Type.Record(Type.String(), Type.String())),
  annotations: opt(Type.Record(Type.String(), Type.String())),
});
export type ObjectMeta = Static<typeof ObjectMeta>;

// ---- networking.k8s.io/v1 NetworkPolicy -------------------------------------------------

export const IPBlock = Type.Object({ cidr: Type.String(), except: opt(Type.Array(Type.String())) }, Strict);
export type IPBlock = Static<typeof IPBlock>;

export const NetworkPolicyPeer = Type.Object(
  { podSelector: opt(LabelSelector), namespaceSelector: opt(LabelSelector), ipBlock: opt(IPBlock) },
  Strict,
);
export type NetworkPolicyPeer = Static<typeof NetworkPolicyPeer>;

export const NetworkPolicyPort = Type.Object(
  { protocol: opt(Protocol), port: opt(IntOrString), endPort: opt(Type.Integer()) },
  Strict,
);
export type NetworkPolicyPort = Static<typeof NetworkPolicyPort>;

export const NetworkPolicyIngressRule = Type.Object(
  { from: opt(Type.Array(NetworkPolicyPeer)), ports: opt(Type.Array(NetworkPolicyPort)) },
  Strict,
);
export const NetworkPolicyEgressRule = Type.Object(
  { to: opt(Type.Array(NetworkPolicyPeer)), ports: opt(Type.Array(NetworkPolicyPort)) },
  Strict,
);
export type NetworkPolicyIngressRule = Static<typeof NetworkPolicyIngressRule>;
export type NetworkPolicyEgressRule = Static<typeof NetworkPolicyEgressRule>;

export const PolicyType = Type.Union([Type.Literal("Ingress"), Type.Literal("Egress")]);
export type PolicyType = Static<typeof PolicyType>;

export const NetworkPolicy = Type.Object({
  apiVersion: Type.Literal("networking.k8s.io/v1"),
  kind: Type.Literal("NetworkPolicy"),
  metadata: ObjectMeta,
  spec: Type.Object(
    {
      podSelector: LabelSelector,
      policyTypes: opt(Type.Array(PolicyType)),
      ingress: opt(Type.Array(NetworkPolicyIngressRule)),
      egress: opt(Type.Array(NetworkPolicyEgressRule)),
    },
    Strict,
  ),
});
export type NetworkPolicy = Static<typeof NetworkPolicy>;

// ---- v1 Service ---------------------------------------------------------------------------

export const ServicePort = Type.Object(
  {
    name: opt(Type.String()),
    protocol: opt(Protocol),
    appProtocol: opt(Type.String()),
    port: Type.Integer({ minimum: 1, maximum: 65535 }),
    targetPort: opt(IntOrString),
    nodePort: opt(Type.Integer({ minimum: 0, maximum: 65535, description: "0 or unset: allocated from the node port range." })),
  },
  Strict,
);
export type ServicePort = Static<typeof ServicePort>;

export const IPFamily = Type.Union([Type.Literal("IPv4"), Type.Literal("IPv6")]);
export const TrafficPolicy = Type.Union([Type.Literal("Cluster"), Type.Literal("Local")]);

export const Service = Type.Object({
  apiVersion: Type.Literal("v1"),
  kind: Type.Literal("Service"),
  metadata: ObjectMeta,
  spec: Type.Object(
    {
      type: opt(Type.Union([
        Type.Literal("ClusterIP"), Type.Literal("NodePort"), Type.Literal("LoadBalancer"), Type.Literal("ExternalName"),
      ])),
      selector: opt(Type.Record(Type.String(), Type.String())),
      ports: opt(Type.Array(ServicePort)),
      clusterIP: opt(Type.String()),
      clusterIPs: opt(Type.Array(Type.String())),
      ipFamilies: opt(Type.Array(IPFamily)),
      ipFamilyPolicy: opt(Type.Union([
        Type.Literal("SingleStack"), Type.Literal("PreferDualStack"), Type.Literal("RequireDualStack"),
      ])),
      internalTrafficPolicy: opt(TrafficPolicy),
      externalTrafficPolicy: opt(TrafficPolicy),
      trafficDistribution: opt(Type.String()),
      sessionAffinity: opt(Type.Union([Type.Literal("None"), Type.Literal("ClientIP")])),
      sessionAffinityConfig: opt(Type.Object({
        clientIP: opt(Type.Object({ timeoutSeconds: opt(Type.Integer({ minimum: 1, maximum: 86400 })) })),
      })),
      publishNotReadyAddresses: opt(Type.Boolean()),
      externalName: opt(Type.String()),
      // Accepted and validated (scenario/resource-checks.ts) as ValidateService does.
      externalIPs: opt(Type.Array(Type.String())),
      loadBalancerIP: opt(Type.String()),
      loadBalancerSourceRanges: opt(Type.Array(Type.String())),
      loadBalancerClass: opt(Type.String()),
      allocateLoadBalancerNodePorts: opt(Type.Boolean()),
      healthCheckNodePort: opt(Type.Integer({ minimum: 0, maximum: 65535 })),
    },
    Strict,
  ),
});
export type Service = Static<typeof Service>;

// ---- policy.networking.k8s.io/v1alpha1 AdminNetworkPolicy / BaselineAdminNetworkPolicy -----

export const NamespacedPod = Type.Object(
  { namespaceSelector: LabelSelector, podSelector: LabelSelector },
  Strict,
);
export const AdminSubject = Type.Object(
  { namespaces: opt(LabelSelector), pods: opt(NamespacedPod) },
  Strict,
);
export type AdminSubject = Static<typeof AdminSubject>;

export const AdminPort = Type.Object(
  {
    portNumber: opt(Type.Object({ protocol: opt(Protocol), port: Type.Integer({ minimum: 1, maximum: 65535 }) }, Strict)),
    namedPort: opt(Type.String()),
    portRange: opt(Type.Object(
      { protocol: opt(Protocol), start: Type.Integer({ minimum: 1, maximum: 65535 }), end: Type.Integer({ minimum: 1, maximum: 65535 }) },
      Strict,
    )),
  },
  Strict,
);
export type AdminPort = Static<typeof AdminPort>;

export const AdminIngressPeer = Type.Object({ namespaces: opt(LabelSelector), pods: opt(NamespacedPod) }, Strict);
export const AdminEgressPeer = Type.Object(
  {
    namespaces: opt(LabelSelector),
    pods: opt(NamespacedPod),
    nodes: opt(LabelSelector),
    networks: opt(Type.Array(Type.String({ maxLength: 43 }), { minItems: 1, maxItems: 25 })),
  },
  Strict,
);
export type AdminIngressPeer = Static<typeof AdminIngressPeer>;
export type AdminEgressPeer = Static<typeof AdminEgressPeer>;

const AdminAction = Type.Union([Type.Literal("Allow"), Type.Literal("Deny"), Type.Literal("Pass")]);
const BaselineAction = Type.Union([Type.Literal("Allow"), Type.Literal("Deny")]);
export type AdminAction = Static<typeof AdminAction>;

// The v1alpha1 CRD (network-policy-api v0.1.7): rule name MaxLength 100, from/to and ports 1-100 items.
const adminPorts = opt(Type.Array(AdminPort, { minItems: 1, maxItems: 100 }));
const adminIngressRule = <A extends TSchema>(action: A) =>
  Type.Object(
    { name: opt(Type.String({ maxLength: 100 })), action, from: Type.Array(AdminIngressPeer, { minItems: 1, maxItems: 100 }), ports: adminPorts },
    Strict,
  );
const adminEgressRule = <A extends TSchema>(action: A) =>
  Type.Object(
    { name: opt(Type.String({ maxLength: 100 })), action, to: Type.Array(AdminEgressPeer, { minItems: 1, maxItems: 100 }), ports: adminPorts },
    Strict,
  );

export const AdminNetworkPolicy = Type.Object({
  apiVersion: Type.Literal("policy.networking.k8s.io/v1alpha1"),
  kind: Type.Literal("AdminNetworkPolicy"),
  metadata: ObjectMeta,
  spec: Type.Object(
    {
      priority: Type.Integer({ minimum: 0, maximum: 1000 }),
      subject: AdminSubject,
      ingress: opt(Type.Array(adminIngressRule(AdminAction), { maxItems: 100 })),
      egress: opt(Type.Array(adminEgressRule(AdminAction), { maxItems: 100 })),
    },
    Strict,
  ),
});
export type AdminNetworkPolicy = Static<typeof AdminNetworkPolicy>;

export const BaselineAdminNetworkPolicy = Type.Object({
  apiVersion: Type.Literal("policy.networking.k8s.io/v1alpha1"),
  kind: Type.Literal("BaselineAdminNetworkPolicy"),
  metadata: ObjectMeta,
  spec: Type.Object(
    {
      subject: AdminSubject,
      ingress: opt(Type.Array(adminIngressRule(BaselineAction), { maxItems: 100 })),
      egress: opt(Type.Array(adminEgressRule(BaselineAction), { maxItems: 100 })),
    },
    Strict,
  ),
});
export type BaselineAdminNetworkPolicy = Static<typeof BaselineAdminNetworkPolicy>;

export type AdminIngressRule = NonNullable<AdminNetworkPolicy["spec"]["ingress"]>[number];
export type AdminEgressRule = NonNullable<AdminNetworkPolicy["spec"]["egress"]>[number];

// ---- policy.networking.k8s.io/v1alpha2 ClusterNetworkPolicy ----------------------------------
// sigs.k8s.io/network-policy-api apis/v1alpha2/clusternetworkpolicy_types.go, as the
// experimental-channel CRD (config/crd/experimental/policy.networking.k8s.io_clusternetworkpolicies.yaml)
// serves it: the standard channel is the same without `nodes` and `domainNames` peers.
// MinProperties/MaxProperties ("exactly one field") and the CEL rules are checked in
// scenario/resource-checks.ts, where the message can name the field.

/** Port: exactly one of `number` or `range` (start < end, CEL on PortRange). */
export const CnpPort = Type.Object(
  {
    number: opt(Type.Integer({ minimum: 1, maximum: 65535 })),
    range: opt(Type.Object(
      { start: Type.Integer({ minimum: 1, maximum: 65535 }), end: Type.Integer({ minimum: 1, maximum: 65535 }) },
      Strict,
    )),
  },
  Strict,
);
export type CnpPort = Static<typeof CnpPort>;

/** ClusterNetworkPolicyProtocolTCP/UDP/SCTP: `destinationPort` (MinProperties=1, so required in effect). */
const CnpProtocolPorts = Type.Object({ destinationPort: opt(CnpPort) }, Strict);

/** ClusterNetworkPolicyProtocol: exactly one of tcp, udp, sctp, destinationNamedPort. */
export const CnpProtocol = Type.Object(
  { tcp: opt(CnpProtocolPorts), udp: opt(CnpProtocolPorts), sctp: opt(CnpProtocolPorts), destinationNamedPort: opt(Type.String()) },
  Strict,
);
export type CnpProtocol = Static<typeof CnpProtocol>;

/**
 * NamespacedPod in v1alpha2: `namespaceSelector` is `+optional` there (the CRD requires only
 * `podSelector`); left out, it selects every namespace, as an empty selector does.
 */
export const CnpNamespacedPod = Type.Object(
  { namespaceSelector: opt(LabelSelector), podSelector: LabelSelector },
  Strict,
);
export const CnpSubject = Type.Object({ namespaces: opt(LabelSelector), pods: opt(CnpNamespacedPod) }, Strict);
export type CnpSubject = Static<typeof CnpSubject>;

export const CnpIngressPeer = Type.Object({ namespaces: opt(LabelSelector), pods: opt(CnpNamespacedPod) }, Strict);
export const CnpEgressPeer = Type.Object(
  {
    namespaces: opt(LabelSelector),
    pods: opt(CnpNamespacedPod),
    nodes: opt(LabelSelector),
    networks: opt(Type.Array(Type.String({ maxLength: 43 }), { minItems: 1, maxItems: 25 })),
    domainNames: opt(Type.Array(Type.String(), { minItems: 1, maxItems: 25 })),
  },
  Strict,
);
export type CnpIngressPeer = Static<typeof CnpIngressPeer>;
export type CnpEgressPeer = Static<typeof CnpEgressPeer>;

export const CnpAction = Type.Union([Type.Literal("Accept"), Type.Literal("Deny"), Type.Literal("Pass")]);
export type CnpAction = Static<typeof CnpAction>;
export const CnpTier = Type.Union([Type.Literal("Admin"), Type.Literal("Baseline")]);
export type CnpTier = Static<typeof CnpTier>;

const cnpRuleCommon = {
  name: opt(Type.String({ maxLength: 100 })),
  action: CnpAction,
  protocols: opt(Type.Array(CnpProtocol, { minItems: 1, maxItems: 25 })),
};
export const CnpIngressRule = Type.Object(
  { ...cnpRuleCommon, from: Type.Array(CnpIngressPeer, { minItems: 1, maxItems: 25 }) },
  Strict,
);
export const CnpEgressRule = Type.Object(
  { ...cnpRuleCommon, to: Type.Array(CnpEgressPeer, { minItems: 1, maxItems: 25 }) },
  Strict,
);
export type CnpIngressRule = Static<typeof CnpIngressRule>;
export type CnpEgressRule = Static<typeof CnpEgressRule>;

const clusterNetworkPolicy = <V extends string>(version: V) => Type.Object({
  apiVersion: Type.Literal(`policy.networking.k8s.io/${version}`),
  kind: Type.Literal("ClusterNetworkPolicy"),
  metadata: ObjectMeta,
  spec: Type.Object(
    {
      tier: CnpTier,
      priority: Type.Integer({ minimum: 0, maximum: 1000 }),
      subject: CnpSubject,
      ingress: opt(Type.Array(CnpIngressRule, { maxItems: 25 })),
      egress: opt(Type.Array(CnpEgressRule, { maxItems: 25 })),
    },
    Strict,
  ),
});
export const ClusterNetworkPolicy = clusterNetworkPolicy("v1alpha2");
export type ClusterNetworkPolicy = Static<typeof ClusterNetworkPolicy>;

// ---- discovery.k8s.io/v1 EndpointSlice ---------------------------------------------------------
// k8s.io/api discovery/v1 types.go. Validation beyond the schema (address formats, counts,
// names) is scenario/resource-checks.ts's, after pkg/apis/discovery/validation.

export const EndpointConditions = Type.Object(
  { ready: opt(Type.Boolean()), serving: opt(Type.Boolean()), terminating: opt(Type.Boolean()) },
  Strict,
);
export const Endpoint = Type.Object(
  {
    addresses: Type.Array(Type.String()),
    conditions: opt(EndpointConditions),
    hostname: opt(Type.String()),
    // An ObjectReference; netspec reads none of it.
    targetRef: opt(Type.Object({
      kind: opt(Type.String()), namespace: opt(Type.String()), name: opt(Type.String()), uid: opt(Type.String()),
      apiVersion: opt(Type.String()), resourceVersion: opt(Type.String()), fieldPath: opt(Type.String()),
    }, Strict)),
    deprecatedTopology: opt(Type.Record(Type.String(), Type.String())),
    nodeName: opt(Type.String()),
    zone: opt(Type.String()),
    hints: opt(Type.Object({
      forZones: opt(Type.Array(Type.Object({ name: Type.String() }, Strict))),
      forNodes: opt(Type.Array(Type.Object({ name: Type.String() }, Strict))),
    }, Strict)),
  },
  Strict,
);
export type Endpoint = Static<typeof Endpoint>;
export const EndpointPort = Type.Object(
  {
    name: opt(Type.String()),
    // Defaulted to TCP (discovery/v1 SetDefaults_EndpointPort).
    protocol: opt(Protocol),
    // nil: "all ports" (EndpointPort.Port); kube-proxy skips a port without a number.
    port: opt(Type.Integer({ minimum: 1, maximum: 65535 })),
    appProtocol: opt(Type.String()),
  },
  Strict,
);
export const EndpointSlice = Type.Object({
  apiVersion: Type.Literal("discovery.k8s.io/v1"),
  kind: Type.Literal("EndpointSlice"),
  metadata: ObjectMeta,
  addressType: Type.Union([Type.Literal("IPv4"), Type.Literal("IPv6"), Type.Literal("FQDN")]),
  // Required in the OpenAPI document, but the Go type decodes a missing list as empty and
  // ValidateEndpointSlice asks nothing of it: the API server accepts a slice without endpoints.
  endpoints: opt(Type.Array(Endpoint)),
  ports: opt(Type.Array(EndpointPort)),
});
export type EndpointSlice = Static<typeof EndpointSlice>;

/** The label that ties an EndpointSlice to its Service (discovery/v1 LabelServiceName). */
export const SERVICE_NAME_LABEL = "kubernetes.io/service-name";

// ---- v1 Endpoints (legacy; mirrored into EndpointSlices for selectorless Services) ---------------
// k8s.io/api core/v1 Endpoints; pkg/controller/endpointslicemirroring mirrors them.

const EndpointAddress = Type.Object(
  {
    ip: Type.String(),
    hostname: opt(Type.String()),
    nodeName: opt(Type.String()),
    targetRef: opt(Type.Object({
      kind: opt(Type.String()), namespace: opt(Type.String()), name: opt(Type.String()), uid: opt(Type.String()),
      apiVersion: opt(Type.String()), resourceVersion: opt(Type.String()), fieldPath: opt(Type.String()),
    }, Strict)),
  },
  Strict,
);
export const Endpoints = Type.Object({
  apiVersion: Type.Literal("v1"),
  kind: Type.Literal("Endpoints"),
  metadata: ObjectMeta,
  subsets: opt(Type.Array(Type.Object(
    {
      addresses: opt(Type.Array(EndpointAddress)),
      notReadyAddresses: opt(Type.Array(EndpointAddress)),
      ports: opt(Type.Array(Type.Object(
        { name: opt(Type.String()), port: Type.Integer(), protocol: opt(Protocol), appProtocol: opt(Type.String()) },
        Strict,
      ))),
    },
    Strict,
  ))),
});
export type Endpoints = Static<typeof Endpoints>;

/** Every kind netspec models, keyed by `apiVersion/kind`. */
export const KnownKinds = {
  "v1/Service": Service,
  "discovery.k8s.io/v1/EndpointSlice": EndpointSlice,
  "v1/Endpoints": Endpoints,
  "networking.k8s.io/v1/NetworkPolicy": NetworkPolicy,
  "policy.networking.k8s.io/v1alpha1/AdminNetworkPolicy": AdminNetworkPolicy,
  "policy.networking.k8s.io/v1alpha1/BaselineAdminNetworkPolicy": BaselineAdminNetworkPolicy,
  // The only version the network-policy-api project serves (v1alpha2); a v1beta1 is not published.
  "policy.networking.k8s.io/v1alpha2/ClusterNetworkPolicy": ClusterNetworkPolicy,
} as const;
export type KnownKindKey = keyof typeof KnownKinds;

/** Kinds the API server answers with a deprecation warning (v1 Endpoints since 1.33). */
export const DeprecatedKinds = new Set<string>(["v1/Endpoints"]);

/** Kinds that live in a namespace (a cluster-scoped kind ignores metadata.namespace). */
export const NamespacedKinds = new Set<string>(["v1/Service", "v1/Endpoints", "discovery.k8s.io/v1/EndpointSlice", "networking.k8s.io/v1/NetworkPolicy"]);
