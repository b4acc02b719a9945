// Layer 7 objects netspec understands, as TypeBox schemas (one source for the TypeScript types
// and the JSON Schema, as in types.ts). Field names and enums follow the upstream API types:
//   networking.k8s.io/v1 Ingress, IngressClass     k8s.io/api/networking/v1/types.go
//   gateway.networking.k8s.io/v1, v1beta1           sigs.k8s.io/gateway-api apis/v1 (gateway_types.go,
//     gatewayclass_types.go, httproute_types.go, shared_types.go, object_reference_types.go,
//     referencegrant_types.go); v1beta1 serves the same schemas (apis/v1beta1 aliases them).
//
// The schemas carry structure, required fields, enums and numeric bounds. Counts, string
// formats and the CRDs' CEL rules are checked in oracle/http/validate.ts, whose messages name
// the field, so that a manifest is not reported twice for one mistake. Sub-objects netspec does
// not interpret (TLS, infrastructure, timeouts, retries, session persistence, CORS, external
// auth, status) are accepted as written (Type.Unknown) so that valid manifests stay valid.
import { Type, type Static, type TLiteral, type TSchema, type TUnion } from "@sinclair/typebox";
import { LabelSelector, ObjectMeta } from "./types.js";

const Strict = { additionalProperties: false } as const;
const opt = <T extends TSchema>(schema: T) => Type.Optional(schema);
/** A union of string literals that keeps each literal in the static type. */
type Literals<V extends readonly string[]> = { -readonly [K in keyof V]: TLiteral<V[K]> };
function literals<const V extends readonly string[]>(...values: V): TUnion<Literals<V>> {
  return Type.Union(values.map((v) => Type.Literal(v))) as unknown as TUnion<Literals<V>>;
}

/** The Gateway API's group: the default of ParentReference.group and RouteGroupKind.group. */
export const GATEWAY_API_GROUP = "gateway.networking.k8s.io";
/** The conformance suite's placeholder class name (SPEC.md: served by the provider's implementation). */
export const GATEWAY_CLASS_PLACEHOLDER = "{GATEWAY_CLASS_NAME}";
/** The deprecated class annotation (networking/v1beta1 AnnotationIngressClass), still honoured by controllers. */
export const INGRESS_CLASS_ANNOTATION = "kubernetes.io/ingress.class";
/** networking/v1 AnnotationIsDefaultIngressClass. */
export const DEFAULT_INGRESS_CLASS_ANNOTATION = "ingressclass.kubernetes.io/is-default-class";

/**
 * ObjectMeta plus creationTimestamp: Gateway API route precedence ("the oldest Route") and the
 * choice among several default IngressClasses ("the newest") read it. The API server sets it on
 * create; a manifest may carry one to pin the order in a scenario or a test.
 */
export const TimedObjectMeta = Type.Object({ ...ObjectMeta.properties, creationTimestamp: opt(Type.String()) });
export type TimedObjectMeta = Static<typeof TimedObjectMeta>;

const PortNumber = Type.Integer({ minimum: 1, maximum: 65535 });

// ---- networking.k8s.io/v1 Ingress, IngressClass ------------------------------------------------

/** ServiceBackendPort: a port name or number (mutually exclusive: ValidateIngressBackend). */
export const ServiceBackendPort = Type.Object({ name: opt(Type.String()), number: opt(Type.Integer()) }, Strict);
export const IngressServiceBackend = Type.Object({ name: Type.String(), port: opt(ServiceBackendPort) }, Strict);
/** core/v1 TypedLocalObjectReference (IngressBackend.resource). */
export const TypedLocalObjectReference = Type.Object(
  { apiGroup: opt(Type.String()), kind: Type.String(), name: Type.String() },
  Strict,
);
export const IngressBackend = Type.Object({ service: opt(IngressServiceBackend), resource: opt(TypedLocalObjectReference) }, Strict);
export type IngressBackend = Static<typeof IngressBackend>;

/**
 * HTTPIngressPath. `pathType` is required by validation (validateHTTPIngressPath: "pathType must
 * be specified") and its value checked there too (NotSupported), as the API server decodes any
 * string; both are reported by oracle/http/validate.ts with the field's path.
 */
export const HTTPIngressPath = Type.Object(
  { path: opt(Type.String()), pathType: opt(Type.String()), backend: IngressBackend },
  Strict,
);
export type HTTPIngressPath = Static<typeof HTTPIngressPath>;
export const IngressRule = Type.Object(
  { host: opt(Type.String()), http: opt(Type.Object({ paths: Type.Array(HTTPIngressPath) }, Strict)) },
  Strict,
);
export type IngressRule = Static<typeof IngressRule>;
export const IngressTLS = Type.Object({ hosts: opt(Type.Array(Type.String())), secretName: opt(Type.String()) }, Strict);

