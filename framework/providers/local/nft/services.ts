// Services, compiled the way kube-proxy's nftables mode programs a node (pkg/proxy/nftables,
// KEP-3866), into the node's own table:
//
//   nat-prerouting / nat-output (dstnat)  → services:
//       <fam> daddr . meta l4proto . th dport vmap @service-ips-<fam>        cluster IPs
//       fib daddr type local … meta l4proto . th dport vmap @service-nodeports-<fam>
//   service-ips element → cluster-… (all endpoints, after topology) or local-… (this node's,
//       internalTrafficPolicy: Local) chain:
//       <fam> saddr @aff-… goto ep-…                                       (sessionAffinity)
//       numgen random mod N vmap { 0 : goto ep-…, … }
//   ep-… chain:  <fam> saddr <ep> jump mark-for-masquerade  (hairpin)
//                update @aff-… { <fam> saddr }               (sessionAffinity)
//                meta l4proto tcp dnat <fam> to <ep>:<targetPort>
//       load-balancer addresses and external IPs are service-ips elements too, going to the
//       external-… chain (externalTrafficPolicy, as node ports do)
//   filter-prerouting-pre-dnat / filter-output-pre-dnat (dstnat-10): @firewall-ips-<fam> →
//       firewall-… chain: loadBalancerSourceRanges, `saddr { ranges } return`, else drop
//   filter-prerouting / filter-output (dstnat+10, i.e. after DNAT): what still carries a cluster
//       IP was not translated: @no-endpoint-services-<fam> → reject (no endpoints) or drop
//       (internalTrafficPolicy Local, none on this node); any other port of a cluster IP → reject.
//   nat-postrouting (srcnat): masquerade what mark-for-masquerade marked (hairpin, NodePort).
//
// Endpoints are computed here from the Service's selector and the pods (EndpointSlice
// semantics), never taken from anywhere else.
import { selectorMatches } from "../../../kube/labels.js";
import { canonicalIp, familyOf, type Family } from "../../../kube/net.js";
import type { PodModel, Scenario, ServiceModel, ServicePortModel } from "../../../scenario/model.js";
import { FAMILY, hex, protoWord, type Ctx } from "./context.js";
import { ident } from "./script.js";

export interface Endpoint {
  readonly pod: PodModel;
  readonly ip: string;
  readonly port: number;
  /** The node kube-proxy counts the endpoint on: its pod's, or a written slice's nodeName (none: no node). */
  readonly node: string | undefined;
}

/** Sessions stick for this long without sessionAffinityConfig (kube-proxy's default, 3 h). */
export const DEFAULT_AFFINITY_SECONDS = 10800;

/**
 * The endpoints of one Service port in one family, as the EndpointSlice controller would list
 * them: pods of the Service's namespace matching its selector, ready (or
 * publishNotReadyAddresses), with an address of the family; a named targetPort is resolved on
 * each pod (name and protocol), and pods without it are no endpoint.
 */
export function serviceEndpoints(pods: readonly PodModel[], svc: ServiceModel, port: ServicePortModel, family: Family): Endpoint[] {
  // A selector of {} is stored as no selector (the API round-trips an empty map to nil), so
  // like an absent one it gives no endpoints, not every pod.
  if (!svc.selector || Object.keys(svc.selector).length === 0) return [];
  const out: Endpoint[] = [];
  for (const pod of pods) {
    if (pod.namespace !== svc.namespace || !selectorMatches({ matchLabels: { ...svc.selector } }, pod.labels)) continue;
    // podToEndpoint: a terminating pod is not ready (unless publishNotReadyAddresses).
    if (!svc.publishNotReadyAddresses && (!pod.ready || pod.terminating)) continue;
    const ip = pod.ips[family];
    if (!ip) continue;
    let target: number | undefined;
    if (typeof port.targetPort === "number") target = port.targetPort;
    else target = pod.ports.find((p) => p.name === port.targetPort && p.protocol === port.protocol)?.port;
    if (target === undefined) continue;
    out.push({ pod, ip, port: target, node: pod.node });
  }
  return out;
}

/**
 * Endpoints the scenario's own EndpointSlices add to a Service port, as kube-proxy's
 * endpointslicecache reads them: slices of the Service's namespace labelled
 * kubernetes.io/service-name=<name>, of this family's addressType; the slice port with the
 * Service port's name and protocol gives the number; only an endpoint's first address counts;
 * `ready` unset is ready, `serving` unset is `ready`. Endpoints at an address no pod holds are
 * left out: nothing of this data plane answers there.
 */
