// Which pods are endpoints of a Service port: the EndpointSlice controller's view.
//
// Sources:
// - Service docs, "Services without selectors" and "Defining a Service"
//   (https://kubernetes.io/docs/concepts/services-networking/service/).
// - EndpointSlice reconciler, pkg/controller/endpointslice/reconciler.go (reconcileByAddressType)
//   and staging/src/k8s.io/endpointslice/utils.go (podToEndpoint, getEndpointPorts, findPort).
// - pkg/controller/util/endpointslice (ShouldPodBeInEndpoints).
// - EndpointSlices written in the scenario, as kube-proxy reads every slice labelled with a
//   Service's name (pkg/proxy/endpointslicecache.go: the slice port of the Service port's name
//   and protocol, each endpoint's first address; discovery/v1 EndpointConditions: an unset
//   `ready` is ready, an unset `serving` is `ready`) and falls back to serving-terminating
//   endpoints when no endpoint is ready (pkg/proxy/topology.go CategorizeEndpoints, KEP-1669).
import { canonicalIp, familyOf, type Family } from "../../kube/net.js";
import { SERVICE_NAME_LABEL } from "../../kube/types.js";
import type { PodModel, Protocol, Scenario, ServiceModel, ServicePortModel } from "../../scenario/model.js";
import { namespacePods } from "../../scenario/namespace-pods.js";

/** One endpoint of a Service port: the pod and the port it is reached on. */
export interface Backend {
  readonly pod: PodModel;
  /** The container port the traffic is delivered to (after DNAT, or the dialled port for headless). */
  readonly targetPort: number;
  readonly protocol: Protocol;
  /** The node kube-proxy counts it on (internalTrafficPolicy Local): the pod's, or a written slice's `nodeName`. */
  readonly node: string | undefined;
}

/** Service family (netspec vocabulary) to discovery.k8s.io AddressType, for messages. */
export const addressType = (family: Family): "IPv4" | "IPv6" => (family === "ipv4" ? "IPv4" : "IPv6");

/**
 * True when the Service has a selector the EndpointSlice controller acts on.
 * Rule: "services without a selector receive no endpoint slices from this controller"
 * (reconciler/controller syncService: `if service.Spec.Selector == nil { return nil }`).
 * An empty selector map (`selector: {}`) is stored as nil (protobuf drops empty maps), so it
 * behaves like no selector: no endpoints are managed by Kubernetes.
 */
export function hasSelector(svc: ServiceModel): boolean {
  return svc.selector !== undefined && Object.keys(svc.selector).length > 0;
}

/**
 * Readiness as the EndpointSlice carries it (staging/src/k8s.io/endpointslice/utils.go
 * podToEndpoint): "ready := service.Spec.PublishNotReadyAddresses || podutil.IsPodReady(pod)",
 * and "ready should never be true if a pod is terminating, unless publishNotReadyAddresses was
 * set". kube-proxy and CoreDNS use Ready endpoints; kube-proxy falls back to serving-terminating
 * ones when none is (servingTerminating).
 */
export function endpointReady(svc: ServiceModel, pod: PodModel): boolean {
  return svc.publishNotReadyAddresses || (pod.ready && !pod.terminating);
}

/** podToEndpoint's `serving` (the pod is Ready) with `terminating` (a deletionTimestamp), while not ready. */
export function servingTerminating(svc: ServiceModel, pod: PodModel): boolean {
  return !endpointReady(svc, pod) && pod.ready && pod.terminating;
}

/**
 * findPort (staging/src/k8s.io/endpointslice/utils.go, same as pkg/api/v1/pod FindPort):
 * a numeric targetPort is used as is (whether or not a container declares it); a named one is
 * looked up in the pod's container ports by name AND the Service port's protocol. No match →
 * the pod is not an endpoint for this Service port ("Failed to find port for service").
 */
export function resolveTargetPort(pod: PodModel, port: ServicePortModel): number | undefined {
  if (typeof port.targetPort === "number") return port.targetPort;
  const match = pod.ports.find((p) => p.name === port.targetPort && p.protocol === port.protocol);
  return match?.port;
}

// ---- caching: scenarios are immutable, so per-scenario memo tables are safe ------------------

const selectedCache = new WeakMap<Scenario, Map<string, readonly PodModel[]>>();

/**
 * Pods the Service's selector picks, in its own namespace, in declaration order. The Service
 * selector is a plain equality map (ServiceSpec.selector: "Route service traffic to pods with
 * label keys and values matching this selector"), not a LabelSelector with expressions.
 */
