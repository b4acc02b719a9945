// Service fields whose meaning the scenario layer, the oracle and the providers all need.
import type { IntOrString } from "./types.js";

/**
 * ServiceSpec.trafficDistribution values the API server accepts (any other is rejected with
 * field.NotSupported). PreferClose is the older name of PreferSameZone (KEP-3015).
 */
export const TRAFFIC_DISTRIBUTIONS = ["PreferClose", "PreferSameZone", "PreferSameNode"] as const;
export type TrafficDistribution = (typeof TRAFFIC_DISTRIBUTIONS)[number];

export const ANNOTATION_TOPOLOGY_MODE = "service.kubernetes.io/topology-mode";
export const ANNOTATION_TOPOLOGY_AWARE_HINTS = "service.kubernetes.io/topology-aware-hints";

/**
 * hintsEnabled (staging/src/k8s.io/endpointslice/reconciler.go): the deprecated
 * `service.kubernetes.io/topology-aware-hints` annotation, when present, wins over
 * `service.kubernetes.io/topology-mode`; hints are enabled only for the exact values "Auto"
 * or "auto" (any other value, e.g. "AUTO" or "Disabled", disables them).
 */
export function topologyHintsEnabled(annotations: Readonly<Record<string, string>> | undefined): boolean {
  if (!annotations) return false;
  const value = Object.prototype.hasOwnProperty.call(annotations, ANNOTATION_TOPOLOGY_AWARE_HINTS)
    ? annotations[ANNOTATION_TOPOLOGY_AWARE_HINTS]
    : annotations[ANNOTATION_TOPOLOGY_MODE];
  return value === "Auto" || value === "auto";
}

/**
 * A Service port's effective targetPort. SetDefaults_Service (pkg/apis/core/v1/defaults.go):
 * a targetPort that is unset, 0 or "" becomes the port itself.
 */
export function serviceTargetPort(port: { port: number; targetPort?: IntOrString }): IntOrString {
  const target = port.targetPort;
  return target === undefined || target === 0 || target === "" ? port.port : target;
}
