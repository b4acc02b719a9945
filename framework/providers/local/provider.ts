// The `local` provider: Kubernetes' network model on the local kernel. Nodes are Docker
// containers, pods network namespaces inside them (cluster.ts); Services, NetworkPolicies and
// (Baseline)AdminNetworkPolicies become nftables rules compiled from the manifests (nft/); the
// cluster DNS is dnsmasq in the kube-system/coredns pod, reached through the kube-dns Service.
// Addresses outside the cluster that expectation rules probe (ip/…, cidr/…), and those the
// names of cluster.upstreamDNS resolve to (an ExternalName Service's target, say), are external
// hosts: network namespaces on the first node, outside every pod CIDR, routed from every node.
// Clients outside the cluster network (`external`, `external/<ip>`) run on the outside host, a
// container beside the nodes; it routes each load-balancer address to a node as a load balancer
// would (cloud-provider-kind, MetalLB): with externalTrafficPolicy Local to a node whose health
// check would pass (a ready local endpoint), else to the first node; external IPs to the first
// node, as an administrator routes them. The nodes' addresses, the load-balancer addresses and
// the outside host's are the run network's, reported by actualAddresses(). Each Gateway, and
// the Ingress controller, is HAProxy in its proxy pod behind its load-balancer address
// (gateways.ts), configured from the manifests.
import { cidr, cidrSize, familyOf, ipToBigInt, nthAddress, type Family } from "../../kube/net.js";
import { CLUSTER_DNS, clusterDnsFamily, usesClusterDns, type Scenario, type ServiceModel } from "../../scenario/model.js";
import type { ProbeTarget, ServerPort } from "../../probe/protocol.js";
import { resolveClients } from "../../scenario/clients.js";
import { withActualAddresses, type ActualAddresses } from "../../scenario/readdress.js";
import { externalTargets, parseReference, ruleDnsNames } from "../../scenario/references.js";
import {
  EnvironmentError, type Cluster, type Observation, type Observed, type ProbeOptions, type ProbeRequest, type Provider, type ProvisionContext,
} from "../../runner/provider.js";
import {
  checkEngine, cleanupStale, destroyCluster, diagnose, DockerUnavailableError, ensureNodeImage, probe, provisionCluster, runOnNode,
  type LocalCluster,
} from "./index.js";
import { dnsRecords, podResolvConf } from "./dns-records.js";
import { compileClusterRulesets } from "./nft/index.js";
import { allEndpoints } from "./nft/services.js";
import { runAgent } from "./agent-client.js";
import { gatewayLaunches } from "./gateways.js";
import { LOCAL_LAYER7 } from "../../scenario/implementation.js";
import { canonicalIp, contains, isHostAddress, parseCidr } from "./addresses.js";

const DNS_HOSTS = "/etc/netspec/dns-hosts";
/** A resolver configuration without a nameserver: every lookup fails at once, nothing leaves the run. */
const NO_RESOLVER = "# the node's own resolver: outside this run\n";
const DNS_CONFIG = "/etc/netspec/dnsmasq.conf";

export class LocalProvider implements Provider {
  readonly name = "local";
  /** HAProxy in the proxy pods (gateways.ts). */
  readonly layer7 = LOCAL_LAYER7;
  private image: string | undefined;

  async preflight(notice?: (message: string) => void): Promise<void> {
    try {
      await checkEngine();
    } catch (error) {
      if (error instanceof DockerUnavailableError) {
        throw new EnvironmentError(`the local provider needs a Docker engine: ${error.message}`,
          "Start the engine (e.g. `dockerd &` or `systemctl start docker`), or point DOCKER_HOST at one.");
      }
      throw error;
    }
    try {
      this.image = (await ensureNodeImage({
        log: (message) => notice?.(`node image: ${message} (once per machine; about a minute)`),
      })).ref;
    } catch (error) {
      throw new EnvironmentError(`the node image could not be built: ${(error as Error).message}`,
        "Without a registry, build it offline: NETSPEC_NODE_IMAGE_BUILD=offline (needs debootstrap), or scripts/build-node-image.sh.");
    }
  }

