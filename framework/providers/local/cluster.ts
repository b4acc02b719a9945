/**
 * The local cluster: provision (network, node containers, pods, servers),
 * run steps on nodes, probe, destroy. Nodes are Docker containers, pods are
 * network namespaces inside their node, routed point to point (plumbing.ts).
 * External hosts (addresses outside the cluster that pods' egress is tested
 * against) are network namespaces too, on one node, outside every pod CIDR.
 *
 * Every failure path removes what was created; destroy() is idempotent.
 */
import type { Family, ProbeBatch, ServerPort, ServerReady, AgentStep, AgentRunResponse } from '../../probe/protocol.js';
import { canonicalIp, contains, formatCidr, isHostAddress, nthAddress, parseCidr } from './addresses.js';
import { familyOf } from '../../kube/net.js';
import { runAgent, probeOnNode, type SourcedResult } from './agent-client.js';
import { destroyRun, removeContainers } from './cleanup.js';
import { checkEngine, decideReaper, removeNetwork } from './engine.js';
import { mapLimit } from '../../exec/limit.js';
import { ensureNodeImage } from './image.js';
import {
  assertNodeName, assertPodId, assertRunId, clientNetnsName, clientVethName, containerName, externalIdentity, externalNetnsName,
  externalVethName, HOST_NETNS, netnsName, newRunId, OUTSIDE, outsideContainerName, vethName,
} from './names.js';
import { createRunNetwork, type RunNetwork } from './network.js';
import { startNodeContainer } from './nodes.js';
import {
  externalScript, nodeRootScript, outsideClientScript, outsideRootScript, podScript, type PlumbClient, type PlumbNode,
} from './plumbing.js';

export interface LocalClusterSpec {
  /** Default: a fresh id. [a-z0-9-], at most 40 characters. */
  runId?: string;
  families: Family[];
  nodes: Array<{
    name: string;
    /** One per family in `families`, e.g. 10.244.0.0/24 and fd00:10:244:0::/64. */
    podCIDRs: { ipv4?: string; ipv6?: string };
    /** Extra Docker labels on the node container. */
    labels?: Record<string, string>;
  }>;
  pods: Array<{
    /** `namespace/name`; the pod's netns is derived from it (netnsName). */
    id: string;
    node: string;
    /** One per family, inside the node's pod CIDR, not its first address (the gateway). */
    ips: { ipv4?: string; ipv6?: string };
    /** Ports its server serves (SCTP: reported skipped). */
    ports: ServerPort[];
    /** In its node's own namespace, with the node's addresses (`ips` is ignored). */
    hostNetwork?: boolean;
  }>;
  /** CIDRs the run network must avoid (the scenario's pod and service subnets). */
  avoidCidrs?: string[];
  /**
   * Hosts outside the cluster: each a network namespace on `node` (default: the first node)
   * holding its one address (/32 or /128), routed from every node, its server answering
   * `external/<ip>` on `ports`. The address must be of one of `families`, a unicast address
   * outside every pod CIDR and `avoidCidrs`; the run network is chosen to avoid it.
   */
  externals?: Array<{ ip: string; node?: string; ports: ServerPort[] }>;
  /**
   * The outside host: a container on the run network beside the nodes, outside the cluster
   * network, probing as `external` from its own address and as `external/<ip>` from a
   * namespace per address in `clients` (unicast, of the cluster's families, outside every
   * pod CIDR and `avoidCidrs`). Absent: no outside host.
   */
  outside?: { clients: string[] };
}

export interface ProvisionOptions {
  /** Node image reference; default: ensureNodeImage(). */
  image?: string;
  /** Do not start the pods' servers (the caller will, e.g. after nft rules). */
  skipServers?: boolean;
  /** Concurrent container starts and agent execs (default 8). */
  parallel?: number;
  log?: (msg: string) => void;
}

export interface LocalNode {
  name: string;
  container: string;
  /** Node addresses on the run network (the next hop for its pod CIDRs). */
  ips: { ipv4: string; ipv6?: string };
  podCIDRs: { ipv4?: string; ipv6?: string };
}

