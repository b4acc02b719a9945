// Semantic checks on resources, after the schema: the API server's own validation rules (so a
// scenario that would not apply is an error here) plus warnings for likely mistakes.
// Sources: k8s.io/kubernetes pkg/apis/networking/validation (ValidateNetworkPolicy),
// pkg/apis/core/validation (ValidateService), apimachinery ValidateLabelSelector, and the
// network-policy-api CRD validation rules (CEL) for AdminNetworkPolicy and ClusterNetworkPolicy
// (config/crd/experimental/policy.networking.k8s.io_clusternetworkpolicies.yaml).
import { Layer7Kinds, type Gateway, type GatewayClass, type HTTPRoute, type Ingress, type IngressClass, type ReferenceGrant } from "../kube/gateway-types.js";
import {
  validateGateway, validateGatewayClass, validateHTTPRoute, validateIngress, validateIngressClass, validateReferenceGrant, type Problem,
} from "./gateway-checks.js";
import { checkDns1123Label, checkDns1123Subdomain, checkLabelKey, checkLabelValue, checkPortName, selectorMatches } from "../kube/labels.js";
import { canonicalIp, cidr, cidrContains, cidrWithin, formatCidr, ipToBigInt, familyOf, isIpAddress, isIpv4Mapped, parseCidr } from "../kube/net.js";
import { serviceTargetPort, TRAFFIC_DISTRIBUTIONS } from "../kube/services.js";
import type {
  AdminNetworkPolicy, AdminPort, BaselineAdminNetworkPolicy, ClusterNetworkPolicy, CnpProtocol, EndpointSlice, Endpoints, LabelSelector, NetworkPolicy, NetworkPolicyPort, Protocol, Service,
} from "../kube/types.js";
import { SERVICE_NAME_LABEL } from "../kube/types.js";
import { NODE_PORT_RANGE } from "./addresses.js";
import { namespacePods } from "./namespace-pods.js";
import type { Diagnostics } from "./diagnostics.js";
import type { ManifestModel, PodModel, Scenario } from "./model.js";
import type { Locator, Path } from "./yaml-source.js";

export function checkResource(scenario: Scenario, manifest: ManifestModel, locator: Locator, diags: Diagnostics): void {
  const ctx = new Checker(scenario, locator, diags, `${manifest.kind} ${manifest.namespace ? `${manifest.namespace}/` : ""}${manifest.name}`);
  switch (manifest.kind) {
    case "NetworkPolicy": return ctx.networkPolicy(manifest.object as unknown as NetworkPolicy);
    case "Service": return ctx.service(manifest.object as unknown as Service);
    case "AdminNetworkPolicy": return ctx.adminPolicy(manifest.object as unknown as AdminNetworkPolicy);
    case "BaselineAdminNetworkPolicy": return ctx.baselinePolicy(manifest.object as unknown as BaselineAdminNetworkPolicy);
    case "ClusterNetworkPolicy": return ctx.clusterPolicy(manifest.object as unknown as ClusterNetworkPolicy);
    case "EndpointSlice": return ctx.endpointSlice(manifest.object as unknown as EndpointSlice);
    case "Endpoints": return ctx.endpoints(manifest.object as unknown as Endpoints);
  }
  // A passed-through kind of the same name (another project's Gateway, say) is not checked.
  const layer7 = LAYER7_CHECKS[manifest.kind];
  if (layer7 && `${manifest.apiVersion}/${manifest.kind}` in Layer7Kinds) ctx.problems(layer7(manifest.object));
}

/** The Layer 7 kinds' field checks (gateway-checks.ts), by kind. */
const LAYER7_CHECKS: Readonly<Record<string, (object: Record<string, unknown>) => Problem[]>> = {
  Ingress: (o) => validateIngress(o as unknown as Ingress),
  IngressClass: (o) => validateIngressClass(o as unknown as IngressClass),
  GatewayClass: (o) => validateGatewayClass(o as unknown as GatewayClass),
  Gateway: (o) => validateGateway(o as unknown as Gateway),
  HTTPRoute: (o) => validateHTTPRoute(o as unknown as HTTPRoute),
  ReferenceGrant: (o) => validateReferenceGrant(o as unknown as ReferenceGrant),
};

class Checker {
  constructor(
    private readonly scenario: Scenario,
    private readonly at: Locator,
    private readonly diags: Diagnostics,
    private readonly what: string,
  ) {}

  private error(path: Path, message: string) { this.diags.error(this.at.at(path), `${this.what}: ${message}`); }

  /** Problems found elsewhere (gateway-checks.ts), at their fields. */
  problems(list: readonly Problem[]): void {
    for (const problem of list) {
      if (problem.severity === "error") this.error([...problem.path], problem.message);
      else this.warn([...problem.path], problem.message);
    }
  }
  private warn(path: Path, message: string) { this.diags.warning(this.at.at(path), `${this.what}: ${message}`); }

  // ---- NetworkPolicy ------------------------------------------------------------------------

