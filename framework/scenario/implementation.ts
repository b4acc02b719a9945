// The Layer 7 implementation under test: which Gateways and Ingresses it serves, and the
// Extended behaviours it claims. The oracle reads it to know what is served; a provider's data
// plane is that implementation (the local provider's HAProxy gateway pods), or names one
// (`--gateway-class`, `--ingress-class` on kind and existing clusters).
// Sources: Gateway API GatewayClass (spec.controllerName), the conformance suite's
// `{GATEWAY_CLASS_NAME}` placeholder, GatewayHTTPListenerIsolation (an Extended feature);
// Ingress: IngressSpec.ingressClassName, IngressClassSpec.controller
// (https://kubernetes.io/docs/concepts/services-networking/ingress/#ingress-class).
import { GATEWAY_CLASS_PLACEHOLDER } from "../kube/gateway-types.js";

export interface Layer7Implementation {
  /** GatewayClass names it serves, declared or not. */
  readonly gatewayClassNames: readonly string[];
  /** Its controller name: it serves every GatewayClass whose spec.controllerName is this. */
  readonly gatewayController: string;
  /** Whether it isolates listeners (GatewayHTTPListenerIsolation); undefined: not known. */
  readonly listenerIsolation?: boolean;
  /** IngressClass names it serves, declared or not. */
  readonly ingressClassNames: readonly string[];
  /** IngressClass spec.controller values that name it. */
  readonly ingressControllers: readonly string[];
  /** Whether it serves Ingresses that end up with no class; undefined: not known. */
  readonly servesClasslessIngress?: boolean;
}

/**
 * The local provider's own implementation (providers/local/gateway): HAProxy in one gateway pod
 * per Gateway and one for the Ingress controller. It serves the conformance placeholder class and
 * classless Ingresses (SPEC.md: "an Ingress without ingressClassName by the default IngressClass,
 * or the provider's"), and binds each request to the most specific listener that matches its
 * host, so listeners are isolated.
 */
export const LOCAL_LAYER7: Layer7Implementation = {
  gatewayClassNames: [GATEWAY_CLASS_PLACEHOLDER],
  gatewayController: "netspec.dev/gateway",
  listenerIsolation: true,
  ingressClassNames: ["netspec"],
  ingressControllers: ["netspec.dev/ingress"],
  servesClasslessIngress: true,
};
