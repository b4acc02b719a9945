// The `kind` CLI (sigs.k8s.io/kind), argument vectors only. Cluster names are netspec's own or
// the --cluster-name the user gave, checked against kind's rules before they reach the command.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ownerAlive, ownerLabel } from "../local/names.js";
import { runCommand, type CommandOptions } from "../../exec/command.js";

/** kind's cluster-name rule (pkg/internal/cli: a DNS label that also names containers). */
const CLUSTER_NAME = /^[a-z0-9]([-a-z0-9]{0,48}[a-z0-9])?$/;

export function checkClusterName(name: string): string | undefined {
  return CLUSTER_NAME.test(name) ? undefined : `cluster name '${name}' must be lowercase letters, digits and '-', at most 50 characters`;
}

export class KindCli {
  readonly binary: string;

  constructor(private readonly env: NodeJS.ProcessEnv | undefined, private readonly signal?: AbortSignal) {
    this.binary = env?.NETSPEC_KIND ?? process.env.NETSPEC_KIND ?? "kind";
  }

  run(args: readonly string[], options: CommandOptions = {}) {
    return runCommand(this.binary, args, { env: this.env, signal: this.signal, timeoutMs: 120_000, ...options });
  }

  async version(): Promise<string> {
    return (await this.run(["version"], { timeoutMs: 30_000 })).stdout.trim();
  }

  async clusters(): Promise<string[]> {
    const result = await this.run(["get", "clusters"], { timeoutMs: 60_000 });
    return result.stdout.split("\n").map((l) => l.trim()).filter((l) => l && checkClusterName(l) === undefined);
  }

  async create(name: string, configFile: string, kubeconfig: string, timeoutMs: number): Promise<void> {
    await this.run(["create", "cluster", "--name", name, "--config", configFile, "--kubeconfig", kubeconfig, "--wait", "0s"], { timeoutMs });
  }

  async kubeconfig(name: string): Promise<string> {
    return (await this.run(["get", "kubeconfig", "--name", name])).stdout;
  }

  async loadImage(name: string, image: string): Promise<void> {
    await this.run(["load", "docker-image", "--name", name, "--", image], { timeoutMs: 600_000 });
  }

  async exportLogs(name: string, dir: string): Promise<string> {
    return (await this.run(["export", "logs", "--name", name, "--", dir], { timeoutMs: 300_000, allowFailure: true })).stdout;
  }

  /** Never throws (a missing cluster is fine): deletion runs on every path, interrupted or not. */
  async delete(name: string): Promise<void> {
    await runCommand(this.binary, ["delete", "cluster", "--name", name], { env: this.env, timeoutMs: 300_000, allowFailure: true }).catch(() => undefined);
  }
}

// ---- who owns a netspec-created cluster (so a killed run's cluster is found and removed) ----

export function stateDir(env?: NodeJS.ProcessEnv): string {
  const e = env ?? process.env;
  return e.NETSPEC_STATE_DIR ?? path.join(e.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "netspec");
}

interface OwnerRecord {
  readonly cluster: string;
  readonly owner: string;
  readonly keep: boolean;
}

function ownerFile(env: NodeJS.ProcessEnv | undefined, cluster: string): string {
  return path.join(stateDir(env), "kind-clusters", `${cluster}.json`);
}

export function recordOwner(env: NodeJS.ProcessEnv | undefined, cluster: string, keep: boolean): void {
  const file = ownerFile(env, cluster);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const record: OwnerRecord = { cluster, owner: ownerLabel(), keep };
  fs.writeFileSync(file, JSON.stringify(record));
}

export function forgetOwner(env: NodeJS.ProcessEnv | undefined, cluster: string): void {
  fs.rmSync(ownerFile(env, cluster), { force: true });
}

/** Clusters netspec created for runs whose process is gone (and that were not kept). */
export function staleClusters(env: NodeJS.ProcessEnv | undefined, existing: readonly string[]): string[] {
  const stale: string[] = [];
  for (const cluster of existing) {
    let record: OwnerRecord;
    try { record = JSON.parse(fs.readFileSync(ownerFile(env, cluster), "utf8")) as OwnerRecord; } catch { continue; }
    if (!record.keep && !ownerAlive(record.owner)) stale.push(cluster);
  }
  return stale;
}
