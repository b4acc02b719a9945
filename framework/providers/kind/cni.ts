// Installing the CNI under test into a fresh kind cluster (created with disableDefaultCNI):
// a manifest file or URL (kubectl apply -f), a directory of manifests (kubectl apply -f DIR, in
// kubectl's file-name order), or an executable script run with KUBECONFIG pointing at the cluster.
import * as fs from "node:fs";
import * as path from "node:path";
import { runCommand } from "../../exec/command.js";
import type { Kubectl } from "../kube/kubectl.js";

export type CniKind = "manifest" | "directory" | "script" | "url";

export function cniKind(cni: string): CniKind {
  if (/^https:\/\//.test(cni)) return "url";
  let stat: fs.Stats;
  try { stat = fs.statSync(cni); } catch { throw new Error(`--cni ${cni}: no such file or directory`); }
  if (stat.isDirectory()) return "directory";
  if (/\.(ya?ml|json)$/i.test(cni)) return "manifest";
  if (stat.mode & 0o111) return "script";
  throw new Error(`--cni ${cni}: neither a manifest (.yaml, .yml, .json), a directory, nor an executable script`);
}

export interface CniInstallContext {
  readonly kubectl: Kubectl;
  readonly kubeconfig: string;
  readonly clusterName: string;
  readonly ipFamily: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly signal?: AbortSignal;
  readonly timeoutMs: number;
  readonly log: (message: string) => void;
}

export async function installCni(cni: string, context: CniInstallContext): Promise<void> {
  const kind = cniKind(cni);
  context.log(`installing the CNI (${kind}) from ${cni}`);
  if (kind === "script") {
    // The script gets the cluster through its environment, never through argv we build from text.
    await runCommand(path.resolve(cni), [], {
      env: {
        ...(context.env ?? process.env),
        KUBECONFIG: context.kubeconfig,
        NETSPEC_CLUSTER_NAME: context.clusterName,
        NETSPEC_IP_FAMILY: context.ipFamily,
      },
      timeoutMs: context.timeoutMs, signal: context.signal,
    });
    return;
  }
  // `-f` with a path or URL is kubectl's own argument; the path is passed as one argv element.
  await context.kubectl.run(["apply", "-f", kind === "url" ? cni : path.resolve(cni)], { timeoutMs: context.timeoutMs });
}
