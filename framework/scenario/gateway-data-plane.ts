// The data plane of each Gateway, and of the Ingress controller, as the cluster holds it: a
// proxy pod and a LoadBalancer Service in front of it. These are system objects, as the cluster
// DNS is: no scenario declares them, every provider's cluster has them (the local provider runs
// HAProxy in the pod; on kind and existing clusters the implementation under test deploys its
// own), and the oracle judges both hops through them (client → Service → proxy pod, proxy pod →
// backend).
// Sources:
//   [gep-1762] Gateway API GEP-1762 "In Cluster Gateway Deployments": one Deployment and one
//              Service per Gateway, in the Gateway's namespace, labelled
//              `gateway.networking.k8s.io/gateway-name: <name>`; the Service is of type
//              LoadBalancer by default, its ports the listeners' ports; the Gateway's
//              status.addresses are the Service's.
//   [ingress]  https://kubernetes.io/docs/concepts/services-networking/ingress/#prerequisites:
//              an Ingress controller runs as pods of its own; where is the controller's choice,
//              so netspec places it in a system namespace of its own.
import type { Gateway } from "../kube/gateway-types.js";
import { cidr, type Family } from "../kube/net.js";
import type { Service } from "../kube/types.js";
import { podAddress } from "./addresses.js";
import type { ClusterIpAllocator } from "./cluster-ips.js";
import type { Diagnostics } from "./diagnostics.js";
import type { LoadBalancerPool } from "./load-balancers.js";
import type { ManifestModel, NamespaceModel, NodeModel, PodModel, ServiceModel } from "./model.js";
import type { Locator } from "./yaml-source.js";

/** [gep-1762] The label on a Gateway's generated resources. */
export const GATEWAY_NAME_LABEL = "gateway.networking.k8s.io/gateway-name";
/** [ingress] Where netspec's Ingress controller runs. */
export const INGRESS_CONTROLLER = { namespace: "netspec-ingress", name: "controller", labels: { "app.kubernetes.io/name": "netspec-ingress-controller" } } as const;
/** The ports an Ingress controller serves HTTP on ([ingress]: Ingress exposes HTTP and HTTPS; netspec probes HTTP). */
const INGRESS_PORTS = [80] as const;

/** One proxy: what serves an HTTP entry, keyed as HTTP cells name it (`gateway/ns/name`, `ingress`). */
export interface GatewayDataPlane {
  readonly key: string;
  readonly entry: { readonly kind: "gateway"; readonly namespace: string; readonly name: string } | { readonly kind: "ingress" };
  readonly pod: PodModel;
  readonly service: ServiceModel;
}

/** The key HTTP cells use for an entry: a Gateway's own, or the one Ingress controller's. */
export function dataPlaneKey(entry: { readonly kind: "gateway" | "ingress"; readonly namespace?: string; readonly name?: string }): string {
  return entry.kind === "gateway" ? `gateway/${entry.namespace}/${entry.name}` : "ingress";
}

export interface DataPlaneWorld {
  readonly families: readonly Family[];
  readonly nodes: readonly NodeModel[];
  readonly namespaces: NamespaceModel[];
  readonly pods: PodModel[];
  readonly services: ServiceModel[];
  readonly serviceFamilies: readonly Family[];
  readonly allocator: ClusterIpAllocator;
  readonly loadBalancers: LoadBalancerPool;
  readonly diags: Diagnostics;
  readonly at: Locator;
}

/**
 * Adds a proxy pod and its LoadBalancer Service per Gateway (in declaration order), then one
 * for the Ingress controller when the scenario has Ingresses. They come after every object of
 * the scenario, so they shift no address the scenario's own objects get.
 */
