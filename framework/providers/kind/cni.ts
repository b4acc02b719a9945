// Installing the CNI under test into a fresh kind cluster (created with disableDefaultCNI): a
// manifest file or URL, a directory of manifests, or an executable script (../kube/install.ts),
// the script run with KUBECONFIG, NETSPEC_CLUSTER_NAME and NETSPEC_IP_FAMILY.
import type { Kubectl } from "../kube/kubectl.js";
import { install } from "../kube/install.js";

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

export function installCni(cni: string, context: CniInstallContext): Promise<void> {
  return install(cni, "--cni", "the CNI", {
    ...context,
    scriptEnv: { NETSPEC_CLUSTER_NAME: context.clusterName, NETSPEC_IP_FAMILY: context.ipFamily },
  });
}