  networkPolicy(np: NetworkPolicy): void {
    const spec = np.spec;
    const namespace = np.metadata.namespace!;
    this.selector(spec.podSelector, ["spec", "podSelector"]);
    const selected = namespacePods(this.scenario, namespace).filter((p) => selectorMatches(spec.podSelector, p.labels));
    // ValidateNetworkPolicySpec: at most two policyTypes (each Ingress or Egress, the schema's
    // enum); a repeated type within two is accepted.
    const types = spec.policyTypes ?? [];
    if (types.length > 2) this.error(["spec", "policyTypes", 2], `may not specify more than two policyTypes (found ${types.length}); list Ingress, Egress or both, once each`);
    else if (types.length === 2 && types[0] === types[1]) this.warn(["spec", "policyTypes", 1], `policyTypes lists ${types[0]} twice; the API server accepts it, once is enough`);
    (spec.ingress ?? []).forEach((rule, r) => {
      (rule.from ?? []).forEach((peer, i) => this.peer(peer, ["spec", "ingress", r, "from", i]));
      (rule.ports ?? []).forEach((port, i) => this.policyPort(port, ["spec", "ingress", r, "ports", i], selected, "the pods this policy selects"));
    });
    (spec.egress ?? []).forEach((rule, r) => {
      (rule.to ?? []).forEach((peer, i) => this.peer(peer, ["spec", "egress", r, "to", i]));
      (rule.ports ?? []).forEach((port, i) => this.policyPort(port, ["spec", "egress", r, "ports", i], this.scenario.pods, "any pod"));
    });
  }

  private peer(peer: NonNullable<NonNullable<NetworkPolicy["spec"]["ingress"]>[number]["from"]>[number], path: Path): void {
    const selectors = (peer.podSelector ? 1 : 0) + (peer.namespaceSelector ? 1 : 0);
    if (!peer.ipBlock && selectors === 0) {
      this.error(path, "a peer must specify podSelector, namespaceSelector or ipBlock (to allow everyone, omit 'from'/'to' instead)");
    }
    if (peer.ipBlock && selectors > 0) {
      this.error(path, "a peer may not specify both ipBlock and a selector; use two separate peers (they are ORed)");
    }
    if (peer.podSelector) this.selector(peer.podSelector, [...path, "podSelector"]);
    if (peer.namespaceSelector) this.selector(peer.namespaceSelector, [...path, "namespaceSelector"]);
    if (peer.ipBlock) this.ipBlock(peer.ipBlock, [...path, "ipBlock"]);
  }

  private ipBlock(block: { cidr: string; except?: string[] }, path: Path): void {
    const outer = parseCidr(block.cidr);
    if (typeof outer === "string") { this.error([...path, "cidr"], outer); return; }
    (block.except ?? []).forEach((text, i) => {
      const inner = parseCidr(text);
      if (typeof inner === "string") { this.error([...path, "except", i], inner); return; }
      if (inner.family !== outer.family) {
        this.error([...path, "except", i], `except '${text}' is ${inner.family} but cidr '${block.cidr}' is ${outer.family}; an except must lie inside its cidr`);
      } else if (!cidrWithin(inner, outer) || inner.prefix <= outer.prefix) {
        this.error([...path, "except", i], `except '${text}' must be a strict subset of cidr '${block.cidr}'`);
      }
    });
  }

  private policyPort(port: NetworkPolicyPort, path: Path, destinations: readonly PodModel[], whom: string): void {
    const protocol = port.protocol ?? "TCP";
    if (typeof port.port === "string") {
      const problem = checkPortName(port.port);
      if (problem) this.error([...path, "port"], `port '${port.port}': ${problem}`);
      else this.namedPortServed(port.port, protocol, destinations, [...path, "port"], whom);
    } else if (port.port !== undefined && (port.port < 1 || port.port > 65535)) {
      this.error([...path, "port"], `port ${port.port} must be 1-65535`);
    }
    if (port.endPort !== undefined) {
      if (port.port === undefined) this.error([...path, "endPort"], "endPort requires a numeric port (the start of the range)");
      else if (typeof port.port === "string") this.error([...path, "endPort"], `endPort cannot be used with a named port ('${port.port}'); give the range's first port as a number`);
      else if (port.endPort < port.port) this.error([...path, "endPort"], `endPort ${port.endPort} is below port ${port.port}; endPort must be >= port`);
      else if (port.endPort > 65535) this.error([...path, "endPort"], `endPort ${port.endPort} must be <= 65535`);
    }
  }

  private namedPortServed(name: string, protocol: Protocol, pods: readonly PodModel[], path: Path, whom: string): void {
    if (pods.some((p) => p.ports.some((port) => port.name === name && port.protocol === protocol))) return;
    const sameName = pods.find((p) => p.ports.some((port) => port.name === name));
    const protocolHint = sameName
      ? ` (${sameName.id} has a port '${name}' but with protocol ${sameName.ports.find((p) => p.name === name)!.protocol}; named ports match name and protocol)`
      : "";
    this.warn(path, `no pod among ${whom} serves a ${protocol} port named '${name}', so this port matches nothing${protocolHint}`);
  }