export const Ingress = Type.Object({
  apiVersion: Type.Literal("networking.k8s.io/v1"),
  kind: Type.Literal("Ingress"),
  metadata: TimedObjectMeta,
  spec: opt(Type.Object(
    {
      ingressClassName: opt(Type.String()),
      defaultBackend: opt(IngressBackend),
      tls: opt(Type.Array(IngressTLS)),
      rules: opt(Type.Array(IngressRule)),
    },
    Strict,
  )),
  status: opt(Type.Unknown()),
});
export type Ingress = Static<typeof Ingress>;

export const IngressClassParametersReference = Type.Object(
  {
    apiGroup: opt(Type.String()),
    kind: Type.String(),
    name: Type.String(),
    scope: opt(Type.String()),
    namespace: opt(Type.String()),
  },
  Strict,
);
export const IngressClass = Type.Object({
  apiVersion: Type.Literal("networking.k8s.io/v1"),
  kind: Type.Literal("IngressClass"),
  metadata: TimedObjectMeta,
  spec: opt(Type.Object({ controller: opt(Type.String()), parameters: opt(IngressClassParametersReference) }, Strict)),
});
export type IngressClass = Static<typeof IngressClass>;

// ---- gateway.networking.k8s.io shared types (shared_types.go, object_reference_types.go) ----------

/** ParentReference: group defaults to gateway.networking.k8s.io, kind to Gateway, namespace to the route's. */
export const ParentReference = Type.Object(
  {
    group: opt(Type.String()),
    kind: opt(Type.String()),
    namespace: opt(Type.String()),
    name: Type.String(),
    sectionName: opt(Type.String()),
    port: opt(PortNumber),
  },
  Strict,
);
export type ParentReference = Static<typeof ParentReference>;

/** BackendObjectReference: group defaults to "" (core), kind to Service, namespace to the route's. */
const backendObjectReferenceFields = {
  group: opt(Type.String()),
  kind: opt(Type.String()),
  name: Type.String(),
  namespace: opt(Type.String()),
  port: opt(PortNumber),
};
export const BackendObjectReference = Type.Object(backendObjectReferenceFields, Strict);
export type BackendObjectReference = Static<typeof BackendObjectReference>;

/** LocalObjectReference (HTTPRouteFilter.extensionRef): every field required. */
export const LocalObjectReference = Type.Object({ group: Type.String(), kind: Type.String(), name: Type.String() }, Strict);

// ---- GatewayClass (gatewayclass_types.go) -----------------------------------------------------------

const gatewayClass = <V extends string>(version: V) => Type.Object({
  apiVersion: Type.Literal(`gateway.networking.k8s.io/${version}`),
  kind: Type.Literal("GatewayClass"),
  metadata: TimedObjectMeta,
  spec: Type.Object(
    { controllerName: Type.String(), parametersRef: opt(Type.Unknown()), description: opt(Type.String()) },
    Strict,
  ),
  status: opt(Type.Unknown()),
});
export const GatewayClassV1 = gatewayClass("v1");
export const GatewayClassV1beta1 = gatewayClass("v1beta1");
export type GatewayClass = Static<typeof GatewayClassV1> | Static<typeof GatewayClassV1beta1>;

// ---- Gateway (gateway_types.go) ---------------------------------------------------------------------

export const RouteGroupKind = Type.Object({ group: opt(Type.String()), kind: Type.String() }, Strict);
export type RouteGroupKind = Static<typeof RouteGroupKind>;
/** RouteNamespaces: `from` defaults to Same; `selector` is read only with Selector. */
export const RouteNamespaces = Type.Object(
  { from: opt(literals("All", "Selector", "Same")), selector: opt(LabelSelector) },
  Strict,
);
export const AllowedRoutes = Type.Object({ namespaces: opt(RouteNamespaces), kinds: opt(Type.Array(RouteGroupKind)) }, Strict);
export type AllowedRoutes = Static<typeof AllowedRoutes>;

/** Listener. `protocol` is a ProtocolType string (HTTP, HTTPS, TLS, TCP, UDP or a domain-prefixed name). */
export const Listener = Type.Object(
  {
    name: Type.String(),
    hostname: opt(Type.String()),
    port: PortNumber,
    protocol: Type.String(),
    tls: opt(Type.Unknown()),
    allowedRoutes: opt(AllowedRoutes),
  },
  Strict,
);
export type Listener = Static<typeof Listener>;

/** GatewaySpecAddress: type defaults to IPAddress. */
export const GatewaySpecAddress = Type.Object({ type: opt(Type.String()), value: opt(Type.String()) }, Strict);