export function sliceEndpoints(scenario: Scenario, svc: ServiceModel, port: ServicePortModel, family: Family): { ready: Endpoint[]; servingTerminating: Endpoint[] } {
  const out = { ready: [] as Endpoint[], servingTerminating: [] as Endpoint[] };
  const type = family === "ipv4" ? "IPv4" : "IPv6";
  for (const slice of scenario.endpointSlices) {
    if (slice.metadata.namespace !== svc.namespace || slice.metadata.labels?.["kubernetes.io/service-name"] !== svc.name) continue;
    if (slice.addressType !== type || !svc.families.includes(family)) continue;
    const number = (slice.ports ?? []).find((p) => (p.name ?? "") === (port.name ?? "") && (p.protocol ?? "TCP") === port.protocol)?.port;
    if (number === undefined) continue;
    for (const endpoint of slice.endpoints ?? []) {
      const ip = endpoint.addresses[0];
      const pod = ip === undefined ? undefined : scenario.pods.find((q) => !q.hostNetwork && q.ips[family] !== undefined && canonicalIp(q.ips[family]!) === canonicalIp(ip));
      if (!pod) continue;
      const ready = endpoint.conditions?.ready ?? true;
      const serving = endpoint.conditions?.serving ?? ready;
      const entry = { pod, ip: pod.ips[family]!, port: number, node: endpoint.nodeName };
      if (ready) out.ready.push(entry);
      else if (serving && (endpoint.conditions?.terminating ?? false)) out.servingTerminating.push(entry);
    }
  }
  return out;
}

/**
 * Every endpoint kube-proxy uses for a Service port: the controller's and the written slices'
 * ready ones, or, when none is ready, the serving-terminating ones (pkg/proxy/topology.go
 * CategorizeEndpoints, KEP-1669).
 */
export function allEndpoints(scenario: Scenario, svc: ServiceModel, port: ServicePortModel, family: Family): Endpoint[] {
  const own = serviceEndpoints(scenario.pods, svc, port, family);
  const written = sliceEndpoints(scenario, svc, port, family);
  const seen = new Set(own.map((e) => `${e.ip}:${e.port}`));
  const ready = [...own, ...written.ready.filter((e) => !seen.has(`${e.ip}:${e.port}`))];
  if (ready.length > 0) return ready;
  // The controller's serving-terminating endpoints: Ready pods being deleted.
  const terminating = serviceEndpoints(scenario.pods.filter((p) => p.terminating && p.ready), { ...svc, publishNotReadyAddresses: true }, port, family);
  return [...terminating, ...written.servingTerminating];
}

/**
 * Topology: which of the cluster-wide endpoints this node's clients use (kube-proxy's
 * CategorizeEndpoints with the hints the EndpointSlice controller would write).
 *  - trafficDistribution PreferSameNode: this node's endpoints, else as PreferSameZone.
 *  - PreferSameZone / PreferClose: endpoints in this node's zone, else all.
 *  - topology-mode Auto (simplified): as PreferSameZone, but only when every zone that has
 *    nodes has an endpoint (otherwise the controller withholds hints). The proportional
 *    CPU-based allocation of real hints is not modelled.
 * Hints are only usable when this node and every endpoint's node have a zone.
 */
export function topologyEndpoints(ctx: Pick<Ctx, "scenario" | "node">, svc: ServiceModel, eps: readonly Endpoint[]): readonly Endpoint[] {
  const dist = svc.trafficDistribution;
  if (dist === "PreferSameNode") {
    const local = eps.filter((e) => e.node === ctx.node.name);
    if (local.length > 0) return local;
  }
  const zoned = dist === "PreferSameNode" || dist === "PreferSameZone" || dist === "PreferClose" || svc.topologyModeAuto;
  if (!zoned || eps.length === 0) return eps;
  const zoneOf = new Map(ctx.scenario.nodes.map((n) => [n.name, n.zone]));
  const zone = ctx.node.zone;
  if (!zone || eps.some((e) => e.node === undefined || !zoneOf.get(e.node))) return eps;
  if (!dist && svc.topologyModeAuto) {
    const zones = new Set(ctx.scenario.nodes.map((n) => n.zone).filter((z): z is string => !!z));
    const covered = new Set(eps.map((e) => zoneOf.get(e.node!)));
    for (const z of zones) if (!covered.has(z)) return eps;
  }
  const same = eps.filter((e) => zoneOf.get(e.node!) === zone);
  return same.length > 0 ? same : eps;
}