  /**
   * apimachinery pkg/apis/meta/v1/validation ValidateLabelSelector (with
   * AllowInvalidLabelValueInSelector false, as for a new object). `crd`: the selector of a
   * custom resource, which the CRD's schema does not check beyond types, so the API server
   * accepts it and a problem is a warning (implementations fail to convert such a selector).
   */
  private selector(selector: LabelSelector, path: Path, crd = false): void {
    const report = (where: Path, message: string) => crd
      ? this.warn(where, `${message} (the CRD accepts this, but implementations cannot turn it into a label selector)`)
      : this.error(where, message);
    for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
      const keyProblem = checkLabelKey(key);
      if (keyProblem) report([...path, "matchLabels", key], `label key '${key}': ${keyProblem}`);
      const valueProblem = checkLabelValue(value);
      if (valueProblem) report([...path, "matchLabels", key], `label value '${value}': ${valueProblem}`);
    }
    (selector.matchExpressions ?? []).forEach((req, i) => {
      const where = [...path, "matchExpressions", i];
      const keyProblem = checkLabelKey(req.key);
      if (keyProblem) report([...where, "key"], `label key '${req.key}': ${keyProblem}`);
      const values = req.values ?? [];
      if ((req.operator === "In" || req.operator === "NotIn") && values.length === 0) {
        report([...where, "values"], `operator ${req.operator} needs at least one value`);
      }
      if ((req.operator === "Exists" || req.operator === "DoesNotExist") && values.length > 0) {
        report([...where, "values"], `operator ${req.operator} takes no values`);
      }
      values.forEach((v, j) => {
        const problem = checkLabelValue(v);
        if (problem) report([...where, "values", j], `label value '${v}': ${problem}`);
      });
    });
  }

  // ---- Service ------------------------------------------------------------------------------

  service(svc: Service): void {
    const spec = svc.spec;
    const type = spec.type ?? "ClusterIP";
    const ports = spec.ports ?? [];
    if (type !== "ExternalName" && ports.length === 0 && spec.clusterIP !== "None") {
      this.error(["spec", "ports"], "a Service needs at least one port (only headless and ExternalName Services may have none)");
    }
    if (type === "ExternalName") {
      // ValidateService, ExternalName: the CNAME target is required and a DNS-1123 subdomain (a trailing dot marks it fully qualified).
      const cname = (spec.externalName ?? "").replace(/\.$/, "");
      if (!cname) this.error(["spec", "externalName"], "an ExternalName Service needs spec.externalName (the DNS name it is an alias for)");
      else {
        const problem = checkDns1123Subdomain(cname);
        if (problem) this.error(["spec", "externalName"], `externalName '${spec.externalName}': ${problem}`);
      }
    }
    for (const [key, value] of Object.entries(spec.selector ?? {})) {
      const problem = checkLabelKey(key) ?? checkLabelValue(value);
      if (problem) this.error(["spec", "selector", key], `selector ${key}=${value}: ${problem}`);
    }
    const names = new Set<string>();
    const numbers = new Set<string>();
    const namespace = svc.metadata.namespace!;
    const selected = spec.selector
      ? namespacePods(this.scenario, namespace).filter((p) => selectorMatches({ matchLabels: spec.selector }, p.labels))
      : [];
    ports.forEach((port, i) => {
      const path = ["spec", "ports", i];
      const protocol = port.protocol ?? "TCP";
      if (ports.length > 1 && !port.name) this.error(path, "when a Service has several ports, each must have a name");
      if (port.name) {
        // validateServicePort: a Service port's name is a DNS-1123 label (up to 63 characters,
        // digits alone allowed), unlike a container port's IANA service name (targetPort).
        const problem = checkDns1123Label(port.name);
        if (problem) this.error([...path, "name"], `port name '${port.name}': ${problem}`);
        if (names.has(port.name)) this.error([...path, "name"], `port name '${port.name}' is used twice`);
        names.add(port.name);
      }
      const key = `${port.port}/${protocol}`;
      if (numbers.has(key)) this.error([...path, "port"], `port ${key} is declared twice`);
      numbers.add(key);
      if (protocol === "SCTP") this.warn([...path, "protocol"], "SCTP cells are reported skipped on kernels without SCTP (such as the local provider's)");
      if (port.appProtocol !== undefined) {
        // validateServicePort: appProtocol is a qualified name (e.g. http, kubernetes.io/h2c).
        const problem = checkLabelKey(port.appProtocol);
        if (problem) this.error([...path, "appProtocol"], `appProtocol '${port.appProtocol}': ${problem}`);
      }
      const target = serviceTargetPort(port);
      if (typeof target === "string") {
        const problem = checkPortName(target);
        if (problem) this.error([...path, "targetPort"], `targetPort '${target}': ${problem}`);
        else if (spec.selector) this.namedPortServed(target, protocol, selected, [...path, "targetPort"], "the pods this Service selects");
      } else if (target < 1 || target > 65535) {
        this.error([...path, "targetPort"], `targetPort ${target} must be 1-65535`);
      } else if (spec.selector && selected.length > 0 && !selected.some((p) => p.ports.some((pp) => pp.port === target && pp.protocol === protocol))) {
        this.warn([...path, "targetPort"], `no selected pod serves ${target}/${protocol}, so connections will be refused by the backends`);
      }
    });
    // ValidateService: nodePort only on NodePort/LoadBalancer, within the node port range;
    // a headless Service cannot be NodePort or LoadBalancer.
    ports.forEach((port, i) => {
      if (port.nodePort === undefined || port.nodePort === 0) return;
      if (type === "ClusterIP") {
        this.error(["spec", "ports", i, "nodePort"], `nodePort may not be used when type is 'ClusterIP'; set type: NodePort or remove nodePort`);
      } else if (type === "ExternalName") {
        // ValidateService forbids nodePort for ClusterIP only; an ExternalName Service gets no node port.
        this.warn(["spec", "ports", i, "nodePort"], "nodePort is ignored when type is 'ExternalName' (no node port is allocated); remove it");
      } else if (port.nodePort < NODE_PORT_RANGE.from || port.nodePort > NODE_PORT_RANGE.to) {
        this.error(["spec", "ports", i, "nodePort"], `nodePort ${port.nodePort} is outside the node port range ${NODE_PORT_RANGE.from}-${NODE_PORT_RANGE.to}`);
      }
    });
    // ValidateService: a nodePort may repeat across protocols (DNS on 53/TCP and 53/UDP), not within one.
    const nodePorts = new Set<string>();
    ports.forEach((port, i) => {
      if (!port.nodePort) return; // 0 is unset (allocated)
      const key = `${port.nodePort}/${port.protocol ?? "TCP"}`;
      if (nodePorts.has(key)) this.error(["spec", "ports", i, "nodePort"], `nodePort ${key} is used twice`);
      nodePorts.add(key);
    });
    // The node port allocator is by number: another Service's port blocks every protocol.
    const taken = this.scenario.services.filter((o) => o.manifest !== svc && !o.system).flatMap((o) => (o.manifest.spec.ports ?? []).map((p) => p.nodePort));
    ports.forEach((port, i) => {
      if (port.nodePort && taken.includes(port.nodePort)) {
        this.error(["spec", "ports", i, "nodePort"], `nodePort ${port.nodePort} is already requested by another Service`);
      }
    });
    if (spec.clusterIP === "None" && (type === "NodePort" || type === "LoadBalancer")) {
      this.error(["spec", "clusterIP"], `clusterIP may not be 'None' (headless) for type ${type}`);
    }
    if (spec.selector && selected.length === 0) this.warn(["spec", "selector"], "the selector matches no pod: the Service has no endpoints and connections are refused");
    // validateServiceExternalTrafficPolicy: only for externally-accessible Services
    // (pkg/api/service/util.go ExternallyAccessible: LoadBalancer, NodePort, or ClusterIP with externalIPs).
    const externalIPs = spec.externalIPs ?? [];
    const externallyAccessible = type === "LoadBalancer" || type === "NodePort" || (type === "ClusterIP" && externalIPs.length > 0);
    if (spec.externalTrafficPolicy !== undefined && !externallyAccessible) {
      this.error(["spec", "externalTrafficPolicy"], "externalTrafficPolicy may only be set for externally-accessible services (type NodePort or LoadBalancer, or with externalIPs)");
    }
    this.serviceExternal(spec, type);
    const supported: readonly string[] = TRAFFIC_DISTRIBUTIONS;
    if (spec.trafficDistribution !== undefined && !supported.includes(spec.trafficDistribution)) {
      this.error(["spec", "trafficDistribution"], `unsupported trafficDistribution '${spec.trafficDistribution}'; supported: ${supported.join(", ")}`);
    }
  }

  /** ValidateService: externalIPs, load-balancer-only fields, session affinity, ExternalName's forbidden fields. */
  private serviceExternal(spec: Service["spec"], type: string): void {
    (spec.externalIPs ?? []).forEach((ip, i) => {
      const problem = strictIpProblem(ip) ?? specialIpProblem(ip);
      if (problem) this.error(["spec", "externalIPs", i], `externalIPs[${i}] '${ip}': ${problem}`);
    });
    (spec.loadBalancerSourceRanges ?? []).forEach((text, i) => {
      // IsValidCIDR (strict, canonical); historically the values may be space-padded.
      const problem = strictCidrProblem(text.trim());
      if (problem) this.error(["spec", "loadBalancerSourceRanges", i], `loadBalancerSourceRanges[${i}] '${text}': ${problem}`);
    });
    const lbOnly = ["loadBalancerSourceRanges", "allocateLoadBalancerNodePorts", "loadBalancerClass"] as const;
    for (const field of lbOnly) {
      const value = spec[field];
      if (value === undefined || (Array.isArray(value) && value.length === 0)) continue;
      if (type !== "LoadBalancer") this.error(["spec", field], `${field} may only be used when type is 'LoadBalancer'`);
    }
    if (spec.sessionAffinityConfig !== undefined && (spec.sessionAffinity ?? "None") === "None") {
      this.error(["spec", "sessionAffinityConfig"], "sessionAffinityConfig must not be set when sessionAffinity is None; set sessionAffinity: ClientIP or remove it");
    }
    if (type === "ExternalName") {
      const clusterIPs = spec.clusterIPs?.length ? spec.clusterIPs : spec.clusterIP ? [spec.clusterIP] : [];
      if (clusterIPs.length > 0) this.error(["spec", spec.clusterIPs?.length ? "clusterIPs" : "clusterIP"], "clusterIP(s) may not be set for ExternalName services");
      if (spec.ipFamilies?.length) this.error(["spec", "ipFamilies"], "ipFamilies may not be set for ExternalName services");
      if (spec.ipFamilyPolicy !== undefined) this.error(["spec", "ipFamilyPolicy"], "ipFamilyPolicy may not be set for ExternalName services");
    }
  }

  // ---- AdminNetworkPolicy / BaselineAdminNetworkPolicy --------------------------------------

  adminPolicy(anp: AdminNetworkPolicy): void {
    this.adminCommon(anp.spec, false);
    const same = this.scenario.adminNetworkPolicies.filter((o) => o.spec.priority === anp.spec.priority && o.metadata.name !== anp.metadata.name);
    if (same.length > 0) {
      this.warn(["spec", "priority"], `priority ${anp.spec.priority} is shared with ${same.map((o) => o.metadata.name).join(", ")}: which one wins where their rules overlap is implementation-defined (the oracle reports such cells 'undefined')`);
    }
  }

  baselinePolicy(banp: BaselineAdminNetworkPolicy): void {
    if (banp.metadata.name !== "default") {
      // The CRD's CEL rule on the object: self.metadata.name == 'default'.
      this.error(["metadata", "name"], `a BaselineAdminNetworkPolicy must be named 'default', not '${banp.metadata.name}' (the CRD: "Only one baseline admin network policy with metadata.name=\"default\" can be created in the cluster")`);
    }
    this.adminCommon(banp.spec, true);
  }

  // The v1alpha1 CRDs as last published (network-policy-api v0.1.7, commit 0e80470,
  // config/crd/experimental/policy.networking.k8s.io_adminnetworkpolicies.yaml and
  // _baselineadminnetworkpolicies.yaml): types, enums, ranges, MinItems/MaxItems and MaxLength
  // are the schema's; here are MinProperties/MaxProperties=1, `listType=set` and the CEL rules.
  // Nothing else is validated by the API server: selectors are not label-checked, namedPort has
  // no format and portRange no start <= end rule, so those are warnings at most.

  private adminCommon(spec: AdminNetworkPolicy["spec"] | BaselineAdminNetworkPolicy["spec"], baseline: boolean): void {
    this.subjectAndSources(spec);
    (spec.ingress ?? []).forEach((rule, r) => {
      (rule.ports ?? []).forEach((port, i) => this.adminPort(port, ["spec", "ingress", r, "ports", i]));
    });
    (spec.egress ?? []).forEach((rule, r) => {
      let addressPeer = false;
      rule.to.forEach((peer, i) => {
        const path = ["spec", "egress", r, "to", i];
        this.exactlyOne(peer as Record<string, unknown>, path, "peer", ["namespaces", "pods", "nodes", "networks"]);
        this.adminSelectors(peer, path, true);
        if (peer.nodes) { this.selector(peer.nodes, [...path, "nodes"], true); addressPeer = true; }
        if (peer.networks) addressPeer = true;
        this.uniqueItems(peer.networks, [...path, "networks"]);
        (peer.networks ?? []).forEach((text, n) => {
          const problem = celCidrProblem(text);
          if (problem) this.error([...path, "networks", n], `${problem} (the CRD's rule isCIDR(self): "Invalid CIDR format provided")`);
        });
      });
      // CEL on the egress rule (AdminNetworkPolicyEgressRule / BaselineAdminNetworkPolicyEgressRule).
      if (addressPeer) {
        (rule.ports ?? []).forEach((port, i) => {
          if (port.namedPort === undefined) return;
          this.error(["spec", "egress", r, "ports", i, "namedPort"], baseline
            ? "networks/nodes peer cannot be set with namedPorts since there are no namedPorts for networks/nodes; use portNumber or portRange, or move the networks/nodes peers to a rule of their own"
            : "networks/nodes/domainNames peer cannot be set with namedPorts since there are no namedPorts for networks/nodes/domainNames; use portNumber or portRange, or move those peers to a rule of their own");
        });
      }
      (rule.ports ?? []).forEach((port, i) => this.adminPort(port, ["spec", "egress", r, "ports", i]));
    });
  }

  // ---- EndpointSlice (discovery.k8s.io/v1) ------------------------------------------------------
  // pkg/apis/discovery/validation ValidateEndpointSlice: at most 1000 endpoints of 1–100
  // addresses of the slice's addressType (no unspecified, loopback or link-local address:
  // core validation ValidateEndpointIP), valid hostname, nodeName and deprecatedTopology labels
  // (the zone key reserved), at most 8 zone hints, unique DNS-1123 port names, qualified
  // appProtocols, at most 20000 ports.

  endpointSlice(slice: EndpointSlice): void {
    const endpoints = slice.endpoints ?? [];
    if (endpoints.length > 1000) this.error(["endpoints"], `Too many: ${endpoints.length}: must have at most 1000 items`);
    endpoints.forEach((endpoint, e) => {
      const path = ["endpoints", e];
      if (endpoint.addresses.length === 0) this.error([...path, "addresses"], "Required value: must contain at least 1 address");
      if (endpoint.addresses.length > 100) this.error([...path, "addresses"], `Too many: ${endpoint.addresses.length}: must have at most 100 items`);
      endpoint.addresses.forEach((address, a) => {
        const problem = slice.addressType === "FQDN" ? fqdnProblem(address) : endpointIpProblem(address, slice.addressType);
        if (problem) this.error([...path, "addresses", a], `address '${address}' ${problem}`);
      });
      if (endpoint.hostname !== undefined) {
        const problem = checkDns1123Label(endpoint.hostname);
        if (problem) this.error([...path, "hostname"], `hostname '${endpoint.hostname}' ${problem}`);
      }
      if (endpoint.nodeName !== undefined) {
        const problem = checkDns1123Subdomain(endpoint.nodeName);
        if (problem) this.error([...path, "nodeName"], `nodeName '${endpoint.nodeName}' ${problem}`);
        else if (!this.scenario.nodes.some((n) => n.name === endpoint.nodeName)) {
          this.warn([...path, "nodeName"], `node '${endpoint.nodeName}' is not a node of this scenario: no node counts this endpoint as local`);
        }
      }
      const topology = endpoint.deprecatedTopology ?? {};
      if (Object.keys(topology).length > 16) this.error([...path, "deprecatedTopology"], "Too many: must have at most 16 labels");
      for (const [key, value] of Object.entries(topology)) {
        const problem = checkLabelKey(key) ?? checkLabelValue(value);
        if (problem) this.error([...path, "deprecatedTopology", key], `label ${key}=${value}: ${problem}`);
        if (key === "topology.kubernetes.io/zone") this.error([...path, "deprecatedTopology", key], "the zone goes in `zone`, not in deprecatedTopology (reserved key)");
      }
      const zones = endpoint.hints?.forZones ?? [];
      if (zones.length > 8) this.error([...path, "hints", "forZones"], `Too many: ${zones.length}: must have at most 8 items`);
      const seen = new Set<string>();
      zones.forEach((zone, z) => {
        if (seen.has(zone.name)) this.error([...path, "hints", "forZones", z, "name"], `Duplicate value: '${zone.name}'`);
        seen.add(zone.name);
        const problem = checkLabelValue(zone.name);
        if (problem) this.error([...path, "hints", "forZones", z, "name"], `zone '${zone.name}' ${problem}`);
      });
    });
    const ports = slice.ports ?? [];
    if (ports.length > 20000) this.error(["ports"], `Too many: ${ports.length}: must have at most 20000 items`);
    const names = new Set<string>();
    ports.forEach((port, i) => {
      const name = port.name ?? "";
      if (name !== "") {
        const problem = checkDns1123Label(name);
        if (problem) this.error(["ports", i, "name"], `port name '${name}' ${problem}`);
      }
      if (names.has(name)) this.error(["ports", i, ...(port.name === undefined ? [] : ["name"])], `Duplicate value: port name '${name}' (each port of a slice needs its own name)`);
      names.add(name);
      if (port.appProtocol !== undefined) {
        const problem = checkLabelKey(port.appProtocol);
        if (problem) this.error(["ports", i, "appProtocol"], `appProtocol '${port.appProtocol}': ${problem}`);
      }
    });
    // Who reads the slice: kube-proxy and CoreDNS take the slices labelled with a Service's name
    // (discovery/v1 LabelServiceName), of an IP address type.
    const service = slice.metadata.labels?.[SERVICE_NAME_LABEL];
    const namespace = slice.metadata.namespace!;
    if (service === undefined) {
      this.warn(["metadata"], `no '${SERVICE_NAME_LABEL}' label: no Service uses this slice's endpoints`);
    } else if (!this.scenario.services.some((s) => s.namespace === namespace && s.name === service)) {
      this.warn(["metadata", "labels", SERVICE_NAME_LABEL], `no Service '${service}' in namespace ${namespace}: nothing uses this slice's endpoints`);
    }
    if (slice.addressType === "FQDN") this.warn(["addressType"], "kube-proxy and CoreDNS ignore FQDN slices: these endpoints are never reached through the Service");
  }

  // ---- v1 Endpoints (legacy) ---------------------------------------------------------------------
  // pkg/apis/core/validation ValidateEndpoints / validateEndpointSubsets: each subset has
  // addresses or notReadyAddresses, valid non-special IPs (ValidateEndpointIP), DNS-label
  // hostnames, names on every port once there are several, ports 1–65535.

  endpoints(object: Endpoints): void {
    (object.subsets ?? []).forEach((subset, i) => {
      const path = ["subsets", i];
      if ((subset.addresses ?? []).length === 0 && (subset.notReadyAddresses ?? []).length === 0) {
        this.error(path, "Required value: must specify `addresses` or `notReadyAddresses`");
      }
      for (const field of ["addresses", "notReadyAddresses"] as const) {
        (subset[field] ?? []).forEach((address, a) => {
          const problem = familyOf(address.ip) === undefined ? "must be a valid IP address" : specialIpProblem(address.ip);
          if (problem) this.error([...path, field, a, "ip"], `ip '${address.ip}' ${problem}`);
          if (address.hostname !== undefined) {
            const bad = checkDns1123Label(address.hostname);
            if (bad) this.error([...path, field, a, "hostname"], `hostname '${address.hostname}' ${bad}`);
          }
          if (address.nodeName !== undefined) {
            const bad = checkDns1123Subdomain(address.nodeName);
            if (bad) this.error([...path, field, a, "nodeName"], `nodeName '${address.nodeName}' ${bad}`);
          }
        });
      }
      const ports = subset.ports ?? [];
      ports.forEach((port, p) => {
        const where = [...path, "ports", p];
        if (ports.length > 1 && !port.name) this.error(where, "Required value: every port needs a name when a subset has several");
        else if (port.name) {
          const bad = checkDns1123Label(port.name);
          if (bad) this.error([...where, "name"], `port name '${port.name}' ${bad}`);
        }
        if (port.port < 1 || port.port > 65535) this.error([...where, "port"], `port ${port.port} must be between 1 and 65535, inclusive`);
      });
    });
    // The API server's warning since 1.33 (kube/types.ts DeprecatedKinds); the mirroring
    // controller still copies them into slices.
    this.warn(["kind"], "v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice (netspec mirrors these into slices as the EndpointSlice mirroring controller does)");
    const name = object.metadata.name;
    const service = this.scenario.services.find((s) => s.namespace === object.metadata.namespace && s.name === name);
    if (!service) this.warn(["metadata", "name"], `no Service '${name}' in namespace ${object.metadata.namespace}: nothing uses these endpoints`);
    else if (service.selector && Object.keys(service.selector).length > 0) {
      this.warn(["metadata", "name"], `Service ${service.id} has a selector: its endpoints are the controller's, and these are not mirrored into slices`);
    }
  }

  // ---- ClusterNetworkPolicy (v1alpha2) ---------------------------------------------------------
  // The OpenAPI part (types, enums, ranges, MinItems/MaxItems, MaxLength) is the schema's; here
  // are MinProperties/MaxProperties=1 ("exactly one field"), `listType=set` and the CEL rules.

  clusterPolicy(cnp: ClusterNetworkPolicy): void {
    const spec = cnp.spec;
    this.subjectAndSources(spec);
    (spec.ingress ?? []).forEach((rule, r) => {
      (rule.protocols ?? []).forEach((protocol, i) => this.cnpProtocol(protocol, ["spec", "ingress", r, "protocols", i]));
    });
    (spec.egress ?? []).forEach((rule, r) => {
      let addressPeer: string | undefined;
      rule.to.forEach((peer, i) => {
        const path = ["spec", "egress", r, "to", i];
        this.exactlyOne(peer as Record<string, unknown>, path, "peer", ["namespaces", "pods", "nodes", "networks", "domainNames"]);
        this.adminSelectors(peer, path, true);
        if (peer.nodes) { this.selector(peer.nodes, [...path, "nodes"], true); addressPeer ??= "nodes"; }
        if (peer.networks) addressPeer ??= "networks";
        if (peer.domainNames) {
          addressPeer ??= "domainNames";
          // [cnp] DomainNames: "DomainNames is only supported for Accept rules" (not enforced by the CRD).
          if (rule.action !== "Accept") this.warn([...path, "domainNames"], `domainNames peers are only supported for Accept rules; implementations may ignore this ${rule.action} rule`);
        }
        this.uniqueItems(peer.networks, [...path, "networks"]);
        this.uniqueItems(peer.domainNames, [...path, "domainNames"]);
        (peer.networks ?? []).forEach((text, n) => {
          const problem = celCidrProblem(text);
          if (problem) this.error([...path, "networks", n], `${problem} (the CRD's rule isCIDR(self): "Invalid CIDR format provided")`);
        });
        (peer.domainNames ?? []).forEach((name, n) => {
          if (!DOMAIN_NAME.test(name)) {
            this.error([...path, "domainNames", n], `'${name}' is not a domain name: one or more dot-separated labels, optionally starting with '*.' and ending with '.'`);
          }
        });
      });
      (rule.protocols ?? []).forEach((protocol, i) => {
        const path = ["spec", "egress", r, "protocols", i];
        this.cnpProtocol(protocol, path);
        // CEL on ClusterNetworkPolicyEgressRule (experimental channel).
        if (addressPeer && protocol.destinationNamedPort !== undefined) {
          this.error([...path, "destinationNamedPort"], `networks/nodes/domainNames peer cannot be set with namedPorts since there are no namedPorts for networks/nodes/domainNames (this rule has a ${addressPeer} peer)`);
        }
      });
    });
    const same = this.scenario.clusterNetworkPolicies.filter((o) =>
      o.spec.tier === spec.tier && o.spec.priority === spec.priority && o.metadata.name !== cnp.metadata.name);
    if (same.length > 0) {
      this.warn(["spec", "priority"], `priority ${spec.priority} in the ${spec.tier} tier is shared with ${same.map((o) => o.metadata.name).join(", ")}: which one wins where their rules overlap is implementation-defined (the oracle reports such cells 'undefined')`);
    }
  }

  private cnpProtocol(protocol: CnpProtocol, path: Path): void {
    this.exactlyOne(protocol as Record<string, unknown>, path, "protocol", ["tcp", "udp", "sctp", "destinationNamedPort"]);
    for (const name of ["tcp", "udp", "sctp"] as const) {
      const ports = protocol[name];
      if (!ports) continue;
      // ClusterNetworkPolicyProtocolTCP/UDP/SCTP: MinProperties=1.
      if (ports.destinationPort === undefined) { this.error([...path, name], `${name} must set destinationPort`); continue; }
      const port = ports.destinationPort;
      this.exactlyOne(port as Record<string, unknown>, [...path, name, "destinationPort"], "destinationPort", ["number", "range"]);
      // CEL on PortRange: "Start port must be less than End port".
      if (port.range && !(port.range.start < port.range.end)) {
        this.error([...path, name, "destinationPort", "range"], `Start port must be less than End port (start ${port.range.start}, end ${port.range.end})`);
      }
    }
    if (protocol.destinationNamedPort !== undefined && checkPortName(protocol.destinationNamedPort) !== undefined) {
      // The CRD accepts any string; no container port can carry a name that is not an IANA service name.
      this.warn([...path, "destinationNamedPort"], `'${protocol.destinationNamedPort}' can never match: ${checkPortName(protocol.destinationNamedPort)}`);
    }
  }

  /** `+listType=set`: the API server rejects a repeated item ("Duplicate value"). */
  private uniqueItems(items: readonly string[] | undefined, path: Path): void {
    const seen = new Set<string>();
    (items ?? []).forEach((item, i) => {
      if (seen.has(item)) this.error([...path, i], `Duplicate value: '${item}' is listed twice`);
      seen.add(item);
    });
  }

  /**
   * The subject and the ingress peers of an ANP, BANP or CNP: exactly one field each
   * (MinProperties/MaxProperties=1), and their selectors as a CRD checks them.
   */
  private subjectAndSources(spec: { subject: TierSelectors; ingress?: readonly { from: readonly TierSelectors[] }[] }): void {
    this.exactlyOne(spec.subject as Record<string, unknown>, ["spec", "subject"], "subject", ["namespaces", "pods"]);
    this.adminSelectors(spec.subject, ["spec", "subject"], true);
    (spec.ingress ?? []).forEach((rule, r) => rule.from.forEach((peer, i) => {
      this.exactlyOne(peer as Record<string, unknown>, ["spec", "ingress", r, "from", i], "peer", ["namespaces", "pods"]);
      this.adminSelectors(peer, ["spec", "ingress", r, "from", i], true);
    }));
  }

  private adminSelectors(peer: TierSelectors, path: Path, crd = false): void {
    if (peer.namespaces) this.selector(peer.namespaces, [...path, "namespaces"], crd);
    if (peer.pods) {
      // v1alpha2 NamespacedPod: namespaceSelector is optional (unset: every namespace).
      if (peer.pods.namespaceSelector) this.selector(peer.pods.namespaceSelector, [...path, "pods", "namespaceSelector"], crd);
      this.selector(peer.pods.podSelector, [...path, "pods", "podSelector"], crd);
    }
  }

  private adminPort(port: AdminPort, path: Path): void {
    this.exactlyOne(port as Record<string, unknown>, path, "port", ["portNumber", "namedPort", "portRange"]);
    if (port.portRange && port.portRange.start > port.portRange.end) {
      this.warn([...path, "portRange"], `portRange start ${port.portRange.start} is above end ${port.portRange.end}, so it matches no port (the v1alpha1 CRD accepts it); swap them`);
    }
    if (port.namedPort !== undefined) {
      // The CRD gives namedPort no format; no container port can carry a name that is not an IANA service name.
      const problem = checkPortName(port.namedPort);
      if (problem) this.warn([...path, "namedPort"], `namedPort '${port.namedPort}' can never match: ${problem}`);
    }
  }

  private exactlyOne(object: Record<string, unknown>, path: Path, what: string, fields: readonly string[]): void {
    const set = fields.filter((f) => object[f] !== undefined);
    if (set.length !== 1) {
      this.error(path, `a ${what} must set exactly one of ${fields.join(", ")}${set.length ? ` (found ${set.join(" and ")})` : ""}`);
    }
  }
}

