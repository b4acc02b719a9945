// Who starts a cell's connection (SPEC.md, "References", sources): a pod, a process in a
// node's host network (`node/NAME`), or a client outside the cluster network (`external`, at
// the scenario's external address, or `external/IP`). One typed union, named in results by
// clientId() (the `from` of a cell).
import type { Family } from "../kube/net.js";
import { familyOf } from "../kube/net.js";
import type { NodeModel, PodModel, Scenario } from "./model.js";
import { globToRegExp, parseReference, resolvePods, type ParsedReference } from "./references.js";

export interface PodClient {
  readonly kind: "pod";
  readonly pod: PodModel;
}

export interface NodeClient {
  readonly kind: "node";
  readonly node: NodeModel;
}

export interface ExternalClient {
  readonly kind: "external";
  /** The address per family it connects from. */
  readonly ips: Partial<Record<Family, string>>;
  /** `external/IP` (true) or the scenario's default external address (false). */
  readonly pinned: boolean;
}

export type Client = PodClient | NodeClient | ExternalClient;

/** A cell's `from`: `ns/pod`, `node/NAME`, `external` or `external/IP`. */
export function clientId(client: Client): string {
  switch (client.kind) {
    case "pod": return client.pod.id;
    case "node": return `node/${client.node.name}`;
    case "external": return client.pinned ? `external/${Object.values(client.ips)[0]}` : "external";
  }
}

/** The client's address of a family (undefined: it has none, so it makes no cell of that family). */
export function clientIp(client: Client, family: Family): string | undefined {
  switch (client.kind) {
    case "pod": return client.pod.ips[family];
    case "node": return client.node.ips[family];
    case "external": return client.ips[family];
  }
}

/** The clients a (parsed) reference names: pods, nodes or an external client. */
export function resolveClients(scenario: Scenario, ref: ParsedReference): Client[] {
  switch (ref.kind) {
    case "pods":
    case "selector":
      return resolvePods(scenario, ref).map((pod) => ({ kind: "pod", pod }));
    case "node": {
      const pattern = globToRegExp(ref.glob);
      return scenario.nodes.filter((n) => pattern.test(n.name)).map((node) => ({ kind: "node", node }));
    }
    case "external": {
      if (ref.ip === undefined) return [{ kind: "external", ips: scenario.externalClient, pinned: false }];
      const family = familyOf(ref.ip)!;
      return [{ kind: "external", ips: { [family]: ref.ip }, pinned: true }];
    }
    default:
      return [];
  }
}

/** The ids of the clients a reference names (an unparsable reference names none). */
export function clientIds(scenario: Scenario, ref: Parameters<typeof parseReference>[0]): Set<string> {
  const parsed = parseReference(ref);
  return new Set(typeof parsed === "string" ? [] : resolveClients(scenario, parsed).map(clientId));
}