export interface LocalPod {
  id: string;
  node: string;
  /** Its own namespace, or HOST_NETNS for a hostNetwork pod (then no veth). */
  netns: string;
  veth: string;
  hostNetwork: boolean;
  ips: { ipv4?: string; ipv6?: string };
  ports: ServerPort[];
  /** Filled once its server runs. */
  server?: ServerReady;
}

export interface LocalExternal {
  /** Canonical address. */
  ip: string;
  family: Family;
  node: string;
  netns: string;
  veth: string;
  /** `external/<ip>`: what its server answers. */
  identity: string;
  ports: ServerPort[];
  /** Filled once its server runs. */
  server?: ServerReady;
}

export interface LocalOutside {
  container: string;
  /** Its address on the run network: the `external` client. */
  ips: { ipv4: string; ipv6?: string };
  clients: PlumbClient[];
}

export interface LocalCluster {
  runId: string;
  families: Family[];
  image: string;
  network: RunNetwork;
  nodes: LocalNode[];
  pods: LocalPod[];
  externals: LocalExternal[];
  outside?: LocalOutside;
  timings: { imageMs: number; networkMs: number; containersMs: number; plumbingMs: number; totalMs: number };
}

/** Validates and normalises a spec (canonical addresses, checked names and membership). */
export function normalizeSpec(spec: LocalClusterSpec): Required<Omit<LocalClusterSpec, 'avoidCidrs' | 'externals' | 'outside'>> & {
  avoidCidrs: string[]; externals: LocalExternal[]; outside?: { clients: PlumbClient[] };
} {
  const runId = assertRunId(spec.runId ?? newRunId());
  const families = [...new Set(spec.families)];
  if (families.length === 0 || families.some((f) => f !== 'ipv4' && f !== 'ipv6')) throw new Error('families must be a non-empty subset of ipv4, ipv6');
  if (spec.nodes.length === 0) throw new Error('at least one node is required');
  const nodes = spec.nodes.map((n) => {
    assertNodeName(n.name);
    const podCIDRs: LocalNode['podCIDRs'] = {};
    for (const f of families) {
      const text = n.podCIDRs[f];
      if (!text) throw new Error(`node ${n.name} has no ${f} pod CIDR`);
      const c = parseCidr(text);
      if (c.family !== f) throw new Error(`node ${n.name}: ${text} is not ${f}`);
      podCIDRs[f] = formatCidr(c);
    }
    return { ...n, podCIDRs };
  });
  const byName = new Map(nodes.map((n) => [n.name, n]));
  if (byName.size !== nodes.length) throw new Error('node names must be unique');
  const seenIds = new Set<string>();
  const seenIps = new Set<string>();
  const seenNetns = new Set<string>();
  const pods = spec.pods.map((p) => {
    assertPodId(p.id);
    if (seenIds.has(p.id)) throw new Error(`duplicate pod ${p.id}`);
    seenIds.add(p.id);
    const netns = netnsName(p.id);
    if (seenNetns.has(netns)) throw new Error(`netns name collision for ${p.id}`);
    seenNetns.add(netns);
    const node = byName.get(p.node);
    if (!node) throw new Error(`pod ${p.id}: unknown node ${p.node}`);
    checkPorts(p.id, p.ports);
    if (p.hostNetwork) return { ...p, ips: {}, hostNetwork: true };
    const ips: LocalPod['ips'] = {};
    for (const f of families) {
      const ip = p.ips[f];
      if (!ip) throw new Error(`pod ${p.id} has no ${f} address`);
      const canon = canonicalIp(ip);
      const cidr = node.podCIDRs[f]!;
      if (!contains(parseCidr(cidr), canon)) throw new Error(`pod ${p.id}: ${ip} is not in ${p.node}'s pod CIDR ${cidr}`);
      if (canon === nthAddress(cidr, 0) || (f === 'ipv4' && canon === nthAddress(cidr, 1))) {
        throw new Error(`pod ${p.id}: ${ip} is reserved (network or gateway address of ${cidr})`);
      }
      if (seenIps.has(canon)) throw new Error(`pod ${p.id}: address ${ip} used twice`);
      seenIps.add(canon);
      ips[f] = canon;
    }
    return { ...p, ips, hostNetwork: false };
  });
  const avoidCidrs = [...(spec.avoidCidrs ?? []), ...nodes.flatMap((n) => Object.values(n.podCIDRs))].map((c) => formatCidr(parseCidr(c!)));
  const externals = (spec.externals ?? []).map((e): LocalExternal => {
    const ip = canonicalIp(e.ip);
    const family: Family = familyOf(ip)!;
    if (!families.includes(family)) throw new Error(`external host ${ip}: the cluster has no ${family}`);
    if (!isHostAddress(ip)) throw new Error(`external host ${ip}: not a unicast address a host can hold`);
    const inside = avoidCidrs.find((c) => contains(parseCidr(c), ip));
    if (inside) throw new Error(`external host ${ip}: inside the cluster's ${inside}`);
    if (seenIps.has(ip)) throw new Error(`external host ${ip}: address used twice`);
    seenIps.add(ip);
    const node = e.node === undefined ? nodes[0]!.name : e.node;
    if (!byName.has(node)) throw new Error(`external host ${ip}: unknown node ${node}`);
    for (const port of e.ports) {
      if (!Number.isInteger(port.port) || port.port < 1 || port.port > 65535) throw new Error(`external host ${ip}: bad port ${port.port}`);
      if (!['TCP', 'UDP', 'SCTP'].includes(port.protocol)) throw new Error(`external host ${ip}: bad protocol ${port.protocol}`);
    }
    return {
      ip, family, node, netns: externalNetnsName(ip), veth: externalVethName(ip), identity: externalIdentity(ip),
      ports: e.ports.map((p) => ({ port: p.port, protocol: p.protocol })),
    };
  });
  const outside = spec.outside && {
    clients: spec.outside.clients.map((text): PlumbClient => {
      const ip = canonicalIp(text);
      const family = familyOf(ip);
      if (!family || !families.includes(family)) throw new Error(`external client ${text}: not an address of the cluster's families`);
      if (!isHostAddress(ip)) throw new Error(`external client ${ip}: not a unicast address a host can hold`);
      const inside = avoidCidrs.find((c) => contains(parseCidr(c), ip));
      if (inside) throw new Error(`external client ${ip}: inside the cluster's ${inside}`);
      if (seenIps.has(ip)) throw new Error(`external client ${ip}: address used twice`);
      seenIps.add(ip);
      return { ip, netns: clientNetnsName(ip), veth: clientVethName(ip) };
    }),
  };
  return { runId, families, nodes, pods, avoidCidrs, externals, ...(outside ? { outside } : {}) };
}