export function selectedPods(scenario: Scenario, svc: ServiceModel): readonly PodModel[] {
  if (!hasSelector(svc)) return [];
  let table = selectedCache.get(scenario);
  if (!table) selectedCache.set(scenario, (table = new Map()));
  const cached = table.get(svc.id);
  if (cached) return cached;
  const selector = Object.entries(svc.selector!);
  const pods = namespacePods(scenario, svc.namespace).filter((pod) => selector.every(([k, v]) => pod.labels[k] === v));
  table.set(svc.id, pods);
  return pods;
}

/**
 * The Service's endpoints in the EndpointSlices of one address family, ignoring ports: every
 * selected pod with an address of that family (podToEndpoint takes the pod IPs of the slice's
 * AddressType; an endpoint without addresses is not added), Ready as above. A slice exists
 * only for the Service's own ipFamilies (getAddressTypesForService). This is the set CoreDNS
 * answers for a headless Service and the set the topology controller counts (per address type).
 * hostNetwork pods are endpoints like any other (their IP is the node's).
 */
export function familyEndpoints(scenario: Scenario, svc: ServiceModel, family: Family): readonly PodModel[] {
  if (!svc.families.includes(family)) return [];
  return selectedPods(scenario, svc).filter((pod) => pod.ips[family] !== undefined && endpointReady(svc, pod));
}

/**
 * Ready endpoints of one Service port: selected pods in the Service's namespace, Ready (or any,
 * with publishNotReadyAddresses), on which the targetPort resolves (by number, or by name with
 * the port's protocol). With `family`, only pods with an address of that family, and none when
 * the Service does not have that family (no EndpointSlice of that AddressType exists).
 */
export function serviceEndpoints(
  scenario: Scenario, svc: ServiceModel, port: ServicePortModel, family?: Family,
): Backend[] {
  if (svc.type === "ExternalName") return [];
  if (family !== undefined && !svc.families.includes(family)) return [];
  const out = controllerEndpoints(scenario, svc, port, family);
  const written = writtenEndpoints(scenario, svc, port, family);
  const seen = new Set(out.map((b) => `${b.pod.id}:${b.targetPort}`));
  for (const b of written.ready) if (!seen.has(`${b.pod.id}:${b.targetPort}`)) out.push(b);
  if (out.length > 0 || written.foreign.ready.length > 0) return out;
  // pkg/proxy/topology.go CategorizeEndpoints: no ready endpoint → the serving-terminating ones.
  return [...controllerEndpoints(scenario, svc, port, family, servingTerminating), ...written.servingTerminating];
}

/**
 * What a headless Service's name answers from written EndpointSlices (CoreDNS's kubernetes
 * plugin reads every slice labelled with the Service's name, of the record's family, and gives
 * each address of each ready endpoint a record, whatever the ports): the pods at those
 * addresses, and the addresses that are no pod.
 */
export function writtenAddresses(scenario: Scenario, svc: ServiceModel, family: Family): { pods: PodModel[]; foreign: string[] } {
  const out = { pods: [] as PodModel[], foreign: [] as string[] };
  const byAddress = podsByAddress(scenario);
  const type = family === "ipv4" ? "IPv4" : "IPv6";
  for (const slice of scenario.endpointSlices) {
    if (slice.metadata.namespace !== svc.namespace || slice.metadata.labels?.[SERVICE_NAME_LABEL] !== svc.name || slice.addressType !== type) continue;
    for (const endpoint of slice.endpoints ?? []) {
      if (!(endpoint.conditions?.ready ?? true)) continue;
      for (const address of endpoint.addresses) {
        if (familyOf(address) !== family) continue;
        const pod = byAddress.get(canonicalIp(address));
        if (pod) { if (!out.pods.includes(pod)) out.pods.push(pod); } else out.foreign.push(address);
      }
    }
  }
  return out;
}

/** A headless Service's Ready endpoint pods of one family: the controller's and the written slices'. */
export function headlessEndpoints(scenario: Scenario, svc: ServiceModel, family: Family): readonly PodModel[] {
  const own = familyEndpoints(scenario, svc, family);
  if (!svc.families.includes(family)) return own;
  return [...own, ...writtenAddresses(scenario, svc, family).pods.filter((p) => !own.includes(p))];
}

/**
 * The addresses among a Service port's endpoints that are no pod of the scenario (from written
 * EndpointSlices): who answers there, and what policy says of it, is outside the model.
 */
