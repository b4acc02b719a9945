// A scenario's pods by namespace, built once per scenario (scenarios are immutable once built):
// policies and Services look only at their own namespace's pods, which keeps validation and the
// oracle linear in the cluster's size rather than policies × pods.
import type { PodModel, Scenario } from "./model.js";

const podsByNamespace = new WeakMap<Scenario, Map<string, PodModel[]>>();

export function namespacePods(scenario: Scenario, namespace: string): readonly PodModel[] {
  let index = podsByNamespace.get(scenario);
  if (!index) {
    index = new Map();
    for (const pod of scenario.pods) {
      const list = index.get(pod.namespace);
      if (list) list.push(pod);
      else index.set(pod.namespace, [pod]);
    }
    podsByNamespace.set(scenario, index);
  }
  return index.get(namespace) ?? [];
}