function checkPorts(owner: string, ports: readonly ServerPort[]): void {
  for (const port of ports) {
    if (!Number.isInteger(port.port) || port.port < 1 || port.port > 65535) throw new Error(`pod ${owner}: bad port ${port.port}`);
    if (!['TCP', 'UDP', 'SCTP'].includes(port.protocol)) throw new Error(`pod ${owner}: bad protocol ${port.protocol}`);
  }
}

/** The outside host's address on the run network: near its end, clear of nodes and load balancers. */
const OUTSIDE_OFFSET = 254;

/**
 * Builds the cluster. On any failure it removes everything it created and
 * rethrows (DockerUnavailableError when no container engine is reachable).
 */
export async function provisionCluster(spec: LocalClusterSpec, opts: ProvisionOptions = {}): Promise<LocalCluster> {
  const t0 = Date.now();
  const s = normalizeSpec(spec);
  const parallel = opts.parallel ?? 8;
  await checkEngine();
  await decideReaper(opts.log);
  const image = opts.image ?? (await ensureNodeImage({ log: opts.log })).ref;
  const tImage = Date.now();
  let network: RunNetwork | undefined;
  const started: string[] = [];
  try {
    network = await createRunNetwork(s.runId, {
      ipv6: s.families.includes('ipv6'),
      avoid: [
        ...s.avoidCidrs, ...s.externals.map((e) => `${e.ip}/${e.family === 'ipv4' ? 32 : 128}`),
        ...(s.outside?.clients ?? []).map((c) => `${c.ip}/${familyOf(c.ip) === 'ipv4' ? 32 : 128}`),
      ],
    });
    const tNet = Date.now();
    const net = network;
    // Static node addresses (.2, .3, ... of the run network): known before start, no inspect round trip.
    const nodes: LocalNode[] = s.nodes.map((n, i) => {
      const ips: LocalNode['ips'] = { ipv4: nthAddress(net.ipv4Subnet, i + 2) };
      if (net.ipv6Subnet) ips.ipv6 = nthAddress(net.ipv6Subnet, i + 2);
      return { name: n.name, container: containerName(s.runId, n.name), ips, podCIDRs: n.podCIDRs };
    });
    const outside: LocalOutside | undefined = s.outside && {
      container: outsideContainerName(s.runId),
      ips: { ipv4: nthAddress(net.ipv4Subnet, OUTSIDE_OFFSET), ...(net.ipv6Subnet ? { ipv6: nthAddress(net.ipv6Subnet, OUTSIDE_OFFSET) } : {}) },
      clients: s.outside.clients,
    };
    const hosts = [
      ...nodes.map((n, i) => ({ name: n.name, ips: n.ips, labels: s.nodes[i]!.labels, role: 'node' as const })),
      ...(outside ? [{ name: OUTSIDE, ips: outside.ips, labels: undefined, role: 'outside' as const }] : []),
    ];
    await mapLimit(hosts, parallel, async (h) => {
      started.push(await startNodeContainer({ runId: s.runId, name: h.name, role: h.role, image, network: net.name, ipv4: h.ips.ipv4, ipv6: h.ips.ipv6, labels: h.labels }));
    });
    const tContainers = Date.now();
    const pods: LocalPod[] = s.pods.map((p) => (p.hostNetwork
      ? { id: p.id, node: p.node, netns: HOST_NETNS, veth: '', hostNetwork: true, ips: { ...nodes.find((n) => n.name === p.node)!.ips }, ports: p.ports }
      : { id: p.id, node: p.node, netns: netnsName(p.id), veth: vethName(p.id), hostNetwork: false, ips: p.ips, ports: p.ports }));
    const cluster: LocalCluster = {
      runId: s.runId, families: s.families, image, network: net, nodes, pods, externals: s.externals, ...(outside ? { outside } : {}),
      timings: { imageMs: tImage - t0, networkMs: tNet - tImage, containersMs: tContainers - tNet, plumbingMs: 0, totalMs: 0 },
    };
    await Promise.all([
      mapLimit(nodes, parallel, (n) => setupNode(cluster, n, !opts.skipServers)),
      ...(outside ? [setupOutside(outside)] : []),
    ]);
    cluster.timings.plumbingMs = Date.now() - tContainers;
    cluster.timings.totalMs = Date.now() - t0;
    return cluster;
  } catch (e) {
    await teardown(s.runId, started, network?.name).catch(() => {});
    throw e;
  }
}