export function foreignEndpoints(scenario: Scenario, svc: ServiceModel, port: ServicePortModel, family: Family): string[] {
  const written = writtenEndpoints(scenario, svc, port, family);
  if (written.foreign.ready.length > 0) return written.foreign.ready;
  const anyReady = written.ready.length > 0 || controllerEndpoints(scenario, svc, port, family).length > 0;
  return anyReady ? [] : written.foreign.servingTerminating;
}

/** The EndpointSlice controller's Ready (or, with `include`, other) endpoints of one Service port (selected pods, targetPort resolved). */
function controllerEndpoints(
  scenario: Scenario, svc: ServiceModel, port: ServicePortModel, family?: Family, include: (svc: ServiceModel, pod: PodModel) => boolean = endpointReady,
): Backend[] {
  const out: Backend[] = [];
  for (const pod of selectedPods(scenario, svc)) {
    if (!include(svc, pod)) continue;
    if (family !== undefined && pod.ips[family] === undefined) continue;
    const targetPort = resolveTargetPort(pod, port);
    if (targetPort === undefined) continue;
    out.push({ pod, targetPort, protocol: port.protocol, node: pod.node });
  }
  return out;
}

/** Endpoints of one Service port that the scenario's own EndpointSlices give, by condition. */
export interface WrittenEndpoints {
  readonly ready: Backend[];
  /** Not ready, but serving and terminating: kube-proxy's fallback when nothing is ready. */
  readonly servingTerminating: Backend[];
  /** Addresses of no pod of the scenario (an external database, say), ready ones and the fallback's. */
  readonly foreign: { readonly ready: string[]; readonly servingTerminating: string[] };
}

/**
 * The endpoints written EndpointSlices give `port` of `svc` (kube-proxy's view, see the header):
 * slices in the Service's namespace labelled kubernetes.io/service-name=<name>, of the family's
 * addressType (FQDN slices are ignored), whose port of the Service port's name and protocol
 * has a number. An address that is a pod's IP is that pod.
 */
export function writtenEndpoints(scenario: Scenario, svc: ServiceModel, port: ServicePortModel, family?: Family): WrittenEndpoints {
  const out: WrittenEndpoints = { ready: [], servingTerminating: [], foreign: { ready: [], servingTerminating: [] } };
  if (svc.type === "ExternalName") return out;
  const byAddress = podsByAddress(scenario);
  for (const slice of scenario.endpointSlices) {
    if (slice.metadata.namespace !== svc.namespace || slice.metadata.labels?.[SERVICE_NAME_LABEL] !== svc.name) continue;
    if (slice.addressType === "FQDN") continue;
    const sliceFamily: Family = slice.addressType === "IPv4" ? "ipv4" : "ipv6";
    if ((family !== undefined && sliceFamily !== family) || !svc.families.includes(sliceFamily)) continue;
    const slicePort = (slice.ports ?? []).find((p) => (p.name ?? "") === (port.name ?? "") && (p.protocol ?? "TCP") === port.protocol);
    if (slicePort?.port === undefined) continue;
    for (const endpoint of slice.endpoints ?? []) {
      const address = endpoint.addresses[0];
      if (address === undefined || familyOf(address) !== sliceFamily) continue;
      const ready = endpoint.conditions?.ready ?? true;
      const serving = endpoint.conditions?.serving ?? ready;
      const terminating = endpoint.conditions?.terminating ?? false;
      const category = ready ? "ready" : serving && terminating ? "servingTerminating" : undefined;
      if (!category) continue;
      const pod = byAddress.get(canonicalIp(address));
      if (!pod) { out.foreign[category].push(address); continue; }
      out[category].push({ pod, targetPort: slicePort.port, protocol: port.protocol, node: endpoint.nodeName });
    }
  }
  return out;
}

/** One ready endpoint address of a Service, as the cluster DNS reads its EndpointSlices. */
export interface EndpointName {
  readonly address: string;
  readonly family: Family;
  /** The endpoint's `hostname` field, when set. */
  readonly hostname?: string;
  /** The pod at that address; none for a written endpoint no pod holds. */
  readonly pod?: PodModel;
}

/**
 * A Service's ready endpoint addresses with their hostnames, whatever the ports: the
 * controller's (ready selected pods of the Service's families; podToEndpoint sets `hostname`
 * from the pod when ShouldSetHostname, pkg/controller/util/endpoint: "len(pod.Spec.Hostname) > 0
 * && pod.Spec.Subdomain == svc.Name && svc.Namespace == pod.Namespace"), then every address of
 * the ready endpoints of written slices, with the hostname written there.
 */
export function endpointNames(scenario: Scenario, svc: ServiceModel): readonly EndpointName[] {
  let table = namesCache.get(scenario);
  if (!table) namesCache.set(scenario, (table = new Map()));
  let names = table.get(svc.id);
  if (!names) table.set(svc.id, (names = readEndpointNames(scenario, svc)));
  return names;
}