const gateway = <V extends string>(version: V) => Type.Object({
  apiVersion: Type.Literal(`gateway.networking.k8s.io/${version}`),
  kind: Type.Literal("Gateway"),
  metadata: TimedObjectMeta,
  spec: Type.Object(
    {
      gatewayClassName: Type.String(),
      listeners: Type.Array(Listener),
      addresses: opt(Type.Array(GatewaySpecAddress)),
      infrastructure: opt(Type.Unknown()),
      tls: opt(Type.Unknown()),
      backendTLS: opt(Type.Unknown()),
      allowedListeners: opt(Type.Unknown()),
      defaultScope: opt(Type.String()),
    },
    Strict,
  ),
  // Written by the controller; `addresses` is where a gateway/ns/name cell connects (SPEC.md).
  status: opt(Type.Object({
    addresses: opt(Type.Array(Type.Object({ type: opt(Type.String()), value: Type.String() }))),
  })),
});
export const GatewayV1 = gateway("v1");
export const GatewayV1beta1 = gateway("v1beta1");
export type Gateway = Static<typeof GatewayV1> | Static<typeof GatewayV1beta1>;

// ---- HTTPRoute (httproute_types.go) -----------------------------------------------------------------

/** HTTPPathMatch: type defaults to PathPrefix, value to "/". */
export const HTTPPathMatch = Type.Object(
  { type: opt(literals("Exact", "PathPrefix", "RegularExpression")), value: opt(Type.String()) },
  Strict,
);
export type HTTPPathMatch = Static<typeof HTTPPathMatch>;
/** HTTPHeaderMatch / HTTPQueryParamMatch: type defaults to Exact. */
const valueMatch = Type.Object(
  { type: opt(literals("Exact", "RegularExpression")), name: Type.String(), value: Type.String() },
  Strict,
);
export const HTTPHeaderMatch = valueMatch;
export type HTTPHeaderMatch = Static<typeof HTTPHeaderMatch>;
export const HTTPQueryParamMatch = valueMatch;
export type HTTPQueryParamMatch = Static<typeof HTTPQueryParamMatch>;
export const HTTPMethod = literals("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH");

export const HTTPRouteMatch = Type.Object(
  {
    path: opt(HTTPPathMatch),
    headers: opt(Type.Array(HTTPHeaderMatch)),
    queryParams: opt(Type.Array(HTTPQueryParamMatch)),
    method: opt(HTTPMethod),
  },
  Strict,
);
export type HTTPRouteMatch = Static<typeof HTTPRouteMatch>;

export const HTTPHeader = Type.Object({ name: Type.String(), value: Type.String() }, Strict);
export const HTTPHeaderFilter = Type.Object(
  { set: opt(Type.Array(HTTPHeader)), add: opt(Type.Array(HTTPHeader)), remove: opt(Type.Array(Type.String())) },
  Strict,
);
export type HTTPHeaderFilter = Static<typeof HTTPHeaderFilter>;

export const HTTPPathModifier = Type.Object(
  {
    type: literals("ReplaceFullPath", "ReplacePrefixMatch"),
    replaceFullPath: opt(Type.String()),
    replacePrefixMatch: opt(Type.String()),
  },
  Strict,
);
export type HTTPPathModifier = Static<typeof HTTPPathModifier>;

/** HTTPRequestRedirectFilter: statusCode defaults to 302; scheme and port as the Port doc comment derives them. */
export const HTTPRequestRedirectFilter = Type.Object(
  {
    scheme: opt(literals("http", "https")),
    hostname: opt(Type.String()),
    path: opt(HTTPPathModifier),
    port: opt(PortNumber),
    statusCode: opt(Type.Union([Type.Literal(301), Type.Literal(302), Type.Literal(303), Type.Literal(307), Type.Literal(308)])),
  },
  Strict,
);
export type HTTPRequestRedirectFilter = Static<typeof HTTPRequestRedirectFilter>;
export const HTTPURLRewriteFilter = Type.Object({ hostname: opt(Type.String()), path: opt(HTTPPathModifier) }, Strict);
export type HTTPURLRewriteFilter = Static<typeof HTTPURLRewriteFilter>;
export const HTTPRequestMirrorFilter = Type.Object(
  {
    backendRef: BackendObjectReference,
    percent: opt(Type.Integer({ minimum: 0, maximum: 100 })),
    fraction: opt(Type.Object({ numerator: Type.Integer({ minimum: 0 }), denominator: opt(Type.Integer({ minimum: 1 })) }, Strict)),
  },
  Strict,
);