  async cleanupStale(): Promise<void> {
    await cleanupStale();
  }

  async provision(scenario: Scenario, context: ProvisionContext): Promise<Cluster> {
    const externals = externalHosts(scenario);
    try {
      const outside = outsideClients(scenario);
      const cluster = await provisionCluster({
        runId: context.runId,
        ...(outside ? { outside: { clients: outside } } : {}),
        families: [...scenario.families],
        nodes: scenario.nodes.map((n) => ({ name: n.name, podCIDRs: n.podCIDRs })),
        // The DNS pod serves nothing itself: dnsmasq takes its port 53 in apply().
        pods: scenario.pods.map((p) => ({
          id: p.id, node: p.node, ips: p.ips, hostNetwork: p.hostNetwork,
          ports: p.system ? [] : p.ports.map((x) => ({ port: x.port, protocol: x.protocol })),
        })),
        avoidCidrs: clusterSubnets(scenario),
        externals: externals.hosts,
      }, { image: this.image, log: context.log });
      return new LocalScenarioCluster(cluster, externals.unhosted, context.log);
    } catch (error) {
      if (error instanceof DockerUnavailableError) throw new EnvironmentError(error.message);
      throw new EnvironmentError(`the local cluster could not be created: ${(error as Error).message}`);
    }
  }
}

class LocalScenarioCluster implements Cluster {
  private destroyed: Promise<void> | undefined;
  /** The resolver configuration of sources that share a namespace (hostNetwork pods). */
  private readonly resolvConfs = new Map<string, string>();
  private serviceAddresses = new Set<string>();
  /** How long each proxy took to serve its listeners (startGateways). */
  private readonly convergence: Record<string, number> = {};
  /** The scenario as apply() got it (the plan's addresses). */
  private applied: Scenario | undefined;
  /** Names of cluster.upstreamDNS with an address no external host could be made for, with the reason. */
  private unhostedNames = new Map<string, string>();

  private readonly externalAddresses: Set<string>;
  /** Pod id by each of its addresses. */
  private readonly podByAddress: ReadonlyMap<string, string>;

  /** `unhosted`: external addresses no host could be made for, with the reason. */
  constructor(
    private readonly cluster: LocalCluster, private readonly unhosted: ReadonlyMap<string, string> = new Map(),
    private readonly log: (message: string) => void = () => {},
  ) {
    this.externalAddresses = new Set(cluster.externals.map((e) => e.ip));
    this.podByAddress = new Map(cluster.pods.flatMap((p) => Object.values(p.ips).map((ip) => [ip!, p.id] as const)));
  }

  /** The addresses of this run network: the nodes', the load balancers' and the outside host's. */
  private ownAddresses(scenario: Scenario): ActualAddresses {
    const network = this.cluster.network;
    const subnets: Partial<Record<Family, string>> = { ipv4: network.ipv4Subnet, ...(network.ipv6Subnet ? { ipv6: network.ipv6Subnet } : {}) };
    const loadBalancers: Record<string, Partial<Record<Family, string>>> = {};
    for (const svc of scenario.services) {
      const moved = Object.entries(svc.loadBalancerIPs).flatMap(([family, ip]) => {
        const from = scenario.nodeSubnets[family as Family];
        const to = subnets[family as Family];
        return from && to && ip ? [[family, sameOffsetFromEnd(ip, from, to)]] : [];
      });
      if (moved.length > 0) loadBalancers[svc.id] = Object.fromEntries(moved);
    }
    // A hostNetwork pod has its node's addresses.
    const nodeIps = new Map(this.cluster.nodes.map((n) => [n.name, n.ips]));
    const pods = Object.fromEntries(scenario.pods.filter((p) => p.hostNetwork).map((p) => [p.id, { ...nodeIps.get(p.node) }]));
    return {
      pods, services: {}, loadBalancers,
      nodes: Object.fromEntries(this.cluster.nodes.map((n) => [n.name, { ...n.ips }])),
      ...(this.cluster.outside ? { externalClient: { ...this.cluster.outside.ips } } : {}),
    };
  }