/** apimachinery util/validation IsValidIP: a strict IP literal in canonical form. */
function strictIpProblem(text: string): string | undefined {
  if (!isIpAddress(text)) return "must be a valid IP address (e.g. 10.9.8.7 or 2001:db8::ffff), without leading zeros";
  if (isIpv4Mapped(text)) return "must not be an IPv4-mapped IPv6 address";
  const canonical = canonicalIp(text);
  return canonical === text ? undefined : `must be in canonical form ("${canonical}")`;
}

/** pkg/apis/core/validation ValidateNonSpecialIP (Go's net.IP predicates). */
function specialIpProblem(text: string): string | undefined {
  const inside = (block: string) => cidrContains(cidr(block), text);
  if (inside("0.0.0.0/32") || inside("::/128")) return "may not be unspecified (0.0.0.0 or ::)";
  if (inside("127.0.0.0/8") || inside("::1/128")) return "may not be in the loopback range (127.0.0.0/8, ::1/128)";
  if (inside("224.0.0.0/24") || inside("ff02::/16")) return "may not be in the link-local multicast range (224.0.0.0/24, ff02::/16)";
  if (inside("169.254.0.0/16") || inside("fe80::/10")) return "may not be in the link-local range (169.254.0.0/16, fe80::/10)";
  return undefined;
}

