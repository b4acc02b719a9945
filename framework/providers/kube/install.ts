// Installing something under test into a cluster before the scenario: the CNI (`--cni`, kind)
// or a Layer 7 implementation (`--install`, kind and existing). Either is a manifest file or an
// https URL (kubectl apply -f), a directory of manifests (kubectl apply -f DIR, in kubectl's
// file-name order), or an executable script run with KUBECONFIG pointing at the cluster.
import * as fs from "node:fs";
import * as path from "node:path";
import { runCommand, sleep } from "../../exec/command.js";
import type { Kubectl } from "./kubectl.js";

export type InstallKind = "manifest" | "directory" | "script" | "url";

/** What `source` is; `flag` names the option in messages (`--cni`, `--install`). */
export function installKind(source: string, flag: string): InstallKind {
  if (/^https:\/\//.test(source)) return "url";
  let stat: fs.Stats;
  try { stat = fs.statSync(source); } catch { throw new Error(`${flag} ${source}: no such file or directory`); }
  if (stat.isDirectory()) return "directory";
  if (/\.(ya?ml|json)$/i.test(source)) return "manifest";
  if (stat.mode & 0o111) return "script";
  throw new Error(`${flag} ${source}: neither a manifest (.yaml, .yml, .json), a directory, nor an executable script`);
}

export interface InstallContext {
  readonly kubectl: Kubectl;
  /** The kubeconfig a script gets in KUBECONFIG. */
  readonly kubeconfig?: string;
  /** More of the script's environment (NETSPEC_CLUSTER_NAME, NETSPEC_IP_FAMILY). */
  readonly scriptEnv?: Record<string, string>;
  readonly env?: NodeJS.ProcessEnv;
  readonly signal?: AbortSignal;
  readonly timeoutMs: number;
  readonly log: (message: string) => void;
  /**
   * Apply server-side, and retry while the manifests' own CRDs are not established yet
   * (kubectl's "ensure CRDs are installed first"). Gateway API's and its implementations'
   * install manifests ask for server-side apply: their CRDs are too large for the
   * last-applied-configuration annotation of a client-side apply.
   */
  readonly serverSide?: boolean;
  readonly pollMs?: number;
}

export async function install(source: string, flag: string, what: string, context: InstallContext): Promise<void> {
  const kind = installKind(source, flag);
  context.log(`installing ${what} (${kind}) from ${source}`);
  if (kind === "script") {
    // The script gets the cluster through its environment, never through argv we build from text.
    await runCommand(path.resolve(source), [], {
      env: {
        ...(context.env ?? process.env),
        ...(context.kubeconfig ? { KUBECONFIG: context.kubeconfig } : {}),
        ...context.scriptEnv,
      },
      timeoutMs: context.timeoutMs, signal: context.signal,
    });
    return;
  }
  // `-f` with a path or URL is kubectl's own argument; the path is passed as one argv element.
  const args = ["apply", ...(context.serverSide ? ["--server-side"] : []), "-f", kind === "url" ? source : path.resolve(source)];
  const deadline = Date.now() + context.timeoutMs;
  for (;;) {
    const result = await context.kubectl.run(args, { timeoutMs: context.timeoutMs, allowFailure: true });
    if (result.code === 0) return;
    const pendingCrds = /ensure CRDs are installed first|no matches for kind/.test(result.stderr);
    if (!context.serverSide || !pendingCrds || Date.now() >= deadline) {
      throw new Error(`kubectl ${args.join(" ")} failed (exit ${result.code ?? "by signal"}): ${result.stderr.trim().split("\n").slice(-6).join("\n")}`);
    }
    context.log(`${source}: some kinds are not served yet (their CRDs are being established); applying again`);
    await sleep(context.pollMs ?? 2000, context.signal);
  }
}
