/**
 * Removing what runs created: one run's objects, or every run's whose owner
 * process is gone (a run killed with SIGKILL or a crashed machine), found by
 * the netspec.run / netspec.owner labels on containers and networks.
 */
import { docker } from './docker.js';
import { LABEL_OWNER, LABEL_RUN, ownerAlive } from './names.js';
import { removeNetwork } from './network.js';

/** Force-removes containers (ids or names); missing ones are fine. */
export async function removeContainers(refs: string[]): Promise<void> {
  if (refs.length === 0) return;
  const r = await docker(['rm', '--force', '--volumes', ...refs], { allowFailure: true, timeoutMs: 120_000 });
  if (r.code !== 0) {
    const real = r.stderr.split('\n').filter((l) => l.trim() && !/No such container|is already in progress/i.test(l));
    if (real.length) throw new Error(`docker rm failed: ${real.join('; ')}`);
  }
}

async function list(kind: 'container' | 'network', filter: string): Promise<Array<{ id: string; run: string; owner: string }>> {
  const args = kind === 'container'
    ? ['ps', '--all', '--no-trunc', '--filter', `label=${filter}`]
    : ['network', 'ls', '--no-trunc', '--filter', `label=${filter}`];
  args.push('--format', `{{.ID}}\t{{.Label "${LABEL_RUN}"}}\t{{.Label "${LABEL_OWNER}"}}`);
  const r = await docker(args);
  return r.stdout.split('\n').filter(Boolean).map((l) => {
    const [id = '', run = '', owner = ''] = l.split('\t');
    return { id, run, owner };
  });
}

/** Removes every container and network labelled with this run id. */
export async function destroyRun(runId: string): Promise<void> {
  const containers = await list('container', `${LABEL_RUN}=${runId}`);
  await removeContainers(containers.map((c) => c.id));
  const networks = await list('network', `${LABEL_RUN}=${runId}`);
  await Promise.all(networks.map((n) => removeNetwork(n.id)));
}

export interface StaleReport {
  runs: string[];
  containers: number;
  networks: number;
}

/**
 * Removes the objects of runs whose owner process is no longer running on this
 * host. `all: true` removes every netspec run's objects (e.g. `netspec clean --all`).
 * Runs owned by another host (a shared remote daemon) are left alone.
 */
export async function cleanupStale(opts: { all?: boolean } = {}): Promise<StaleReport> {
  const [containers, networks] = await Promise.all([list('container', LABEL_RUN), list('network', LABEL_RUN)]);
  const dead = (o: { owner: string }) => opts.all || !ownerAlive(o.owner);
  const staleContainers = containers.filter(dead);
  const staleNetworks = networks.filter(dead);
  await removeContainers(staleContainers.map((c) => c.id));
  await Promise.all(staleNetworks.map((n) => removeNetwork(n.id)));
  const runs = [...new Set([...staleContainers, ...staleNetworks].map((o) => o.run))].sort();
  return { runs, containers: staleContainers.length, networks: staleNetworks.length };
}
