// From a schema-checked scenario file to the normalised model, with every semantic problem
// reported at its position. Kubernetes' own defaulting is applied here once (namespace labels,
// Service families and ports), so neither the oracle nor a provider has to repeat it.
import { ModelledKinds, ModelledNamespacedKinds, type ModelledKindKey } from "../kube/kinds.js";
import { checkDns1035Label, checkDns1123Label, checkDns1123Subdomain, checkLabelKey, checkLabelValue, checkPortName } from "../kube/labels.js";
import { canonicalIp, cidr, cidrContains, FAMILIES, familyOf, type Cidr, type Family } from "../kube/net.js";
import { serviceTargetPort, topologyHintsEnabled } from "../kube/services.js";
import {
  type AdminNetworkPolicy, type ObjectMeta, type BaselineAdminNetworkPolicy, type ClusterNetworkPolicy, type EndpointSlice, type Endpoints, type NetworkPolicy, type Service,
} from "../kube/types.js";
import {
  DEFAULT_NODE_SUBNETS, DEFAULT_POD_SUBNETS, DEFAULT_SERVICE_SUBNETS, DNS_SERVICE_OFFSET, NODE_PORT_RANGE,
  defaultSubnets, hostAddress, nodeAddress, nodePodCidr, parseSubnets, podAddress, serviceAddress,
} from "./addresses.js";
import { Diagnostics, ScenarioError } from "./diagnostics.js";
import { loadScenarioFile, loadScenarioText, type LoadedResource, type LoadedScenario } from "./load.js";
import {
  CLUSTER_DNS, type ManifestModel, type NamespaceModel, type NodeModel, type PodModel,
  type PodPort, type Scenario, type ServiceModel, type UpstreamNameModel,
} from "./model.js";
import { canonicalName, inClusterZone } from "./dns-names.js";
import { checkReferences } from "./reference-checks.js";
import { checkResource } from "./resource-checks.js";
import { decodeManifest, decodingFor } from "./decode.js";
import { checkSchema } from "./schema-check.js";
import { ClusterIpAllocator, pinnedClusterIPs, pinnedFamilies } from "./cluster-ips.js";
import { allocatesNodePorts, LoadBalancerPool, sourceRanges } from "./load-balancers.js";
import { mirroredSlices } from "./endpoints-mirror.js";
import { addGatewayDataPlanes, type GatewayDataPlane } from "./gateway-data-plane.js";
import { buildExpect, buildProbe } from "./expectations-build.js";
import { serviceFamilies } from "./service-families.js";
import { hint } from "./suggest.js";
import type { Locator } from "./yaml-source.js";

const DEFAULT_NODES: { name: string; zone?: string; labels?: Record<string, string> }[] = [
  { name: "node-a", zone: "zone-a" },
  { name: "node-b", zone: "zone-b" },
];

export function buildScenario(loaded: LoadedScenario, diags: Diagnostics): Scenario | undefined {
  const before = diags.errors.length;
  const builder = new Builder(loaded, diags);
  const scenario = builder.build();
  // Errors from loading (an include that could not be read) make the scenario invalid too:
  // judging it without those manifests would give a wrong matrix.
  return loaded.incomplete || diags.errors.length > before ? undefined : scenario;
}

/** Loads and builds one file; throws ScenarioError (exit 2) on errors. Warnings are returned. */
export function loadScenario(file: string): { scenario: Scenario; diagnostics: Diagnostics } {
  const diags = new Diagnostics();
  const loaded = loadScenarioFile(file, diags);
  const scenario = loaded && buildScenario(loaded, diags);
  if (!scenario) throw new ScenarioError(diags.sorted());
  return { scenario, diagnostics: diags };
}

/** Builds a scenario from YAML text (tests, the library API); throws ScenarioError on errors. */
export function scenarioFromYaml(text: string, file = "scenario.yaml"): Scenario {
  const diags = new Diagnostics();
  const loaded = loadScenarioText(file, text, diags);
  const scenario = loaded && buildScenario(loaded, diags);
  if (!scenario) throw new ScenarioError(diags.sorted());
  return scenario;
}