  async actualAddresses(): Promise<ActualAddresses> {
    if (!this.applied) throw new Error("actualAddresses() before apply()");
    return this.ownAddresses(this.applied);
  }

  async apply(planned: Scenario): Promise<void> {
    this.applied = planned;
    const scenario = withActualAddresses(planned, this.ownAddresses(planned));
    const rulesets = compileClusterRulesets(scenario, {
      nodeAddresses: Object.fromEntries(this.cluster.nodes.map((n) => [n.name, {
        ipv4: [n.ips.ipv4], ...(n.ips.ipv6 ? { ipv6: [n.ips.ipv6] } : {}),
      }])),
    });
    const dnsService = scenario.services.find((s) => s.system && s.name === CLUSTER_DNS.serviceName)!;
    const nameserver = dnsService.clusterIPs[clusterDnsFamily(scenario)]!;
    const records = dnsRecords(scenario);
    const dnsPod = this.cluster.pods.find((p) => p.id === `${CLUSTER_DNS.namespace}/${CLUSTER_DNS.podName}`);
    const dnsPodModel = scenario.pods.find((p) => p.id === dnsPod?.id);
    await Promise.all(this.cluster.nodes.map(async (node) => {
      const pods = this.cluster.pods.filter((p) => p.node === node.name);
      const phases = [
        [
          { kind: "exec" as const, argv: ["nft", "-f", "-"], input: rulesets.get(node.name)! },
          ...pods.filter((p) => !p.hostNetwork).map((p) => ({ kind: "write" as const, path: `/etc/netns/${p.netns}/resolv.conf`, content: podResolvConf(p.id.split("/")[0]!, nameserver) })),
          ...(dnsPod?.node === node.name ? [
            { kind: "write" as const, path: DNS_HOSTS, content: records.hosts },
            { kind: "write" as const, path: DNS_CONFIG, content: records.config },
          ] : []),
        ],
        ...(dnsPod?.node === node.name && dnsPodModel ? [[{
          kind: "exec" as const,
          // dnsmasq answers only from the hosts file and its SRV and CNAME lines, authoritatively
          // for cluster.local (unknown names: NXDOMAIN; a name without the asked family: no data);
          // it has no upstream: names outside the zone are those of cluster.upstreamDNS, or refused.
          argv: ["ip", "netns", "exec", dnsPod.netns, "dnsmasq", `--conf-file=${DNS_CONFIG}`, "--no-resolv", "--no-hosts",
            `--addn-hosts=${DNS_HOSTS}`, `--local=/${CLUSTER_DNS.domain}/`, "--no-negcache", "--bind-interfaces",
            ...Object.values(dnsPodModel.ips).map((ip) => `--listen-address=${ip}`),
            `--pid-file=/run/netspec/dnsmasq-${dnsPod.netns}.pid`, "--user=root"],
        }]] : []),
      ];
      const response = await runOnNode(this.cluster, node.name, phases);
      if (!response.ok) {
        const failed = response.steps.filter((s) => !s.ok).map((s) => `${s.what}: ${s.stderr ?? `exit ${s.code}`}`).join("; ");
        throw new EnvironmentError(`applying the scenario on node ${node.name} failed: ${failed || response.error}`);
      }
    }));
    if (this.cluster.outside) await this.routeFromOutside(scenario);
    await this.startGateways(scenario);
    this.serviceAddresses = new Set(scenario.services.flatMap((s) => Object.values(s.clusterIPs)));
    for (const upstream of scenario.upstreamDns) {
      const address = upstream.addresses.find((a) => this.unhosted.has(canonicalIp(a)));
      if (address !== undefined) this.unhostedNames.set(upstream.name, `${upstream.name} → ${this.unhosted.get(canonicalIp(address))}`);
    }
    // Sources in a shared namespace (a node's own) carry their resolver: a hostNetwork pod with
    // ClusterFirstWithHostNet the cluster DNS and its namespace's search path; the node's own
    // resolver is outside this run, so everyone else there has none (a name does not resolve).
    for (const pod of scenario.pods.filter((p) => p.hostNetwork)) {
      this.resolvConfs.set(pod.id, usesClusterDns(pod) ? podResolvConf(pod.namespace, nameserver) : NO_RESOLVER);
    }
  }