/** apimachinery util/validation IsValidCIDR: strict, no host bits, canonical. */
function strictCidrProblem(text: string): string | undefined {
  const parsed = parseCidr(text);
  if (typeof parsed === "string") return parsed;
  const address = text.slice(0, text.indexOf("/"));
  if (isIpv4Mapped(address)) return "must not have an IPv4-mapped IPv6 address";
  if (ipToBigInt(address) !== parsed.base) return "must not have bits set beyond the prefix length";
  const canonical = formatCidr(parsed);
  return canonical === text ? undefined : `must be in canonical form ("${canonical}")`;
}

/** The CRD's DomainName pattern (network-policy-api apis/v1alpha2 DomainName), as written there (`A-z` included). */
const DOMAIN_NAME = /^(\*\.)?([a-zA-z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\.)+[a-zA-z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\.?$/;

/**
 * CEL `isCIDR` (k8s.io/apiserver pkg/cel/library/cidr.go): netip.ParsePrefix, so host bits may
 * be set, but no zone, no leading zeros and no IPv4-mapped IPv6 address.
 */
function celCidrProblem(text: string): string | undefined {
  const parsed = parseCidr(text);
  if (typeof parsed === "string") return parsed;
  // netip.ParsePrefix refuses a prefix length with a leading zero ("bad bits after slash").
  if (/\/0\d/.test(text)) return `'${text}' is not a CIDR: the prefix length may not have a leading zero`;
  if (parsed.family === "ipv6" && isIpv4Mapped(text.slice(0, text.indexOf("/")))) return `'${text}': an IPv4-mapped IPv6 address is not allowed`;
  return undefined;
}

/** The selector fields of a network-policy-api subject or peer (v1alpha2's namespaceSelector is optional). */
type TierSelectors = { namespaces?: LabelSelector; pods?: { namespaceSelector?: LabelSelector; podSelector: LabelSelector } };

/** discovery validation for IPv4/IPv6 slices: an address of that family, and ValidateEndpointIP. */
function endpointIpProblem(address: string, addressType: "IPv4" | "IPv6"): string | undefined {
  const family = familyOf(address);
  if (family !== (addressType === "IPv4" ? "ipv4" : "ipv6")) return `must be a valid ${addressType} address (the slice's addressType)`;
  return specialIpProblem(address);
}

/** apimachinery IsFullyQualifiedDomainName: a DNS-1123 subdomain of at least two labels, no trailing dot. */
function fqdnProblem(name: string): string | undefined {
  if (name.split(".").length < 2) return "should be a domain with at least two segments separated by dots";
  const problem = checkDns1123Subdomain(name);
  return problem ? problem : undefined;
}
