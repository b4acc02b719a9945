/**
 * Removing what runs created: one run's objects, or every run's whose owner
 * process is gone (a run killed with SIGKILL or a crashed machine), found by
 * the netspec.run / netspec.owner labels on containers and networks. This is
 * the guarantee wherever Ryuk cannot run (engine.ts), and a second one where it can.
 */
import { containersWithLabel, networksWithLabel, removeContainer, removeNetwork, type Labelled } from './engine.js';
import { LABEL_OWNER, LABEL_RUN, ownerAlive } from './names.js';

/** Force-removes containers (ids or names), all at once; missing ones are fine. */
export async function removeContainers(refs: readonly string[]): Promise<void> {
  const failures = (await Promise.allSettled(refs.map((ref) => removeContainer(ref))))
    .flatMap((r) => (r.status === 'rejected' ? [r.reason as Error] : []));
  if (failures.length) throw new Error(`removing containers failed: ${failures.map((f) => f.message).join('; ')}`, { cause: failures[0] });
}

/** Removes every container and network labelled with this run id. */
export async function destroyRun(runId: string): Promise<void> {
  await removeContainers((await containersWithLabel(`${LABEL_RUN}=${runId}`)).map((c) => c.id));
  const networks = await networksWithLabel(`${LABEL_RUN}=${runId}`);
  await Promise.all(networks.map((n) => removeNetwork(n.id)));
}

export interface StaleReport {
  runs: string[];
  containers: number;
  networks: number;
}

/**
 * Removes the objects of runs whose owner process is no longer running on this
 * host. `all: true` removes every netspec run's objects.
 * Runs owned by another host (a shared remote engine) are left alone.
 */
export async function cleanupStale(opts: { all?: boolean } = {}): Promise<StaleReport> {
  const [containers, networks] = await Promise.all([containersWithLabel(LABEL_RUN), networksWithLabel(LABEL_RUN)]);
  const dead = (o: Labelled) => opts.all || !ownerAlive(o.labels[LABEL_OWNER] ?? '');
  const staleContainers = containers.filter(dead);
  const staleNetworks = networks.filter(dead);
  await removeContainers(staleContainers.map((c) => c.id));
  await Promise.all(staleNetworks.map((n) => removeNetwork(n.id)));
  const runs = [...new Set([...staleContainers, ...staleNetworks].map((o) => o.labels[LABEL_RUN] ?? ''))].sort();
  return { runs, containers: staleContainers.length, networks: staleNetworks.length };
}
