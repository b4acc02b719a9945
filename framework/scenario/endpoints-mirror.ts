// Legacy v1 Endpoints of a Service without a selector, as the EndpointSlice mirroring
// controller turns them into EndpointSlices (pkg/controller/endpointslicemirroring: it mirrors
// only for Services that exist and have no selector, skips Endpoints labelled
// endpointslice.kubernetes.io/skip-mirror=true, and writes one slice per subset and address
// family; `addresses` are ready endpoints, `notReadyAddresses` not ready ones; the slice carries
// kubernetes.io/service-name). Everything that reads endpoints then reads slices only.
import { familyOf } from "../kube/net.js";
import { SERVICE_NAME_LABEL, type EndpointSlice, type Endpoints, type Service } from "../kube/types.js";

const SKIP_MIRROR = "endpointslice.kubernetes.io/skip-mirror";

export function mirroredSlices(endpoints: readonly Endpoints[], services: readonly Service[]): EndpointSlice[] {
  const out: EndpointSlice[] = [];
  for (const object of endpoints) {
    const { name, namespace } = object.metadata;
    if (object.metadata.labels?.[SKIP_MIRROR] === "true") continue;
    const service = services.find((s) => s.metadata.name === name && (s.metadata.namespace ?? "default") === namespace);
    if (!service || (service.spec.selector !== undefined && Object.keys(service.spec.selector).length > 0)) continue;
    (object.subsets ?? []).forEach((subset, i) => {
      for (const addressType of ["IPv4", "IPv6"] as const) {
        const family = addressType === "IPv4" ? "ipv4" : "ipv6";
        const endpoint = (ready: boolean) => (a: NonNullable<typeof subset.addresses>[number]) => ({
          addresses: [a.ip], conditions: { ready },
          ...(a.hostname ? { hostname: a.hostname } : {}), ...(a.nodeName ? { nodeName: a.nodeName } : {}),
        });
        const list = [
          ...(subset.addresses ?? []).filter((a) => familyOf(a.ip) === family).map(endpoint(true)),
          ...(subset.notReadyAddresses ?? []).filter((a) => familyOf(a.ip) === family).map(endpoint(false)),
        ];
        if (list.length === 0) continue;
        out.push({
          apiVersion: "discovery.k8s.io/v1", kind: "EndpointSlice",
          metadata: { name: `${name}-mirror-${i}-${family}`, namespace, labels: { [SERVICE_NAME_LABEL]: name } },
          addressType, endpoints: list,
          ports: (subset.ports ?? []).map((p) => ({ name: p.name ?? "", protocol: p.protocol ?? "TCP", port: p.port })),
        });
      }
    });
  }
  return out;
}
