// The conditions Layer 7 objects would carry in a cluster, as warnings on the field concerned:
// the API server accepts such objects, and they do not route as written.
import { DEFAULT_INGRESS_CLASS_ANNOTATION, type IngressClass } from "../../kube/gateway-types.js";
import type { ObjectProblem } from "../../scenario/gateway-checks.js";
import { GatewayRouter, type GatewayObjects, type GatewayRouterOptions } from "./gateway.js";

/**
 * The conditions routes would carry (Accepted: NotAllowedByListeners, NoMatchingListenerHostname,
 * NoMatchingParent, or a parent that does not exist; ResolvedRefs: RefNotPermitted,
 * BackendNotFound, InvalidKind), as warnings on the field concerned: the API server accepts
 * such routes, and they do not route as written.
 */
export function routeConditionWarnings(objects: GatewayObjects, options: GatewayRouterOptions = {}): ObjectProblem[] {
  return new GatewayRouter(objects, options).conditions().map((condition) => {
    const [namespace, name] = condition.route.split("/");
    return {
      kind: "HTTPRoute", namespace: namespace!, name: name!, path: condition.path, severity: "warning",
      message: `${condition.type} ${condition.reason}: ${condition.message}`,
    };
  });
}

/** Several IngressClasses marked default: the DefaultIngressClass admission plugin assigns the newest one. */
export function ingressClassWarnings(classes: readonly IngressClass[]): ObjectProblem[] {
  const defaults = classes.filter((c) => c.metadata.annotations?.[DEFAULT_INGRESS_CLASS_ANNOTATION] === "true");
  if (defaults.length < 2) return [];
  return defaults.map((c) => ({
    kind: "IngressClass", name: c.metadata.name, severity: "warning",
    path: ["metadata", "annotations", DEFAULT_INGRESS_CLASS_ANNOTATION],
    message: `${defaults.length} IngressClasses are marked default (${defaults.map((d) => d.metadata.name).join(", ")}): Ingresses without a class get the newest one`,
  }));
}