/**
 * ICMP errors are how a closed UDP port (and a rejecting policy) shows as
 * `refused`; the kernel's default rate limits (a burst of 6 per peer, then
 * 1/s) would turn all but the first few into `timeout`. Nodes get the same
 * through `docker run --sysctl`.
 */
export const POD_SYSCTLS: Record<string, string> = {
  'net.ipv4.icmp_ratelimit': '0',
  'net.ipv6.icmp.ratelimit': '0',
  'net.ipv4.icmp_msgs_per_sec': '100000',
  'net.ipv4.icmp_msgs_burst': '100000',
};

/** The phases that plumb one node and its pods (and start their servers). */
export function nodeSetupPhases(cluster: LocalCluster, node: LocalNode, withServers: boolean): AgentStep[][] {
  const all = cluster.pods.filter((p) => p.node === node.name);
  // hostNetwork pods have no namespace to plumb: they serve in the node's own.
  const pods = all.filter((p) => !p.hostNetwork);
  const externals = cluster.externals.filter((e) => e.node === node.name);
  const plumb: PlumbNode = {
    families: cluster.families,
    podCIDRs: node.podCIDRs,
    pods,
    externals,
    peers: cluster.nodes.filter((n) => n.name !== node.name).map((n) => ({
      podCIDRs: n.podCIDRs, nodeIPs: n.ips, externals: cluster.externals.filter((e) => e.node === n.name).map((e) => e.ip),
    })),
    eth0LinkLocal6: `fe80::6e73:0:${(cluster.nodes.indexOf(node) + 2).toString(16)}`,
    ...(cluster.outside ? { outside: { ips: cluster.outside.ips, clients: cluster.outside.clients.map((c) => c.ip) } } : {}),
  };
  const phases: AgentStep[][] = [
    [{ kind: 'exec', argv: ['ip', '-batch', '-'], input: nodeRootScript(plumb) }],
  ];
  if (pods.length || externals.length) {
    phases.push([
      ...pods.flatMap((p): AgentStep[] => [
        { kind: 'exec', argv: ['ip', '-netns', p.netns, '-batch', '-'], input: podScript(plumb, p) },
        { kind: 'sysctl', netns: p.netns, values: POD_SYSCTLS },
      ]),
      ...externals.flatMap((e): AgentStep[] => [
        { kind: 'exec', argv: ['ip', '-netns', e.netns, '-batch', '-'], input: externalScript(plumb, e) },
        { kind: 'sysctl', netns: e.netns, values: POD_SYSCTLS },
      ]),
    ]);
  }
  // Every pod gets a server entry, even without ports: its readiness says the pod is plumbed.
  if (withServers && (all.length || externals.length)) {
    phases.push([{ kind: 'servers', servers: [
      ...all.map((p) => ({ netns: p.netns, identity: p.id, node: node.name, ports: p.ports })),
      ...externals.map((e) => ({ netns: e.netns, identity: e.identity, node: node.name, ports: e.ports })),
    ] }]);
  }
  return phases;
}