const namesCache = new WeakMap<Scenario, Map<string, readonly EndpointName[]>>();

function readEndpointNames(scenario: Scenario, svc: ServiceModel): EndpointName[] {
  if (svc.type === "ExternalName") return [];
  const out: EndpointName[] = [];
  const seen = new Set<string>();
  const add = (entry: EndpointName) => {
    const key = canonicalIp(entry.address);
    if (!seen.has(key)) { seen.add(key); out.push(entry); }
  };
  for (const family of svc.families) {
    for (const pod of familyEndpoints(scenario, svc, family)) {
      add({ address: pod.ips[family]!, family, pod, ...(pod.hostname && pod.subdomain === svc.name ? { hostname: pod.hostname } : {}) });
    }
  }
  const byAddress = podsByAddress(scenario);
  for (const slice of scenario.endpointSlices) {
    if (slice.metadata.namespace !== svc.namespace || slice.metadata.labels?.[SERVICE_NAME_LABEL] !== svc.name || slice.addressType === "FQDN") continue;
    const family: Family = slice.addressType === "IPv4" ? "ipv4" : "ipv6";
    if (!svc.families.includes(family)) continue;
    for (const endpoint of slice.endpoints ?? []) {
      if (!(endpoint.conditions?.ready ?? true)) continue;
      for (const address of endpoint.addresses) {
        if (familyOf(address) !== family) continue;
        const pod = byAddress.get(canonicalIp(address));
        add({ address: canonicalIp(address), family, ...(endpoint.hostname ? { hostname: endpoint.hostname } : {}), ...(pod ? { pod } : {}) });
      }
    }
  }
  return out;
}

const addressCache = new WeakMap<Scenario, Map<string, PodModel>>();

/** Pod-network pods by address (a host-network pod's address is its node's, no pod's own). */
function podsByAddress(scenario: Scenario): Map<string, PodModel> {
  let map = addressCache.get(scenario);
  if (!map) {
    map = new Map();
    for (const pod of scenario.pods) {
      if (pod.hostNetwork) continue;
      for (const ip of Object.values(pod.ips)) if (ip) map.set(canonicalIp(ip), pod);
    }
    addressCache.set(scenario, map);
  }
  return map;
}

/** Why a Service port has no endpoints, one line naming the field that decided it. */
export function explainNoEndpoints(
  scenario: Scenario, svc: ServiceModel, port: ServicePortModel, family: Family,
): string {
  const name = `Service ${svc.id}`;
  if (svc.type === "ExternalName") return `${name} is type ExternalName: no endpoints, only a CNAME in DNS (kubernetes/dns specification 2.5)`;
  if (!hasSelector(svc)) {
    const written = scenario.endpointSlices.some((s) => s.metadata.namespace === svc.namespace && s.metadata.labels?.[SERVICE_NAME_LABEL] === svc.name);
    return written
      ? `${name} has no spec.selector, and its EndpointSlices give port ${portLabel(port)} no ready (or serving-terminating) ${addressType(family)} endpoint`
      : `${name} has no spec.selector and no EndpointSlice labelled ${SERVICE_NAME_LABEL}=${svc.name}: it has no endpoints`;
  }
  if (!svc.families.includes(family)) {
    return `${name} has no ${addressType(family)} in spec.ipFamilies (${svc.families.map(addressType).join(",") || "none"})`;
  }
  const selector = Object.entries(svc.selector!).map(([k, v]) => `${k}=${v}`).join(",");
  const selected = selectedPods(scenario, svc);
  if (selected.length === 0) return `${name}: spec.selector ${selector} matches no pod in namespace ${svc.namespace}`;
  const ready = selected.filter((p) => endpointReady(svc, p));
  if (ready.length === 0) return `${name}: every pod matching spec.selector ${selector} is not Ready (publishNotReadyAddresses is false)`;
  const withFamily = ready.filter((p) => p.ips[family] !== undefined);
  if (withFamily.length === 0) return `${name}: no Ready endpoint has an ${addressType(family)} address`;
  if (typeof port.targetPort === "string") {
    return `${name} port ${portLabel(port)}: no Ready pod declares a ${port.protocol} container port named '${port.targetPort}' (targetPort)`;
  }
  return `${name} port ${portLabel(port)}: no Ready endpoint`;
}

export function portLabel(port: ServicePortModel): string {
  return `${port.name ? `${port.name} ` : ""}${port.port}/${port.protocol}`;
}