export const HTTPRouteFilterType = literals(
  "RequestHeaderModifier", "ResponseHeaderModifier", "RequestMirror", "RequestRedirect", "URLRewrite", "ExtensionRef", "CORS", "ExternalAuth",
);
export const HTTPRouteFilter = Type.Object(
  {
    type: HTTPRouteFilterType,
    requestHeaderModifier: opt(HTTPHeaderFilter),
    responseHeaderModifier: opt(HTTPHeaderFilter),
    requestMirror: opt(HTTPRequestMirrorFilter),
    requestRedirect: opt(HTTPRequestRedirectFilter),
    urlRewrite: opt(HTTPURLRewriteFilter),
    cors: opt(Type.Unknown()),
    externalAuth: opt(Type.Unknown()),
    extensionRef: opt(LocalObjectReference),
  },
  Strict,
);
export type HTTPRouteFilter = Static<typeof HTTPRouteFilter>;

/** HTTPBackendRef: BackendRef (weight defaults to 1) plus per-backend filters. */
export const HTTPBackendRef = Type.Object(
  {
    ...backendObjectReferenceFields,
    weight: opt(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
    filters: opt(Type.Array(HTTPRouteFilter)),
  },
  Strict,
);
export type HTTPBackendRef = Static<typeof HTTPBackendRef>;

export const HTTPRouteRule = Type.Object(
  {
    name: opt(Type.String()),
    matches: opt(Type.Array(HTTPRouteMatch)),
    filters: opt(Type.Array(HTTPRouteFilter)),
    backendRefs: opt(Type.Array(HTTPBackendRef)),
    timeouts: opt(Type.Unknown()),
    retry: opt(Type.Unknown()),
    sessionPersistence: opt(Type.Unknown()),
  },
  Strict,
);
export type HTTPRouteRule = Static<typeof HTTPRouteRule>;

const httpRoute = <V extends string>(version: V) => Type.Object({
  apiVersion: Type.Literal(`gateway.networking.k8s.io/${version}`),
  kind: Type.Literal("HTTPRoute"),
  metadata: TimedObjectMeta,
  spec: Type.Object(
    {
      parentRefs: opt(Type.Array(ParentReference)),
      useDefaultGateways: opt(Type.String()),
      hostnames: opt(Type.Array(Type.String())),
      rules: opt(Type.Array(HTTPRouteRule)),
    },
    Strict,
  ),
  status: opt(Type.Unknown()),
});
export const HTTPRouteV1 = httpRoute("v1");
export const HTTPRouteV1beta1 = httpRoute("v1beta1");
export type HTTPRoute = Static<typeof HTTPRouteV1> | Static<typeof HTTPRouteV1beta1>;

// ---- ReferenceGrant (referencegrant_types.go; v1beta1 is the storage version, v1 is served) -------

export const ReferenceGrantFrom = Type.Object({ group: Type.String(), kind: Type.String(), namespace: Type.String() }, Strict);
export const ReferenceGrantTo = Type.Object({ group: Type.String(), kind: Type.String(), name: opt(Type.String()) }, Strict);
const referenceGrant = <V extends string>(version: V) => Type.Object({
  apiVersion: Type.Literal(`gateway.networking.k8s.io/${version}`),
  kind: Type.Literal("ReferenceGrant"),
  metadata: TimedObjectMeta,
  spec: Type.Object({ from: Type.Array(ReferenceGrantFrom), to: Type.Array(ReferenceGrantTo) }, Strict),
});
export const ReferenceGrantV1 = referenceGrant("v1");
export const ReferenceGrantV1beta1 = referenceGrant("v1beta1");
export type ReferenceGrant = Static<typeof ReferenceGrantV1> | Static<typeof ReferenceGrantV1beta1>;

/** The Layer 7 kinds, keyed by `apiVersion/kind` as types.ts KnownKinds is (to be merged there). */
export const Layer7Kinds = {
  "networking.k8s.io/v1/Ingress": Ingress,
  "networking.k8s.io/v1/IngressClass": IngressClass,
  "gateway.networking.k8s.io/v1/GatewayClass": GatewayClassV1,
  "gateway.networking.k8s.io/v1beta1/GatewayClass": GatewayClassV1beta1,
  "gateway.networking.k8s.io/v1/Gateway": GatewayV1,
  "gateway.networking.k8s.io/v1beta1/Gateway": GatewayV1beta1,
  "gateway.networking.k8s.io/v1/HTTPRoute": HTTPRouteV1,
  "gateway.networking.k8s.io/v1beta1/HTTPRoute": HTTPRouteV1beta1,
  "gateway.networking.k8s.io/v1/ReferenceGrant": ReferenceGrantV1,
  "gateway.networking.k8s.io/v1beta1/ReferenceGrant": ReferenceGrantV1beta1,
} as const;

/** Which of them live in a namespace (IngressClass and GatewayClass are cluster-scoped). */
export const Layer7NamespacedKinds = new Set<string>(
  Object.keys(Layer7Kinds).filter((key) => !key.endsWith("/IngressClass") && !key.endsWith("/GatewayClass")),
);