/** Declares the service plumbing (maps, base chains) and compiles every Service. */
export function compileServices(ctx: Ctx): void {
  const { script } = ctx;
  const natPre = script.chain("nat-prerouting", "type nat hook prerouting priority -100 ; policy accept ;");
  const natOut = script.chain("nat-output", "type nat hook output priority -100 ; policy accept ;");
  const natPost = script.chain("nat-postrouting", "type nat hook postrouting priority 100 ; policy accept ;");
  const filterPre = script.chain("filter-prerouting", "type filter hook prerouting priority -90 ; policy accept ;");
  const filterOut = script.chain("filter-output", "type filter hook output priority -90 ; policy accept ;");
  // kube-proxy's filter-prerouting-pre-dnat / filter-output-pre-dnat (dstnat - 10): the
  // load-balancer firewall sees the load-balancer address, before DNAT rewrites it.
  const firewallPre = script.chain("filter-prerouting-pre-dnat", "type filter hook prerouting priority -110 ; policy accept ;");
  const firewallOut = script.chain("filter-output-pre-dnat", "type filter hook output priority -110 ; policy accept ;");
  const services = script.chain("services");
  const nodeports = script.chain("nodeports");
  const checks = script.chain("service-endpoints-check");
  const reject = script.chain("reject-chain");
  const markMasq = script.chain("mark-for-masquerade");
  const mark = hex(ctx.masqueradeMark);

  compileHostPorts(ctx, [natPre, natOut]);
  script.rule(natPre, `jump ${services}`);
  script.rule(natOut, `jump ${services}`);
  script.rule(filterPre, `ct state new jump ${checks}`);
  script.rule(filterOut, `ct state new jump ${checks}`);
  script.rule(reject, "meta l4proto tcp reject with tcp reset");
  script.rule(reject, "reject with icmpx port-unreachable");
  script.rule(markMasq, `meta mark set meta mark | ${mark}`);
  script.rule(natPost, `meta mark & ${mark} == 0 return`);
  script.rule(natPost, `meta mark set meta mark ^ ${mark}`);
  script.rule(natPost, "masquerade fully-random");

  for (const family of ctx.families) {
    const f = FAMILY[family];
    const addrProto = `${f.type} . inet_proto . inet_service`;
    script.set("map", `service-ips-${f.sfx}`, `type ${addrProto} : verdict ; comment "cluster IP . protocol . port" ;`);
    script.set("map", `service-nodeports-${f.sfx}`, `type inet_proto . inet_service : verdict ; comment "NodePorts" ;`);
    script.set("map", `no-endpoint-services-${f.sfx}`, `type ${addrProto} : verdict ; comment "reject: no endpoints; drop: no local endpoint" ;`);
    script.set("map", `no-endpoint-nodeports-${f.sfx}`, `type inet_proto . inet_service : verdict ;`);
    script.set("set", `cluster-ips-${f.sfx}`, `type ${f.type} ; comment "every allocated cluster IP" ;`);
    script.set("map", `firewall-ips-${f.sfx}`, `type ${addrProto} : verdict ; comment "loadBalancerSourceRanges" ;`);
    script.rule(firewallPre, `${f.kw} daddr . meta l4proto . th dport vmap @firewall-ips-${f.sfx}`);
    script.rule(firewallOut, `${f.kw} daddr . meta l4proto . th dport vmap @firewall-ips-${f.sfx}`);
    const loopback = family === "ipv4" ? "127.0.0.0/8" : "::1";
    script.rule(services, `${f.kw} daddr . meta l4proto . th dport vmap @service-ips-${f.sfx}`);
    script.rule(services, `meta nfproto ${f.nfproto} fib daddr type local ${f.kw} daddr != ${loopback} jump ${nodeports}`);
    script.rule(nodeports, `meta nfproto ${f.nfproto} meta l4proto . th dport vmap @service-nodeports-${f.sfx}`);
    script.rule(checks, `${f.kw} daddr . meta l4proto . th dport vmap @no-endpoint-services-${f.sfx}`);
    script.rule(checks, `${f.kw} daddr @cluster-ips-${f.sfx} goto ${reject}`);
    script.rule(checks, `meta nfproto ${f.nfproto} fib daddr type local ${f.kw} daddr != ${loopback} meta l4proto . th dport vmap @no-endpoint-nodeports-${f.sfx}`);
  }

  for (const svc of ctx.scenario.services) {
    if (svc.headless || svc.type === "ExternalName") continue;
    for (const family of svc.families) {
      if (!ctx.families.includes(family)) continue;
      const clusterIP = svc.clusterIPs[family];
      if (!clusterIP) continue;
      script.element(`cluster-ips-${FAMILY[family].sfx}`, clusterIP);
      for (const port of svc.ports) compileServicePort(ctx, svc, port, family, clusterIP);
    }
  }
}

