// How the policy engine sees a cell's client.
import type { Family } from "../kube/net.js";
import type { Client } from "../scenario/clients.js";
import type { Endpoint } from "./policy/index.js";

/** How the policy engine sees a client: a pod, a node, or an address outside the cluster. */
export function clientEndpoint(client: Client, family: Family): Endpoint {
  switch (client.kind) {
    case "pod": return { kind: "pod", pod: client.pod };
    case "node": return { kind: "node", node: client.node };
    case "external": return { kind: "external", ip: client.ips[family]! };
  }
}