export function addGatewayDataPlanes(manifests: readonly ManifestModel[], world: DataPlaneWorld): GatewayDataPlane[] {
  const planes: GatewayDataPlane[] = [];
  const firstNode = world.nodes[0];
  if (!firstNode) return planes;
  for (const m of manifests) {
    if (m.kind !== "Gateway" || !m.apiVersion.startsWith("gateway.networking.k8s.io/")) continue;
    const gateway = m.object as unknown as Gateway;
    const namespace = m.namespace ?? "default";
    // [gep-1762] The listeners' ports; a Gateway whose listeners are all on one port has one.
    const ports = [...new Set((gateway.spec?.listeners ?? []).map((l) => l.port))].sort((a, b) => a - b);
    const name = freeName(world, namespace, `${m.name}-gateway`);
    const labels = { [GATEWAY_NAME_LABEL]: m.name };
    const key = dataPlaneKey({ kind: "gateway", namespace, name: m.name });
    planes.push({
      key, entry: { kind: "gateway", namespace, name: m.name },
      pod: addPod(world, firstNode, namespace, name, labels, ports, m.locator ?? world.at),
      service: addService(world, namespace, name, labels, ports, key, m.locator ?? world.at),
    });
  }
  if (manifests.some((m) => m.kind === "Ingress" && m.apiVersion.startsWith("networking.k8s.io/"))) {
    const { namespace, name, labels } = INGRESS_CONTROLLER;
    if (!world.namespaces.some((n) => n.name === namespace)) {
      world.namespaces.push({ name: namespace, labels: { "kubernetes.io/metadata.name": namespace }, system: true });
    }
    planes.push({
      key: "ingress", entry: { kind: "ingress" },
      pod: addPod(world, firstNode, namespace, name, labels, [...INGRESS_PORTS], world.at),
      service: addService(world, namespace, name, labels, [...INGRESS_PORTS], "the Ingress controller", world.at),
    });
  }
  return planes;
}

/** `wanted`, or `wanted-2`, `-3`, … where the scenario already has a pod or Service so named. */
function freeName(world: DataPlaneWorld, namespace: string, wanted: string): string {
  const taken = (name: string) => world.pods.some((p) => p.namespace === namespace && p.name === name)
    || world.services.some((s) => s.namespace === namespace && s.name === name);
  const base = wanted.slice(0, 58).replace(/-+$/, "");
  if (!taken(base)) return base;
  for (let i = 2; ; i++) if (!taken(`${base}-${i}`)) return `${base}-${i}`;
}

/** The proxy pod, on the first node, at the next address of that node's pod CIDR. */
function addPod(world: DataPlaneWorld, node: NodeModel, namespace: string, name: string, labels: Record<string, string>, ports: readonly number[], at: Locator): PodModel {
  const slot = world.pods.filter((p) => p.node === node.name && !p.hostNetwork).length;
  const ips: Partial<Record<Family, string>> = {};
  for (const family of world.families) {
    const block = node.podCIDRs[family];
    const address = block === undefined ? undefined : podAddress(cidr(block), slot);
    if (address !== undefined) ips[family] = address;
    else if (block !== undefined) world.diags.error(at.at(), `node '${node.name}' has no room in its ${family} pod CIDR ${block} for the proxy pod ${namespace}/${name}`);
  }
  const pod: PodModel = {
    id: `${namespace}/${name}`, namespace, name, labels, node: node.name,
    ports: ports.map((port) => ({ port, protocol: "TCP" as const })), ips,
    ready: true, terminating: false, hostNetwork: false, dnsPolicy: "ClusterFirst", system: true, index: world.pods.length,
  };
  world.pods.push(pod);
  return pod;
}

/** [gep-1762] The proxy's LoadBalancer Service: the listener ports, straight to the pod's. */
function addService(world: DataPlaneWorld, namespace: string, name: string, labels: Record<string, string>, ports: readonly number[], owner: string, at: Locator): ServiceModel {
  const families = world.serviceFamilies;
  const servicePorts = ports.map((port) => ({ name: `http-${port}`, port, protocol: "TCP" as const, targetPort: port }));
  const manifest: Service = {
    apiVersion: "v1", kind: "Service", metadata: { name, namespace, labels },
    spec: { type: "LoadBalancer", selector: { ...labels }, allocateLoadBalancerNodePorts: false, ports: servicePorts.map((p) => ({ ...p })) },
  };
  const service: ServiceModel = {
    id: `${namespace}/${name}`, namespace, name, type: "LoadBalancer", headless: false, selector: labels, ports: servicePorts, families,
    clusterIPs: world.allocator.allocate(`${namespace}/${name}`, families),
    internalTrafficPolicy: "Cluster", externalTrafficPolicy: "Cluster", topologyModeAuto: false, sessionAffinity: "None",
    publishNotReadyAddresses: false, loadBalancerIPs: world.loadBalancers.allocate(owner, families, at, world.diags),
    externalIPs: [], loadBalancerSourceRanges: [], manifest, system: true,
  };
  world.services.push(service);
  return service;
}