/** Plumbs the outside host: its `host` namespace and one namespace per `external/<ip>` client. */
async function setupOutside(outside: LocalOutside): Promise<void> {
  const phases: AgentStep[][] = [[{ kind: 'exec', argv: ['ip', '-batch', '-'], input: outsideRootScript(outside.clients) }]];
  if (outside.clients.length > 0) {
    phases.push(outside.clients.flatMap((c): AgentStep[] => [
      { kind: 'exec', argv: ['ip', '-netns', c.netns, '-batch', '-'], input: outsideClientScript(c) },
      { kind: 'sysctl', netns: c.netns, values: POD_SYSCTLS },
    ]));
  }
  await runAgent(outside.container, phases);
}

async function setupNode(cluster: LocalCluster, node: LocalNode, withServers: boolean): Promise<void> {
  const res = await runAgent(node.container, nodeSetupPhases(cluster, node, withServers));
  recordServers(cluster, res);
}

function recordServers(cluster: LocalCluster, res: AgentRunResponse): void {
  for (const s of res.servers) {
    const host = cluster.pods.find((p) => p.netns === s.netns && p.id === s.identity) ?? cluster.externals.find((e) => e.netns === s.netns);
    if (host && s.ok) host.server = s.ready;
  }
}

/** Starts the servers of the given pods (default: all, and the external hosts'), one exec and one server process per node. */
export async function startServers(cluster: LocalCluster, podIds?: string[]): Promise<void> {
  const want = new Set(podIds ?? cluster.pods.map((p) => p.id));
  await Promise.all(cluster.nodes.map(async (n) => {
    const pods = cluster.pods.filter((p) => p.node === n.name && want.has(p.id));
    const externals = podIds ? [] : cluster.externals.filter((e) => e.node === n.name);
    if (pods.length === 0 && externals.length === 0) return;
    const res = await runAgent(n.container, [[{ kind: 'servers', servers: [
      ...pods.map((p) => ({ netns: p.netns, identity: p.id, node: n.name, ports: p.ports })),
      ...externals.map((e) => ({ netns: e.netns, identity: e.identity, node: n.name, ports: e.ports })),
    ] }]]);
    recordServers(cluster, res);
  }));
}

/** Runs agent steps on one node (e.g. `nft -f -` rules, resolv.conf files). Throws AgentError on failure. */
export function runOnNode(cluster: LocalCluster, nodeName: string, phases: AgentStep[][]): Promise<AgentRunResponse> {
  const node = cluster.nodes.find((n) => n.name === nodeName);
  if (!node) throw new Error(`unknown node ${nodeName}`);
  return runAgent(node.container, phases);
}

export interface ProbeRun {
  results: SourcedResult[];
  /** Source pods whose prober failed or did not finish. */
  failures: Array<{ source: string; error: string }>;
  durationMs: number;
}

