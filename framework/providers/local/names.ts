/**
 * Names and labels of everything the local provider creates. Every value that
 * reaches a command line inside or outside a container is either validated
 * here or derived here from a hash, so scenario text never does.
 */
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { IDENTITY_RE, NETNS_RE } from '../../probe/protocol.js';

export const LABEL_RUN = 'netspec.run';
export const LABEL_OWNER = 'netspec.owner';
export const LABEL_NODE = 'netspec.node';
export const LABEL_ROLE = 'netspec.role';

const RUN_ID_RE = /^[a-z0-9][a-z0-9-]{0,39}$/;
const NODE_RE = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export function newRunId(): string {
  return `r${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}

export function assertRunId(runId: string): string {
  if (!RUN_ID_RE.test(runId)) throw new Error(`invalid run id ${JSON.stringify(runId)}: want [a-z0-9-], at most 40 characters`);
  return runId;
}

export function assertNodeName(name: string): string {
  if (!NODE_RE.test(name)) throw new Error(`invalid node name ${JSON.stringify(name)}: must be a DNS-1123 label`);
  return name;
}

export function assertPodId(id: string): string {
  if (!IDENTITY_RE.test(id)) throw new Error(`invalid pod id ${JSON.stringify(id)}: want namespace/name (DNS-1123)`);
  return id;
}

function hash(s: string, len: number): string {
  return createHash('sha256').update(s).digest('hex').slice(0, len);
}

/** Network namespace of a pod inside its node: `p-` + hash of its id (never the raw name). */
export function netnsName(podId: string): string {
  const n = `p-${hash(podId, 12)}`;
  if (!NETNS_RE.test(n)) throw new Error('unreachable');
  return n;
}

/** Host-side veth of a pod (interface names have at most 15 characters). */
export function vethName(podId: string): string {
  return `v${hash(podId, 12)}`;
}

/** Network namespace of an external host (an address outside the cluster): `x-` + hash of its address. */
export function externalNetnsName(ip: string): string {
  const n = `x-${hash(`external/${ip}`, 12)}`;
  if (!NETNS_RE.test(n)) throw new Error('unreachable');
  return n;
}

/** Node-side veth of an external host. */
export function externalVethName(ip: string): string {
  return `x${hash(`external/${ip}`, 12)}`;
}

/**
 * The name under which a container's own (root) network namespace is attached (`ip netns
 * attach host 1`): a node's host network, or the outside host's, for probing from there.
 */
export const HOST_NETNS = 'host';

/** The outside host (clients outside the cluster network): a container beside the nodes. */
export const OUTSIDE = 'outside';

/** The outside host's container; `_` keeps it apart from every node's (node names have none). */
export function outsideContainerName(runId: string): string {
  return `netspec-${runId}-_${OUTSIDE}`;
}

/** Network namespace of an `external/<ip>` client on the outside host. */
export function clientNetnsName(ip: string): string {
  const n = `c-${hash(`client/${ip}`, 12)}`;
  if (!NETNS_RE.test(n)) throw new Error('unreachable');
  return n;
}

/** Outside-host side veth of an `external/<ip>` client. */
export function clientVethName(ip: string): string {
  return `c${hash(`client/${ip}`, 12)}`;
}

/** What an external host's server answers: `external/<address>`. */
export function externalIdentity(ip: string): string {
  const id = `external/${ip}`;
  if (!IDENTITY_RE.test(id)) throw new Error(`unsafe external address ${JSON.stringify(ip)}`);
  return id;
}

export function networkName(runId: string): string {
  return `netspec-${runId}`;
}

export function containerName(runId: string, node: string): string {
  return `netspec-${runId}-${node}`;
}

/**
 * Who created a run's objects: `host:pid:start`, with the process start time
 * (from /proc, clock ticks since boot) so a recycled pid is not mistaken for
 * the creator. cleanupStale() removes a run whose owner process is gone.
 */
export function ownerLabel(pid = process.pid): string {
  return `${os.hostname()}:${pid}:${processStart(pid) ?? 0}`;
}

export function processStart(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime), counted after the ")" that closes the command name.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** Whether the process that owns a label is still running (on this host). */
export function ownerAlive(owner: string): boolean {
  const [host, pidText, start] = owner.split(':');
  const pid = Number(pidText);
  if (host !== os.hostname()) return true; // another machine's run on a shared daemon: not ours to judge
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  const now = processStart(pid);
  return now === undefined || start === '0' || now === start;
}