  /**
   * HAProxy in every proxy pod (gateways.ts), once the nodes' rules are in. How long each took
   * to serve its listeners is the data plane's convergence, reported as a controller's would be.
   */
  private async startGateways(scenario: Scenario): Promise<void> {
    const netns = new Map(this.cluster.pods.map((p) => [p.id, p.netns]));
    await Promise.all(gatewayLaunches(scenario, (id) => netns.get(id)).map(async (launch) => {
      for (const note of launch.notes) this.log(`${launch.key}: ${note}`);
      if (launch.steps.length === 0) {
        this.log(`${launch.key}: nothing to serve (no listener this implementation takes), so no proxy runs`);
        return;
      }
      const started = Date.now();
      const response = await runOnNode(this.cluster, launch.node, launch.steps.map((phase) => [...phase]));
      if (!response.ok) {
        const failed = response.steps.filter((s) => !s.ok).map((s) => `${s.what}: ${s.stderr?.trim() || `exit ${s.code}`}`).join("; ");
        throw new EnvironmentError(`the proxy of ${launch.key} (HAProxy in ${launch.pod}) did not start: ${failed || response.error}`);
      }
      const took = Date.now() - started;
      this.convergence[launch.key] = took;
      this.log(`${launch.key}: HAProxy in ${launch.pod} serves port(s) ${launch.ports.join(", ")}, programmed in ${took} ms`);
    }));
  }

  /**
   * The outside host's routes to the load-balancer addresses and external IPs, as a load
   * balancer and an administrator would set them (header).
   */
  private async routeFromOutside(scenario: Scenario): Promise<void> {
    const lines: string[] = [];
    const nodeIp = (name: string | undefined, family: Family) => this.cluster.nodes.find((n) => n.name === name)?.ips[family];
    for (const svc of scenario.services) {
      for (const [key, address] of Object.entries(svc.loadBalancerIPs)) {
        const family = key as Family;
        const via = nodeIp(loadBalancerNode(scenario, svc, family), family);
        if (address && via) lines.push(`route replace ${address}/${family === "ipv4" ? 32 : 128} via ${via}`);
      }
      for (const address of svc.externalIPs) {
        const family = familyOf(address)!;
        const via = nodeIp(scenario.nodes[0]?.name, family);
        if (via && scenario.families.includes(family)) lines.push(`route replace ${address}/${family === "ipv4" ? 32 : 128} via ${via}`);
      }
    }
    if (lines.length === 0) return;
    const response = await runAgent(this.cluster.outside!.container, [[{ kind: "exec", argv: ["ip", "-batch", "-"], input: `${lines.join("\n")}\n` }]]);
    if (!response.ok) throw new EnvironmentError(`routing load-balancer addresses on the outside host failed: ${response.steps.map((s) => s.stderr).join("; ")}`);
  }