class Builder {
  private readonly at: Locator;
  private families: Family[] = ["ipv4"];
  private podSubnets: Partial<Record<Family, Cidr>> = {};
  private serviceSubnets: Partial<Record<Family, Cidr>> = {};
  private nodeSubnets: Partial<Record<Family, Cidr>> = {};
  /** The load-balancer pool, shared by LoadBalancer Services and then the HTTP entries. */
  private get loadBalancers(): LoadBalancerPool {
    this.pool ??= new LoadBalancerPool(this.nodeSubnets);
    return this.pool;
  }
  private pool: LoadBalancerPool | undefined;
  private nodes: NodeModel[] = [];
  private namespaces: NamespaceModel[] = [];
  private pods: PodModel[] = [];
  private dataPlanes: GatewayDataPlane[] = [];

  constructor(private readonly loaded: LoadedScenario, private readonly diags: Diagnostics) {
    this.at = loaded.locator;
  }

  build(): Scenario {
    const raw = this.loaded.raw;
    this.name(checkDns1123Label, raw.metadata.name, ["metadata", "name"], "scenario name");
    this.buildCluster();
    this.buildNamespaces();
    this.buildPods();
    const manifests = this.buildManifests();
    const services = this.buildServices(manifests);
    const byKind = (kind: string) => manifests.filter((m) => m.kind === kind).map((m) => m.object);
    const scenario: Scenario = {
      name: raw.metadata.name,
      description: raw.metadata.description,
      tags: raw.metadata.tags ?? [],
      file: this.loaded.file,
      families: this.families,
      ipFamily: raw.cluster?.ipFamily ?? "ipv4",
      podSubnets: textOf(this.podSubnets),
      serviceSubnets: textOf(this.serviceSubnets),
      nodeSubnets: textOf(this.nodeSubnets),
      gatewayDataPlanes: this.dataPlanes,
      externalClient: Object.fromEntries(Object.entries(this.nodeSubnets).map(([f, c]) => [f, hostAddress(c)])),
      nodes: this.nodes,
      namespaces: this.namespaces,
      pods: this.pods,
      services,
      networkPolicies: byKind("NetworkPolicy") as unknown as NetworkPolicy[],
      adminNetworkPolicies: byKind("AdminNetworkPolicy") as unknown as AdminNetworkPolicy[],
      baselineAdminNetworkPolicies: byKind("BaselineAdminNetworkPolicy") as unknown as BaselineAdminNetworkPolicy[],
      clusterNetworkPolicies: byKind("ClusterNetworkPolicy") as unknown as ClusterNetworkPolicy[],
      endpointSlices: [
        ...byKind("EndpointSlice") as unknown as EndpointSlice[],
        ...mirroredSlices(byKind("Endpoints") as unknown as Endpoints[], byKind("Service") as unknown as Service[]),
      ],
      manifests,
      upstreamDns: this.buildUpstreamDns(),
      ...this.expectations(),
    };
    for (const { manifest, locator } of this.resourceSources) checkResource(scenario, manifest, locator, this.diags);
    checkReferences(scenario, this.at, this.diags);
    return scenario;
  }

  // ---- cluster ---------------------------------------------------------------------------

  private buildCluster(): void {
    const cluster = this.loaded.raw.cluster ?? {};
    const ipFamily = cluster.ipFamily ?? "ipv4";
    // kind's vocabulary: dual-stack clusters are IPv4-primary.
    this.families = ipFamily === "dual" ? ["ipv4", "ipv6"] : [ipFamily];
    this.podSubnets = this.subnets(cluster.podSubnet, DEFAULT_POD_SUBNETS, "podSubnet");
    this.serviceSubnets = this.subnets(cluster.serviceSubnet, DEFAULT_SERVICE_SUBNETS, "serviceSubnet");
    this.nodeSubnets = defaultSubnets(DEFAULT_NODE_SUBNETS, this.families);

    const specs = cluster.nodes ?? DEFAULT_NODES;
    const seen = new Set<string>();
    specs.forEach((spec, index) => {
      const path = ["cluster", "nodes", index];
      this.name(checkDns1123Subdomain, spec.name, [...path, "name"], "node name");
      if (seen.has(spec.name)) this.diags.error(this.at.at([...path, "name"]), `node '${spec.name}' is declared twice; node names must be unique`);
      seen.add(spec.name);
      const labels: Record<string, string> = { ...(spec.labels ?? {}) };
      this.checkLabels(labels, [...path, "labels"]);
      // The labels the kubelet sets on its Node (well-known labels, kubernetes.io/docs/reference/labels-annotations-taints/):
      // they win over the scenario's, as the kubelet would overwrite them.
      labels["kubernetes.io/hostname"] = spec.name;
      labels["kubernetes.io/os"] = "linux";
      labels["kubernetes.io/arch"] = NODE_ARCH;
      if (spec.zone !== undefined) {
        const problem = checkLabelValue(spec.zone);
        if (problem) this.diags.error(this.at.at([...path, "zone"]), `zone '${spec.zone}' ${problem}`);
        labels["topology.kubernetes.io/zone"] = spec.zone;
      }
      const podCIDRs: Partial<Record<Family, string>> = {};
      for (const family of this.families) {
        const subnet = this.podSubnets[family];
        if (!subnet) continue;
        const block = nodePodCidr(subnet, index);
        if (typeof block === "string") this.diags.error(this.at.at(["cluster", "podSubnet"]), `${block}, but ${specs.length} nodes are declared`);
        else podCIDRs[family] = block.text;
      }
      const ips = Object.fromEntries(Object.entries(this.nodeSubnets).map(([f, c]) => [f, nodeAddress(c, index)]));
      this.nodes.push({ name: spec.name, index, zone: spec.zone, labels, podCIDRs, ips });
    });
  }

