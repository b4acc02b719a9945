/**
 * The per-run network the node containers share: a bridge, dual-stack
 * when IPv6 is wanted, on subnets that collide with nothing on the host.
 */
import { randomInt } from 'node:crypto';
import { createNetwork, EngineError, engineMessage } from './engine.js';
import { formatCidr, hostRoutes, overlaps, parseCidr, type Cidr } from './addresses.js';
import { LABEL_OWNER, LABEL_RUN, networkName, ownerLabel } from './names.js';

export interface RunNetwork {
  name: string;
  ipv4Subnet: string;
  ipv6Subnet?: string;
}

/**
 * Candidates: 1024 /24s in 172.28.0.0/14 and matching /64s in a ULA prefix.
 * Docker itself checks overlap with its other networks ("Pool overlaps"),
 * we check the host's routes and the caller's CIDRs (pod and service subnets).
 * Starting at a random index keeps two runs at once from racing for one pick.
 */
const CANDIDATES = 1024;

function candidate(i: number): { v4: string; v6: string } {
  return {
    v4: `172.${28 + (i >> 8)}.${i & 255}.0/24`,
    v6: `fd6e:6574:7370:${i.toString(16)}::/64`,
  };
}

export interface CreateNetworkOptions {
  ipv6: boolean;
  /** CIDRs the network must not overlap (the scenario's pod and service subnets). */
  avoid?: string[];
}

export async function createRunNetwork(runId: string, opts: CreateNetworkOptions): Promise<RunNetwork> {
  const name = networkName(runId);
  const avoid: Cidr[] = [...hostRoutes(), ...(opts.avoid ?? []).map(parseCidr)];
  const start = randomInt(CANDIDATES);
  let lastError: unknown;
  let tries = 0;
  for (let k = 0; k < CANDIDATES && tries < 20; k++) {
    const c = candidate((start + k) % CANDIDATES);
    if (avoid.some((a) => overlaps(a, parseCidr(c.v4)) || (opts.ipv6 && overlaps(a, parseCidr(c.v6))))) continue;
    tries++;
    const net: RunNetwork = { name, ipv4Subnet: formatCidr(parseCidr(c.v4)) };
    if (opts.ipv6) net.ipv6Subnet = formatCidr(parseCidr(c.v6));
    try {
      await createNetwork({ name, labels: { [LABEL_RUN]: runId, [LABEL_OWNER]: ownerLabel() }, ipv4Subnet: net.ipv4Subnet, ...(net.ipv6Subnet ? { ipv6Subnet: net.ipv6Subnet } : {}) });
      return net;
    } catch (e) {
      lastError = e;
      const why = e instanceof EngineError ? engineMessage(e.cause) : '';
      // Taken by another network (maybe another run's, created just now): next.
      // The same name twice is a caller bug (one run id used twice): no retry.
      if (/overlap|in use/i.test(why) && !/already exists/i.test(why)) continue;
      throw e;
    }
  }
  throw new Error(`could not find a free subnet for the run network: ${(lastError as Error)?.message ?? 'all candidates overlap host routes'}`);
}