  async probe(requests: readonly ProbeRequest[], options: ProbeOptions): Promise<Observation[]> {
    const out: Observation[] = [];
    const skipped = new Set<string>();
    const bySource = new Map<string, ProbeTarget[]>();
    for (const request of requests) {
      const skip = this.skipReason(request);
      if (skip) { out.push({ id: request.id, observed: "skipped", backends: [], latencyMs: 0, detail: skip }); skipped.add(request.id); continue; }
      const list = bySource.get(request.from) ?? [];
      list.push({ ...request.probe, id: request.id, count: request.samples });
      bySource.set(request.from, list);
    }
    const run = await probe(this.cluster, [...bySource].map(([source, targets]) => {
      const shared = this.resolvConfs.get(source) ?? (source.startsWith("node/") || source.startsWith("external") ? NO_RESOLVER : undefined);
      return { source, batch: { timeoutMs: options.timeoutMs, targets }, ...(shared !== undefined ? { resolvConf: shared } : {}) };
    }));
    if (run.failures.length > 0) {
      throw new EnvironmentError(`the probe agent failed: ${summarizeFailures(run.failures)}`);
    }
    const byId = new Map<string, typeof run.results>();
    for (const result of run.results) {
      const list = byId.get(result.id) ?? [];
      list.push(result);
      byId.set(result.id, list);
    }
    for (const request of requests) {
      if (skipped.has(request.id)) continue;
      const attempts = byId.get(request.id) ?? [];
      if (attempts.length === 0) {
        out.push({ id: request.id, observed: "error", backends: [], latencyMs: 0, detail: "no result from the prober" });
        continue;
      }
      if (attempts.some((a) => a.outcome === "skipped")) {
        out.push({ id: request.id, observed: "skipped", backends: [], latencyMs: 0, detail: attempts.find((a) => a.reason)?.reason ?? "not probeable here" });
        continue;
      }
      // Several samples: connected if any connected (the answering backends are the finding).
      const connected = attempts.filter((a) => a.outcome === "connected");
      const chosen = connected[0] ?? attempts[0]!;
      out.push({
        id: request.id,
        observed: chosen.outcome as Observed,
        backends: [...new Set(connected.map((a) => a.backend).filter((b): b is string => Boolean(b)))],
        clientAddresses: [...new Set(connected.map((a) => a.clientSeenAs).filter((c): c is string => Boolean(c)))],
        latencyMs: Math.round(chosen.latencyMs),
        ...(chosen.http ? { http: chosen.http } : {}),
        ...(chosen.code || chosen.reason ? { detail: [chosen.code, chosen.reason].filter(Boolean).join(": ") } : {}),
      });
    }
    return out;
  }

  private skipReason(request: ProbeRequest): string | undefined {
    const target = request.target;
    switch (target.kind) {
      // Pods (hostNetwork ones too, see apply()), cluster IPs and names are the cluster's own;
      // node ports, load balancers and external IPs are compiled into every node.
      case "pod":
      case "service":
      case "nodeport":
      case "loadbalancer":
      case "externalip":
      case "hostport":
        return undefined;
      case "dns":
        // A name of cluster.upstreamDNS leads outside the cluster: to hosts this provider may lack.
        return this.unhostedNames.get(target.name.toLowerCase().replace(/\.$/, ""));
      // The entry's proxy pod (gateways.ts) behind its load-balancer address; nothing listens
      // there when no proxy serves the entry, as in a cluster.
      case "http":
        return undefined;
      case "external": {
        // An address a pod or a Service holds is reached as that pod or Service.
        if (this.podByAddress.has(target.ip) || this.serviceAddresses.has(target.ip)) return undefined;
        const canonical = canonicalIp(target.ip);
        if (this.externalAddresses.has(canonical)) return undefined;
        return this.unhosted.get(canonical) ?? `${target.ip}: no pod, Service or simulated external host holds it`;
      }
    }
  }

  dataPlaneConvergence(): Readonly<Record<string, number>> {
    return { ...this.convergence };
  }

  diagnose(): Promise<Record<string, string>> {
    return diagnose(this.cluster);
  }

  destroy(): Promise<void> {
    this.destroyed ??= destroyCluster(this.cluster).catch(() => undefined);
    return this.destroyed;
  }
}

/** The `external/<ip>` clients `probe.from` names, or undefined when it names no client outside the cluster. */
function outsideClients(scenario: Scenario): string[] | undefined {
  const clients = [...scenario.probe.from, ...scenario.expect.http.map((e) => e.from)].flatMap((ref) => {
    const parsed = parseReference(ref);
    return typeof parsed === "string" ? [] : resolveClients(scenario, parsed);
  }).filter((c) => c.kind === "external");
  if (clients.length === 0) return undefined;
  return [...new Set(clients.flatMap((c) => (c.pinned ? Object.values(c.ips).filter((ip): ip is string => Boolean(ip)) : [])))];
}

/**
 * Where a load balancer sends a Service's traffic: with externalTrafficPolicy Local, a node
 * with a ready endpoint of the Service (its health check node port answers there only); else,
 * and when no node has one, the first node.
 */