  private subnets(text: string | undefined, defaults: Record<Family, string>, field: "podSubnet" | "serviceSubnet"): Partial<Record<Family, Cidr>> {
    if (text === undefined) return defaultSubnets(defaults, this.families);
    const parsed = parseSubnets(text, this.families, field);
    if (typeof parsed === "string") {
      this.diags.error(this.at.at(["cluster", field]), parsed);
      return defaultSubnets(defaults, this.families);
    }
    return parsed;
  }

  // ---- namespaces and pods ---------------------------------------------------------------

  private buildNamespaces(): void {
    const seen = new Set<string>();
    this.loaded.raw.namespaces.forEach((spec, i) => {
      const path = ["namespaces", i];
      this.name(checkDns1123Label, spec.name, [...path, "name"], "namespace name");
      if (seen.has(spec.name)) this.diags.error(this.at.at([...path, "name"]), `namespace '${spec.name}' is declared twice`);
      seen.add(spec.name);
      this.checkLabels(spec.labels ?? {}, [...path, "labels"]);
      // The API server sets kubernetes.io/metadata.name on every namespace (since 1.21).
      const labels = { ...(spec.labels ?? {}), "kubernetes.io/metadata.name": spec.name };
      this.namespaces.push({ name: spec.name, labels, system: false });
    });
    if (!seen.has(CLUSTER_DNS.namespace)) {
      this.namespaces.push({
        name: CLUSTER_DNS.namespace,
        labels: { "kubernetes.io/metadata.name": CLUSTER_DNS.namespace },
        system: true,
      });
    }
  }

