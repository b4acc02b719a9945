// One node's nftables ruleset, compiled from the scenario's manifests: Services in the style
// of kube-proxy's nftables mode (services.ts) and NetworkPolicy / AdminNetworkPolicy /
// BaselineAdminNetworkPolicy / ClusterNetworkPolicy in the style of a policy CNI (policies.ts),
// in a table of its own (`table inet netspec`). The script deletes and recreates that table in
// one transaction, so loading it again is idempotent and never leaves a half-programmed node.
//
// Everything is keyed on pod addresses (ip saddr / ip daddr), so the compiler needs nothing
// from the plumbing but the scenario's own address plan. It never consults the oracle: the
// local data plane and the oracle are two independent readings of the same manifests.
import type { Scenario } from "../../../scenario/model.js";
import type { Ctx, NodeRulesetOptions } from "./context.js";
import { compilePolicies } from "./policies.js";
import { NftScript } from "./script.js";
import { compileServices } from "./services.js";

export type { NodeRulesetOptions } from "./context.js";

export const DEFAULT_TABLE = "netspec";
export const DEFAULT_MASQUERADE_MARK = 0x4000;

export interface CompiledRuleset {
  readonly node: string;
  /** The `nft -f -` script. */
  readonly script: string;
  readonly rules: number;
}

/** The `nft -f` script for `node`: Services and policies of the whole scenario, as this node programs them. */
export function compileNodeRuleset(scenario: Scenario, node: string, opts: NodeRulesetOptions = {}): string {
  return compileNode(scenario, node, opts).script;
}

export function compileNode(scenario: Scenario, node: string, opts: NodeRulesetOptions = {}): CompiledRuleset {
  const model = scenario.nodes.find((n) => n.name === node);
  if (!model) throw new Error(`node '${node}' is not part of scenario '${scenario.name}'`);
  const script = new NftScript("inet", opts.table ?? DEFAULT_TABLE, `netspec ${scenario.name} node ${node}`);
  const ctx: Ctx = {
    scenario,
    node: model,
    script,
    families: scenario.families,
    masqueradeMark: opts.masqueradeMark ?? DEFAULT_MASQUERADE_MARK,
    nodeAddresses: opts.nodeAddresses ?? {},
    podNetworkPods: scenario.pods.filter((p) => !p.hostNetwork && Object.values(p.ips).some(Boolean)),
    namespaceLabels: new Map(scenario.namespaces.map((ns) => [ns.name, ns.labels])),
    memo: new Map(),
    setNames: new Map(),
  };
  compileServices(ctx);
  compilePolicies(ctx, opts.enforceEgressToNode ?? true);
  return { node, script: script.render(), rules: script.ruleCount };
}

/** Every node's script, keyed by node name. */
export function compileClusterRulesets(scenario: Scenario, opts: NodeRulesetOptions = {}): Map<string, string> {
  return new Map(scenario.nodes.map((n) => [n.name, compileNodeRuleset(scenario, n.name, opts)]));
}

/** The script that removes netspec's table from a node (for teardown without deleting the node). */
export function deleteRulesetScript(table = DEFAULT_TABLE): string {
  return `add table inet ${table}\ndelete table inet ${table}\n`;
}
