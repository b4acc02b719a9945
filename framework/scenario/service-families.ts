// The IP families the API server assigns a Service, from ipFamilies / ipFamilyPolicy and the
// cluster's configured families. Mirrors kube-apiserver's service REST allocation
// (pkg/registry/core/service/storage/alloc.go, initIPFamilyFields) and the dual-stack docs:
//   https://kubernetes.io/docs/concepts/services-networking/dual-stack/#services
// Since Kubernetes 1.23 an unset ipFamilyPolicy is SingleStack even when two ipFamilies (or two
// clusterIPs) are given, which validation then rejects (1.21 and 1.22 inferred RequireDualStack);
// the one exception is a headless Service without a selector, whose unset policy is
// RequireDualStack on a dual-stack cluster ("Headless Services without selectors" in the docs).
// The primary family is the first of kube-apiserver's --service-cluster-ip-range, i.e. the
// order `serviceSubnet` is written in; unset `ipFamilies` are taken from pinned clusterIPs.
import type { Family } from "../kube/net.js";
import type { Service } from "../kube/types.js";
import type { Diagnostics } from "./diagnostics.js";
import type { Locator } from "./yaml-source.js";

const toFamily = (f: "IPv4" | "IPv6"): Family => (f === "IPv4" ? "ipv4" : "ipv6");
const apiName = (f: Family) => (f === "ipv4" ? "IPv4" : "IPv6");

/**
 * `clusterFamilies`: the cluster's Service families, primary first. `pinned`: the families of
 * the Service's pinned clusterIPs, in order (cluster-ips.ts pinnedFamilies).
 */
export function serviceFamilies(
  svc: Service, clusterFamilies: readonly Family[], locator: Locator, diags: Diagnostics, pinned: readonly Family[] = [],
): Family[] {
  const name = `Service ${svc.metadata.namespace ?? "default"}/${svc.metadata.name}`;
  const requested = svc.spec.ipFamilies ? svc.spec.ipFamilies.map(toFamily) : [...pinned];
  const primary = clusterFamilies[0]!;
  const dualCluster = clusterFamilies.length === 2;
  const headlessSelectorless = svc.spec.clusterIP === "None" && svc.spec.selector === undefined;
  const policy = svc.spec.ipFamilyPolicy ?? (headlessSelectorless && dualCluster ? "RequireDualStack" : "SingleStack");

  if (requested.length > 2) {
    diags.error(locator.at(["spec", "ipFamilies"]), `${name}: ipFamilies may hold at most two entries`);
    return [primary];
  }
  if (svc.spec.ipFamilies && requested.length === 2 && requested[0] === requested[1]) {
    diags.error(locator.at(["spec", "ipFamilies", 1]), `${name}: ipFamilies lists ${apiName(requested[0]!)} twice; give two different families`);
    return [primary];
  }
  if (policy === "SingleStack" && (requested.length === 2 || (svc.spec.clusterIPs?.length ?? 0) === 2)) {
    const what = svc.spec.ipFamilies?.length === 2 ? "ipFamilies" : "clusterIPs";
    diags.error(locator.at(["spec", svc.spec.ipFamilyPolicy === undefined ? what : "ipFamilyPolicy"]), svc.spec.ipFamilyPolicy === undefined
      ? `${name}: two ${what} need ipFamilyPolicy PreferDualStack or RequireDualStack (unset, it is SingleStack since Kubernetes 1.23)`
      : `${name}: when two ${what} are given, ipFamilyPolicy must be PreferDualStack or RequireDualStack, not SingleStack`);
    return [requested[0] ?? primary];
  }
  if (policy === "RequireDualStack" && !dualCluster) {
    diags.error(locator.at(["spec", "ipFamilyPolicy"]), `${name}: ipFamilyPolicy RequireDualStack needs a dual-stack cluster, but this cluster is ${primary} only; set cluster.ipFamily: dual or use PreferDualStack`);
    return [primary];
  }
  const first = requested[0] ?? primary;
  (svc.spec.ipFamilies ? requested : []).forEach((family, i) => {
    // PreferDualStack drops a secondary family the cluster lacks; anything else is an error.
    // (A pinned address of a family the cluster lacks is reported where it is claimed.)
    const dropped = policy === "PreferDualStack" && i === 1;
    if (!clusterFamilies.includes(family) && !dropped) {
      diags.error(locator.at(["spec", "ipFamilies", i]), `${name}: ${apiName(family)} is not configured on this cluster (families: ${clusterFamilies.map(apiName).join(", ")}); set cluster.ipFamily to include it`);
    }
  });
  if (!clusterFamilies.includes(first)) return [primary];
  if (policy === "SingleStack" || !dualCluster) return [first];
  return [first, first === "ipv4" ? "ipv6" : "ipv4"];
}
