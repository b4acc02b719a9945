/**
 * Node containers: one per cluster node, on the run network at a fixed address, with the
 * capabilities and sysctls pods-as-netns need (no privileged mode, which is not available
 * everywhere), the agents' dist/ bind-mounted read-only. Started with testcontainers'
 * GenericContainer; ready when the node agent daemon says it listens (a log wait strategy).
 */
import * as path from 'node:path';
import { GenericContainer, Wait } from 'testcontainers';
import { PACKAGE_ROOT } from './image.js';
import { LABEL_NODE, LABEL_OWNER, LABEL_ROLE, LABEL_RUN, containerName, outsideContainerName, ownerLabel } from './names.js';
import { AGENT_DIST, AGENT_JS, AGENT_READY_LINE, AGENT_ROOT } from '../../probe/protocol.js';
import { engineMessage, EngineError, removeContainer } from './engine.js';
import { shellLine } from '../../exec/command.js';

export interface NodeContainerSpec {
  runId: string;
  name: string;
  /** `outside`: the host outside the cluster network that external clients run on (no pods). */
  role?: 'node' | 'outside';
  image: string;
  network: string;
  ipv4: string;
  ipv6?: string;
  labels?: Record<string, string>;
}

/** Where the agents come from: this package's compiled dist/ (and its package.json: "type": "module"). */
export const DIST_DIR = path.join(PACKAGE_ROOT, 'dist');

export const NODE_CAPABILITIES = ['NET_ADMIN', 'SYS_ADMIN', 'NET_RAW'];
export const NODE_SECURITY_OPTS = ['seccomp=unconfined'];

export const NODE_SYSCTLS: Record<string, string> = {
  'net.ipv4.ip_forward': '1',
  'net.ipv6.conf.all.forwarding': '1',
  'net.ipv6.conf.all.disable_ipv6': '0',
  'net.ipv6.conf.default.disable_ipv6': '0',
  // Host-side pod veths are created later and inherit this: no DAD delay on them.
  'net.ipv6.conf.default.accept_dad': '0',
  // Pod traffic arrives from other nodes with pod source addresses.
  'net.ipv4.conf.all.rp_filter': '0',
  'net.ipv4.conf.default.rp_filter': '0',
  // Rejections (ICMP unreachable) must not be rate limited into timeouts (see POD_SYSCTLS).
  'net.ipv4.icmp_ratelimit': '0',
  'net.ipv6.icmp.ratelimit': '0',
  'net.ipv4.icmp_msgs_per_sec': '100000',
  'net.ipv4.icmp_msgs_burst': '100000',
};

/** GenericContainer plus what it has no builder method for: sysctls and fixed addresses. */
class NodeContainer extends GenericContainer {
  withSysctls(sysctls: Record<string, string>): this {
    this.hostConfig.Sysctls = { ...this.hostConfig.Sysctls, ...sysctls };
    return this;
  }

  withFixedAddresses(network: string, ipv4: string, ipv6?: string): this {
    this.withNetworkMode(network);
    this.createOpts.NetworkingConfig = {
      EndpointsConfig: { [network]: { IPAMConfig: { IPv4Address: ipv4, ...(ipv6 ? { IPv6Address: ipv6 } : {}) } } },
    };
    return this;
  }
}

export function nodeLabels(s: NodeContainerSpec): Record<string, string> {
  return {
    ...s.labels,
    [LABEL_RUN]: s.runId,
    [LABEL_OWNER]: ownerLabel(),
    [LABEL_NODE]: s.name,
    [LABEL_ROLE]: s.role ?? 'node',
  };
}

/** The container's name: the node's, or the outside host's. */
export function nodeContainerName(s: Pick<NodeContainerSpec, 'runId' | 'name' | 'role'>): string {
  return s.role === 'outside' ? outsideContainerName(s.runId) : containerName(s.runId, s.name);
}

export function nodeContainer(s: NodeContainerSpec): GenericContainer {
  return new NodeContainer(s.image)
    .withName(nodeContainerName(s))
    .withHostname(s.name)
    .withLabels(nodeLabels(s))
    .withFixedAddresses(s.network, s.ipv4, s.ipv6)
    .withAddedCapabilities(...NODE_CAPABILITIES)
    .withSecurityOpt(...NODE_SECURITY_OPTS)
    .withSysctls(NODE_SYSCTLS)
    .withBindMounts([
      { source: DIST_DIR, target: AGENT_DIST, mode: 'ro' },
      { source: path.join(PACKAGE_ROOT, 'package.json'), target: `${AGENT_ROOT}/package.json`, mode: 'ro' },
    ])
    // tini as PID 1 reaps orphans; the node agent daemon (agent.js serve) is the main process:
    // requests reach it through its Unix socket, no Node start-up each.
    .withCommand(['/usr/bin/tini', '--', 'node', AGENT_JS, 'serve'])
    .withWaitStrategy(Wait.forLogMessage(AGENT_READY_LINE))
    .withStartupTimeout(60_000);
}

/** The docker command that starts the same container: for messages, so a user can try it by hand. */
export function nodeRunCommand(s: NodeContainerSpec): string {
  return shellLine([
    'docker', 'run', '--detach', '--name', nodeContainerName(s), '--hostname', s.name,
    ...Object.entries(nodeLabels(s)).flatMap(([k, v]) => ['--label', `${k}=${v}`]),
    '--network', s.network, '--ip', s.ipv4, ...(s.ipv6 ? ['--ip6', s.ipv6] : []),
    ...NODE_CAPABILITIES.flatMap((c) => ['--cap-add', c]),
    ...NODE_SECURITY_OPTS.flatMap((o) => ['--security-opt', o]),
    ...Object.entries(NODE_SYSCTLS).flatMap(([k, v]) => ['--sysctl', `${k}=${v}`]),
    '--mount', `type=bind,source=${DIST_DIR},target=${AGENT_DIST},readonly`,
    '--mount', `type=bind,source=${path.join(PACKAGE_ROOT, 'package.json')},target=${AGENT_ROOT}/package.json,readonly`,
    s.image, '/usr/bin/tini', '--', 'node', AGENT_JS, 'serve',
  ]);
}

/**
 * The engine's transient failures under parallel load (veth/netns allocation races, containerd
 * shim hiccups): worth one more try, unlike a user's error.
 */
const TRANSIENT = [
  /device or resource busy/i,
  /resource temporarily unavailable/i,
  /OCI runtime (create|start) failed.*(busy|timeout|temporarily)/i,
  /context deadline exceeded/i,
  /connection reset by peer/i,
  /failed to (create|add) endpoint/i,
];

/** Starts a node container (retrying transient engine failures); resolves with its id once its agent listens. */
export async function startNodeContainer(s: NodeContainerSpec, attempts = 3): Promise<string> {
  for (let i = 1; ; i++) {
    try {
      return (await nodeContainer(s).start()).getId();
    } catch (error) {
      if (i >= attempts || !TRANSIENT.some((re) => re.test(engineMessage(error)))) throw new EngineError(nodeRunCommand(s), { cause: error });
      // The failed attempt may have created the container: its name must be free again.
      await removeContainer(nodeContainerName(s)).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 200 * i));
    }
  }
}
