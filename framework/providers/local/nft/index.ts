// The local provider's kernel data plane: nftables rulesets compiled from a scenario's manifests.
export {
  compileNodeRuleset, compileNode, compileClusterRulesets, deleteRulesetScript,
  DEFAULT_TABLE, DEFAULT_MASQUERADE_MARK, type CompiledRuleset, type NodeRulesetOptions,
} from "./ruleset.js";
export { serviceEndpoints, topologyEndpoints, DEFAULT_AFFINITY_SECONDS, type Endpoint } from "./services.js";
export { podDirectionPolicy, effectivePolicyTypes, type PodDirectionPolicy, type CompiledRule, type PeerMatch, type PortMatch } from "./policies.js";
export { ipBlockRanges, mergeRanges, subtractRanges, formatRange, type AddrRange } from "./ranges.js";