function compileServicePort(ctx: Ctx, svc: ServiceModel, port: ServicePortModel, family: Family, clusterIP: string): void {
  const { script } = ctx;
  const f = FAMILY[family];
  const proto = protoWord(port.protocol);
  const key = `${svc.namespace}/${svc.name}/${proto}/${port.name || port.port}`;
  const all = allEndpoints(ctx.scenario, svc, port, family);
  const local = all.filter((e) => e.node === ctx.node.name);
  const affinity = svc.sessionAffinity === "ClientIP"
    ? svc.manifest.spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_AFFINITY_SECONDS
    : undefined;

  const endpointChain = (ep: Endpoint): string => {
    const name = ident("ep", f.sfx, key, ep.pod.namespace, ep.pod.name);
    if (script.hasChain(name)) return name;
    script.chain(name);
    script.rule(name, `${f.kw} saddr ${ep.ip} jump mark-for-masquerade`);
    if (affinity !== undefined) {
      const set = ident("aff", f.sfx, key, ep.pod.namespace, ep.pod.name);
      script.set("set", set, `type ${f.type} ; flags dynamic,timeout ; timeout ${affinity}s ;`);
      script.rule(name, `update @${set} { ${f.kw} saddr }`);
    }
    const to = family === "ipv4" ? `${ep.ip}:${ep.port}` : `[${ep.ip}]:${ep.port}`;
    script.rule(name, `meta l4proto ${proto} dnat ${f.kw} to ${to}`);
    return name;
  };
  const balanceChain = (kind: "cluster" | "local", eps: readonly Endpoint[]): string => {
    const name = ident(kind, f.sfx, key);
    if (script.hasChain(name)) return name;
    script.chain(name);
    const targets = eps.map(endpointChain);
    if (affinity !== undefined) {
      eps.forEach((ep, i) => {
        script.rule(name, `${f.kw} saddr @${ident("aff", f.sfx, key, ep.pod.namespace, ep.pod.name)} goto ${targets[i]}`);
      });
    }
    if (targets.length === 1) script.rule(name, `goto ${targets[0]}`);
    else script.rule(name, `numgen random mod ${targets.length} vmap { ${targets.map((t, i) => `${i} : goto ${t}`).join(", ")} }`);
    return name;
  };

  // Cluster IP: internalTrafficPolicy decides which endpoints serve in-cluster clients.
  const element = `${clusterIP} . ${proto} . ${port.port}`;
  if (all.length === 0) {
    script.element(`no-endpoint-services-${f.sfx}`, `${element} : goto reject-chain`);
  } else if (svc.internalTrafficPolicy === "Local") {
    if (local.length === 0) script.element(`no-endpoint-services-${f.sfx}`, `${element} : drop`);
    else script.element(`service-ips-${f.sfx}`, `${element} : goto ${balanceChain("local", local)}`);
  } else {
    script.element(`service-ips-${f.sfx}`, `${element} : goto ${balanceChain("cluster", topologyEndpoints(ctx, svc, all))}`);
  }

  // Traffic from outside the cluster IP (node ports, load-balancer addresses, external IPs):
  // externalTrafficPolicy decides, in one external chain per Service port (kube-proxy's
  // external-… chain).
  const externalChain = (): string => {
    const name = ident("external", f.sfx, key);
    if (script.hasChain(name)) return name;
    script.chain(name);
    const cluster = () => balanceChain("cluster", topologyEndpoints(ctx, svc, all));
    if (svc.externalTrafficPolicy === "Local") {
      // Pods and the node itself are not "external": they use every endpoint (kube-proxy's
      // short-circuit), the node's own traffic masqueraded.
      const podSubnet = ctx.scenario.podSubnets[family];
      if (podSubnet) script.rule(name, `${f.kw} saddr ${podSubnet} goto ${cluster()}`);
      script.rule(name, "fib saddr type local jump mark-for-masquerade");
      script.rule(name, `fib saddr type local goto ${cluster()}`);
      script.rule(name, local.length > 0 ? `goto ${balanceChain("local", local)}` : "drop");
    } else {
      // Source NAT so the reply comes back through this node when the endpoint is elsewhere.
      script.rule(name, "jump mark-for-masquerade");
      script.rule(name, `goto ${cluster()}`);
    }
    return name;
  };

  // NodePort (and a LoadBalancer's node port).
  if ((svc.type === "NodePort" || svc.type === "LoadBalancer") && port.nodePort !== undefined) {
    const npElement = `${proto} . ${port.nodePort}`;
    if (all.length === 0) script.element(`no-endpoint-nodeports-${f.sfx}`, `${npElement} : goto reject-chain`);
    else script.element(`service-nodeports-${f.sfx}`, `${npElement} : goto ${externalChain()}`);
  }

  // Load-balancer addresses and external IPs: in the service map like a cluster IP, through the
  // external chain. With loadBalancerSourceRanges, the firewall drops other sources before DNAT.
  const fronts = [
    ...(svc.type === "LoadBalancer" && svc.loadBalancerIPs[family] ? [svc.loadBalancerIPs[family]!] : []),
    ...svc.externalIPs.filter((ip) => familyOf(ip) === family),
  ];
  for (const address of fronts) {
    const element = `${address} . ${proto} . ${port.port}`;
    if (all.length === 0) script.element(`no-endpoint-services-${f.sfx}`, `${element} : goto reject-chain`);
    else script.element(`service-ips-${f.sfx}`, `${element} : goto ${externalChain()}`);
  }
  const ranges = svc.loadBalancerSourceRanges.filter((r) => familyOf(r.split("/")[0]!) === family);
  const balancer = svc.type === "LoadBalancer" ? svc.loadBalancerIPs[family] : undefined;
  if (balancer && svc.loadBalancerSourceRanges.length > 0) {
    const firewall = script.chain(ident("firewall", f.sfx, key));
    if (ranges.length > 0) script.rule(firewall, `${f.kw} saddr { ${ranges.join(", ")} } return`);
    script.rule(firewall, "drop");
    script.element(`firewall-ips-${f.sfx}`, `${balancer} . ${proto} . ${port.port} : goto ${firewall}`);
  }
}

