// Service semantics of the oracle: endpoints, backend selection (traffic policy, traffic
// distribution, topology-aware routing), DNS lookups and answers.
// Pure functions over the normalised Scenario; each rule cites its Kubernetes source where it
// is implemented. Policy verdicts are not decided here: the oracle judges each backend returned
// by selectBackends with the policy engine (policies apply after DNAT, on the backend pod).
export {
  type Backend,
  serviceEndpoints,
  familyEndpoints,
  selectedPods,
  resolveTargetPort,
  endpointReady,
  hasSelector,
  explainNoEndpoints,
} from "./endpoints.js";
export { type BackendSelection, selectBackends, selectExternalBackends } from "./select.js";
export {
  type DnsAnswer,
  dnsAnswer,
} from "./dns.js";
export { type NameAnswer, nameAnswer } from "./dns-answers.js";
export { endpointsNamed, resolveDnsName } from "./dns-lookup.js";
export {
  type HintPlan,
  type EndpointHint,
  hintPlan,
} from "./hints.js";
export {
  nodeZone,
  nodeCpuMilli,
  nodeExcluded,
  planTopologyAuto,
  OVERLOAD_THRESHOLD,
  CPU_LABEL,
  ZONE_LABEL,
} from "./topology-auto.js";
