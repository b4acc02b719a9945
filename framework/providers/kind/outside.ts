// The `external` client on kind: a container of the probe image on kind's Docker network,
// beside the nodes and outside the cluster network, as the host (a user of the cluster) is. It
// reaches what the host reaches (node addresses, load-balancer addresses from
// cloud-provider-kind or MetalLB, which kind's network holds), and probes with the same script
// as the pods (providers/kube/probe-script.ts) through `docker exec`.
import { CommandError, runCommand, type CommandResult } from "../../exec/command.js";
import { familyOf, type Family } from "../../kube/net.js";
import type { OutsideClient } from "../kube/cluster.js";

/** The label that names the kind cluster an external client belongs to. */
export const OUTSIDE_OF = "netspec.io/outside-of";

/** Removes the external clients whose kind cluster no longer exists; never throws. */
export async function removeOrphanOutsides(docker: string, env: NodeJS.ProcessEnv, clusters: readonly string[]): Promise<void> {
  const listed = await runCommand(docker, ["ps", "--all", "--filter", `label=${OUTSIDE_OF}`, "--format", `{{.Names}} {{.Label "${OUTSIDE_OF}"}}`], {
    env, allowFailure: true, timeoutMs: 30_000,
  }).catch(() => undefined);
  if (!listed || listed.code !== 0) return;
  for (const line of listed.stdout.split("\n").filter(Boolean)) {
    const [container, cluster] = line.trim().split(/\s+/);
    if (container && cluster && !clusters.includes(cluster)) {
      await runCommand(docker, ["rm", "--force", container], { env, allowFailure: true, timeoutMs: 30_000 }).catch(() => undefined);
    }
  }
}

/** kind's Docker network (`kind create cluster` makes it; KIND_EXPERIMENTAL_DOCKER_NETWORK renames it). */
export function kindNetwork(env: NodeJS.ProcessEnv): string {
  return env.KIND_EXPERIMENTAL_DOCKER_NETWORK || "kind";
}

export interface OutsideOptions {
  readonly docker: string;
  readonly env: NodeJS.ProcessEnv;
  readonly image: string;
  /** Container name, unique per run. */
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly signal?: AbortSignal;
}

/** Starts the outside client and reads its addresses on kind's network; removes it if that fails. */
export async function startOutside(options: OutsideOptions): Promise<OutsideClient & { remove(): Promise<void> }> {
  const { docker, env, signal } = options;
  const network = kindNetwork(env);
  const run = (args: string[], input?: string, timeoutMs = 120_000): Promise<CommandResult> =>
    runCommand(docker, args, { env, signal, timeoutMs, allowFailure: true, ...(input !== undefined ? { input } : {}) });
  const remove = async () => { await run(["rm", "--force", options.name]).catch(() => undefined); };
  const runArgs = [
    "run", "--detach", "--name", options.name, "--network", network,
    ...Object.entries(options.labels).flatMap(([k, v]) => ["--label", `${k}=${v}`]),
    options.image, "pause",
  ];
  const started = await run(runArgs);
  if (started.code !== 0) throw new CommandError(docker, runArgs, started);
  try {
    const inspectArgs = ["inspect", "--format", "{{json .NetworkSettings.Networks}}", options.name];
    const inspect = await run(inspectArgs);
    if (inspect.code !== 0) throw new CommandError(docker, inspectArgs, inspect);
    const ips = networkAddresses(inspect.stdout, network);
    if (Object.keys(ips).length === 0) throw new Error(`the outside client ${options.name} has no address on Docker network '${network}'`);
    return {
      name: options.name,
      ips,
      exec: (args, input, timeoutMs) => run(["exec", "-i", options.name, ...args], input, timeoutMs),
      remove,
    };
  } catch (error) {
    await remove();
    throw error;
  }
}

/** The container's addresses on `network`, from `docker inspect`'s NetworkSettings.Networks. */
export function networkAddresses(json: string, network: string): Partial<Record<Family, string>> {
  const networks = JSON.parse(json) as Record<string, { IPAddress?: string; GlobalIPv6Address?: string }>;
  const entry = networks[network];
  const out: Partial<Record<Family, string>> = {};
  for (const ip of [entry?.IPAddress, entry?.GlobalIPv6Address]) {
    const family = ip ? familyOf(ip) : undefined;
    if (ip && family) out[family] ??= ip;
  }
  return out;
}
