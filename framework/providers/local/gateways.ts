// The local provider's Layer 7 data plane: HAProxy in each Gateway's proxy pod and in the
// Ingress controller's (scenario/gateway-data-plane.ts places them, GEP-1762), its
// configuration compiled from the manifests (gateway/haproxy.ts), never from the oracle. The
// proxies reach backends through the Services' cluster IPs, so kube-proxy's rules on the node
// (nft/services.ts) pick the endpoint and the nodes' policy rules judge the proxy pod as the
// client, as they would an in-cluster gateway's.
import type { Scenario } from "../../scenario/model.js";
import { LOCAL_LAYER7 } from "../../scenario/implementation.js";
import type { AgentStep } from "../../probe/protocol.js";
import { compileGatewayConfig } from "./gateway/index.js";

/** Where a proxy's configuration goes in its node container (the agent may write /etc/netspec/). */
const configPath = (netns: string) => `/etc/netspec/haproxy-${netns}.cfg`;
const pidPath = (netns: string) => `/run/netspec/haproxy-${netns}.pid`;

/** One proxy to start: its node, the agent steps that start it, and what its config left out. */
export interface GatewayLaunch {
  readonly key: string;
  readonly pod: string;
  readonly node: string;
  readonly ports: readonly number[];
  readonly steps: readonly AgentStep[][];
  readonly notes: readonly string[];
}

/**
 * The proxies of a scenario: per data plane whose configuration serves a port, write it and
 * start HAProxy in the pod's namespace. `-D` daemonises only once every listener is bound, so
 * the step's end is the data plane's readiness; `-c` first, so a configuration HAProxy
 * refuses fails with its own message.
 */
export function gatewayLaunches(scenario: Scenario, netnsOf: (podId: string) => string | undefined): GatewayLaunch[] {
  const launches: GatewayLaunch[] = [];
  for (const plane of scenario.gatewayDataPlanes) {
    const netns = netnsOf(plane.pod.id);
    if (!netns) continue;
    const compiled = compileGatewayConfig({
      entry: plane.entry, manifests: scenario.manifests, services: scenario.services, namespaces: scenario.namespaces,
      implementation: scenario.layer7 ?? LOCAL_LAYER7, bind: plane.pod.ips,
    });
    if (compiled.ports.length === 0) {
      launches.push({ key: plane.key, pod: plane.pod.id, node: plane.pod.node, ports: [], steps: [], notes: compiled.notes });
      continue;
    }
    const path = configPath(netns);
    launches.push({
      key: plane.key, pod: plane.pod.id, node: plane.pod.node, ports: compiled.ports, notes: compiled.notes,
      steps: [
        [{ kind: "write", path, content: compiled.config }],
        [{ kind: "exec", argv: ["ip", "netns", "exec", netns, "haproxy", "-c", "-q", "-f", path] }],
        [{ kind: "exec", argv: ["ip", "netns", "exec", netns, "haproxy", "-D", "-f", path, "-p", pidPath(netns)] }],
      ],
    });
  }
  return launches;
}