/**
 * Probes from many source pods: their batches are grouped by node, one
 * agent exec per node, all nodes at once; results stream to `onResult`.
 */
export async function probe(
  cluster: LocalCluster,
  batches: Array<{ source: string; batch: ProbeBatch; resolvConf?: string }>,
  onResult?: (r: SourcedResult) => void,
): Promise<ProbeRun> {
  const start = Date.now();
  const byContainer = new Map<string, Array<{ source: string; netns: string; batch: ProbeBatch; resolvConf?: string }>>();
  for (const b of batches) {
    const { container, netns } = sourcePlace(cluster, b.source);
    const list = byContainer.get(container) ?? [];
    list.push({ source: b.source, netns, batch: b.batch, ...(b.resolvConf !== undefined ? { resolvConf: b.resolvConf } : {}) });
    byContainer.set(container, list);
  }
  const run: ProbeRun = { results: [], failures: [], durationMs: 0 };
  await Promise.all([...byContainer].map(async ([container, list]) => {
    try {
      const out = await probeOnNode(container, list, onResult);
      run.results.push(...out.results);
      run.failures.push(...out.failures);
    } catch (e) {
      for (const b of list) run.failures.push({ source: b.source, error: (e as Error).message });
    }
  }));
  run.durationMs = Date.now() - start;
  return run;
}

/**
 * Where a source's prober runs: a pod's namespace on its node; `node/NAME` in that node's own
 * namespace; `external` on the outside host itself, `external/<ip>` in its client namespace.
 */
export function sourcePlace(cluster: LocalCluster, source: string): { container: string; netns: string } {
  const pod = cluster.pods.find((p) => p.id === source);
  if (pod) return { container: cluster.nodes.find((n) => n.name === pod.node)!.container, netns: pod.netns };
  if (source.startsWith('node/')) {
    const node = cluster.nodes.find((n) => n.name === source.slice(5));
    if (node) return { container: node.container, netns: HOST_NETNS };
  }
  const outside = cluster.outside;
  if (outside && source === 'external') return { container: outside.container, netns: HOST_NETNS };
  if (outside && source.startsWith('external/')) {
    const client = outside.clients.find((c) => c.ip === canonicalIp(source.slice(9)));
    if (client) return { container: outside.container, netns: client.netns };
  }
  throw new Error(`unknown source ${source}`);
}

async function teardown(runId: string, containers: string[], network?: string): Promise<void> {
  await removeContainers(containers);
  if (network) await removeNetwork(network);
  // Anything else labelled with this run (e.g. a container whose `docker run` timed out after creating it).
  await destroyRun(runId);
}

/** Removes the cluster's containers and network. Idempotent. */
export async function destroyCluster(cluster: Pick<LocalCluster, 'runId' | 'nodes' | 'network' | 'outside'>): Promise<void> {
  const containers = [...cluster.nodes.map((n) => n.container), ...(cluster.outside ? [cluster.outside.container] : [])];
  await teardown(cluster.runId, containers, cluster.network.name);
}

/**
 * Facts for a failure report, one text block per node and command: addresses,
 * routes, the nftables ruleset, listening sockets, and the agent's view of
 * its pods. Never throws: a node that cannot answer says so.
 */
export async function diagnose(cluster: LocalCluster): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const commands: Array<[string, string[]]> = [
    ['addresses', ['ip', '-brief', 'address']],
    ['routes', ['ip', 'route']],
    ['routes6', ['ip', '-6', 'route']],
    ['nftables', ['nft', 'list', 'ruleset']],
  ];
  const hosts = [...cluster.nodes, ...(cluster.outside ? [{ name: OUTSIDE, container: cluster.outside.container }] : [])];
  await Promise.all(hosts.map(async (n) => {
    try {
      const res = await runAgent(n.container, [commands.map(([, argv]) => ({ kind: 'exec', argv, capture: true, ignoreFailure: true }))], 30_000);
      commands.forEach(([name], i) => {
        const s = res.steps[i];
        out[`${n.name}/${name}`] = s?.stdout ?? s?.stderr ?? '';
      });
    } catch (e) {
      out[`${n.name}/error`] = (e as Error).message;
    }
  }));
  return out;
}
