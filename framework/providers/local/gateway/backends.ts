// HTTPRoute backendRefs resolved to Services, as BackendObjectReference, HTTPBackendRef and
// ReferenceGrant define them (sigs.k8s.io/gateway-api apis/v1 object_reference_types.go,
// httproute_types.go, apis/v1beta1 referencegrant_types.go):
//   - group defaults to "" (core) and kind to Service; any other kind is invalid (InvalidKind);
//   - namespace defaults to the route's; another namespace needs a ReferenceGrant there whose
//     `from` names HTTPRoute in the route's namespace and whose `to` names Service (any, or this
//     one by name), else the reference is not permitted (RefNotPermitted);
//   - the Service must exist (BackendNotFound) and `port` is required for a Service: it is the
//     Service port, not the target port;
//   - "Implementations SHOULD NOT support ExternalName Services": this one does not.
// An invalid ref keeps its share of the weight and that share answers 500 (HTTPRouteRule.BackendRefs).
import { GATEWAY_API_GROUP, type BackendObjectReference, type HTTPRoute, type ReferenceGrant } from "../../../kube/gateway-types.js";
import type { ServiceModel } from "../../../scenario/model.js";
import type { Named } from "./manifests.js";
import type { Target } from "./plan.js";

export interface BackendContext {
  /** By `namespace/name`. */
  readonly services: ReadonlyMap<string, ServiceModel>;
  readonly grants: readonly Named<ReferenceGrant>[];
}

export type Resolved = { readonly target: Target } & ({ readonly problem: string } | { readonly problem?: undefined });

export function resolveBackendRef(ref: BackendObjectReference, route: Named<HTTPRoute>, ctx: BackendContext): Resolved {
  const invalid = (problem: string): Resolved => ({ target: { kind: "status", status: 500 }, problem });
  const group = ref.group ?? "";
  const kind = ref.kind ?? "Service";
  if (group !== "" || kind !== "Service") return invalid(`kind ${group === "" ? kind : `${kind}.${group}`} is not supported (only Service)`);
  const namespace = ref.namespace ?? route.namespace;
  const id = `${namespace}/${ref.name}`;
  if (namespace !== route.namespace && !granted(route.namespace, namespace, ref.name, ctx.grants)) {
    return invalid(`no ReferenceGrant in namespace ${namespace} lets HTTPRoutes of ${route.namespace} reference Service ${ref.name}`);
  }
  const service = ctx.services.get(id);
  if (!service) return invalid(`Service ${id} does not exist`);
  if (service.type === "ExternalName") return invalid(`Service ${id} is of type ExternalName`);
  if (ref.port === undefined) return invalid(`a port is required to reference Service ${id}`);
  if (!service.ports.some((p) => p.port === ref.port && p.protocol === "TCP")) return invalid(`Service ${id} has no TCP port ${ref.port}`);
  return { target: { kind: "service", service, port: ref.port, label: `Service ${id} port ${ref.port}` } };
}

function granted(fromNamespace: string, toNamespace: string, serviceName: string, grants: readonly Named<ReferenceGrant>[]): boolean {
  return grants.some((grant) => grant.namespace === toNamespace
    && grant.object.spec.from.some((f) => f.group === GATEWAY_API_GROUP && f.kind === "HTTPRoute" && f.namespace === fromNamespace)
    && grant.object.spec.to.some((t) => t.group === "" && t.kind === "Service" && (!t.name || t.name === serviceName)));
}