/**
 * Host ports of this node's pods, as the CNI portmap plugin programs them: a connection to any
 * local address of the node (not loopback) on the host port is DNATed to the pod's port; the
 * pod reaching its own host port is masqueraded (hairpin), as portmap's SNAT does.
 * https://www.cni.dev/plugins/current/meta/portmap/
 */
function compileHostPorts(ctx: Ctx, hooks: readonly string[]): void {
  const { script } = ctx;
  const pods = ctx.podNetworkPods.filter((p) => p.node === ctx.node.name && p.ports.some((q) => q.hostPort !== undefined));
  if (pods.length === 0) return;
  const chain = script.chain("hostports");
  for (const hook of hooks) script.rule(hook, `jump ${chain}`);
  for (const pod of pods) {
    for (const port of pod.ports) {
      if (port.hostPort === undefined) continue;
      const proto = protoWord(port.protocol);
      for (const family of ctx.families) {
        const ip = pod.ips[family];
        if (!ip) continue;
        const f = FAMILY[family];
        const loopback = family === "ipv4" ? "127.0.0.0/8" : "::1";
        const match = `meta nfproto ${f.nfproto} fib daddr type local ${f.kw} daddr != ${loopback} ${proto} dport ${port.hostPort}`;
        script.rule(chain, `${f.kw} saddr ${ip} ${match} jump mark-for-masquerade`);
        script.rule(chain, `${match} dnat ${f.kw} to ${family === "ipv4" ? `${ip}:${port.port}` : `[${ip}]:${port.port}`}`);
      }
    }
  }
}