  private buildPods(): void {
    const namespaceNames = this.namespaces.filter((n) => !n.system || n.name === CLUSTER_DNS.namespace).map((n) => n.name);
    const nodeNames = this.nodes.map((n) => n.name);
    const seen = new Map<string, string>();
    const perNode = new Map<string, number>();
    let spread = 0;
    const hostPorts = new Map<string, string>();
    const place = (
      id: { namespace: string; name: string }, node: string, extra: Omit<PodModel, "id" | "namespace" | "name" | "node" | "ips" | "index">,
      path: (string | number)[],
    ) => {
      const nodeModel = this.nodes.find((n) => n.name === node);
      if (extra.hostNetwork) {
        // Docs, Pod hostNetwork: the pod uses the node's network namespace, so the node's
        // addresses; it takes no address of the pod CIDR.
        this.pods.push({ id: `${id.namespace}/${id.name}`, ...id, node, ips: { ...(nodeModel?.ips ?? {}) }, ...extra, index: this.pods.length });
        return;
      }
      const slot = perNode.get(node) ?? 0;
      perNode.set(node, slot + 1);
      const ips: Partial<Record<Family, string>> = {};
      for (const family of this.families) {
        const nodeCidr = nodeModel?.podCIDRs[family];
        if (!nodeCidr) continue;
        const address = podAddress(cidr(nodeCidr), slot);
        if (address === undefined) this.diags.error(this.at.at(path), `node '${node}' has more pods than its ${family} pod CIDR ${nodeCidr} holds; declare more nodes or place pods elsewhere`);
        else ips[family] = address;
      }
      this.pods.push({ id: `${id.namespace}/${id.name}`, ...id, node, ips, ...extra, index: this.pods.length });
    };

    this.loaded.raw.pods.forEach((spec, i) => {
      const path = ["pods", i];
      if (!namespaceNames.includes(spec.namespace)) {
        this.diags.error(this.at.at([...path, "namespace"]), `pod ${spec.namespace}/${spec.name}: namespace '${spec.namespace}' is not declared${hint(spec.namespace, namespaceNames)}`);
      }
      if (spec.node !== undefined && !nodeNames.includes(spec.node)) {
        this.diags.error(this.at.at([...path, "node"]), `pod ${spec.namespace}/${spec.name}: node '${spec.node}' is not declared${hint(spec.node, nodeNames, "declared nodes")}`);
      }
      this.checkLabels(spec.labels ?? {}, [...path, "labels"]);
      // pkg/apis/core/validation ValidatePodSpec: a non-empty hostname and subdomain are each
      // ValidateDNS1123Label.
      for (const field of ["hostname", "subdomain"] as const) {
        const value = spec[field];
        if (value) this.name(checkDns1123Label, value, [...path, field], `pod ${spec.namespace}/${spec.name}: ${field}`);
      }
      const ports = this.podPorts(spec.ports ?? [], [...path, "ports"], `${spec.namespace}/${spec.name}`, spec.hostNetwork ?? false);
      // The declared name is checked once; replica suffixes (-0, -1, …) keep it valid.
      this.name(checkDns1123Subdomain, spec.name, [...path, "name"], "pod name");
      const names = spec.replicas === undefined ? [spec.name] : Array.from({ length: spec.replicas }, (_, r) => `${spec.name}-${r}`);
      for (const name of names) {
        const id = `${spec.namespace}/${name}`;
        if (seen.has(id)) {
          this.diags.error(this.at.at([...path, "name"]), `pod '${id}' is declared twice (first as ${seen.get(id)}); pod names must be unique in a namespace`);
          continue;
        }
        seen.set(id, spec.replicas === undefined ? `pods[${i}]` : `a replica of pods[${i}]`);
        const node = spec.node ?? this.nodes[spread++ % Math.max(1, this.nodes.length)]?.name ?? "";
        const hostNetwork = spec.hostNetwork ?? false;
        this.claimHostPorts(hostPorts, node, `${spec.namespace}/${name}`, ports, path);
        place({ namespace: spec.namespace, name }, node, {
          labels: spec.labels ?? {}, ports, ready: spec.ready ?? true, terminating: spec.terminating ?? false, hostNetwork,
          dnsPolicy: spec.dnsPolicy ?? "ClusterFirst", system: false,
          // An empty string is "not set", as the API server stores it.
          ...(spec.hostname ? { hostname: spec.hostname } : {}), ...(spec.subdomain ? { subdomain: spec.subdomain } : {}),
        }, path);
      }
    });

    // The cluster DNS pod (CoreDNS in kind), on the first node, after the scenario's pods so it
    // never shifts their addresses. DNS probes and DNS-egress policies need it to exist.
    const dnsId = `${CLUSTER_DNS.namespace}/${CLUSTER_DNS.podName}`;
    if (!seen.has(dnsId) && this.nodes.length > 0) {
      place({ namespace: CLUSTER_DNS.namespace, name: CLUSTER_DNS.podName }, this.nodes[0]!.name, {
        labels: CLUSTER_DNS.labels,
        ports: [{ name: "dns", port: 53, protocol: "UDP" }, { name: "dns-tcp", port: 53, protocol: "TCP" }],
        ready: true, terminating: false, hostNetwork: false, dnsPolicy: "ClusterFirst", system: true,
      }, ["pods"]);
    }
  }

  /**
   * Host ports (a hostNetwork pod's ports are its host ports) share their node's port space: the
   * scheduler's NodePorts filter places no two pods that use one host port and protocol on one
   * node (the second would stay Pending), so a scenario that does is an error here.
   */
  private claimHostPorts(claimed: Map<string, string>, node: string, pod: string, ports: readonly PodPort[], path: (string | number)[]): void {
    for (const port of ports) {
      if (port.hostPort === undefined) continue;
      const key = `${node}/${port.hostPort}/${port.protocol}`;
      const other = claimed.get(key);
      if (other) {
        this.diags.error(this.at.at([...path, "node"]), `pod ${pod} and ${other} both use host port ${port.hostPort}/${port.protocol} on node '${node}': the scheduler would not run them together; place them on different nodes`);
      } else {
        claimed.set(key, pod);
      }
    }
  }

