/**
 * Node containers: one per cluster node, on the run network, with the
 * capabilities and sysctls pods-as-netns need (no --privileged, which is not
 * available everywhere), the agents' dist/ bind-mounted read-only.
 */
import * as path from 'node:path';
import { dockerRetry } from './docker.js';
import { PACKAGE_ROOT } from './image.js';
import { LABEL_NODE, LABEL_OWNER, LABEL_ROLE, LABEL_RUN, containerName, ownerLabel } from './names.js';
import { AGENT_DIST, AGENT_JS, AGENT_ROOT } from '../../probe/protocol.js';

export interface NodeContainerSpec {
  runId: string;
  name: string;
  image: string;
  network: string;
  ipv4: string;
  ipv6?: string;
  labels?: Record<string, string>;
}

/** Where the agents come from: this package's compiled dist/ (and its package.json: "type": "module"). */
export const DIST_DIR = path.join(PACKAGE_ROOT, 'dist');

export function nodeRunArgs(s: NodeContainerSpec): string[] {
  const args = [
    'run', '--detach',
    '--name', containerName(s.runId, s.name),
    '--hostname', s.name,
    '--label', `${LABEL_RUN}=${s.runId}`,
    '--label', `${LABEL_OWNER}=${ownerLabel()}`,
    '--label', `${LABEL_NODE}=${s.name}`,
    '--label', `${LABEL_ROLE}=node`,
    '--network', s.network, '--ip', s.ipv4,
    '--cap-add', 'NET_ADMIN', '--cap-add', 'SYS_ADMIN', '--cap-add', 'NET_RAW',
    '--security-opt', 'seccomp=unconfined',
    '--sysctl', 'net.ipv4.ip_forward=1',
    '--sysctl', 'net.ipv6.conf.all.forwarding=1',
    '--sysctl', 'net.ipv6.conf.all.disable_ipv6=0',
    '--sysctl', 'net.ipv6.conf.default.disable_ipv6=0',
    // Host-side pod veths are created later and inherit this: no DAD delay on them.
    '--sysctl', 'net.ipv6.conf.default.accept_dad=0',
    // Pod traffic arrives from other nodes with pod source addresses.
    '--sysctl', 'net.ipv4.conf.all.rp_filter=0',
    '--sysctl', 'net.ipv4.conf.default.rp_filter=0',
    // Rejections (ICMP unreachable) must not be rate limited into timeouts (see POD_SYSCTLS).
    '--sysctl', 'net.ipv4.icmp_ratelimit=0',
    '--sysctl', 'net.ipv6.icmp.ratelimit=0',
    '--sysctl', 'net.ipv4.icmp_msgs_per_sec=100000',
    '--sysctl', 'net.ipv4.icmp_msgs_burst=100000',
    '--mount', `type=bind,source=${DIST_DIR},target=${AGENT_DIST},readonly`,
    '--mount', `type=bind,source=${path.join(PACKAGE_ROOT, 'package.json')},target=${AGENT_ROOT}/package.json,readonly`,
  ];
  if (s.ipv6) args.push('--ip6', s.ipv6);
  for (const [k, v] of Object.entries(s.labels ?? {})) args.push('--label', `${k}=${v}`);
  // tini as PID 1 reaps orphans; the node agent daemon (agent.js serve) is the
  // main process: requests reach it through its Unix socket, no Node start-up each.
  args.push(s.image, '/usr/bin/tini', '--', 'node', AGENT_JS, 'serve');
  return args;
}

export async function startNodeContainer(s: NodeContainerSpec): Promise<string> {
  const r = await dockerRetry(nodeRunArgs(s), { timeoutMs: 120_000 });
  return r.stdout.trim();
}