function loadBalancerNode(scenario: Scenario, svc: ServiceModel, family: Family): string | undefined {
  if (svc.externalTrafficPolicy === "Local") {
    const nodes = new Set(svc.ports.flatMap((port) => allEndpoints(scenario, svc, port, family).map((e) => e.node)));
    const healthy = scenario.nodes.find((n) => nodes.has(n.name));
    if (healthy) return healthy.name;
  }
  return scenario.nodes[0]?.name;
}

/** The address `ip` of subnet `from` moved to subnet `to`, as far from its end. */
function sameOffsetFromEnd(ip: string, from: string, to: string): string {
  const source = cidr(from);
  const target = cidr(to);
  const fromEnd = cidrSize(source) - (ipToBigInt(ip) - source.base);
  return nthAddress(target, cidrSize(target) - fromEnd);
}

function clusterSubnets(scenario: Scenario): string[] {
  return [...Object.values(scenario.podSubnets), ...Object.values(scenario.serviceSubnets)].filter((c): c is string => Boolean(c));
}

/**
 * The external hosts a scenario's cells probe, with the ports and protocols each must serve;
 * and the addresses that cannot be simulated (inside the cluster's subnets, or not a host
 * address), with the reason. They are the addresses rules name (`externalTargets`, the
 * resolution the oracle's matrix uses too) on the rules' ports, and the addresses of
 * cluster.upstreamDNS on every port a cell by name may dial there: the ExternalName Services'
 * ports and the ports of the rules naming DNS names (80 by default). Which name leads where is
 * dnsmasq's to answer, not decided here; a server on a port no cell dials changes no verdict.
 */
export function externalHosts(scenario: Scenario): { hosts: Array<{ ip: string; ports: ServerPort[] }>; unhosted: Map<string, string> } {
  const subnets = clusterSubnets(scenario).map((c) => ({ text: c, cidr: parseCidr(c) }));
  const hosts = new Map<string, Map<string, ServerPort>>();
  const unhosted = new Map<string, string>();
  const host = (address: string, ports: readonly ServerPort[]) => {
    const ip = canonicalIp(address);
    const inside = subnets.find((s) => contains(s.cidr, ip));
    if (inside) {
      unhosted.set(ip, `${ip} lies in the cluster's subnet ${inside.text}: the local provider simulates external hosts only outside the pod and Service subnets`);
      return;
    }
    if (!isHostAddress(ip)) {
      unhosted.set(ip, `${ip} is not a unicast host address: the local provider cannot simulate a host holding it`);
      return;
    }
    const served = hosts.get(ip) ?? new Map<string, ServerPort>();
    for (const port of ports) served.set(`${port.protocol}/${port.port}`, port);
    hosts.set(ip, served);
  };
  for (const external of externalTargets(scenario)) {
    if (scenario.families.includes(external.family)) host(external.target.ip, external.ports.map((port) => ({ port, protocol: external.protocol })));
  }
  const byName: ServerPort[] = [
    ...scenario.services.filter((s) => s.type === "ExternalName").flatMap((s) => s.ports.map((p) => ({ port: p.port, protocol: p.protocol }))),
    ...ruleDnsNames(scenario).flatMap((n) => n.ports.map((port) => ({ port, protocol: n.protocol }))),
    { port: 80, protocol: "TCP" },
  ];
  for (const upstream of scenario.upstreamDns) {
    for (const address of upstream.addresses) if (familyOf(address) && scenario.families.includes(familyOf(address)!)) host(address, byName);
  }
  return { hosts: [...hosts].map(([ip, ports]) => ({ ip, ports: [...ports.values()] })), unhosted };
}

/** Failures grouped by their message, so that 400 sources failing alike read as one line. */
function summarizeFailures(failures: ReadonlyArray<{ source: string; error: string }>): string {
  const byError = new Map<string, string[]>();
  for (const f of failures) byError.set(f.error, [...(byError.get(f.error) ?? []), f.source]);
  return [...byError].map(([error, sources]) => `${sources.slice(0, 3).join(", ")}${sources.length > 3 ? ` and ${sources.length - 3} more source pods` : ""}: ${error}`).join("; ");
}