  private podPorts(
    specs: readonly { name?: string; port: number; protocol?: PodPort["protocol"]; hostPort?: number }[], path: (string | number)[], pod: string, hostNetwork: boolean,
  ): PodPort[] {
    const names = new Set<string>();
    const numbers = new Set<string>();
    return specs.map((spec, i) => {
      const protocol = spec.protocol ?? "TCP";
      if (spec.name !== undefined) {
        const problem = checkPortName(spec.name);
        if (problem) this.diags.error(this.at.at([...path, i, "name"]), `pod ${pod}: port name '${spec.name}': ${problem}`);
        if (names.has(spec.name)) this.diags.error(this.at.at([...path, i, "name"]), `pod ${pod}: port name '${spec.name}' is used twice`);
        names.add(spec.name);
      }
      const key = `${spec.port}/${protocol}`;
      if (numbers.has(key)) this.diags.error(this.at.at([...path, i, "port"]), `pod ${pod}: port ${key} is declared twice`);
      numbers.add(key);
      // pkg/apis/core/v1 defaults (SetDefaults_Pod): a hostNetwork pod's hostPort defaults to
      // its containerPort; validation (validateHostNetwork): it "must match `containerPort` when
      // `hostNetwork` is true".
      if (hostNetwork && spec.hostPort !== undefined && spec.hostPort !== spec.port) {
        this.diags.error(this.at.at([...path, i, "hostPort"]), `pod ${pod}: hostPort ${spec.hostPort} must match the port (${spec.port}) when hostNetwork is true`);
      }
      const hostPort = hostNetwork ? spec.port : spec.hostPort;
      return { name: spec.name, port: spec.port, protocol, ...(hostPort !== undefined ? { hostPort } : {}) };
    });
  }

  // ---- resources --------------------------------------------------------------------------

  private resourceSources: { manifest: ManifestModel; locator: Locator }[] = [];

  private buildManifests(): ManifestModel[] {
    const passthrough = new Set(this.loaded.raw.passthrough ?? []);
    const namespaceNames = this.namespaces.map((n) => n.name);
    const seen = new Set<string>();
    const out: ManifestModel[] = [];
    for (const resource of this.loaded.resources) {
      const manifest = this.manifest(resource, passthrough, namespaceNames);
      if (!manifest) continue;
      const key = `${manifest.apiVersion}/${manifest.kind}/${manifest.namespace ?? ""}/${manifest.name}`;
      if (seen.has(key)) {
        this.diags.error(resource.locator.at(["metadata", "name"]), `${manifest.kind} '${manifest.namespace ? `${manifest.namespace}/` : ""}${manifest.name}' is defined twice`);
        continue;
      }
      seen.add(key);
      out.push(manifest);
      this.resourceSources.push({ manifest, locator: resource.locator });
    }
    return out;
  }

