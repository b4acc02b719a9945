// The local provider's Layer 7 data plane: haproxy.cfg for one gateway pod, compiled from the
// scenario's manifests (never from the oracle, so that comparing the two finds bugs in either).
// A pod serves one Gateway (its HTTP listeners), or the Ingress controller (every Ingress the
// implementation serves); HAProxy forwards to Services' cluster IPs.
import type { Family } from "../../../kube/net.js";
import type { Layer7Implementation } from "../../../scenario/implementation.js";
import type { ManifestModel, NamespaceModel, ServiceModel } from "../../../scenario/model.js";
import { planGateway } from "./gateway-routes.js";
import { planIngress } from "./ingress-routes.js";
import { commentText } from "./haproxy.js";
import { Layer7Manifests } from "./manifests.js";
import { renderConfig } from "./render.js";

export interface GatewayConfigInput {
  /** What this proxy serves: one Gateway (its listeners), or the Ingress controller (every Ingress the implementation serves). */
  readonly entry: { readonly kind: "gateway"; readonly namespace: string; readonly name: string } | { readonly kind: "ingress" };
  readonly manifests: readonly ManifestModel[];
  readonly services: readonly ServiceModel[];
  /** Labels, for allowedRoutes `from: Selector`. */
  readonly namespaces: readonly NamespaceModel[];
  readonly implementation: Layer7Implementation;
  /** The gateway pod's own addresses: one frontend bind per family and port. */
  readonly bind: Partial<Record<Family, string>>;
}

export interface GatewayConfig {
  /** haproxy.cfg text; with no ports it holds no frontend, and HAProxy need not run. */
  readonly config: string;
  /** The ports the proxy listens on (on each address of `bind`). */
  readonly ports: readonly number[];
  /** Why things were left out or answer an error, for diagnostics. */
  readonly notes: readonly string[];
}

export function compileGatewayConfig(input: GatewayConfigInput): GatewayConfig {
  const notes: string[] = [];
  const manifests = new Layer7Manifests(input.manifests);
  const services = new Map(input.services.map((s) => [s.id, s]));
  const { entry } = input;
  const title = entry.kind === "gateway" ? `Gateway ${entry.namespace}/${entry.name}` : "the Ingress controller";
  const plans = entry.kind === "gateway"
    ? planGateway({ ...entry, manifests, namespaces: input.namespaces, implementation: input.implementation, backends: { services, grants: manifests.grants } }, notes)
    : planIngress({ manifests, implementation: input.implementation, services }, notes);
  const config = plans.length === 0 ? `# ${commentText(title)}: nothing to serve\n` : renderConfig({ title, plans, bind: input.bind }, notes);
  return { config, ports: plans.map((p) => p.port), notes: [...new Set(notes)] };
}

export { INGRESS_HTTP_PORT } from "./ingress-routes.js";
