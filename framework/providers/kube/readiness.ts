// Waiting for a cluster's own machinery: every node Ready and every system pod (the CNI's
// agents, CoreDNS, kube-proxy) Ready, with a message that says what is still missing and why.
import { sleep } from "../../exec/command.js";
import type { Node, Pod } from "kubernetes-types/core/v1.js";
import type { Kubectl } from "./kubectl.js";
import { LABEL_MANAGED, MANAGED_BY } from "./names.js";

export interface ClusterWaitOptions {
  readonly timeoutMs: number;
  readonly pollMs?: number;
  readonly signal?: AbortSignal;
  /** What is being waited for, for the message ("the CNI from ./calico.yaml"). */
  readonly what: string;
}

export class ClusterNotReadyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ClusterNotReadyError";
  }
}

/** Returns when nodes and system pods are Ready; throws ClusterNotReadyError after the timeout. */
export async function waitClusterReady(kubectl: Kubectl, options: ClusterWaitOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let problems: string[] = [];
  for (;;) {
    problems = [];
    try {
      const nodes = await kubectl.getJson<Node>(["nodes"]);
      if (nodes.items.length === 0) problems.push("no nodes registered yet");
      for (const node of nodes.items) {
        const ready = node.status?.conditions?.find((c) => c.type === "Ready");
        if (ready?.status !== "True") problems.push(`node ${node.metadata?.name} not Ready${ready?.message ? ` (${ready.message})` : ""}`);
      }
      const pods = await kubectl.getJson<Pod>(["pods", "-A"]);
      for (const pod of pods.items) {
        if (pod.metadata?.labels?.[LABEL_MANAGED] === MANAGED_BY) continue;
        const phase = pod.status?.phase ?? "Pending";
        if (phase === "Succeeded") continue;
        const ready = pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True");
        if (ready) continue;
        const reason = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]
          .map((c) => c.state?.waiting?.reason).find(Boolean);
        problems.push(`pod ${pod.metadata?.namespace}/${pod.metadata?.name} not Ready (${phase}${reason ? `, ${reason}` : ""})`);
      }
    } catch (error) {
      problems.push(`the API server did not answer: ${(error as Error).message.split("\n")[0]}`);
    }
    if (problems.length === 0) return;
    if (Date.now() >= deadline) break;
    await sleep(options.pollMs ?? 2000, options.signal);
  }
  throw new ClusterNotReadyError(
    `${options.what} did not become ready within ${Math.round(options.timeoutMs / 1000)} s:\n  ${problems.slice(0, 15).join("\n  ")}${problems.length > 15 ? `\n  … and ${problems.length - 15} more` : ""}`,
  );
}