  private manifest(resource: LoadedResource, passthrough: Set<string>, namespaceNames: string[]): ManifestModel | undefined {
    const { locator } = resource;
    const apiVersion = String(resource.object.apiVersion ?? "");
    const kind = String(resource.object.kind ?? "");
    const key = `${apiVersion}/${kind}`;
    const pos = locator.at();
    if (!(key in ModelledKinds)) {
      if (passthrough.has(key)) {
        const raw = (resource.object.metadata ?? {}) as { name?: unknown; namespace?: unknown };
        return { apiVersion, kind, name: String(raw.name ?? ""), namespace: raw.namespace as string | undefined, object: resource.object, pos };
      }
      const known = Object.keys(ModelledKinds);
      this.diags.error(locator.at(["kind"]), `unknown resource kind '${key}' (${hint(key, known, "modelled kinds").slice(2)}); to apply an unmodelled kind with the kind provider, list '${key}' under 'passthrough:'`);
      return undefined;
    }
    const schema = ModelledKinds[key as ModelledKindKey];
    // `null` is "not set", as the API server decodes it (scenario/decode.ts), before any check.
    const object = decodeManifest(resource.object, key, schema, decodingFor(apiVersion));
    const metadata = (object.metadata ?? {}) as { name?: unknown; namespace?: unknown };
    const label = typeof metadata.name === "string" ? `${kind} ${typeof metadata.namespace === "string" ? `${metadata.namespace}/` : ""}${metadata.name}` : kind;
    if (!checkSchema(schema, object, locator, this.diags, label)) return undefined;
    this.objectMeta(object.metadata as ObjectMeta, locator.child(["metadata"]), label);
    const name = String(metadata.name);
    let namespace: string | undefined;
    if (ModelledNamespacedKinds.has(key)) {
      // `kubectl apply` puts a namespaced object without metadata.namespace into `default`.
      namespace = typeof metadata.namespace === "string" ? metadata.namespace : "default";
      if (!namespaceNames.includes(namespace)) {
        const where = metadata.namespace === undefined ? locator.at(["metadata"]) : locator.at(["metadata", "namespace"]);
        const implicit = metadata.namespace === undefined ? " (no metadata.namespace, so it goes to 'default', which must then be declared)" : "";
        this.diags.error(where, `${kind} '${name}': namespace '${namespace}' is not declared${implicit}${hint(namespace, namespaceNames)}`);
        return undefined;
      }
      // pkg/apis/core/validation: ValidateServiceName is NameIsDNS1035Label (a Service name is a DNS label that starts with a letter).
      const check = kind === "Service" ? checkDns1035Label : checkDns1123Subdomain;
      this.name(check, name, [], `${kind} name`, locator.child(["metadata", "name"]));
      // Normalise metadata.namespace so every consumer reads the same value.
      const normalised = { ...object, metadata: { ...(object.metadata as object), namespace } };
      return { apiVersion, kind, name, namespace, object: normalised, pos, locator };
    }
    this.name(checkDns1123Subdomain, name, [], `${kind} name`, locator.child(["metadata", "name"]));
    return { apiVersion, kind, name, object, pos, locator };
  }

  private buildServices(manifests: readonly ManifestModel[]): ServiceModel[] {
    const services: ServiceModel[] = [];
    const allocator = new ClusterIpAllocator(this.serviceSubnets);
    const loadBalancers = this.loadBalancers;
    // Allocated nodePorts skip every port a Service asked for (the API server would refuse a
    // second Service on the same nodePort).
    const requested = new Set(manifests.flatMap((m) => m.kind === "Service" ? ((m.object as unknown as Service).spec.ports ?? []).map((p) => p.nodePort).filter((p) => !!p) : []));
    let nextNodePort = NODE_PORT_RANGE.from;
    const allocateNodePort = () => {
      while (requested.has(nextNodePort)) nextNodePort++;
      requested.add(nextNodePort);
      return nextNodePort++;
    };
    const serviceManifests = manifests.filter((m) => m.kind === "Service").map((manifest) => {
      const svc = manifest.object as unknown as Service;
      const locator = this.resourceSources.find((r) => r.manifest === manifest)!.locator;
      return { manifest, svc, locator, pinned: pinnedClusterIPs(svc, locator, this.diags) };
    });
    // Pinned addresses are claimed first, in declaration order, so the plan's own never collide.
    const claimed = new Map<ManifestModel, Partial<Record<Family, string>>>();
    for (const { manifest, svc, locator, pinned } of serviceManifests) {
      if (pinned.kind !== "ips") continue;
      const field = (svc.spec.clusterIPs?.length ?? 0) > 0 ? "clusterIPs" : "clusterIP";
      const ips: Partial<Record<Family, string>> = {};
      pinned.ips.forEach((ip, i) => {
        const path = ["spec", field, ...(field === "clusterIPs" ? [i] : [])];
        if (allocator.claim(ip, `${manifest.namespace}/${manifest.name}`, locator, path, this.diags)) ips[familyOf(ip)!] = canonicalIp(ip);
      });
      claimed.set(manifest, ips);
    }
    for (const { manifest, svc, locator, pinned } of serviceManifests) {
      const type = svc.spec.type ?? "ClusterIP";
      const headless = svc.spec.clusterIP === "None" || pinned.kind === "headless";
      const families = serviceFamilies(svc, this.serviceFamilyOrder(), locator, this.diags, pinnedFamilies(pinned));
      const clusterIPs: Partial<Record<Family, string>> = {};
      if (!headless && type !== "ExternalName") {
        const own = claimed.get(manifest) ?? {};
        const planned = allocator.allocate(`${manifest.namespace}/${manifest.name}`, families.filter((f) => own[f] === undefined));
        for (const family of families) {
          const address = own[family] ?? planned[family];
          if (address === undefined && pinned.kind !== "ips") this.diags.error(locator.at(), `serviceSubnet ${this.serviceSubnets[family]!.text} has no room for Service ${manifest.namespace}/${manifest.name}`);
          else if (address !== undefined) clusterIPs[family] = address;
        }
      }
      const annotations = svc.metadata.annotations ?? {};
      const ports = (svc.spec.ports ?? []).map((p) => ({
        name: p.name,
        port: p.port,
        protocol: p.protocol ?? "TCP",
        targetPort: serviceTargetPort(p),
        nodePort: p.nodePort || (allocatesNodePorts(svc) ? allocateNodePort() : undefined),
      }));
      services.push({
        id: `${manifest.namespace}/${manifest.name}`,
        namespace: manifest.namespace!,
        name: manifest.name,
        type,
        headless,
        selector: svc.spec.selector,
        ports,
        families,
        clusterIPs,
        internalTrafficPolicy: svc.spec.internalTrafficPolicy ?? "Cluster",
        externalTrafficPolicy: svc.spec.externalTrafficPolicy ?? "Cluster",
        trafficDistribution: svc.spec.trafficDistribution,
        topologyModeAuto: topologyHintsEnabled(annotations),
        sessionAffinity: svc.spec.sessionAffinity ?? "None",
        publishNotReadyAddresses: svc.spec.publishNotReadyAddresses ?? false,
        loadBalancerIPs: type === "LoadBalancer" ? loadBalancers.allocate(`${manifest.namespace}/${manifest.name}`, families, locator, this.diags) : {},
        externalIPs: (svc.spec.externalIPs ?? []).filter((ip) => familyOf(ip) !== undefined).map(canonicalIp),
        loadBalancerSourceRanges: type === "LoadBalancer" ? sourceRanges(svc) : [],
        manifest: svc,
        system: false,
      });
    }
    services.push(this.dnsService());
    this.dataPlanes = addGatewayDataPlanes(manifests, {
      families: this.families, nodes: this.nodes, namespaces: this.namespaces, pods: this.pods, services,
      serviceFamilies: this.serviceFamilyOrder(), allocator, loadBalancers, diags: this.diags, at: this.at,
    });
    return services;
  }

  /**
   * The cluster's Service families, primary first: the order `serviceSubnet` is written in, as
   * kube-apiserver's --service-cluster-ip-range (its first range is the primary family).
   */
  private serviceFamilyOrder(): Family[] {
    return (Object.keys(this.serviceSubnets) as Family[]).filter((f) => this.families.includes(f));
  }

  /** kube-system/kube-dns at the service subnet's .10, as kubeadm (and so kind) sets it up. */
  private dnsService(): ServiceModel {
    const clusterIPs: Partial<Record<Family, string>> = {};
    const families = this.serviceFamilyOrder();
    for (const family of families) clusterIPs[family] = serviceAddress(this.serviceSubnets[family]!, DNS_SERVICE_OFFSET);
    const ports = [
      { name: "dns", port: 53, protocol: "UDP" as const, targetPort: 53 },
      { name: "dns-tcp", port: 53, protocol: "TCP" as const, targetPort: 53 },
    ];
    const manifest: Service = {
      apiVersion: "v1", kind: "Service",
      metadata: { name: CLUSTER_DNS.serviceName, namespace: CLUSTER_DNS.namespace },
      spec: { selector: { ...CLUSTER_DNS.labels }, ports: ports.map((p) => ({ ...p })) },
    };
    return {
      id: `${CLUSTER_DNS.namespace}/${CLUSTER_DNS.serviceName}`, namespace: CLUSTER_DNS.namespace, name: CLUSTER_DNS.serviceName,
      type: "ClusterIP", headless: false, selector: CLUSTER_DNS.labels, ports, families, clusterIPs,
      internalTrafficPolicy: "Cluster", externalTrafficPolicy: "Cluster", topologyModeAuto: false, sessionAffinity: "None",
      publishNotReadyAddresses: false, loadBalancerIPs: {}, externalIPs: [], loadBalancerSourceRanges: [], manifest, system: true,
    };
  }

  // ---- names outside the cluster ------------------------------------------------------------

  /**
   * cluster.upstreamDNS: what the cluster DNS's upstream resolvers answer (docs, "DNS for
   * Services and Pods", dnsPolicy ClusterFirst: names outside the cluster domain are forwarded
   * upstream). Names outside the zone only (the zone's records are the scenario's own), and
   * addresses outside the pod and Service subnets (a cluster address is named by its Service or pod).
   */
  private buildUpstreamDns(): UpstreamNameModel[] {
    const seen = new Set<string>();
    const subnets = [...Object.values(this.podSubnets), ...Object.values(this.serviceSubnets)].filter((c): c is Cidr => c !== undefined);
    return (this.loaded.raw.cluster?.upstreamDNS ?? []).map((entry, i) => {
      const path = ["cluster", "upstreamDNS", i];
      const name = canonicalName(entry.name);
      // DNS names are not case-sensitive: checked, compared and served lower-cased.
      const problem = checkDns1123Subdomain(name);
      if (problem) this.diags.error(this.at.at([...path, "name"]), `upstream name '${entry.name}' ${problem}`);
      else if (inClusterZone(name)) {
        this.diags.error(this.at.at([...path, "name"]), `upstream name '${entry.name}' is in the cluster's zone ${CLUSTER_DNS.domain}: its records are the scenario's Services and pods`);
      }
      if (seen.has(name)) this.diags.error(this.at.at([...path, "name"]), `upstream name '${entry.name}' is declared twice`);
      seen.add(name);
      const addresses: string[] = [];
      entry.addresses.forEach((address, a) => {
        const where = this.at.at([...path, "addresses", a]);
        if (!familyOf(address)) { this.diags.error(where, `'${address}' is not an IPv4 or IPv6 address`); return; }
        const inside = subnets.find((subnet) => cidrContains(subnet, address));
        if (inside) this.diags.error(where, `${address} lies in the cluster's subnet ${inside.text}: an upstream name resolves outside the cluster (name a cluster address by its Service or pod)`);
        else addresses.push(canonicalIp(address));
      });
      return { name, addresses };
    });
  }

  /** The `probe` and `expect` sections (expectations-build.ts). */
  private expectations(): Pick<Scenario, "probe" | "expect"> {
    const context = { raw: this.loaded.raw, resources: this.loaded.resources, families: this.families, at: this.at, diags: this.diags };
    return { probe: buildProbe(context), expect: buildExpect(context) };
  }

  // ---- helpers ------------------------------------------------------------------------------

  private name(check: (v: string) => string | undefined, value: string, path: (string | number)[], what: string, locator = this.at): void {
    const problem = check(value);
    if (problem) this.diags.error(locator.at(path), `${what} '${value}' ${problem}`);
  }

  private checkLabels(labels: Record<string, string>, path: (string | number)[], locator = this.at, what = ""): void {
    for (const [key, value] of Object.entries(labels)) {
      const keyProblem = checkLabelKey(key);
      if (keyProblem) this.diags.error(locator.at([...path, key], true), `${what}label key '${key}': ${keyProblem}`);
      const valueProblem = checkLabelValue(String(value));
      if (valueProblem) this.diags.error(locator.at([...path, key]), `${what}label ${key}='${value}': the value ${valueProblem}`);
    }
  }

  /** ValidateObjectMeta (apimachinery pkg/api/validation/objectmeta.go) on a manifest: labels, annotation keys. */
  private objectMeta(meta: ObjectMeta, locator: Locator, what: string): void {
    this.checkLabels(meta.labels ?? {}, ["labels"], locator, `${what}: `);
    for (const key of Object.keys(meta.annotations ?? {})) {
      // ValidateAnnotations: each key, lower-cased, is a qualified name.
      const problem = checkLabelKey(key.toLowerCase());
      if (problem) this.diags.error(locator.at(["annotations", key], true), `${what}: annotation key '${key}': ${problem}`);
    }
  }
}

function textOf(subnets: Partial<Record<Family, Cidr>>): Partial<Record<Family, string>> {
  return Object.fromEntries(FAMILIES.filter((f) => subnets[f]).map((f) => [f, subnets[f]!.text]));
}

/** The Go architecture name (runtime.GOARCH) of this machine, as the kubelet labels a node of it. */
const NODE_ARCH = ({ x64: "amd64", arm64: "arm64", arm: "arm", ia32: "386", ppc64: "ppc64le", s390x: "s390x" } as Record<string, string>)[process.arch] ?? process.arch;
